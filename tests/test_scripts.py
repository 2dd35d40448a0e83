"""Every script or a clear refusal: system fonts through fontconfig, raqm shaping for
right-to-left and complex scripts, posts no font can draw left off the calendar, emoji left
out quietly."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from mkdocs_pinplan.layouts import BUILTIN_LAYOUTS
from mkdocs_pinplan.model import Brand, PinSpec, Post
from mkdocs_pinplan.pins import PinSettings, make_pin_specs
from mkdocs_pinplan.render.draw import Composition, compose
from mkdocs_pinplan.render.fonts import (
    charset,
    check_fonts,
    fonts_for,
    installed_fonts,
    needs_shaping,
    right_to_left,
    shaping_available,
)
from mkdocs_pinplan.render.text import word_breaks

from conftest import Builder, build_env

JAPANESE = "ピンタレストで新しいアカウントを育てる一週間の計画"
ARABIC = "خطة أسبوعية لحساب جديد"
NOT_INSTALLED = "Make `make fonts` install them (Debian: fonts-wqy-microhei, fonts-dejavu-core)"


def system_font(text: str, lang: str) -> Path:
    """The installed font that draws all of ``text``, or a skip saying what to install."""
    found = fonts_for(text, lang)
    if len(found) != 1:
        pytest.skip(f"no installed font draws {lang!r} text. {NOT_INSTALLED}")
    return found[0]


def post(title: str, lang: str, **changes: object) -> Post:
    values: dict[str, object] = {
        "src_path": f"blog/posts/{lang}.md",
        "title": title,
        "url": f"https://example.com/{lang}/",
        "slug": lang,
        "lang": lang,
        "description": f"{title} — {title}",
    }
    values.update(changes)
    return Post(**values)  # type: ignore[arg-type]


def checked(item: Post, **settings: object) -> tuple[PinSpec, ...]:
    options = PinSettings(brand=Brand(name="example.com"), **settings)  # type: ignore[arg-type]
    result = check_fonts(make_pin_specs([item], options))
    assert result.refused == () and result.notes == ()
    return result.specs


def ink(comp: Composition) -> Image.Image:
    """Where text was drawn: the pin against the same pin before any text (a mask)."""
    assert comp.background is not None
    diff = ImageChops.difference(comp.image, comp.background).convert("L")
    return diff.point(lambda v: 255 if v > 40 else 0)


def test_a_cjk_title_is_drawn_whole_inside_the_margins_with_an_installed_font() -> None:
    font = system_font(JAPANESE, "ja")
    specs = checked(post(JAPANESE, "ja"))
    assert specs and all(font in spec.design.brand.fallback_fonts for spec in specs)
    # No site name: the ink measured is the headline's alone.
    unnamed = dataclasses.replace(specs[0].design.brand, name="")
    for layout in ("type", "block", "stripe", "photo", "split", "band"):
        design = dataclasses.replace(specs[0].design, layout=BUILTIN_LAYOUTS[layout], brand=unnamed)
        comp = compose(design, keep_background=True)
        assert comp.warnings == (), layout
        assert comp.headline is not None and not comp.headline.truncated
        # Every character is on the pin (the lines may break between any two of them).
        assert "".join(comp.headline.lines).replace("-", "") == JAPANESE, layout
        box = ink(comp).getbbox()
        assert box is not None
        safe = comp.safe
        assert safe[0] <= box[0] and safe[1] <= box[1], (layout, box, safe)
        assert box[2] <= safe[2] and box[3] <= safe[3], (layout, box, safe)


def test_installed_fonts_are_outline_fonts_fontconfig_lists() -> None:
    fonts = installed_fonts()
    if not fonts:
        pytest.skip(f"fontconfig lists no fonts here. {NOT_INSTALLED}")
    for font in fonts:
        assert font.path.is_file()
        assert charset(font.path)  # our own reading of its character map agrees it is a font


def test_an_arabic_title_is_shaped_right_to_left_as_pillow_and_raqm_set_it() -> None:
    if not shaping_available():
        pytest.skip("Pillow was built without raqm (libraqm, HarfBuzz, FriBiDi)")
    font_path = system_font(ARABIC, "ar")
    assert needs_shaping(ARABIC) and right_to_left(ARABIC)
    (spec, *_rest) = checked(post(ARABIC, "ar"))
    unnamed = dataclasses.replace(spec.design.brand, name="")
    design = dataclasses.replace(spec.design, layout=BUILTIN_LAYOUTS["stripe"], brand=unnamed)
    comp = compose(design, keep_background=True)
    assert comp.warnings == () and comp.headline is not None
    assert " ".join(comp.headline.lines) == ARABIC
    size = comp.headline.size
    (headline,) = [t for t in comp.texts if t.role == "headline"]
    mask = ink(comp)

    def pillow(engine: ImageFont.Layout) -> Image.Image:
        """The headline's lines as Pillow draws each string, flush right on the same
        baselines."""
        font = ImageFont.truetype(str(font_path), size, layout_engine=engine)
        canvas = Image.new("L", mask.size, 0)
        for line, box in zip(comp.headline.lines, headline.boxes, strict=True):
            xy = (box[2] - font.getlength(line), box[1] + font.getmetrics()[0])
            ImageDraw.Draw(canvas).text(xy, line, font=font, fill=255, anchor="ls")
        return canvas.point(lambda v: 255 if v > 40 else 0)

    def mismatch(other: Image.Image) -> float:
        """Differing pixels, as a share of the pin's headline ink."""
        ink_pixels = mask.histogram()[255]
        return ImageChops.difference(mask, other).histogram()[255] / ink_pixels

    # Pixel for pixel what raqm draws, and not the disjoined, left-to-right letters a plain
    # layout gives.
    assert mismatch(pillow(ImageFont.Layout.RAQM)) < 0.02
    assert mismatch(pillow(ImageFont.Layout.BASIC)) > 0.3
    # Set flush right, as right-to-left text is.
    rights = {box[2] for box in headline.boxes}
    assert len(rights) == 1


