"""Text setting: glyph coverage from the font's cmap, wrapping, hyphenation, shrink and truncate."""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_pinplan.model import Brand, Design, Layout, Palette
from mkdocs_pinplan.posts import read_post
from mkdocs_pinplan.render.fonts import (
    FontChain,
    RenderError,
    charset,
    clusters,
    cover,
    default_font,
    drawn_headline,
    parse_cmap,
)
from mkdocs_pinplan.render.text import ELLIPSIS, exact_width, fit_text, word_breaks

FIXTURES = Path(__file__).resolve().parent / "fixtures"

ASCII_ONLY = FIXTURES / "fonts" / "AsciiOnly-Bold.ttf"
MANROPE = default_font("ExtraBold")


def chain(*paths: Path) -> FontChain:
    return FontChain.of(paths or (MANROPE,))


def test_manrope_covers_the_languages_the_spec_names() -> None:
    codes = charset(MANROPE)
    for text in (
        "Größe ÄÖÜ ẞ",
        "Ça coûte œuvre « élève »",
        "Zażółć gęślą jaźń",
        "İstanbul ığdır şöyle",
        "Hướng dẫn tạo ghim đẹp trên Pinterest",
    ):
        missing = [ch for ch in text if ord(ch) not in codes]
        assert missing == [], text


def test_charset_knows_what_a_font_lacks() -> None:
    assert ord("A") in charset(ASCII_ONLY)
    assert ord("ü") not in charset(ASCII_ONLY)
    assert 0x1F600 not in charset(MANROPE)


def test_cmap_parser_refuses_what_is_not_a_font(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        parse_cmap(b"definitely not a font file")
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 20)
    with pytest.raises(RenderError, match=r"bogus\.ttf"):
        FontChain.of((bogus,))
    with pytest.raises(RenderError, match="not found"):
        FontChain.of((tmp_path / "absent.ttf",))


def test_missing_characters_go_to_the_fallback_font_word_by_word() -> None:
    result = cover("Grüße aus Köln", chain(ASCII_ONLY, MANROPE))
    assert result.missing == ()
    assert result.text == "Grüße aus Köln"
    # Words the primary font cannot set whole come from the fallback whole, not letter by letter.
    assert ("Grüße", 1) in [(run.strip(), i) for run, i in result.runs]
    assert any(i == 0 and "aus" in run for run, i in result.runs)


def test_characters_no_font_has_are_dropped_and_named() -> None:
    result = cover("Slow pinning 🚀 works ✨ 👍🏽", chain())
    assert result.missing == ("🚀", "✨", "👍🏽")
    assert "🚀" not in result.text and "works" in result.text


def test_emoji_modifiers_and_joiners_stay_with_their_base() -> None:
    assert clusters("a👍🏽b") == ["a", "👍🏽", "b"]
    assert clusters("👩\u200d💻!") == ["👩\u200d💻", "!"]
    assert clusters("Việt") == ["V", "i", "ệ", "t"]


def test_html_in_titles_is_cleaned_before_it_reaches_a_pin(tmp_path: Path) -> None:
    meta = {"title": "Tom &amp; Jerry&nbsp;<em>live</em> &lt;3 &#8211; &quot;Q&quot;"}
    reading = read_post(
        "blog/posts/x.md", meta, url="/x/", docs_dir=tmp_path, default_title="", default_slug="x"
    )
    assert reading.post is not None
    assert reading.post.title == 'Tom & Jerry live <3 – "Q"'


def test_german_compound_breaks_at_a_dictionary_point_instead_of_clipping() -> None:
    word = "Kontosperrungsbenachrichtigungsverfahren"
    block = fit_text(
        f"{word}? Lieber kurz!",
        chain(),
        width=700,
        height=900,
        max_size=140,
        min_size=48,
        lang="de",
    )
    assert not block.truncated
    assert all(exact_width(chain(), line, block.size) <= 700 for line in block.lines)
    joined = "".join(line.removesuffix("-") for line in block.lines[:-1]) + block.lines[-1]
    assert word in joined.replace(" ", "")
    broken = [line for line in block.lines if line.endswith("-")]
    assert broken, block.lines
    dictionary_points = {pos for pos, hyphen in word_breaks(word, "de").natural if hyphen}
    first_piece = broken[0][:-1]
    assert len(first_piece) in dictionary_points


def test_a_45_letter_word_fits_the_box_at_a_legible_size() -> None:
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    assert len(word) == 45
    block = fit_text(word, chain(), width=840, height=600, max_size=130, min_size=48, lang="en")
    assert block.size >= 48 and not block.truncated
    assert all(exact_width(chain(), line, block.size) <= 840 for line in block.lines)


def test_words_without_a_dictionary_are_broken_anywhere_rather_than_overflowing() -> None:
    word = "Çekoslovakyalılaştıramadıklarımızdanmışsınız"
    block = fit_text(word, chain(), width=500, height=800, max_size=130, min_size=48, lang="tr")
    assert len(block.lines) > 1
    assert all(exact_width(chain(), line, block.size) <= 500 for line in block.lines)


def test_short_words_are_never_hyphenated_when_shrinking_a_little_avoids_it() -> None:
    block = fit_text(
        "Überschriften, die geklickt werden",
        chain(),
        width=840,
        height=600,
        max_size=140,
        min_size=48,
        lang="de",
    )
    assert not any(line.endswith("-") for line in block.lines)


def test_lines_are_balanced_not_greedy() -> None:
    block = fit_text(
        "One pin a day, then five: a ramp that works",
        chain(),
        width=840,
        height=900,
        max_size=110,
        min_size=48,
    )
    widths = [exact_width(chain(), line, block.size) for line in block.lines]
    assert len(widths) >= 2
    assert min(widths) / max(widths) > 0.6, block.lines


def test_shorter_headlines_get_bigger_type() -> None:
    sizes = [
        fit_text(text, chain(), width=840, height=700, max_size=220, min_size=48).size
        for text in ("Slow", "Slow pinning for new accounts", "Slow pinning " * 8)
    ]
    assert sizes[0] > sizes[1] > sizes[2] >= 48


def test_text_too_long_for_the_box_is_truncated_with_an_ellipsis_at_the_floor() -> None:
    text = "A headline that goes on and on about pins " * 12
    block = fit_text(text, chain(), width=600, height=400, max_size=120, min_size=48)
    assert block.truncated and block.size == 48
    assert block.lines[-1].endswith(ELLIPSIS)
    assert block.height <= 400
    assert all(exact_width(chain(), line, 48) <= 600 for line in block.lines)


def test_uppercase_keeps_the_turkish_dotted_i() -> None:
    layout = Layout(name="caps", uppercase=True)
    palette = Palette(background="#000000", text="#ffffff", accent="#ffffff")
    for lang, drawn in (("tr", "İSTANBUL"), ("az", "İSTANBUL"), ("en", "ISTANBUL")):
        design = Design("istanbul", layout, palette, Brand(name=""), lang=lang)
        assert drawn_headline(design) == drawn
