"""A blog in the shapes real Material for MkDocs blogs use (tests/fixtures/material_blog):
dates as mappings, authors, categories, slugs, related links, a ``tbd`` description, and
pictures only in the bodies. Its pins must have titles worth posting and use those pictures."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from mkdocs_pinplan.pins import meaningful
from mkdocs_pinplan.render.fonts import fonts_for

from conftest import FIXTURES, Builder

BLOG = FIXTURES / "material_blog"
DOMAIN = "fieldnotes.example.org"
# The page colour of each post's only picture (a screenshot), by post.
PICTURES = {
    "blog/posts/blog-support.md": (0xF4, 0x8F, 0xB1),
    "blog/posts/search-exclusion.md": (0x80, 0xCB, 0xC4),
    "blog/posts/chinese-search.md": (0xFF, 0xB7, 0x4D),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not fonts_for("中文搜索支持", "zh"):
        pytest.skip("no installed CJK font for the Chinese post: `make fonts` installs one")
    site = tmp_path_factory.mktemp("material") / "blog"
    shutil.copytree(BLOG, site)
    return site


def calendar_pins(site: Path) -> list[dict[str, object]]:
    pins: list[dict[str, object]] = json.loads((site / "pinplan" / "calendar.json").read_text())[
        "pins"
    ]
    return pins


def share_of(image: Path, rgb: tuple[int, int, int]) -> float:
    """Share of the pin's pixels within a few levels of ``rgb`` (JPEG moves them a little)."""
    with Image.open(image) as pin:
        data = pin.convert("RGB").resize((100, 150)).tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    close = sum(
        1 for pixel in pixels if all(abs(a - b) <= 18 for a, b in zip(pixel, rgb, strict=True))
    )
    return close / (100 * 150)


def test_the_blog_builds_strict_with_honest_titles_and_its_pictures(
    built: Path, mkdocs_build: Builder
) -> None:
    result = mkdocs_build(built)
    assert result.returncode == 0, result.stderr
    pins = calendar_pins(built)
    assert len(pins) == 14  # three per post, but two for the one that has little to say
    assert {pin["post"] for pin in pins} == {
        f"blog/posts/{name}.md"
        for name in (
            "blog-support",
            "search-exclusion",
            "past-present-future",
            "release-notes",
            "chinese-search",
        )
    }
    titles = [str(pin["title"]) for pin in pins]
    assert len(set(titles)) == len(titles)
    for title in titles:
        assert not title.lower().rstrip(".").endswith(("tbd", DOMAIN)), title
        assert not re.search(r"\(\d+\)$", title), title
        assert meaningful(title) or title in ("Release notes",), title
    for post, rgb in PICTURES.items():
        images = [built / "site" / str(p["image"]) for p in pins if p["post"] == post]
        # Some of the post's pins show its body picture, as a large part of the pin.
        assert max(share_of(image, rgb) for image in images) > 0.05, post
    for pin in pins:
        if pin["post"] not in PICTURES:
            path = built / "site" / str(pin["image"])
            assert all(share_of(path, rgb) < 0.005 for rgb in PICTURES.values()), pin["id"]


def test_check_hints_at_posts_that_would_gain_from_their_own_titles(
    built: Path,
) -> None:
    from click.testing import CliRunner

    from mkdocs_pinplan.cli import main

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(built)
        result = CliRunner().invoke(main, ["check"])
    assert "would gain from their own pinplan.titles" in result.output
    lines = result.output.splitlines()
    assert "  docs/blog/posts/release-notes.md: its text gives 1 of 3 pin titles" in lines
    # Its description is a real sentence, but joined to the title it would need clipping.
    assert "  docs/blog/posts/chinese-search.md: its text gives 2 of 3 pin titles" in lines
    assert result.exit_code == 0  # a hint, not a problem
