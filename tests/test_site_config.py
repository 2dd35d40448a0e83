"""Reading a site's config without MkDocs, and the blog's URL rules, held to the real thing:
MkDocs' own config loader, pymdownx's slugify and Babel's date patterns."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mkdocs_pinplan.errors import PinplanError
from mkdocs_pinplan.site_config import BlogSettings, read_site_config
from mkdocs_pinplan.site_pages import (
    blog_post_src,
    canonical_link,
    format_url_date,
    page_url,
    slugify,
)

from conftest import EXAMPLE_SITE

EXAMPLES = int(os.environ.get("PINPLAN_FUZZ_EXAMPLES") or 300)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text(), st.sampled_from(["-", "_", ""]))
def test_slugify_is_pymdownx_lower_case_slugify(text: str, separator: str) -> None:
    slugs = pytest.importorskip("pymdownx.slugs", reason="needs pymdown-extensions")
    assert slugify(text, separator) == slugs.slugify(case="lower")(text, separator)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.dates(min_value=date(1000, 1, 1)),
    st.sampled_from(["yyyy/MM/dd", "yyyy/MM", "yy-M-d", "yyyy", "dd.MM.yyyy", "yyyy'w'MM"]),
)
def test_url_dates_are_written_as_babel_writes_them(day: date, pattern: str) -> None:
    dates = pytest.importorskip("babel.dates", reason="needs babel")
    moment = datetime(day.year, day.month, day.day)
    assert format_url_date(day, pattern) == dates.format_datetime(moment, pattern, locale="en")


def test_a_date_field_other_than_year_month_day_is_refused() -> None:
    with pytest.raises(ValueError, match="'EEE'"):
        format_url_date(date(2026, 1, 2), "EEE/yyyy")


@pytest.mark.parametrize(
    ("src", "directory_urls", "url"),
    [
        ("index.md", True, ""),
        ("index.md", False, "index.html"),
        ("a/README.md", True, "a/"),
        ("a/b.md", True, "a/b/"),
        ("a/b.md", False, "a/b.html"),
        ("a/ü b.md", True, "a/%C3%BC%20b/"),
    ],
)
def test_page_urls_are_mkdocs_urls(src: str, directory_urls: bool, url: str) -> None:
    assert page_url(src, directory_urls) == url


def test_a_post_path_by_the_blogs_format() -> None:
    blog = BlogSettings(post_url_format="{categories}/{file}", post_url_max_categories=2)
    meta: dict[str, object] = {
        "date": date(2026, 3, 4),
        "categories": ["Social Media", "Über", "Third"],
    }
    path = blog_post_src("blog/posts/x/README.md", blog, meta, "T")
    assert path == "blog/social-media/über/index.md"


def test_example_site_reads_as_mkdocs_reads_it() -> None:
    from mkdocs.config import load_config

    ours = read_site_config(EXAMPLE_SITE / "mkdocs.yml")
    theirs = load_config(str(EXAMPLE_SITE / "mkdocs.yml"))
    for key in ("site_name", "site_url", "docs_dir", "site_dir", "use_directory_urls"):
        assert getattr(ours, key) == theirs[key], key
    assert ours.language == theirs.theme["language"]
    assert ours.blog == BlogSettings()
    assert ours.pinplan is not None and ours.pinplan["board"] == "Bloggen & Gründen"


def test_env_tags_inherit_and_python_tags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "base.yml").write_text("site_name: Base\nsite_url: https://a.example\n")
    (tmp_path / "mkdocs.yml").write_text(
        "INHERIT: base.yml\n"
        "site_url: !ENV [SITE_URL, 'https://b.example/']\n"
        "use_directory_urls: !ENV PINPLAN_DIRS\n"
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "plugins:\n  - material/blog:\n      blog_dir: journal\n  - pinplan\n"
    )
    monkeypatch.setenv("PINPLAN_DIRS", "false")
    monkeypatch.delenv("SITE_URL", raising=False)
    cfg = read_site_config(tmp_path / "mkdocs.yml")
    assert (cfg.site_name, cfg.site_url, cfg.use_directory_urls) == (
        "Base",
        "https://b.example/",
        False,
    )
    assert cfg.blog is not None and cfg.blog.post_globs() == ["journal/posts/**"]
    assert cfg.pinplan == {}


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("mkdocs.yml", "site_name: [unclosed\n", "mkdocs.yml: invalid YAML (line"),
        ("mkdocs.yml", "- a list\n", "mkdocs.yml: expected a mapping"),
        ("mkdocs.yml", "INHERIT: mkdocs.yml\n", "mkdocs.yml: INHERIT: inherits from itself"),
        ("mkdocs.yml", "use_directory_urls: maybe\n", "mkdocs.yml: use_directory_urls:"),
        ("mkdocs.yml", "plugins:\n  - blog:\n      post_url_format: 3\n", "plugins.blog."),
        ("zensical.toml", "[project\n", "zensical.toml: invalid TOML"),
    ],
)
def test_bad_config_is_one_line_naming_the_file(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(PinplanError) as caught:
        read_site_config(tmp_path / name)
    message = str(caught.value)
    assert "\n" not in message
    assert expected in message.replace(str(tmp_path) + "/", "")


@pytest.mark.parametrize(
    "page",
    [
        '<link rel="canonical" href="https://a.example/x/?a=1&amp;b=2">',
        "<LINK href='https://a.example/x/?a=1&b=2' rel=canonical>",
        '<link rel="icon" href="/i.png"><link rel="canonical" href="https://a.example/x/?a=1&b=2">',
    ],
)
def test_canonical_link_in_any_attribute_order_and_quoting(page: str) -> None:
    assert canonical_link(f"<head>{page}</head>") == "https://a.example/x/?a=1&b=2"


def test_no_canonical_link() -> None:
    assert canonical_link('<link rel="icon" href="/i.png">') is None
