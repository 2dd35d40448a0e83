"""Opening user-supplied images safely: local files only, bounded size, real images."""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 40_000_000
"""Largest background/logo we decode (40 MP, e.g. 8000×5000); above it we refuse, not guess."""


class ImageProblem(Exception):
    """A user image cannot be used; the message says why (the caller adds file and field)."""


def open_image(path: Path) -> Image.Image:
    """Decode ``path`` fully into memory, refusing corrupt, empty and oversized images."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as probe:
                width, height = probe.size
                if width <= 0 or height <= 0:
                    raise ImageProblem(f"image has no pixels ({width}×{height}): {path.name}")
                if width * height > MAX_PIXELS:
                    raise ImageProblem(
                        f"image is too large ({width}×{height} px, limit {MAX_PIXELS:,} pixels): "
                        f"{path.name}"
                    )
                probe.load()
                decoded: Image.Image = probe.copy()
                return decoded
    except ImageProblem:
        raise
    except FileNotFoundError:
        raise ImageProblem(f"image not found: {path.name}") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem(f"image is too large to decode safely: {path.name}") from None
    except UnidentifiedImageError:
        raise ImageProblem(f"not an image Pillow can read: {path.name}") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageProblem(f"image is corrupt or truncated ({exc}): {path.name}") from None
