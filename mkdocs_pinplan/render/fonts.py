"""Font files: Manrope from the ``font-manrope`` package by default, never downloaded."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from ..model import Brand
from .problems import RenderError

HEADLINE_WEIGHT = "ExtraBold"
BODY_WEIGHT = "SemiBold"


def default_font(weight: str = "Bold") -> Path:
    """Path of a bundled Manrope weight (``Regular``, ``Medium``, ``SemiBold``, ``Bold``...)."""
    import font_manrope

    name = "Manrope" if weight == "Regular" else f"Manrope{weight}"
    return Path(font_manrope.font_files[name])


def headline_chain(brand: Brand) -> tuple[Path, ...]:
    """Fonts tried in order for the headline: the bold font, then the fallbacks."""
    return (brand.font_bold or default_font(HEADLINE_WEIGHT), *brand.fallback_fonts)


def body_chain(brand: Brand) -> tuple[Path, ...]:
    """Fonts tried in order for small text (the footer): the regular font, then fallbacks."""
    return (brand.font or default_font(BODY_WEIGHT), *brand.fallback_fonts)


@lru_cache(maxsize=256)
def load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """A FreeType font at ``size`` px, cached per process (fonts are reused across pins).

    Raises :class:`RenderError` when the file is missing or FreeType cannot use it at
    that size (e.g. a bitmap-only emoji font).
    """
    try:
        return ImageFont.truetype(str(path), size)
    except FileNotFoundError:
        raise RenderError(f"font file not found: {path}") from None
    except OSError as exc:
        # Typically a bitmap-only colour emoji font, which FreeType draws at one size only.
        raise RenderError(
            f"cannot use font file {path.name} at {size} px ({exc}); bitmap-only fonts "
            "such as Noto Color Emoji are not supported, use an outline font"
        ) from None
