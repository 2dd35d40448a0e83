"""Opening user-supplied images safely: local files only, bounded size, real images."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .filememo import FileMemo

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

# Pillow is imported where an image is opened: a warm build, whose images are all known
# to the memo, never needs it.

MAX_PIXELS = 40_000_000
"""Largest background/logo we decode (40 MP, e.g. 8000×5000); above it we refuse, not guess."""


def image_size_memo(cache_dir: Path) -> FileMemo:
    """The memo of the sizes of images that passed :func:`probe_image`, kept in ``cache_dir``."""
    return FileMemo(cache_dir / "image-sizes.json")


class ImageProblem(Exception):
    """A user image cannot be used; the message says why (the caller adds file and field)."""


def probe_image(path: Path, memo: FileMemo | None = None) -> tuple[int, int]:
    """The size of ``path`` read from its header, refusing non-images, empty and huge ones
    (errors deeper in the file surface when the pin is drawn). With ``memo`` a file unchanged
    since it last passed is not opened again."""
    if memo is not None:
        name = os.fspath(path)
        try:
            st = os.stat(name)
        except OSError as exc:
            raise _as_problem(path, exc) from None
        known = memo.get(name, st)
        if isinstance(known, list) and len(known) == 2 and all(type(n) is int for n in known):
            return _check_size(path, known[0], known[1])
        size = probe_image(path)
        memo.put(name, st, list(size))
        return size
    with _opened(path) as image:
        return image.size


@contextmanager
def _opened(path: Path) -> Iterator[PILImage]:
    """``path`` opened (not decoded) by Pillow, its size checked; any failure, in the
    ``with`` body too, is an :class:`ImageProblem`."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                _check_size(path, *image.size)
                yield image
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


def open_image(path: Path, cover: tuple[int, int] | None = None) -> PILImage:
    """Decode ``path`` into memory in 8 bits per channel, refusing corrupt, empty and oversized
    images. With ``cover`` (width, height), a JPEG may be decoded at 1/2, 1/4 or 1/8 of its size
    (libjpeg scales while decoding, much faster), never below what covers that area upright."""
    with _opened(path) as image:
        if cover is not None and image.format == "JPEG":
            width, height = image.size
            # EXIF orientations 5 to 8 show the stored image turned by a quarter.
            if image.getexif().get(0x0112) in (5, 6, 7, 8):
                cover = (cover[1], cover[0])
            scale = min(1.0, max(cover[0] / width, cover[1] / height))
            image.draft(None, (math.ceil(width * scale), math.ceil(height * scale)))
        image.load()
        image = image.copy()
    if image.mode != "F" and not image.mode.startswith("I"):
        return image
    # Pillow keeps 16-bit greyscale PNGs (and 32-bit images) in modes I;16, I and F, and
    # converting those to RGB clips every value above 255 to white: scaled to 0-255 first.
    wide = image if image.mode in ("I", "F") else image.convert("I")
    high = wide.getextrema()[1]
    # Floats are usually 0-1; whole numbers come from 16-bit files (0-65535).
    scale = 255.0 if image.mode == "F" and isinstance(high, float) and high <= 1.0 else 1 / 257
    return wide.point(lambda v: v * scale).convert("L")
