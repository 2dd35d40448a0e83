"""Exports for the uploader: golden files, the exact CSV header, the row limit, safe cells.

Regenerate the golden files after an intended change with ``PINPLAN_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from mkdocs_pinplan.export import (
    HEADER,
    MAX_ROWS,
    due_pins,
    export_csv,
    export_ics,
    export_json,
    neutralise,
)
from mkdocs_pinplan.model import Calendar, CalendarPin

GOLDEN = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("PINPLAN_UPDATE_GOLDEN"))
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
HEADER_LINE = "Title,Media URL,Pinterest board,Thumbnail,Description,Link,Publish date,Keywords"


def pin(n: int, at: datetime, **changes: object) -> CalendarPin:
    base = CalendarPin(
        id=f"blog/posts/post-{n}.md#1",
        post=f"blog/posts/post-{n}.md",
        link=f"https://example.com/blog/post-{n}/?utm_content=pin1",
        image=f"assets/pinplan/post-{n}-1.jpg",
        media_url=f"https://example.com/assets/pinplan/post-{n}-1.jpg",
        title=f"Post {n}: a headline",
        description=f"What post {n} is about.",
        alt_text=f"Pin {n}",
        board="Bloggen & Gründen",
        keywords=("pinterest", "blog"),
        publish_at=at,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


CALENDAR = Calendar(
    timezone="Europe/Berlin",
    start=date(2026, 12, 1),
    pins=(
        pin(1, datetime(2026, 11, 29, 9, 5, tzinfo=BERLIN)),  # overdue: not handed out
        pin(2, datetime(2026, 11, 30, 19, 40, tzinfo=BERLIN), status="published"),
        pin(
            3,
            datetime(2026, 12, 1, 8, 17, tzinfo=BERLIN),
            title='=HYPERLINK("http://evil.example","click")',
            description='Quotes "inside", commas, and a\nnew line',
            keywords=("-1+1", "@sum", "ok"),
        ),
        pin(4, datetime(2026, 12, 3, 20, 2, tzinfo=BERLIN), title="Überschriften, die wirken"),
        pin(5, datetime(2026, 12, 7, 10, 0, tzinfo=BERLIN), board="+Board", keywords=()),
        pin(6, datetime(2026, 12, 7, 13, 0, tzinfo=BERLIN)),  # 7 days + 1 h after NOW: too far
    ),
)


def golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} differs from the golden file"


def test_due_pins_are_the_scheduled_ones_from_now_to_the_horizon() -> None:
    assert [p.id[11:17] for p in due_pins(CALENDAR, NOW, 7)] == ["post-3", "post-4", "post-5"]
    assert [p.id[11:17] for p in due_pins(CALENDAR, NOW, 1)] == ["post-3"]


def test_csv_matches_the_golden_file_and_opens_with_the_exact_header() -> None:
    (text,) = export_csv(due_pins(CALENDAR, NOW, 7))
    golden("export.csv", text.encode("utf-8"))
    assert text.startswith(HEADER_LINE + "\r\n")
    assert ",".join(HEADER) == HEADER_LINE
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(HEADER)
    assert len(rows) == 4
    for row in rows[1:]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", row[6])
        assert row[3] == ""  # Thumbnail is for videos
    # 08:17 in Berlin (UTC+1) is 07:17 UTC.
    assert rows[1][6] == "2026-12-01T07:17:00"
    assert rows[2][0] == "Überschriften, die wirken"


def test_csv_cells_a_spreadsheet_would_run_are_neutralised() -> None:
    (text,) = export_csv(due_pins(CALENDAR, NOW, 7))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[1][4] == 'Quotes "inside", commas, and a\nnew line'
    assert rows[1][7] == "'-1+1, @sum, ok"
    assert rows[3][2] == "'+Board"
    for cell in (c for row in rows[1:] for c in row):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert [neutralise(c) for c in ("=1", "+1", "-1", "@a", "\tx", "\rx", "a=1", "")] == [
        "'=1", "'+1", "'-1", "'@a", "'\tx", "'\rx", "a=1", "",
    ]  # fmt: skip


def test_csv_is_split_into_files_of_at_most_100_rows() -> None:
    start = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
    pins = [replace(pin(i, start + timedelta(hours=i)), id=f"p#{i}") for i in range(250)]
    parts = export_csv(pins)
    assert MAX_ROWS == 100
    rows = [list(csv.reader(io.StringIO(part))) for part in parts]
    assert [len(r) - 1 for r in rows] == [100, 100, 50]
    assert all(r[0] == list(HEADER) for r in rows)
    titles = [row[0] for r in rows for row in r[1:]]
    assert titles == [p.title for p in pins]
    assert export_csv([]) == [HEADER_LINE + "\r\n"]


def test_ics_matches_the_golden_file_and_parses_back() -> None:
    data = export_ics(CALENDAR.pins, NOW)
    golden("export.ics", data)
    parsed = icalendar.Calendar.from_ical(data)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == len(CALENDAR.pins)
    for event, p in zip(events, CALENDAR.pins, strict=True):
        assert str(event["uid"]) == f"{p.id}@mkdocs-pinplan"
        start = event.decoded("dtstart")
        assert start.utcoffset() == timedelta(0)
        assert start == p.publish_at
        assert str(event["url"]) == p.link
    assert "DTSTART:20261201T071700Z" in data.decode()
    # Stable UIDs: the same calendar gives the same file.
    assert export_ics(CALENDAR.pins, NOW) == data


def test_json_matches_the_golden_file() -> None:
    text = export_json(CALENDAR, due_pins(CALENDAR, NOW, 7))
    golden("export.json", text.encode("utf-8"))
    data = json.loads(text)
    assert data["timezone"] == "Europe/Berlin"
    assert [p["publish_at_utc"] for p in data["pins"]] == [
        "2026-12-01T07:17:00Z", "2026-12-03T19:02:00Z", "2026-12-07T09:00:00Z",
    ]  # fmt: skip
    assert all(p["status"] == "scheduled" for p in data["pins"])


@pytest.mark.parametrize("days", [1, 14])
def test_exports_never_hand_out_published_or_overdue_pins(days: int) -> None:
    ids = {p.id for p in due_pins(CALENDAR, NOW, days)}
    assert "blog/posts/post-1.md#1" not in ids and "blog/posts/post-2.md#1" not in ids


def test_exports_never_hand_out_a_pin_pinterest_refused() -> None:
    refused = replace(CALENDAR.pins[3], status="failed", error="Invalid link")
    calendar = replace(CALENDAR, pins=(*CALENDAR.pins[:3], refused, *CALENDAR.pins[4:]))
    assert [p.id[11:17] for p in due_pins(calendar, NOW, 7)] == ["post-3", "post-5"]
    exported = "".join(export_csv(due_pins(calendar, NOW, 7)))
    assert "post-4" not in exported and "post-3" in exported
