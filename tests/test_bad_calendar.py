"""A broken or unreadable calendar stops the build with one line and is left untouched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mkdocs_pinplan.calendar_file import read_calendar
from mkdocs_pinplan.errors import PinplanError

from conftest import Builder

CALENDARS = Path(__file__).parent / "fixtures" / "calendars"

CASES = [
    ("corrupt_json.json", None, "not valid JSON (line 3"),
    ("not_an_object.json", None, "expected a JSON object"),
    ("wrong_version.json", "version", "unsupported version 2 (this plugin reads 1)"),
    ("no_version.json", "version", "unsupported version None"),
    ("pin_missing_field.json", "pins[0].publish_at", "is missing"),
    ("duplicate_ids.json", "pins[1].id", "duplicate id 'blog/posts/slow-pinning.md#1'"),
    ("bad_time.json", "pins[0].publish_at", "not an ISO 8601 time: '2026-12-01 morning'"),
    ("naive_time.json", "pins[0].publish_at", "needs a UTC offset"),
    (
        "bad_status.json",
        "pins[0].status",
        "expected one of 'scheduled', 'published', 'failed', got",
    ),
    ("bad_start.json", "start", "expected a date such as 2026-12-01, got 'soon'"),
    ("pins_not_list.json", "calendar.pins", "expected list"),
]


@pytest.mark.parametrize(("name", "field", "expected"), CASES)
def test_reader_names_the_file_and_field(name: str, field: str | None, expected: str) -> None:
    path = CALENDARS / name
    with pytest.raises(PinplanError) as info:
        read_calendar(path)
    assert info.value.file == str(path)
    assert info.value.field == field
    assert expected in info.value.message
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("name", "field", "expected"), CASES[:6])
def test_broken_calendar_stops_the_build_and_is_left_untouched(
    site_copy: Path, mkdocs_build: Builder, name: str, field: str | None, expected: str
) -> None:
    calendar = site_copy / "pinplan" / "calendar.json"
    calendar.parent.mkdir()
    shutil.copy(CALENDARS / name, calendar)
    before = calendar.read_bytes()
    # Not only --strict: a calendar we cannot read must never be overwritten.
    result = mkdocs_build(site_copy, strict=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert expected in result.stderr
    assert "pinplan/calendar.json" in result.stderr
    assert calendar.read_bytes() == before


def test_read_only_calendar_is_not_replaced(site_copy: Path, mkdocs_build: Builder) -> None:
    assert mkdocs_build(site_copy).returncode == 0
    calendar = site_copy / "pinplan" / "calendar.json"
    data = json.loads(calendar.read_text())
    data["pins"] = data["pins"][:3]
    calendar.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    before = calendar.read_bytes()
    calendar.chmod(0o444)
    try:
        result = mkdocs_build(site_copy, strict=False)
    finally:
        calendar.chmod(0o644)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "cannot write the calendar" in result.stderr and "read-only" in result.stderr
    assert calendar.read_bytes() == before


def test_rewritten_calendar_keeps_its_permissions(site_copy: Path, mkdocs_build: Builder) -> None:
    assert mkdocs_build(site_copy).returncode == 0
    calendar = site_copy / "pinplan" / "calendar.json"
    data = json.loads(calendar.read_text())
    data["pins"] = data["pins"][:3]
    calendar.write_text(json.dumps(data))
    calendar.chmod(0o664)
    assert mkdocs_build(site_copy).returncode == 0
    assert len(json.loads(calendar.read_text())["pins"]) > 3
    assert calendar.stat().st_mode & 0o777 == 0o664


def test_pin_moved_by_hand_into_an_illegal_slot_is_kept_with_a_warning(
    site_copy: Path, mkdocs_build: Builder
) -> None:
    assert mkdocs_build(site_copy).returncode == 0
    calendar = site_copy / "pinplan" / "calendar.json"
    data = json.loads(calendar.read_text())
    moved = data["pins"][0]
    moved["publish_at"] = moved["publish_at"][:10] + "T03:00:00+01:00"
    calendar.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    relaxed = mkdocs_build(site_copy, strict=False)
    assert relaxed.returncode == 0, relaxed.stderr
    warning = next(line for line in relaxed.stderr.splitlines() if moved["id"] in line)
    assert warning.startswith("WARNING")
    assert "pinplan/calendar.json" in warning and "outside the windows" in warning
    kept = {p["id"]: p for p in json.loads(calendar.read_text())["pins"]}
    assert kept[moved["id"]]["publish_at"] == moved["publish_at"]
    # The same problem fails a --strict build, as every content problem does.
    assert mkdocs_build(site_copy).returncode != 0
