"""A 16-bit PNG cover is drawn as the photo it is, not as a flat white card (issue 17, item 8)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from mkdocs_pinplan.layouts import BUILTIN_LAYOUTS
from mkdocs_pinplan.model import Brand, Design
from mkdocs_pinplan.pins import default_palettes
from mkdocs_pinplan.render.draw import render_pin

BRAND = Brand(name="example.com")


def gradient(mode: str, scale: int) -> Image.Image:
    """A left-to-right grey ramp with dark stripes, stored with ``scale`` per 8-bit step."""
    image = Image.new(mode, (600, 900))
    image.putdata([((x * 255 // 599) // (4 if y % 100 < 30 else 1)) * scale
                   for y in range(900) for x in range(600)])  # fmt: skip
    return image


def rendered(photo: Path) -> Image.Image:
    design = Design(
        headline="Sixteen bits",
        layout=BUILTIN_LAYOUTS["photo"],
        palette=default_palettes("example.com")[0],
        brand=BRAND,
        image=photo,
        image_format="png",
    )
    return Image.open(io.BytesIO(render_pin(design).data)).convert("L")


def test_a_16_bit_greyscale_cover_looks_like_its_8_bit_twin(tmp_path: Path) -> None:
    deep, flat = tmp_path / "deep.png", tmp_path / "flat.png"
    gradient("I;16", 257).save(deep)
    gradient("L", 1).save(flat)
    with Image.open(deep) as check:
        assert check.mode.startswith("I")  # Pillow keeps the 16 bits
    ours, twin = rendered(deep), rendered(flat)
    # Not white: the photo's dark half shows through, as in the 8-bit file.
    assert ImageStat.Stat(ours).mean[0] < 200
    assert ImageStat.Stat(ImageChops.difference(ours, twin)).mean[0] < 2
