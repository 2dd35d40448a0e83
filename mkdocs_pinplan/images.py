"""Opening user-supplied images safely: local files only, bounded size, real images."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from .filememo import FileMemo

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

# Pillow is imported where an image is opened: a warm build, whose images are all known
# to the memo, never needs it.

MAX_PIXELS = 40_000_000
"""Largest background/logo we decode (40 MP, e.g. 8000×5000); above it we refuse, not guess."""


class ImageProblem(Exception):
    """A user image cannot be used; the message says why (the caller adds file and field)."""


def probe_image(path: Path, memo: FileMemo | None = None) -> tuple[int, int]:
    """Read only the header of ``path``: its size, refusing non-images, empty and huge ones.

    Cheap enough to run for every post on every build; decoding errors deeper in the file
    surface later, when the pin is rendered. With ``memo`` a file that has not changed since
    it last passed is not opened again.
    """
    if memo is not None:
        name = os.fspath(path)
        try:
            st = os.stat(name)
        except OSError as exc:
            raise _as_problem(path, exc) from None
        known = memo.get(name, st, "size")
        if isinstance(known, list) and len(known) == 2:
            # Checked again: the limits may have changed since the memo was written.
            return _check_size(path, known[0], known[1])
        size = probe_image(path)
        memo.put(name, st, "size", list(size))
        return size
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as probe:
                return _check_size(path, *probe.size)
    except ImageProblem:
        raise
    except Exception as exc:
        raise _as_problem(path, exc) from None


def _check_size(path: Path, width: int, height: int) -> tuple[int, int]:
    if width <= 0 or height <= 0:
        raise ImageProblem(f"image has no pixels ({width}×{height}): {path.name}")
    if width * height > MAX_PIXELS:
        raise ImageProblem(
            f"image is too large ({width}×{height} px, limit {MAX_PIXELS:,} pixels): {path.name}"
        )
    return width, height


def _as_problem(path: Path, exc: BaseException) -> ImageProblem:
    from PIL import Image, UnidentifiedImageError

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


def open_image(path: Path) -> PILImage:
    """Decode ``path`` fully into memory, refusing corrupt, empty and oversized images."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as probe:
                _check_size(path, *probe.size)
                probe.load()
                decoded: PILImage = probe.copy()
                return decoded
    except ImageProblem:
        raise
    except Exception as exc:
        raise _as_problem(path, exc) from None
