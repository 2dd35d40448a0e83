"""One pin drawn from its :class:`~mkdocs_pinplan.model.Design` (layouts are data, see layouts.py).

Photos and logos, decoded and scaled, are cached per process (keyed by the file's version).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

from .. import color
from ..color import RGB
from ..images import ImageProblem, open_image
from ..model import Design, Palette
from .fonts import (
    FontChain,
    RenderError,
    clean_headline,
    cover,
    default_font,
    describe,
    drawn_headline,
    headline_chain,
    pictograph,
    right_to_left,
    stamp,
)
from .text import TextBlock, draw_line, exact_width, fit_text

__all__ = ["Composition", "RenderError", "RenderResult", "compose", "render_pin"]

Rect = tuple[int, int, int, int]

# Sizes in px on a 1000 px wide pin.
MARGIN = 64  # on every side: no text comes closer to the edge
MIN_HEADLINE = 48  # the smallest headline that stays legible in the feed
FOOTER_SIZE = 34
LOGO_HEIGHT = 56
FOOTER_MAX_RIGHT = 0.68  # the footer ends left of this fraction: Pinterest's buttons go there
PANEL_PAD = 44
STRIPE = 36  # width of the ``stripe`` decoration down the left edge
BAR = (120, 12, 30)  # accent bar: width, thickness and gap to the headline
SCRIM: RGB = (10, 10, 14)  # near-black and neutral: white text over it suits every palette
_VALIGN = {"top": 0.0, "center": 0.5, "bottom": 1.0}  # share of the free room above the headline


@dataclass(frozen=True)
class RenderResult:
    """Encoded image bytes plus content warnings (missing glyphs, truncated headline)."""

    data: bytes
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextPlacement:
    """Where a text was drawn, in which colour: what the tests measure."""

    role: str  # headline or footer
    boxes: tuple[Rect, ...]  # each line's advance width by its fonts' ascent and descent
    color: RGB
    size: int


@dataclass(frozen=True)
class Composition:
    """A drawn pin before encoding, with what was drawn where (for tests and tools)."""

    image: Image.Image
    texts: tuple[TextPlacement, ...]
    safe: Rect  # the area the headline stays inside: the margins, above the footer
    warnings: tuple[str, ...]
    background: Image.Image | None = None  # the canvas before any text (when asked for)
    headline: TextBlock | None = None


def _scaled(design: Design, px: float) -> int:
    return max(1, round(px * design.width / 1000))


def _rect(design: Design, box: tuple[float, float, float, float]) -> Rect:
    left, top, right, bottom = box
    w, h = design.width, design.height
    return (round(left * w), round(top * h), round(right * w), round(bottom * h))


@lru_cache(maxsize=1)
def _decoded(path: Path, version: tuple[int, int], canvas: tuple[int, int]) -> Image.Image:
    """The photo upright and in RGB, big enough to cover ``canvas``; kept for the next pin."""
    try:
        image = open_image(path, cover=canvas)
    except ImageProblem as exc:
        raise RenderError(str(exc)) from None
    image = ImageOps.exif_transpose(image)
    if image.mode != "RGB":
        # Transparent areas become white rather than black.
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, color.WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    return image


@lru_cache(maxsize=4)
def _photo(
    path: Path, version: tuple[int, int], size: tuple[int, int], canvas: tuple[int, int]
) -> Image.Image:
    """The photo scaled and centre-cropped to fill ``size`` (cached per file version)."""
    image = _decoded(path, version, canvas)
    # Cover: scale so the photo fills ``size``, cropping the overflow evenly on both sides.
    scale = max(size[0] / image.width, size[1] / image.height)
    crop_w, crop_h = size[0] / scale, size[1] / scale
    left, top = (image.width - crop_w) / 2, (image.height - crop_h) / 2
    box = (left, top, left + crop_w, top + crop_h)
    # Bilinear takes 40 % less time than bicubic, the largest single cost of a pin; it differs
    # by less than JPEG at quality 85 then changes anyway (bench/README.md).
    return image.resize(size, Image.Resampling.BILINEAR, box=box, reducing_gap=2.0)


@lru_cache(maxsize=4)
def _logo(path: Path, version: tuple[int, int], height: int) -> Image.Image:
    """The logo as RGBA, fitted into ``height`` × 5 ``height`` px (cached per file version)."""
    try:
        image = open_image(path)
    except ImageProblem as exc:
        raise RenderError(f"logo: {exc}") from None
    image = ImageOps.exif_transpose(image).convert("RGBA")
    scale = min(height / image.height, 5 * height / image.width)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _shade(palette: Palette, size: tuple[int, int]) -> Image.Image:
    """A dark, branded gradient standing in for a missing full-bleed photo."""
    w, h = size
    dark = color.darkest((palette.background, palette.text, palette.accent))
    top = color.mix(dark, palette.accent, 0.28)
    bottom = color.mix(dark, (0, 0, 0), 0.35)
    ramp = Image.linear_gradient("L").resize((w, h), Image.Resampling.BILINEAR)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), ramp)
    glow = Image.new("L", size, 0)
    r = round(w * 0.55)
    ImageDraw.Draw(glow).ellipse((w - r, -r // 2, w + r, r + r // 2), fill=44)
    return Image.composite(Image.new("RGB", size, palette.accent), image, glow)


def _headline_rect(design: Design, has_photo: bool) -> Rect:
    layout = design.layout
    box = layout.text_box if has_photo else (layout.text_box_alone or layout.text_box)
    left, top, right, bottom = _rect(design, box)
    safe = _safe(design)
    return (max(left, safe[0]), max(top, safe[1]), min(right, safe[2]), min(bottom, safe[3]))


def _footer_top(design: Design) -> int:
    return design.height - _scaled(design, MARGIN) - _scaled(design, LOGO_HEIGHT)


def _safe(design: Design) -> Rect:
    """Where text may go: inside the margins and, with a footer, above it."""
    margin = _scaled(design, MARGIN)
    bottom = design.height - margin
    if design.layout.footer != "none":
        bottom = _footer_top(design) - _scaled(design, 24)
    return (margin, margin, design.width - margin, bottom)


def _scrim_alpha(photo: Image.Image, zones: list[Rect], least: float) -> float:
    """The least scrim opacity that puts white text in every zone at WCAG contrast or better,
    for every pixel (each channel's maximum over the zone bounds any pixel's luminance)."""
    target = (color.luminance(color.WHITE) + 0.05) / (color.TEXT_CONTRAST + 0.1) - 0.05
    alpha = least
    for zone in zones:
        extrema = photo.crop(zone).getextrema()
        top = tuple(int(hi) for _lo, hi in extrema)  # type: ignore[misc]

        def blended(a: float, top: tuple[int, ...] = top) -> float:
            mixed = tuple(round(c * (1 - a) + s * a) for c, s in zip(top, SCRIM, strict=True))
            return color.luminance((mixed[0], mixed[1], mixed[2]))

        lo, hi = alpha, 1.0
        if blended(lo) <= target:
            continue
        while hi - lo > 0.005:
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if blended(mid) <= target else (mid, hi)
        alpha = hi
    return min(alpha, 1.0)


def _scrim_mask(design: Design, zones: list[Rect], alpha: float, least: float) -> Image.Image:
    """A vertical ramp: a light veil at the top, ``alpha`` from the first zone to the bottom."""
    h = design.height
    start = min(zone[1] for zone in zones)
    ramp = _scaled(design, 320)
    floor = least * 0.3
    values = []
    for y in range(h):
        if y >= start:
            a = alpha
        elif y >= start - ramp:
            t = (y - (start - ramp)) / ramp
            # Smoothstep from the veil up to the plateau: no visible edge.
            a = floor + (alpha - floor) * t * t * (3 - 2 * t)
        else:
            a = floor
        values.append(round(a * 255))
    column = Image.new("L", (1, h))
    column.putdata(values)
    # Every column is the same: nearest-neighbour stretching is exact and fast.
    return column.resize((design.width, h), Image.Resampling.NEAREST)


def _full_bleed(design: Design, photo_key: tuple[Path, tuple[int, int]] | None) -> Image.Image:
    """A fresh canvas: the full-bleed photo, or without one the branded gradient, darkened
    where text goes."""
    layout, size = design.layout, (design.width, design.height)
    image = _photo(*photo_key, size, size).copy() if photo_key else _shade(design.palette, size)
    zones = [] if layout.panel else [_headline_rect(design, photo_key is not None)]
    if layout.footer != "none":
        zones.append((0, _footer_top(design), *size))
    if zones:
        mask = _scrim_mask(design, zones, _scrim_alpha(image, zones, layout.scrim), layout.scrim)
        image.paste(_scrim(size), None, mask)
    return image


@lru_cache(maxsize=2)
def _scrim(size: tuple[int, int]) -> Image.Image:
    """A canvas of SCRIM: pasting it through a mask takes half the time of pasting the colour."""
    return Image.new("RGB", size, SCRIM)


def _backdrop(
    design: Design, photo_key: tuple[Path, tuple[int, int]] | None, accent: RGB
) -> Image.Image:
    """A fresh canvas with everything behind the headline that does not depend on its words."""
    layout, palette = design.layout, design.palette
    w, h = size = (design.width, design.height)
    if layout.photo == "full":
        image = _full_bleed(design, photo_key)
    else:
        image = Image.new(
            "RGB", size, palette.accent if layout.ground == "accent" else palette.background
        )
    draw = ImageDraw.Draw(image)
    if layout.photo in ("box", "card"):
        area = _rect(design, layout.photo_box)
        box = (area[2] - area[0], area[3] - area[1])
        if layout.photo == "box":
            # Without a photo the box is a solid block of the accent: a two-tone design.
            photo = _photo(*photo_key, box, size) if photo_key else palette.accent
            image.paste(photo, area)
        elif photo_key:
            radius, border = _scaled(design, 28), _scaled(design, 10)
            frame = (area[0] - border, area[1] - border, area[2] + border, area[3] + border)
            draw.rounded_rectangle(frame, radius=radius + border, fill=palette.background)
            mask = Image.new("L", box, 0)
            ImageDraw.Draw(mask).rounded_rectangle((0, 0, box[0] - 1, box[1] - 1), radius, fill=255)
            image.paste(_photo(*photo_key, box, size), area[:2], mask)
    if "stripe" in layout.decorations:
        draw.rectangle((0, 0, _scaled(design, STRIPE) - 1, h - 1), fill=accent)
    if "frame" in layout.decorations:
        inset, thick = _scaled(design, 30), _scaled(design, 10)
        draw.rectangle((inset, inset, w - inset - 1, h - inset - 1), outline=accent, width=thick)
    return image


def _drawable(text: str, chain: FontChain, what: str, warnings: list[str]) -> str:
    """``text`` without what no font of ``chain`` has, warning about letters (not pictographs)."""
    coverage = cover(text, chain)
    missing = [c for c in coverage.missing if not pictograph(c)]
    if missing:
        warnings.append(
            f"{what}: no font has {describe(missing)}; left out "
            "(add a font that has them to brand.fallback_fonts)"
        )
    return " ".join(coverage.text.split())


def _colors(design: Design) -> tuple[RGB, RGB, RGB, RGB]:
    """(surface under the headline, headline, accent, site name) colours."""
    layout, palette = design.layout, design.palette
    ground = color.rgb(palette.accent if layout.ground == "accent" else palette.background)
    # Over a photo or shade the scrim guarantees contrast for white.
    name = color.WHITE
    if layout.photo != "full":
        name = color.readable(ground, [palette.accent, palette.text, palette.background])
    if layout.photo == "full" and not layout.panel:
        return color.rgb(palette.background), color.WHITE, color.rgb(palette.accent), name
    surface = color.rgb(palette.background) if layout.panel else ground
    preferred = [palette.text, palette.background]
    if surface != color.rgb(palette.background):
        preferred.reverse()
    text = color.readable(surface, preferred)
    accent = color.rgb(palette.accent)
    if color.contrast(accent, surface) < 1.6:
        accent = text
    return surface, text, accent, name


def _fitted_headline(
    design: Design, headline: str, room: tuple[int, int], chain: FontChain, warnings: list[str]
) -> TextBlock | None:
    """The headline set in ``room`` (width, height), with a warning when it had to be cut."""
    if not headline:
        if design.headline.strip():
            warnings.append("headline: nothing left to draw after leaving out missing characters")
        return None
    block = fit_text(
        headline,
        chain,
        width=room[0],
        height=room[1],
        max_size=_scaled(design, design.layout.max_size),
        min_size=_scaled(design, MIN_HEADLINE),
        lang=design.lang,
        max_lines=design.layout.max_lines,
    )
    if block.truncated:
        warnings.append(
            f"headline too long for the '{design.layout.name}' layout even at {block.size} px; "
            f"shortened to “{' '.join(block.lines)}”"
        )
    return block


def compose(design: Design, *, keep_background: bool = False) -> Composition:
    """Draw ``design``, reporting where every text went; :class:`RenderError` for unusable files."""
    layout = design.layout
    warnings: list[str] = []
    shown = design.image if layout.photo != "none" else None
    photo_key = (shown, stamp(shown, "image")) if shown is not None else None
    surface, text_color, accent, name_color = _colors(design)
    image = _backdrop(design, photo_key, accent)
    draw = ImageDraw.Draw(image)
    chain = FontChain.of(headline_chain(design.brand))
    headline = _drawable(drawn_headline(design), chain, "headline", warnings)
    rect = _headline_rect(design, photo_key is not None)
    bar_w, bar_h, bar_gap = (_scaled(design, v) for v in BAR)
    pad = _scaled(design, PANEL_PAD) if layout.panel else 0
    above = bar_h + bar_gap if "bar" in layout.decorations else 0
    below = bar_h + bar_gap if "rule" in layout.decorations else 0
    inner = (rect[0] + pad, rect[1] + pad + above, rect[2] - pad, rect[3] - pad - below)
    width, height = inner[2] - inner[0], inner[3] - inner[1]
    block = _fitted_headline(design, headline, (width, height), chain, warnings)
    lines: list[tuple[str, tuple[float, int]]] = []
    if block is not None:
        widths = [exact_width(chain, line, block.size) for line in block.lines]
        top = inner[1] + math.floor((height - block.height) * _VALIGN[layout.valign])
        if layout.panel:  # a solid panel behind the headline, at least half the width
            panel_w = max(max(widths), round(design.width * 0.5) - 2 * pad)
            left: float = rect[0]
            if layout.align == "center":
                left = (rect[0] + rect[2]) // 2 - panel_w // 2 - pad
            bottom = top + block.height + below + pad
            draw.rectangle(
                (left, top - above - pad, left + panel_w + 2 * pad, bottom), fill=surface
            )
        # Where the free room goes: right of left-aligned lines, both sides of centred ones,
        # left of a right-to-left headline (it is set flush right).
        share = 0.5 if layout.align == "center" else float(right_to_left(headline))
        for kind, y in (("bar", top - bar_gap - bar_h), ("rule", top + block.height + bar_gap)):
            if kind in layout.decorations:
                x = inner[0] + round((width - bar_w) * share)
                draw.rectangle((x, y, x + bar_w - 1, y + bar_h - 1), fill=accent)
        for n, (line, lw) in enumerate(zip(block.lines, widths, strict=True)):
            at = (inner[0] + (width - lw) * share, top + block.ascent + block.line_height * n)
            lines.append((line, at))
    footer = _footer(design, image, warnings)
    background = image.copy() if keep_background else None
    texts = []
    if block is not None:
        boxes = tuple(
            draw_line(draw, at, line, chain, block.size, text_color) for line, at in lines
        )
        texts.append(TextPlacement("headline", boxes, text_color, block.size))
    if footer is not None:
        name, name_chain, at = footer
        box = draw_line(draw, at, name.lines[0], name_chain, name.size, name_color)
        texts.append(TextPlacement("footer", (box,), name_color, name.size))
    return Composition(image, tuple(texts), _safe(design), tuple(warnings), background, block)


def _footer(
    design: Design, image: Image.Image, warnings: list[str]
) -> tuple[TextBlock, FontChain, tuple[int, int]] | None:
    """Paste the logo at the bottom and set the site name beside it: the name's setting,
    fonts and baseline start (``None`` without a name to draw)."""
    layout, brand = design.layout, design.brand
    if layout.footer == "none" or not (brand.name or brand.logo):
        return None
    w = design.width
    margin = _scaled(design, MARGIN)
    top = _footer_top(design)
    zone_h = _scaled(design, LOGO_HEIGHT)
    logo = _logo(brand.logo, stamp(brand.logo, "logo"), zone_h) if brand.logo else None
    logo_w = logo.width + _scaled(design, 16) if logo else 0
    chain = FontChain.of((brand.font or default_font("SemiBold"), *brand.fallback_fonts))
    name = _drawable(clean_headline(brand.name), chain, "brand name", warnings)
    block = None
    if name:
        size = _scaled(design, FOOTER_SIZE)
        # Either way the footer ends left of FOOTER_MAX_RIGHT, clear of Pinterest's buttons.
        if layout.footer == "left":
            room = round(w * FOOTER_MAX_RIGHT) - margin - logo_w
        else:
            room = round(w * (2 * FOOTER_MAX_RIGHT - 1)) - logo_w
        block = fit_text(
            name,
            chain,
            width=room,
            height=round(size * 1.4),
            max_size=size,
            min_size=_scaled(design, 22),
            lang=design.lang,
        )
        if block.truncated:
            warnings.append(f"brand name too long for the footer; shortened to “{block.lines[0]}”")
    text_w = exact_width(chain, block.lines[0], block.size) if block else 0
    total = logo_w + text_w if block else (logo.width if logo else 0)
    x = margin if layout.footer == "left" else (w - round(total)) // 2
    if logo:
        image.paste(logo, (x, top + (zone_h - logo.height) // 2), logo)
        x += logo_w
    if block is None:
        return None
    return block, chain, (x, top + (zone_h + block.ascent - block.descent) // 2)


def render_pin(design: Design) -> RenderResult:
    """The encoded pin with its warnings: a pure function of the design and its files' bytes
    (JPEG at the design's quality, or PNG with fast compression)."""
    composition = compose(design)
    out = io.BytesIO()
    if design.image_format == "png":
        composition.image.save(out, "PNG", compress_level=1)
    else:
        composition.image.save(out, "JPEG", quality=design.quality)
    return RenderResult(out.getvalue(), composition.warnings)
