"""Drawing of one pin: a solid background with the headline set large inside safe margins."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw

from ..model import Design
from .fonts import default_font, load_font

MARGIN = 80


class RenderError(Exception):
    """A pin cannot be rendered from its inputs (bad image or font); the message says why."""


@dataclass(frozen=True)
class RenderResult:
    """Encoded image bytes plus content warnings (missing glyphs, truncated headline)."""

    data: bytes
    warnings: tuple[str, ...] = ()


def _wrap(draw: ImageDraw.ImageDraw, text: str, size: int, width: int, design: Design) -> list[str]:
    font = load_font(design.brand.font_bold or default_font("Bold"), size)
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def render_pin(design: Design) -> RenderResult:
    """Render ``design`` and return the encoded image (JPEG or PNG) with any warnings.

    Raises :class:`RenderError` when an input file cannot be used.
    """
    image = Image.new("RGB", (design.width, design.height), design.palette.background)
    draw = ImageDraw.Draw(image)
    width = design.width - 2 * MARGIN
    size = 120
    while True:
        lines = _wrap(draw, design.headline, size, width, design)
        font = load_font(design.brand.font_bold or default_font("Bold"), size)
        fits = all(draw.textlength(line, font=font) <= width for line in lines)
        if (fits and len(lines) * size * 1.2 <= design.height * 0.6) or size <= 48:
            break
        size -= 6
    y = (design.height - len(lines) * size * 1.2) / 2
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=design.palette.text)
        y += size * 1.2
    if design.brand.name:
        small = load_font(design.brand.font or default_font("Medium"), 36)
        draw.text(
            (MARGIN, design.height - MARGIN - 36),
            design.brand.name,
            font=small,
            fill=design.palette.accent,
        )
    out = io.BytesIO()
    if design.image_format == "png":
        image.save(out, "PNG", compress_level=1)
    else:
        image.save(out, "JPEG", quality=design.quality, optimize=False)
    return RenderResult(out.getvalue())
