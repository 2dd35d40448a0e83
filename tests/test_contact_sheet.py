"""The contact sheet shows every built-in layout, with and without a photo."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from mkdocs_pinplan.contact_sheet import GAP, LABEL, SCALE, main
from mkdocs_pinplan.layouts import BUILTIN_LAYOUTS


def test_contact_sheet_has_a_thumbnail_per_layout_and_stays_small(tmp_path: Path) -> None:
    out = tmp_path / "sheet.png"
    assert main([str(out)]) == 0
    tw, th = 1000 // SCALE, 1500 // SCALE
    with Image.open(out) as sheet:
        assert sheet.format == "PNG"
        assert sheet.size == (
            GAP + len(BUILTIN_LAYOUTS) * (tw + GAP),
            GAP + 2 * (th + LABEL + GAP),
        )
        rgb = sheet.convert("RGB")
    # Every thumbnail slot is filled with a pin, not left as the sheet's background.
    for row in range(2):
        for col in range(len(BUILTIN_LAYOUTS)):
            x = GAP + col * (tw + GAP)
            y = GAP + row * (th + LABEL + GAP)
            thumb = rgb.crop((x, y, x + tw, y + th)).resize((25, 37))
            colors = thumb.getcolors(maxcolors=25 * 37)
            assert colors is not None and len(colors) > 2, (row, col)
    assert out.stat().st_size < 600_000
