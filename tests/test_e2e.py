"""End to end: `mkdocs build --strict` of a copy of example_site, as a user runs it."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image

from conftest import FIXED_NOW, Builder

POSTS = {
    # src_path: pins expected (SPEC: pinplan.pins, else max(pins_per_post=3, len(titles)))
    "blog/posts/pinterest-gesperrt.md": 3,
    "blog/posts/slow-pinning.md": 3,
    "blog/posts/mkdocs-blog-setup.md": 3,
    "blog/posts/ueberschriften.md": 4,
    "blog/posts/photo-tips.md": 3,
}
PIN_KEYS = [
    "id", "post", "link", "image", "media_url", "title", "description", "alt_text",
    "board", "keywords", "publish_at", "status",
]  # fmt: skip


def test_build_writes_pins_and_a_calendar_matching_the_spec(
    site_copy: Path, mkdocs_build: Builder
) -> None:
    result = mkdocs_build(site_copy)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr

    calendar = json.loads((site_copy / "pinplan" / "calendar.json").read_text())
    assert list(calendar) == ["version", "timezone", "start", "pins"]
    assert calendar["version"] == 1
    assert calendar["timezone"] == "Europe/Berlin"
    assert calendar["start"] == "2026-12-01"
    pins = calendar["pins"]
    # The calendar holds the 7-day window (warm-up caps 1, 1, 1, 1, 2, 2, 2); the rest of
    # the pins wait in the queue, their images rendered all the same.
    assert 5 <= len(pins) <= 10
    rendered = sorted(p.name for p in (site_copy / "site" / "assets" / "pinplan").iterdir())
    assert len(rendered) == sum(POSTS.values())
    for pin in pins:
        assert list(pin) == PIN_KEYS
        assert pin["status"] == "scheduled"
        assert pin["link"].startswith("https://feldnotizen.example.com/")
        assert pin["media_url"] == "https://feldnotizen.example.com/" + pin["image"]
        assert re.fullmatch(r".+\?utm_content=pin\d+", pin["link"])
        assert datetime.fromisoformat(pin["publish_at"]).tzinfo is not None
        assert FIXED_NOW < datetime.fromisoformat(pin["publish_at"]) < FIXED_NOW + timedelta(7)
    times = [datetime.fromisoformat(p["publish_at"]) for p in pins]
    assert times == sorted(times)
    for key in ("id", "link", "title", "image"):
        assert len({p[key] for p in pins}) == len(pins), key

    counts: dict[str, int] = {}
    for pin in pins:
        counts[pin["post"]] = counts.get(pin["post"], 0) + 1
        image = site_copy / "site" / pin["image"]
        with Image.open(image) as img:
            assert img.size == (1000, 1500)
            assert img.mode == "RGB"
            assert img.format == "JPEG"
    # First pins first: every post has its first pin in the window.
    assert set(counts) == set(POSTS) and all(counts[p] <= POSTS[p] for p in POSTS)
    assert {p["id"].rpartition("#")[2] for p in pins} >= {"1"}
    # The draft is neither rendered nor scheduled.
    assert not any("newsletter" in p["image"] or "entwurf" in p["post"] for p in pins)


def test_rebuild_gives_a_byte_identical_calendar(site_copy: Path, mkdocs_build: Builder) -> None:
    assert mkdocs_build(site_copy).returncode == 0
    first = (site_copy / "pinplan" / "calendar.json").read_bytes()
    result = mkdocs_build(site_copy)
    assert result.returncode == 0, result.stderr
    assert (site_copy / "pinplan" / "calendar.json").read_bytes() == first


def test_broken_pinplan_block_fails_strict_naming_file_and_key(
    site_copy: Path, mkdocs_build: Builder
) -> None:
    post = site_copy / "docs" / "blog" / "posts" / "slow-pinning.md"
    post.write_text(post.read_text().replace("  pins: 3", "  pins: lots\n  tittles: [x]"))
    result = mkdocs_build(site_copy)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert (
        "blog/posts/slow-pinning.md: pinplan.pins: expected a whole number, got 'lots'"
        in result.stderr
    )
    assert "blog/posts/slow-pinning.md: pinplan.tittles: unknown key (did you mean 'titles'?)" in (
        result.stderr
    )
    # Without --strict the same problems are warnings and the build still plans the pins.
    relaxed = mkdocs_build(site_copy, strict=False)
    assert relaxed.returncode == 0, relaxed.stderr
    assert (site_copy / "pinplan" / "calendar.json").exists()


def test_plain_page_with_broken_yaml_is_reported(site_copy: Path, mkdocs_build: Builder) -> None:
    page = site_copy / "docs" / "promo.md"
    page.write_text("---\ntitle: Promo\npinplan:\n  titles: [unclosed\n---\n\n# Promo\n")
    result = mkdocs_build(site_copy)
    assert result.returncode != 0
    assert "promo.md: front-matter: invalid YAML (line " in result.stderr
    assert "Traceback" not in result.stderr


def test_plain_page_with_pinplan_block_becomes_a_post(
    site_copy: Path, mkdocs_build: Builder
) -> None:
    page = site_copy / "docs" / "promo.md"
    page.write_text(
        "---\ntitle: Our free checklist\npinplan:\n  pins: 2\n---\n\n# Checklist\n\n"
        "Everything to do before your first pin goes out.\n"
    )
    result = mkdocs_build(site_copy)
    assert result.returncode == 0, result.stderr
    pins = json.loads((site_copy / "pinplan" / "calendar.json").read_text())["pins"]
    promo = [p for p in pins if p["post"] == "promo.md"]
    assert len(promo) >= 1  # its second pin may wait in the queue
    assert promo[0]["link"].startswith("https://feldnotizen.example.com/promo/?utm_content=pin")


def test_a_calendar_planned_months_ahead_is_cut_back_to_the_window_once(
    site_copy: Path, mkdocs_build: Builder
) -> None:
    # As an earlier version wrote it: every pin placed, months ahead.
    assert mkdocs_build(site_copy).returncode == 0
    path = site_copy / "pinplan" / "calendar.json"
    data = json.loads(path.read_text())
    for n, pin in enumerate(data["pins"]):
        at = datetime.fromisoformat(pin["publish_at"]) + timedelta(days=7 * (n % 3))
        pin["publish_at"] = at.isoformat()
    data["pins"].sort(key=lambda p: p["publish_at"])
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    beyond = [p for p in data["pins"] if datetime.fromisoformat(p["publish_at"]) >= WEEK_END]
    assert beyond

    result = mkdocs_build(site_copy)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("went back to the queue") == 1
    assert f"{len(beyond)} scheduled pins lay beyond the 7-day window" in result.stderr
    kept = json.loads(path.read_text())["pins"]
    assert all(datetime.fromisoformat(p["publish_at"]) < WEEK_END for p in kept)
    inside = {p["id"]: p["publish_at"] for p in data["pins"] if p not in beyond}
    assert {p["id"]: p["publish_at"] for p in kept if p["id"] in inside} == inside
    again = mkdocs_build(site_copy)
    assert again.returncode == 0 and "went back to the queue" not in again.stderr


WEEK_END = FIXED_NOW + timedelta(days=7)
