"""Never losing the plan: only a build that succeeds changes the calendar (issue 17, items 1-3)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import Builder

NEW_POST = "---\ntitle: A brand new post\ndate: 2026-11-25\n---\n\n# New\n\nText.\n"


def _calendar(site: Path) -> Path:
    return site / "pinplan" / "calendar.json"


def _built(site: Path, mkdocs_build: Builder) -> bytes:
    result = mkdocs_build(site)
    assert result.returncode == 0, result.stderr
    return _calendar(site).read_bytes()


def test_a_strict_build_aborted_on_a_warning_leaves_the_calendar_byte_identical(
    site_copy: Path, mkdocs_build: Builder
) -> None:
    before = _built(site_copy, mkdocs_build)
    (site_copy / "docs/blog/posts/new-post.md").write_text(NEW_POST)
    # Not pinplan's warning: MkDocs counts it and aborts --strict after on_post_build.
    (site_copy / "docs/links.md").write_text("# Links\n\n[gone](missing-page.md)\n")
    failed = mkdocs_build(site_copy)
    assert failed.returncode != 0
    assert "Aborted with 1 warnings in strict mode" in failed.stdout + failed.stderr
    assert "pinplan/calendar.json unchanged: the build failed" in failed.stderr
    assert _calendar(site_copy).read_bytes() == before
    # The same build without --strict succeeds and places the new post's pins.
    relaxed = mkdocs_build(site_copy, strict=False)
    assert relaxed.returncode == 0, relaxed.stderr
    pins = json.loads(_calendar(site_copy).read_text())["pins"]
    assert any(p["post"] == "blog/posts/new-post.md" for p in pins)


def test_a_yaml_typo_under_strict_neither_drops_nor_moves_the_posts_pins(
    site_copy: Path, mkdocs_build: Builder
) -> None:
    before = _built(site_copy, mkdocs_build)
    post = site_copy / "docs/blog/posts/ueberschriften.md"
    text = post.read_text()
    # `pinz` for `pins`: the post falls back to 3 pins, and its 4th would have been dropped.
    post.write_text(text.replace("  pins: 4", "  pinz: 4"))
    failed = mkdocs_build(site_copy)
    assert failed.returncode != 0
    assert "ueberschriften.md: pinplan.pinz: unknown key" in failed.stderr
    assert _calendar(site_copy).read_bytes() == before
    post.write_text(text)
    assert _built(site_copy, mkdocs_build) == before


def test_a_dirty_build_drops_or_moves_no_pin(site_copy: Path, mkdocs_build: Builder) -> None:
    before = _built(site_copy, mkdocs_build)
    post = site_copy / "docs/blog/posts/photo-tips.md"
    os.utime(post)  # touched: the only page a --dirty build reads again
    dirty = mkdocs_build(site_copy, "--dirty", strict=False)
    assert dirty.returncode == 0, dirty.stderr
    assert "for 1 changed posts; pinplan/calendar.json and the preview left as they are" in (
        dirty.stderr
    )
    assert _calendar(site_copy).read_bytes() == before
    # The next full build finds every pin where it was.
    assert _built(site_copy, mkdocs_build) == before


def test_no_or_an_empty_site_url_is_an_error_and_writes_nothing(
    site_copy: Path, mkdocs_build: Builder
) -> None:
    before = _built(site_copy, mkdocs_build)
    config = site_copy / "mkdocs.yml"
    text = config.read_text()
    for replacement in ("site_url: ''", "# no site_url"):
        config.write_text(text.replace("site_url: https://feldnotizen.example.com/", replacement))
        for strict in (True, False):
            result = mkdocs_build(site_copy, strict=strict)
            assert result.returncode != 0
            errors = [line for line in result.stderr.splitlines() if "site_url" in line]
            assert len(errors) == 1 and "pins need absolute links" in errors[0], result.stderr
            assert "Traceback" not in result.stderr
            assert _calendar(site_copy).read_bytes() == before


def test_a_calendar_inside_site_dir_is_refused_before_the_build(
    site_copy: Path, mkdocs_build: Builder
) -> None:
    config = site_copy / "mkdocs.yml"
    text = config.read_text()
    option = "  - pinplan:\n      calendar: site/plan.json\n"
    config.write_text(text.replace("  - pinplan:\n", option))
    kept = site_copy / "site" / "plan.json"
    kept.parent.mkdir()
    kept.write_text('{"hand": "made"}')
    result = mkdocs_build(site_copy)
    assert result.returncode != 0
    assert "calendar: site/plan.json lies inside site_dir" in result.stderr
    assert kept.read_text() == '{"hand": "made"}'


def test_serve_clean_which_starts_as_a_build_never_writes_localhost_links(
    site_copy: Path,
) -> None:
    from mkdocs.config import load_config

    # `mkdocs serve --clean` calls on_startup(command="build") and then points site_url at
    # its own address: a calendar written then would link every pin to localhost.
    config = load_config(config_file=str(site_copy / "mkdocs.yml"))
    config.site_url = "http://127.0.0.1:8000/"
    plugin = config.plugins["pinplan"]
    plugin.on_startup(command="build", dirty=False)
    plugin.on_config(config)
    assert plugin.is_serve
    real = load_config(config_file=str(site_copy / "mkdocs.yml"))
    plugin = real.plugins["pinplan"]
    plugin.on_startup(command="build", dirty=False)
    plugin.on_config(real)
    assert not plugin.is_serve