def test_without_a_font_for_it_a_post_is_refused_naming_the_characters() -> None:
    cjk = post(JAPANESE, "ja")
    latin = post("Slow pinning for a brand new account", "en")
    result = check_fonts(
        make_pin_specs([cjk, latin], PinSettings(brand=Brand(name="x"))), system_fonts=False
    )
    assert {spec.post for spec in result.specs} == {latin.src_path}
    (problem,) = result.refused
    line = str(problem)
    assert line.startswith("blog/posts/ja.md: headline: no font has 'ピ' (U+30D4)")
    assert "its pins are left out" in line and "brand.fallback_fonts" in line


def test_emoji_no_font_has_are_left_out_of_the_image_but_kept_in_the_title() -> None:
    title = "Pin it 📌 before breakfast 🥐"
    result = check_fonts(
        make_pin_specs([post(title, "en")], PinSettings(brand=Brand(name="x"))),
        system_fonts=False,
    )
    assert result.refused == () and result.specs
    assert result.specs[0].title == title
    (note,) = result.notes
    assert "'📌' (U+1F4CC)" in note and "left out of the image" in note
    comp = compose(result.specs[0].design)
    assert comp.warnings == () and comp.headline is not None
    assert " ".join(comp.headline.lines) == "Pin it before breakfast"


def test_a_headline_of_nothing_but_emoji_no_font_has_is_refused() -> None:
    result = check_fonts(
        make_pin_specs([post("📌🥐📌", "en")], PinSettings(brand=Brand(name="x"))),
        system_fonts=False,
    )
    assert result.specs == () and len(result.refused) == 1


def small_site(root: Path, posts: dict[str, str]) -> Path:
    (root / "docs" / "blog" / "posts").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Home\n")
    for name, text in posts.items():
        (root / "docs" / "blog" / "posts" / name).write_text(text, encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: Scripts\nsite_url: https://scripts.example.com/\n"
        "plugins:\n  - pinplan:\n      schedule:\n"
        "        warmup_days: 0\n        link_gap: 2d\n        horizon_days: 14\n"
    )
    return root


def no_fonts_env(tmp_path: Path) -> dict[str, str]:
    """fontconfig with no font folders at all: the system has no font to offer."""
    conf = tmp_path / "fonts.conf"
    conf.write_text("<?xml version='1.0'?>\n<fontconfig></fontconfig>\n")
    return build_env(FONTCONFIG_FILE=str(conf))


def test_a_refused_post_fails_strict_and_never_reaches_the_calendar(
    tmp_path: Path, mkdocs_build: Builder
) -> None:
    site = small_site(
        tmp_path / "site",
        {
            "ja.md": f"---\ntitle: {JAPANESE}\ndate: 2026-11-20\nlang: ja\n---\n\n本文です。\n",
            "pin.md": "---\ntitle: Pin it 📌 today, not tomorrow\ndate: 2026-11-21\n"
            "description: Why a pin a day beats ten on Sunday for a new account.\n---\n\nText.\n",
        },
    )
    env = no_fonts_env(tmp_path)
    strict = mkdocs_build(site, env=env)
    assert strict.returncode != 0
    assert "blog/posts/ja.md: headline: no font has 'ピ' (U+30D4)" in strict.stderr
    lenient: subprocess.CompletedProcess[str] = mkdocs_build(site, strict=False, env=env)
    assert lenient.returncode == 0, lenient.stderr
    pins = json.loads((site / "pinplan" / "calendar.json").read_text())["pins"]
    assert pins and {pin["post"] for pin in pins} == {"blog/posts/pin.md"}
    assert not list((site / "site" / "assets" / "pinplan").glob("ja-*"))


def test_an_emoji_title_builds_under_strict(tmp_path: Path, mkdocs_build: Builder) -> None:
    site = small_site(
        tmp_path / "site",
        {
            "pin.md": "---\ntitle: Pin it 📌 today, not tomorrow\ndate: 2026-11-21\n"
            "description: Why a pin a day beats ten on Sunday for a new account.\n---\n\nText.\n",
        },
    )
    result = mkdocs_build(site, env=no_fonts_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "'📌' (U+1F4CC) left out of the image" in result.stderr
    pins = json.loads((site / "pinplan" / "calendar.json").read_text())["pins"]
    assert len(pins) == 3 and pins[0]["title"].startswith("Pin it 📌 today")


def test_check_names_the_posts_a_build_would_refuse(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from mkdocs_pinplan.cli import main

    site = small_site(
        tmp_path / "site",
        {"ja.md": f"---\ntitle: {JAPANESE}\ndate: 2026-11-20\n---\n\n本文です。\n"},
    )
    config = site / "mkdocs.yml"
    config.write_text(config.read_text() + "      brand:\n        system_fonts: false\n")
    result = CliRunner().invoke(main, ["check", "-f", str(config)])
    assert result.exit_code == 1
    assert "docs/blog/posts/ja.md: headline: no font has 'ピ' (U+30D4)" in result.output


def test_a_word_of_a_shaped_script_breaks_without_a_latin_hyphen() -> None:
    breaks = word_breaks("بالعربية", "ar")
    assert breaks.forced and not any(hyphen for _pos, hyphen in breaks.forced)
    assert any(hyphen for _pos, hyphen in word_breaks("Kontosperrung", "xx").forced)
