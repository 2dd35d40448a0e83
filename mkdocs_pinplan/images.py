"""Opening user-supplied images safely: local files only, bounded size, real images."""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 40_000_000
"""Largest background/logo we decode (40 MP, e.g. 8000×5000); above it we refuse, not guess."""


class ImageProblem(Exception):
    """A user image cannot be used; the message says why (the caller adds file and field)."""


def probe_image(path: Path) -> tuple[int, int]:
    """Read only the header of ``path``: its size, refusing non-images, empty and huge ones.

    Cheap enough to run for every post on every build; decoding errors deeper in the file
    surface later, when the pin is rendered.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as probe:
                return _checked_size(path, probe)
    except ImageProblem:
        raise
    except Exception as exc:
        raise _as_problem(path, exc) from None


def _checked_size(path: Path, image: Image.Image) -> tuple[int, int]:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageProblem(f"image has no pixels ({width}×{height}): {path.name}")
    if width * height > MAX_PIXELS:
        raise ImageProblem(
            f"image is too large ({width}×{height} px, limit {MAX_PIXELS:,} pixels): {path.name}"
        )
    return width, height


def _as_problem(path: Path, exc: BaseException) -> ImageProblem:
    if isinstance(exc, FileNotFoundError):
        return ImageProblem(f"image not found: {path.name}")
    if isinstance(exc, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        return ImageProblem(
            f"image is too large (more than {MAX_PIXELS:,} pixels; refusing a possible "
            f"decompression bomb): {path.name}"
        )
    if isinstance(exc, UnidentifiedImageError):
        return ImageProblem(f"not an image Pillow can read: {path.name}")
    if isinstance(exc, (OSError, SyntaxError, ValueError, EOFError)):
        return ImageProblem(f"image is corrupt or truncated ({exc}): {path.name}")
    return ImageProblem(f"image cannot be read ({type(exc).__name__}: {exc}): {path.name}")


def open_image(path: Path) -> Image.Image:
    """Decode ``path`` fully into memory, refusing corrupt, empty and oversized images."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as probe:
                _checked_size(path, probe)
                probe.load()
                decoded: Image.Image = probe.copy()
                return decoded
    except ImageProblem:
        raise
    except Exception as exc:
        raise _as_problem(path, exc) from None
