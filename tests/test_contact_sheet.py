"""The contact sheet shows every built-in layout with a photo, the layouts a post without one
gets, and non-Latin headlines in fonts installed on the system."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from mkdocs_pinplan.contact_sheet import GAP, LABEL, SAMPLE_SCRIPTS, SCALE, main
from mkdocs_pinplan.layouts import BUILTIN_LAYOUTS
from mkdocs_pinplan.pins import works_without_photo
from mkdocs_pinplan.render.fonts import fonts_for


def test_contact_sheet_has_a_thumbnail_per_layout_and_stays_small(tmp_path: Path) -> None:
    out = tmp_path / "sheet.png"
    assert main([str(out)]) == 0
    tw, th = 1000 // SCALE, 1500 // SCALE
    alone = [layout for layout in BUILTIN_LAYOUTS.values() if works_without_photo(layout)]
    scripts = [s for s in SAMPLE_SCRIPTS if fonts_for(s[1], s[0])]
    rows = [len(BUILTIN_LAYOUTS), len(alone)] + ([len(scripts)] if scripts else [])
    with Image.open(out) as sheet:
        assert sheet.format == "PNG"
        assert sheet.size == (
            GAP + len(BUILTIN_LAYOUTS) * (tw + GAP),
            GAP + len(rows) * (th + LABEL + GAP),
        )
        rgb = sheet.convert("RGB")
    # Every thumbnail slot is filled with a pin, not left as the sheet's background.
    for row, count in enumerate(rows):
        for col in range(count):
            x = GAP + col * (tw + GAP)
            y = GAP + row * (th + LABEL + GAP)
            thumb = rgb.crop((x, y, x + tw, y + th)).resize((25, 37))
            colors = thumb.getcolors(maxcolors=25 * 37)
            assert colors is not None and len(colors) > 2, (row, col)
    assert out.stat().st_size < 600_000


def test_a_built_sites_pins_can_be_laid_out(tmp_path: Path) -> None:
    pins = tmp_path / "pins"
    pins.mkdir()
    for n, colour in enumerate(("#aa3355", "#3355aa", "#55aa33")):
        Image.new("RGB", (1000, 1500), colour).save(pins / f"post-{n + 1}.jpg")
    out = tmp_path / "pins.png"
    assert main([str(out), "--pins", str(pins)]) == 0
    with Image.open(out) as sheet:
        tw, th = 1000 // SCALE, 1500 // SCALE
        assert sheet.size == (GAP + 3 * (tw + GAP), GAP + th + LABEL + GAP)
        first = sheet.convert("RGB").getpixel((GAP + tw // 2, GAP + th // 2))
    assert isinstance(first, tuple) and abs(first[0] - 0xAA) < 8
