"""Pins measured, not eyeballed: margins, sizes, contrast, glyph warnings, variants, errors."""

from __future__ import annotations

import io
import itertools
import random
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from mkdocs_pinplan.layouts import BUILTIN_LAYOUTS, resolve_layouts
from mkdocs_pinplan.model import Brand, Design, Layout, Palette, PinSpec, Post
from mkdocs_pinplan.pins import PinSettings, default_palettes, make_pin_specs
from mkdocs_pinplan.render.draw import Composition, RenderError, compose, render_pin
from mkdocs_pinplan.render.fonts import check_fonts, default_font

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
COVER = ROOT / "example_site" / "docs" / "blog" / "posts" / "images" / "cover-berge.jpg"
W, H, MARGIN = 1000, 1500, 64
SAFE = (MARGIN, MARGIN, W - MARGIN, H - MARGIN)
BRAND = Brand(name="feldnotizen.example.com")
PALETTES = default_palettes("feldnotizen.example.com")
POSTER = resolve_layouts([{"name": "poster", "base": "photo", "uppercase": True, "valign": "top"}])[
    0
]
LAYOUTS = [*BUILTIN_LAYOUTS.values(), POSTER]

HARD_TITLES = {
    "one char": ("X", "en"),
    "120 chars": (
        "How I planned three months of Pinterest pins for a small blog without "
        "getting my brand-new account suspended again",
        "en",
    ),
    "45-letter word": ("Pneumonoultramicroscopicsilicovolcanoconiosis", "en"),
    "all caps": ("WARUM MEIN KONTO GESPERRT WURDE UND WAS ICH DARAUS GELERNT HABE", "de"),
    "german compound": ("Kontosperrungsbenachrichtigungsverfahren? Lieber kurz!", "de"),
    "french": ("Ça coûte cher : œuvres d’art, « guillemets » et élèves", "fr"),
    "polish": ("Zażółć gęślą jaźń – pięć porad dla początkujących", "pl"),
    "turkish": ("İstanbul'da ığdır şöyle çözülür: Türkçe başlıklar", "tr"),
    "vietnamese": ("Hướng dẫn tạo ghim Pinterest đẹp cho người mới bắt đầu", "vi"),
    "entities cleaned": ('Tom & Jerry live <3 – "Q"', "en"),
    "emoji": ("Slow pinning 🚀 works ✨", "en"),
}


def _lin(c: int) -> float:
    v = c / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


LIN = [_lin(c) for c in range(256)]


def luminance(rgb: tuple[int, ...]) -> float:
    return 0.2126 * LIN[rgb[0]] + 0.7152 * LIN[rgb[1]] + 0.0722 * LIN[rgb[2]]


def worst_contrast(background: Image.Image, box: tuple[int, int, int, int], text: tuple) -> float:
    """The lowest WCAG contrast between ``text`` and any pixel behind ``box``."""
    crop = background.crop(box)
    colors = crop.getcolors(maxcolors=crop.width * crop.height + 1)
    assert colors
    lt = luminance(text)
    worst = 21.0
    for _count, rgb in colors:
        lb = luminance(rgb)
        hi, lo = max(lt, lb), min(lt, lb)
        worst = min(worst, (hi + 0.05) / (lo + 0.05))
    return worst


def letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def inside(box: tuple[int, int, int, int], area: tuple[int, int, int, int]) -> bool:
    return area[0] <= box[0] and area[1] <= box[1] and box[2] <= area[2] and box[3] <= area[3]


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Backgrounds that are hard on text: the demo photo, pure white, harsh stripes."""
    folder = tmp_path_factory.mktemp("photos")
    white = folder / "white.png"
    Image.new("RGB", (1200, 900), "white").save(white)
    stripes = Image.new("RGB", (900, 1400), "black")
    draw = ImageDraw.Draw(stripes)
    rng = random.Random(3)
    for x in range(0, 900, 30):
        draw.rectangle((x, 0, x + 14, 1400), fill=rng.choice(["white", "yellow", "#00ffff"]))
    striped = folder / "stripes.png"
    stripes.save(striped)
    return {"demo": COVER, "white": white, "stripes": striped}


def design(layout: Layout, headline: str, **changes: object) -> Design:
    base = Design(headline=headline, layout=layout, palette=PALETTES[0], brand=BRAND)
    return replace(base, **changes)


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_hard_titles_stay_inside_the_safe_margins(layout: Layout, photos: dict[str, Path]) -> None:
    for (label, (title, lang)), image in itertools.product(
        HARD_TITLES.items(), (None, photos["demo"])
    ):
        comp = compose(design(layout, title, lang=lang, image=image), keep_background=True)
        assert comp.image.size == (W, H) and comp.image.mode == "RGB"
        assert inside(comp.safe, SAFE)
        for placement in comp.texts:
            # The headline keeps clear of the footer; every text keeps the margins.
            area = comp.safe if placement.role == "headline" else SAFE
            for box in placement.boxes:
                assert inside(box, area), (label, placement.role, box)
        # The drawn ink itself (everything that differs from the canvas before text).
        assert comp.background is not None
        ink = ImageChops.difference(comp.background, comp.image).getbbox()
        assert ink is not None and inside(ink, SAFE), (label, ink)


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_headline_never_shrinks_below_the_floor_and_never_loses_words_silently(
    layout: Layout,
) -> None:
    very_long = "Pins that people actually click, and why the first forty characters matter " * 12
    for title, lang in [*HARD_TITLES.values(), (very_long, "en")]:
        comp = compose(design(layout, title, lang=lang))
        assert comp.headline is not None
        headline = next(t for t in comp.texts if t.role == "headline")
        assert headline.size >= 48
        drawn = letters("".join(comp.headline.lines))
        if comp.headline.truncated:
            assert any("shortened" in w for w in comp.warnings), title
            assert comp.headline.lines[-1].endswith("…")
        else:
            wanted = letters(title.upper() if layout.uppercase else title)
            if "emoji" not in title and "🚀" not in title:
                assert drawn == wanted, (title, comp.headline.lines)
    long_comp = compose(design(layout, very_long))
    assert long_comp.headline is not None and long_comp.headline.truncated


def test_scripts_the_spec_names_render_without_warnings() -> None:
    for label in ("german compound", "french", "polish", "turkish", "vietnamese", "all caps"):
        title, lang = HARD_TITLES[label]
        for layout in LAYOUTS:
            assert compose(design(layout, title, lang=lang)).warnings == (), (label, layout.name)


def test_emoji_without_a_font_are_left_out_quietly_and_noted_by_the_font_check() -> None:
    pin = design(BUILTIN_LAYOUTS["type"], "Slow pinning 🚀 works ✨")
    result = render_pin(pin)
    assert result.warnings == ()
    spec = PinSpec("a.md#1", "a.md", "/a/", "a-1.jpg", "/m", "t", "d", "a", "b", (), 1, pin)
    checked = check_fonts([spec], system_fonts=False)
    assert checked.specs == (spec,) and checked.refused == ()
    (note,) = checked.notes
    assert "🚀" in note and "✨" in note and "U+1F680" in note
    assert "the Pinterest title keeps it" in note


def test_fallback_fonts_draw_what_the_main_font_lacks() -> None:
    ascii_only = FIXTURES / "fonts" / "AsciiOnly-Bold.ttf"
    alone = replace(BRAND, font_bold=ascii_only)
    warned = compose(design(BUILTIN_LAYOUTS["type"], "Grüße aus Köln", brand=alone))
    assert len(warned.warnings) == 1 and "'ü'" in warned.warnings[0]
    assert "'ß'" in warned.warnings[0] and "'ö'" in warned.warnings[0]
    chained = replace(alone, fallback_fonts=(default_font("ExtraBold"),))
    comp = compose(design(BUILTIN_LAYOUTS["type"], "Grüße aus Köln", brand=chained))
    assert comp.warnings == ()
    assert comp.headline is not None
    assert letters("".join(comp.headline.lines)) == letters("Grüße aus Köln")


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_text_contrast_is_at_least_wcag_aa_on_every_background(
    layout: Layout, photos: dict[str, Path]
) -> None:
    clashing = Palette(background="#777777", text="#808080", accent="#7a7a7a")
    palettes = [PALETTES[0], PALETTES[1], PALETTES[3], clashing]
    for image, palette in itertools.product([None, *photos.values()], palettes):
        comp = compose(
            design(
                layout,
                "Pinterest-Konto gesperrt? So bekommst du es zurück",
                lang="de",
                image=image,
                palette=palette,
            ),
            keep_background=True,
        )
        assert comp.background is not None
        for placement in comp.texts:
            for box in placement.boxes:
                ratio = worst_contrast(comp.background, box, placement.color)
                assert ratio >= 4.5, (layout.name, image, palette, placement.role, ratio)


def thumbnail(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB").resize((100, 150))


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


@pytest.mark.parametrize("image", [None, COVER], ids=["no photo", "photo"])
def test_variants_of_one_post_look_clearly_different(image: Path | None) -> None:
    post = Post(
        src_path="blog/posts/one.md",
        title="Slow pinning for new accounts",
        url="https://example.com/one/",
        slug="one",
        description="How many pins a new account can post without looking like a bot.",
        pins=5,
        image=image,
        sections=("Why new accounts get blocked", "A week-ahead plan"),
    )
    specs = make_pin_specs([post], PinSettings(brand=BRAND))
    assert len({spec.title for spec in specs}) == 5
    thumbs = [thumbnail(render_pin(spec.design).data) for spec in specs]
    for a, b in itertools.combinations(range(len(thumbs)), 2):
        assert mean_difference(thumbs[a], thumbs[b]) > 12, (specs[a].design.layout.name, b)


def test_output_is_a_pinterest_sized_rgb_jpeg_or_png() -> None:
    jpeg = render_pin(design(BUILTIN_LAYOUTS["split"], "Slow pinning", image=COVER))
    with Image.open(io.BytesIO(jpeg.data)) as img:
        assert (img.format, img.size, img.mode) == ("JPEG", (W, H), "RGB")
    png = render_pin(design(BUILTIN_LAYOUTS["split"], "Slow pinning", image_format="png"))
    with Image.open(io.BytesIO(png.data)) as img:
        assert (img.format, img.size, img.mode) == ("PNG", (W, H), "RGB")


def test_logo_sits_in_the_footer_away_from_the_lower_right(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (300, 120), (200, 30, 60, 255)).save(logo)
    for layout in LAYOUTS:
        plain = compose(design(layout, "Slow pinning", image=COVER)).image
        branded = compose(
            design(layout, "Slow pinning", image=COVER, brand=replace(BRAND, logo=logo))
        )
        changed = ImageChops.difference(plain, branded.image).getbbox()
        assert changed is not None
        assert changed[1] >= H * 0.85 and changed[3] <= H - MARGIN, layout.name
        assert changed[2] <= W * 0.7, layout.name


def test_unusable_files_raise_render_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(RenderError, match=r"broken\.jpg"):
        render_pin(design(BUILTIN_LAYOUTS["photo"], "x", image=broken))
    with pytest.raises(RenderError, match="logo"):
        render_pin(design(BUILTIN_LAYOUTS["type"], "x", brand=replace(BRAND, logo=broken)))
    with pytest.raises(RenderError, match="not found"):
        render_pin(
            design(
                BUILTIN_LAYOUTS["type"], "x", brand=replace(BRAND, font_bold=tmp_path / "no.ttf")
            )
        )


def test_a_user_layout_is_drawn_from_its_data() -> None:
    comp = compose(design(POSTER, "istanbul notları", lang="tr", image=COVER))
    assert comp.headline is not None
    assert " ".join(comp.headline.lines).replace("-", "").startswith("İSTANBUL")
    headline = next(t for t in comp.texts if t.role == "headline")
    # valign: top puts the headline at the top of the photo layout's text box.
    assert headline.boxes[0][1] < H * 0.5


def test_photo_layouts_fall_back_without_a_photo() -> None:
    for name in ("photo", "band", "split", "block"):
        comp = compose(design(BUILTIN_LAYOUTS[name], "Slow pinning for new accounts"))
        assert comp.warnings == ()
        # Not a flat colour: the stand-in has a gradient, pattern or colour block.
        colors = comp.image.resize((50, 75)).getcolors(maxcolors=50 * 75)
        assert colors is not None and len(colors) > 3, name


def _composition_box(comp: Composition) -> tuple[int, int, int, int]:
    boxes = [box for t in comp.texts if t.role == "headline" for box in t.boxes]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def test_headline_alignment_follows_the_layout() -> None:
    centred = _composition_box(compose(design(BUILTIN_LAYOUTS["type"], "Slow pinning")))
    assert abs((centred[0] + centred[2]) / 2 - W / 2) <= 4
    left = _composition_box(compose(design(BUILTIN_LAYOUTS["split"], "Slow pinning")))
    assert left[0] == round(0.08 * W)


def test_soft_hyphens_and_zero_width_spaces_never_show_or_split_words() -> None:
    comp = compose(design(BUILTIN_LAYOUTS["type"], "Konto\u00adsperre\u200b! Jetzt\u2060 lesen"))
    assert comp.headline is not None
    assert " ".join(comp.headline.lines) == "Kontosperre! Jetzt lesen"
    assert comp.warnings == ()


def test_a_wide_logo_keeps_its_proportions(tmp_path: Path) -> None:
    logo = tmp_path / "wide.png"
    Image.new("RGBA", (1000, 100), (200, 30, 60, 255)).save(logo)
    layout = BUILTIN_LAYOUTS["split"]
    plain = compose(design(layout, "x", brand=Brand(name=""))).image
    branded = compose(design(layout, "x", brand=Brand(name="", logo=logo))).image
    changed = ImageChops.difference(plain, branded).getbbox()
    assert changed is not None
    width, height = changed[2] - changed[0], changed[3] - changed[1]
    assert 9 <= width / height <= 11
    with pytest.raises(RenderError, match="logo not found"):
        render_pin(design(layout, "x", brand=Brand(name="", logo=tmp_path / "gone.png")))


@pytest.mark.parametrize(
    ("stored", "orientation", "halved"),
    [
        ((4800, 3200), 1, True),  # a camera photo
        ((6000, 2000), 6, True),  # a panorama shown upright by EXIF: tall and narrow
        ((2000, 6000), 6, False),  # shown as a wide panorama: it needs every row it has
    ],
    ids=["camera", "turned tall", "turned wide"],
)
def test_a_large_jpeg_is_decoded_small_but_still_covers_the_pin(
    tmp_path: Path, stored: tuple[int, int], orientation: int, halved: bool
) -> None:
    from PIL import ImageOps

    from mkdocs_pinplan.images import open_image
    from mkdocs_pinplan.render import draw

    big = Image.open(COVER).convert("RGB").resize(stored, Image.Resampling.BICUBIC)
    path = tmp_path / f"camera-{orientation}.jpg"
    exif = Image.Exif()
    exif[0x0112] = orientation
    big.save(path, quality=92, exif=exif)

    shown = ImageOps.exif_transpose(open_image(path, cover=(W, H)))
    full = ImageOps.exif_transpose(open_image(path))
    smaller = shown.width * shown.height <= full.width * full.height / 4
    assert smaller == halved  # libjpeg scaled it while decoding (a third of the time)
    scale = max(W / full.width, H / full.height)  # what covering the pin needs of the photo
    assert shown.width >= full.width * scale - 1 and shown.height >= full.height * scale - 1

    # Same picture as scaling the full decode: only rounding and JPEG's own scaling differ.
    pin = draw._photo(path, draw.stamp(path, "image"), (W, H), (W, H))
    reference = full.resize((W, H), Image.Resampling.BILINEAR, box=_cover_box(full, (W, H)))
    assert pin.size == (W, H)
    assert max(ImageStat.Stat(ImageChops.difference(pin, reference)).mean) < 3


def _cover_box(image: Image.Image, size: tuple[int, int]) -> tuple[float, float, float, float]:
    scale = max(size[0] / image.width, size[1] / image.height)
    w, h = size[0] / scale, size[1] / scale
    left, top = (image.width - w) / 2, (image.height - h) / 2
    return (left, top, left + w, top + h)
