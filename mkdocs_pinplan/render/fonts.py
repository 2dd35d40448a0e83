"""Font files: Manrope from the ``font-manrope`` package by default, never downloaded."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Brand
from .problems import RenderError

if TYPE_CHECKING:
    from PIL import ImageFont

# Pillow is imported where a font is opened: a warm build checks its headlines' characters
# against the fonts' character maps, but never opens a font to draw.

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


def shaping_available() -> bool:
    """Whether Pillow has raqm (HarfBuzz and FriBiDi): complex and right-to-left scripts
    need it to join and order their letters."""
    from PIL import features

    return bool(features.check("raqm"))


@lru_cache(maxsize=256)
def load_font(path: Path, size: int, shaped: bool = False) -> ImageFont.FreeTypeFont:
    """A FreeType font at ``size`` px, cached per process (fonts are reused across pins).

    ``shaped`` lays text out with raqm where Pillow has it (see :func:`shaping_available`);
    plain Latin, Greek, Cyrillic and CJK text needs no shaping and is laid out faster
    without. Raises :class:`RenderError` when the file is missing or FreeType cannot use it
    at that size (e.g. a bitmap-only emoji font).
    """
    from PIL import ImageFont

    engine = ImageFont.Layout.RAQM if shaped and shaping_available() else ImageFont.Layout.BASIC
    try:
        return ImageFont.truetype(str(path), size, layout_engine=engine)
    except FileNotFoundError:
        raise RenderError(f"font file not found: {path}") from None
    except OSError as exc:
        # Typically a bitmap-only colour emoji font, which FreeType draws at one size only.
        raise RenderError(
            f"cannot use font file {path.name} at {size} px ({exc}); bitmap-only fonts "
            "such as Noto Color Emoji are not supported, use an outline font"
        ) from None
