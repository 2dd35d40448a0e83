"""A contact sheet: every layout drawn for one sample post, with and without a photo.

Run ``python -m mkdocs_pinplan.contact_sheet OUT.png [--image PHOTO]`` to see the designs
side by side before choosing ``layouts:`` (the README's picture is made this way).
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

from .layouts import BUILTIN_LAYOUTS
from .model import Brand, Design, Layout, Palette
from .pins import default_palettes
from .render.draw import compose
from .render.fonts import default_font, load_font

SAMPLE_HEADLINE = "Slow pinning: a week-ahead plan for a new account"
SAMPLE_SITE = "feldnotizen.example.com"
SCALE = 4
"""Thumbnails are 1/SCALE of the pin's size (250 × 375 px)."""
GAP = 24
LABEL = 44


def sample_photo(path: Path, size: tuple[int, int] = (1200, 1600)) -> Path:
    """Write a calm landscape (sky, sun, two ridges) to ``path``: a stand-in photo."""
    w, h = size
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


def contact_sheet(
    layouts: Sequence[Layout],
    *,
    photo: Path,
    headline: str = SAMPLE_HEADLINE,
    brand: Brand | None = None,
    palettes: Sequence[Palette] | None = None,
    lang: str = "en",
) -> Image.Image:
    """One row of thumbnails with ``photo``, one without it (the fallbacks), labelled."""
    brand = brand or Brand(name=SAMPLE_SITE)
    palettes = palettes or default_palettes(brand.name)
    tw, th = 1000 // SCALE, 1500 // SCALE
    cols = len(layouts)
    sheet = Image.new("RGB", (GAP + cols * (tw + GAP), GAP + 2 * (th + LABEL + GAP)), "#f6f4f1")
    draw = ImageDraw.Draw(sheet)
    font = load_font(default_font("SemiBold"), 20)
    for row, image in enumerate((photo, None)):
        for col, layout in enumerate(layouts):
            design = Design(
                headline=headline,
                layout=layout,
                palette=palettes[(col + 2 * row) % len(palettes)],
                brand=brand,
                lang=lang,
                image=image,
            )
            pin = compose(design).image.resize((tw, th), Image.Resampling.LANCZOS)
            x = GAP + col * (tw + GAP)
            y = GAP + row * (th + LABEL + GAP)
            sheet.paste(pin, (x, y))
            label = layout.name if image else f"{layout.name} (no photo)"
            draw.text((x, y + th + 10), label, font=font, fill="#333333")
    return sheet


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the contact sheet of the built-in layouts to a PNG file."""
    parser = argparse.ArgumentParser(
        prog="python -m mkdocs_pinplan.contact_sheet", description=__doc__.splitlines()[0]
    )
    parser.add_argument("out", type=Path, help="PNG file to write")
    parser.add_argument("--image", type=Path, help="photo for the photo layouts")
    parser.add_argument("--headline", default=SAMPLE_HEADLINE)
    parser.add_argument("--site", default=SAMPLE_SITE, help="site name for the footer")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        photo = args.image.resolve() if args.image else sample_photo(Path(tmp) / "sample.jpg")
        sheet = contact_sheet(
            list(BUILTIN_LAYOUTS.values()),
            photo=photo,
            headline=args.headline,
            brand=Brand(name=args.site),
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # A dithered 256-colour palette keeps the picture small enough for a README.
    palette = sheet.quantize(256, method=Image.Quantize.MEDIANCUT)
    sheet.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG).save(
        args.out, optimize=True
    )
    print(f"wrote {args.out} ({sheet.width}×{sheet.height})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
