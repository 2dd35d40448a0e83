"""Font files: Manrope from the ``font-manrope`` package by default, never downloaded."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont


def default_font(weight: str = "Bold") -> Path:
    """Path of a bundled Manrope weight (``Regular``, ``Medium``, ``SemiBold``, ``Bold``...)."""
    import font_manrope

    name = "Manrope" if weight == "Regular" else f"Manrope{weight}"
    return Path(font_manrope.font_files[name])


@lru_cache(maxsize=64)
def load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """A FreeType font at ``size`` px, cached per process (fonts are reused across pins)."""
    return ImageFont.truetype(str(path), size)
