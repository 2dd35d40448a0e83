"""Posts → pin specs: palettes from the site name, rotation, distinct titles, alt text."""

from __future__ import annotations

import itertools
import pickle
from datetime import date
from pathlib import Path

import pytest

from mkdocs_pinplan.layouts import BUILTIN_LAYOUTS, DEFAULT_LAYOUTS
from mkdocs_pinplan.model import Brand, Design, Post
from mkdocs_pinplan.pins import (
    TITLE_LIMIT,
    PinSettings,
    default_palettes,
    make_pin_specs,
    thin_titles,
)


def _lin(c: int) -> float:
    v = c / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def contrast(a: str, b: str) -> float:
    def lum(hexa: str) -> float:
        r, g, b_ = (int(hexa[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * _lin(r) + 0.7152 * _lin(g) + 0.0722 * _lin(b_)

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def post(**changes: object) -> Post:
    values: dict[str, object] = {
        "src_path": "blog/posts/slow.md",
        "title": "Slow pinning for new accounts",
        "url": "https://example.com/slow/",
        "slug": "slow",
        "description": "How many pins a new account can post without looking like a bot.",
    }
    values.update(changes)
    return Post(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["feldnotizen.example.com", "Kochblog", "x", ""])
def test_default_palettes_come_from_the_site_name_and_are_readable(name: str) -> None:
    palettes = default_palettes(name)
    assert palettes == default_palettes(name)
    assert len(set(palettes)) == 6
    for palette in palettes:
        assert contrast(palette.text, palette.background) >= 4.5, palette
        # The accent must stand out from the ground it decorates.
        assert contrast(palette.accent, palette.background) >= 1.5, palette


def test_different_sites_get_different_colours() -> None:
    assert default_palettes("feldnotizen.example.com") != default_palettes("kochblog.de")


def test_variants_rotate_layouts_and_palettes() -> None:
    sections = ("Why new accounts get blocked", "A week-ahead plan", "What to pin first")
    with_photo = post(pins=len(DEFAULT_LAYOUTS), image=Path("photo.jpg"), sections=sections)
    specs = make_pin_specs([with_photo], PinSettings(brand=Brand(name="example.com")))
    layouts = [spec.design.layout.name for spec in specs]
    assert sorted(layouts) == sorted(DEFAULT_LAYOUTS)
    palettes = [spec.design.palette for spec in specs]
    assert all(a != b for a, b in itertools.pairwise(palettes))


def test_neighbouring_posts_do_not_all_start_with_the_same_design() -> None:
    posts = [
        post(
            src_path=f"blog/posts/p{i}.md",
            slug=f"p{i}",
            url=f"https://e.x/{i}/",
            title=f"Slow pinning, part {i}",
            image=Path("photo.jpg"),
        )
        for i in range(8)
    ]
    specs = make_pin_specs(posts, PinSettings(brand=Brand(name="e.x")))
    first = {spec.design.layout.name for spec in specs if spec.index == 1}
    assert len(first) >= 3


def test_titles_are_distinct_and_read_as_sentences() -> None:
    lead = "Pinterest blocked my new account after 25 pins in one evening."
    specs = make_pin_specs([post(pins=4, lead=lead)], PinSettings(brand=Brand(name="example.com")))
    titles = [spec.title for spec in specs]
    assert len(set(titles)) == 4
    assert titles[0] == "Slow pinning for new accounts"
    assert titles[1] == (
        "Slow pinning for new accounts – How many pins a new account can post without "
        "looking like a bot."
    )
    assert titles[2] == "How many pins a new account can post without looking like a bot."
    assert titles[3] == lead
    assert all(len(t) <= TITLE_LIMIT and "(" not in t for t in titles)


def test_clipped_titles_end_at_a_word_with_an_ellipsis() -> None:
    long_description = "A description that keeps going " * 8
    specs = make_pin_specs(
        [post(pins=4, description=long_description.strip(), sections=("The plan in short",))],
        PinSettings(brand=Brand(name="")),
    )
    titles = [spec.title for spec in specs]
    assert len(set(titles)) == 4
    for title in titles:
        assert len(title) <= TITLE_LIMIT
        if title.endswith("…"):
            assert title[-2].isalpha() and title[:-1].split()[-1] in long_description.split()


def test_same_headline_on_two_posts_still_gives_distinct_titles() -> None:
    twins = [
        post(
            src_path=f"blog/posts/{name}.md",
            slug=name,
            url=f"https://e.x/{name}/",
            description="",
            sections=(f"What happened in {name}", f"Plans after {name}"),
        )
        for name in ("spring", "autumn")
    ]
    specs = make_pin_specs(twins, PinSettings(brand=Brand(name=""), pins_per_post=2))
    titles = [spec.title for spec in specs]
    assert len(set(titles)) == 4
    assert titles[1:] == [
        "Slow pinning for new accounts – What happened in autumn",
        "Slow pinning for new accounts – What happened in spring",
        "Slow pinning for new accounts – Plans after spring",
    ]


def test_a_post_with_nothing_more_to_say_gets_fewer_pins_never_filler() -> None:
    bare = post(description="tbd", sections=("Conclusion",))
    dated = post(src_path="blog/posts/b.md", slug="b", description="tbd", date=date(2026, 11, 20))
    specs = make_pin_specs([bare, dated], PinSettings(brand=Brand(name="example.com")))
    titles = {p: [s.title for s in specs if s.post == p] for p in (bare.src_path, dated.src_path)}
    # The post with a date is told apart by it; the other has only the one title both share.
    assert titles == {
        "blog/posts/b.md": [
            "Slow pinning for new accounts",
            "Slow pinning for new accounts – 2026-11-20",
        ],
        "blog/posts/slow.md": [],
    }
    assert all(spec.description == "Slow pinning for new accounts" for spec in specs)
    assert thin_titles([bare], 3) == [(bare, 1, 3)]
    assert thin_titles([post()], 3) == []


def test_alt_text_comes_from_headline_and_description_unless_given() -> None:
    spec = make_pin_specs([post(pins=1)], PinSettings())[0]
    assert spec.alt_text.startswith("Slow pinning for new accounts")
    assert "without looking like a bot" in spec.alt_text
    given = make_pin_specs([post(pins=1, alt="A ridge at dusk")], PinSettings())[0]
    assert given.alt_text == "A ridge at dusk"


def test_layouts_in_settings_may_be_built_in_or_own() -> None:
    poster = BUILTIN_LAYOUTS["type"].__class__(name="poster", uppercase=True)
    photo = post(pins=2, image=Path("photo.jpg"))
    specs = make_pin_specs([photo], PinSettings(layouts=(BUILTIN_LAYOUTS["split"], poster)))
    assert {spec.design.layout.name for spec in specs} == {"split", "poster"}


def test_designs_are_hashable_and_cross_process_boundaries(tmp_path: Path) -> None:
    design = Design(
        headline="Slow pinning",
        layout=BUILTIN_LAYOUTS["photo"],
        palette=default_palettes("x")[0],
        brand=Brand(name="x", fallback_fonts=(tmp_path / "f.ttf",)),
        image=tmp_path / "p.jpg",
    )
    clone = pickle.loads(pickle.dumps(design))
    assert clone == design and hash(clone) == hash(design)


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (None, "https://example.com/slow/?utm_content=pin{}"),
        ("https://x.example/p?a=1&utm_content=old", "https://x.example/p?a=1&utm_content=pin{}"),
        ("https://x.example/p?q=a+b#top", "https://x.example/p?q=a+b&utm_content=pin{}#top"),
    ],
)
def test_every_pin_links_to_the_post_with_its_own_utm_content(
    link: str | None, expected: str
) -> None:
    specs = make_pin_specs([post(link=link, pins=3)], PinSettings())
    assert [spec.link for spec in specs] == [expected.format(n) for n in (1, 2, 3)]


def test_extra_variants_are_combinations_the_post_has_not_had_until_none_is_left() -> None:
    settings = PinSettings(brand=Brand(name="example.com"))
    # Two headlines: text enough for five distinct titles.
    two = post(titles=("Slow pinning for new accounts", "One pin a day, then five"), pins=3)
    own = make_pin_specs([two], settings)
    more = make_pin_specs([two], settings, extra={"blog/posts/slow.md": 2})
    assert more[:3] == own and [s.index for s in more] == [1, 2, 3, 4, 5]
    combinations = [(s.design.headline, s.design.layout, s.design.palette) for s in more]
    assert len(set(combinations)) == 5
    for key in ("id", "image", "link", "title"):
        assert len({getattr(s, key) for s in more}) == 5, key
    # One layout, one palette, one headline: no combination is left beyond the post's pins.
    plain = PinSettings(layouts=(BUILTIN_LAYOUTS["block"],), palettes=(own[0].design.palette,))
    assert len(make_pin_specs([post()], plain, extra={"blog/posts/slow.md": 3})) == 3
