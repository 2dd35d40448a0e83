"""A contact sheet: every layout for a sample post with a photo, the layouts a post without
one gets, and non-Latin headlines in fonts installed on the system.

Run ``python -m mkdocs_pinplan.contact_sheet OUT.png [--image PHOTO]`` to see the designs
side by side before choosing ``layouts:`` (the README's picture is made this way), or
``… OUT.png --pins site/assets/pinplan`` to see the pins a build made.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw

from .layouts import BUILTIN_LAYOUTS
from .model import Brand, Design
from .pins import default_palettes, works_without_photo
from .render.draw import compose
from .render.fonts import default_font, fonts_for, load_font

SAMPLE_HEADLINE = "Slow pinning: a week-ahead plan for a new account"
SAMPLE_SITE = "feldnotizen.example.com"
SCALE = 4  # thumbnails are 1/SCALE of the pin's size (250 × 375 px)
THUMB = (1000 // SCALE, 1500 // SCALE)
GAP = 24
LABEL = 44
SAMPLE_SCRIPTS = (
    ("ja", "ピンタレストで始める一週間の計画", "type", False),
    ("ar", "خطة أسبوعية لحساب جديد", "stripe", False),
    ("zh", "中文搜索支持：新的分词方法", "block", False),
    ("ja", "写真の撮り方：ピンに合う背景", "photo", True),
)
"""Non-Latin sample posts (language, headline, layout, with a photo), drawn with whatever
installed font fontconfig finds for them."""


def sample_photo(path: Path) -> Path:
    """Write a calm landscape (sky, sun, two ridges) to ``path``: a stand-in photo."""
    w, h = size = (1200, 1600)
    sky = Image.linear_gradient("L").resize(size)
    image = Image.composite(
        Image.new("RGB", size, "#7d5a8c"), Image.new("RGB", size, "#f2b27a"), sky
    )
    draw = ImageDraw.Draw(image)
    draw.ellipse((w * 0.6, h * 0.22, w * 0.74, h * 0.22 + w * 0.14), fill="#fbe3a6")
    far = [(0, h * 0.5), (w * 0.2, h * 0.42), (w * 0.42, h * 0.5), (w * 0.65, h * 0.38)]
    far += [(w * 0.85, h * 0.47), (w, h * 0.41), (w, h), (0, h)]
    draw.polygon(far, fill="#5e4f7a")
    near = [(0, h * 0.66), (w * 0.3, h * 0.56), (w * 0.55, h * 0.68), (w * 0.8, h * 0.58)]
    near += [(w, h * 0.64), (w, h), (0, h)]
    draw.polygon(near, fill="#2f2a45")
    image.save(path, quality=90)
    return path


def contact_sheet(photo: Path, headline: str, brand: Brand) -> Image.Image:
    """Labelled thumbnails: every built-in layout with ``photo``; the layouts a post without a
    photo gets; non-Latin headlines set in fonts installed on the system (when there are any)."""
    palettes = default_palettes(brand.name)
    layouts = list(BUILTIN_LAYOUTS.values())
    alone = [layout for layout in layouts if works_without_photo(layout)]
    rows: list[list[tuple[Design, str]]] = [
        [
            (Design(headline, layout, palettes[i % len(palettes)], brand, image=photo), layout.name)
            for i, layout in enumerate(layouts)
        ],
        [
            (Design(headline, layout, palettes[(i + 2) % len(palettes)], brand), layout.name)
            for i, layout in enumerate(alone)
        ],
        [],
    ]
    for i, (lang, text, name, photo_too) in enumerate(SAMPLE_SCRIPTS):
        fonts = fonts_for(text, lang)
        if fonts:  # else no installed font for this script: nothing honest to show
            branded = replace(brand, fallback_fonts=(*brand.fallback_fonts, *fonts))
            palette = palettes[(i + 4) % len(palettes)]
            layout = BUILTIN_LAYOUTS[name]
            design = Design(text, layout, palette, branded, lang, photo if photo_too else None)
            rows[2].append((design, f"{lang} · {fonts[0].name}"))
    return grid([[(compose(design).image, label) for design, label in row] for row in rows if row])


def grid(rows: Sequence[Sequence[tuple[Image.Image, str]]]) -> Image.Image:
    """Thumbnails in rows, each labelled underneath, on a light sheet."""
    tw, th = THUMB
    cols = max(len(row) for row in rows)
    size = (GAP + cols * (tw + GAP), GAP + len(rows) * (th + LABEL + GAP))
    sheet = Image.new("RGB", size, "#f6f4f1")
    draw = ImageDraw.Draw(sheet)
    font = load_font(default_font("SemiBold"), 20)
    for r, row in enumerate(rows):
        for c, (image, label) in enumerate(row):
            x, y = GAP + c * (tw + GAP), GAP + r * (th + LABEL + GAP)
            sheet.paste(image.resize(THUMB, Image.Resampling.LANCZOS), (x, y))
            draw.text((x, y + th + 10), label, font=font, fill="#333333")
    return sheet


def pin_sheet(folder: Path, columns: int = 6) -> Image.Image:
    """Every pin image in ``folder`` (a built site's ``assets/pinplan``), by file name."""
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    if not paths:
        raise SystemExit(f"no pin images in {folder}")
    cells = []
    for path in paths:
        with Image.open(path) as image:
            image.thumbnail(THUMB)  # a big site's pins at full size would not fit in memory
            cells.append((image.convert("RGB"), path.stem[:24]))
    return grid([cells[i : i + columns] for i in range(0, len(cells), columns)])


def main(argv: Sequence[str] | None = None) -> int:
    """Write the contact sheet of the built-in layouts (or of a site's pins) to a PNG file."""
    parser = argparse.ArgumentParser(
        prog="python -m mkdocs_pinplan.contact_sheet", description=__doc__.splitlines()[0]
    )
    parser.add_argument("out", type=Path, help="PNG file to write")
    parser.add_argument("--image", type=Path, help="photo for the photo layouts")
    parser.add_argument("--headline", default=SAMPLE_HEADLINE)
    parser.add_argument("--site", default=SAMPLE_SITE, help="site name for the footer")
    parser.add_argument("--pins", type=Path, help="lay out the pins in this folder instead")
    args = parser.parse_args(argv)
    if args.pins:
        sheet = pin_sheet(args.pins)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            photo = args.image.resolve() if args.image else sample_photo(Path(tmp) / "sample.jpg")
            sheet = contact_sheet(photo, args.headline, Brand(name=args.site))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # A dithered 256-colour palette keeps the picture small enough for a README.
    palette = sheet.quantize(256, method=Image.Quantize.MEDIANCUT)
    small = sheet.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG)
    small.save(args.out, optimize=True)
    print(f"wrote {args.out} ({sheet.width}×{sheet.height})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
