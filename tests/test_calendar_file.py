"""The calendar file under concurrency: one writer at a time, no lost pins, no leftovers."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mkdocs_pinplan import build
from mkdocs_pinplan.calendar_file import (
    dumps,
    loads,
    pin_to_dict,
    read_calendar,
    write_calendar,
)
from mkdocs_pinplan.errors import PinplanError
from mkdocs_pinplan.fs import calendar_lock
from mkdocs_pinplan.model import Calendar, CalendarPin, Rules
from mkdocs_pinplan.pins import PinSettings
from mkdocs_pinplan.schedule import violations

HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from mkdocs_pinplan.fs import calendar_lock

    with calendar_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        sys.stdin.readline()
    """
)

# Each worker adds its own pins one by one, each time read → add → write under the lock.
ADDER = textwrap.dedent(
    """
    import sys
    from dataclasses import replace
    from datetime import date, datetime, timedelta, timezone
    from pathlib import Path
    from mkdocs_pinplan.calendar_file import read_calendar, write_calendar
    from mkdocs_pinplan.fs import calendar_lock
    from mkdocs_pinplan.model import Calendar, CalendarPin

    path, worker, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    base = datetime(2026, 12, 1, tzinfo=timezone.utc)
    for n in range(count):
        with calendar_lock(path):
            cal = read_calendar(path) or Calendar("UTC", date(2026, 12, 1))
            pin = CalendarPin(
                id=f"{worker}.md#{n}", post=f"{worker}.md", link=f"https://e.x/{worker}/{n}",
                image="i.jpg", media_url="https://e.x/i.jpg", title=f"{worker} {n}",
                description="", alt_text="", board="B", keywords=(),
                publish_at=base + timedelta(minutes=len(cal.pins)),
            )
            write_calendar(path, replace(cal, pins=(*cal.pins, pin)))
    """
)


def test_a_held_lock_keeps_a_second_writer_out_until_released(tmp_path: Path) -> None:
    path = tmp_path / "calendar.json"
    script = tmp_path / "holder.py"
    script.write_text(HOLDER)
    holder = subprocess.Popen(
        [sys.executable, str(script), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(PinplanError) as info, calendar_lock(path, timeout=0.2):
            pass
        assert info.value.file == str(path)
        assert "another build has held .calendar.json.lock" in info.value.message
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=60)
    sidecar = tmp_path / ".calendar.json.lock"
    with calendar_lock(path, timeout=30):
        assert sidecar.exists()
    assert not sidecar.exists(), "the sidecar is removed once released"


def test_concurrent_writers_lose_no_pins(tmp_path: Path) -> None:
    path = tmp_path / "calendar.json"
    script = tmp_path / "adder.py"
    script.write_text(ADDER)
    workers = [
        subprocess.Popen([sys.executable, str(script), str(path), name, "12"])
        for name in ("a", "b", "c")
    ]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0]
    cal = read_calendar(path)
    assert cal is not None
    assert sorted(p.id for p in cal.pins) == sorted(
        f"{name}.md#{n}" for name in "abc" for n in range(12)
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adder.py", "calendar.json"]


def test_the_lock_is_reentrant_across_sequential_uses(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "calendar.json"
    for _ in range(3):
        with calendar_lock(path):
            write_calendar(path, Calendar("UTC", date(2026, 12, 1)))
    assert read_calendar(path) == Calendar("UTC", date(2026, 12, 1))


def test_an_unknown_timezone_in_the_file_is_named() -> None:
    text = dumps(Calendar("Europe/Berlin", date(2026, 12, 1))).replace("Europe/Berlin", "Mars/Base")
    with pytest.raises(PinplanError) as info:
        loads(text, "calendar.json")
    assert (info.value.field, info.value.message) == (
        "timezone",
        "unknown time zone 'Mars/Base' (expected e.g. 'Europe/Berlin')",
    )


def test_round_trip_keeps_offsets_seconds_and_order() -> None:
    at = datetime(2026, 12, 1, 8, 17, 30, tzinfo=timezone(timedelta(hours=1)))
    pin = CalendarPin(
        id="p.md#1", post="p.md", link="https://e.x/p?utm_content=pin1", image="i.jpg",
        media_url="https://e.x/i.jpg", title="Tïtle", description="D", alt_text="A",
        board="B", keywords=("k",), publish_at=at, status="published",
    )  # fmt: skip
    text = dumps(Calendar("Europe/Berlin", date(2026, 12, 1), (pin,)))
    assert '"publish_at": "2026-12-01T08:17:30+01:00"' in text
    assert "Tïtle" in text
    assert dumps(loads(text, "calendar.json")) == text


texts = st.text(max_size=30)


@settings(max_examples=200, deadline=None)
@given(
    pins=st.lists(
        st.builds(
            CalendarPin,
            id=texts,
            post=texts,
            link=texts,
            image=texts,
            media_url=texts,
            title=texts,
            description=texts,
            alt_text=texts,
            board=texts,
            keywords=st.lists(texts, max_size=3).map(tuple),
            publish_at=st.datetimes(timezones=st.timezones()),
            status=st.sampled_from(["scheduled", "published"]),
        ),
        max_size=4,
    ),
    zone=texts,
)
def test_dumps_writes_exactly_what_the_json_module_would(
    pins: list[CalendarPin], zone: str
) -> None:
    calendar = Calendar(zone, date(2026, 12, 1), tuple(pins))
    reference = {
        "version": calendar.version,
        "timezone": calendar.timezone,
        "start": calendar.start.isoformat(),
        "pins": [pin_to_dict(p) for p in calendar.pins],
    }
    assert dumps(calendar) == json.dumps(reference, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize(
    ("key", "value"),
    [("title", ["x"]), ("id", 7), ("keywords", "k"), ("keywords", ["k", 1]),
     ("publish_at", ["2026"]), ("status", None), ("board", {"a": 1})],
)  # fmt: skip
def test_a_wrongly_typed_field_is_named(key: str, value: object) -> None:
    pin = dict(
        json.loads(dumps(Calendar("UTC", date(2026, 12, 1), (SAMPLE,))))["pins"][0],
        **{key: value},
    )
    text = json.dumps({"version": 1, "timezone": "UTC", "start": "2026-12-01", "pins": [pin]})
    with pytest.raises(PinplanError) as info:
        loads(text, "calendar.json")
    assert info.value.field is not None and info.value.field.startswith(f"pins[0].{key}")


SAMPLE = CalendarPin(
    id="p.md#1", post="p.md", link="https://e.x/p", image="i.jpg", media_url="https://e.x/i.jpg",
    title="T", description="D", alt_text="A", board="B", keywords=("k",),
    publish_at=datetime(2026, 12, 1, 9, tzinfo=timezone.utc),
)  # fmt: skip


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"])
def test_a_time_at_the_ends_of_the_calendar_is_refused(at: str) -> None:
    pin = json.loads(dumps(Calendar("UTC", date(2026, 12, 1), (SAMPLE,))))["pins"][0]
    pin["publish_at"] = at
    text = json.dumps({"version": 1, "timezone": "UTC", "start": "2026-12-01", "pins": [pin]})
    with pytest.raises(PinplanError) as info:
        loads(text, "calendar.json")
    assert (info.value.field, info.value.message) == ("pins[0].publish_at", f"out of range: {at!r}")


def test_a_build_puts_a_hand_edited_calendar_back_in_its_written_form(tmp_path: Path) -> None:
    path = tmp_path / "calendar.json"
    pin = CalendarPin(
        id="a.md#1", post="a.md", link="https://e.x/a", image="i.jpg",
        media_url="https://e.x/i.jpg", title="A", description="", alt_text="", board="B",
        keywords=(), publish_at=datetime(2026, 12, 1, 9, tzinfo=timezone.utc),
        status="published",
    )  # fmt: skip
    write_calendar(path, Calendar("UTC", date(2026, 12, 1), (pin,)))
    written = path.read_text(encoding="utf-8")

    def run() -> bool:
        rules, now = Rules(timezone="UTC"), datetime(2026, 11, 20, tzinfo=timezone.utc)
        report = build.run_build(
            [], settings=PinSettings(), rules=rules, site_dir=tmp_path / "site",
            calendar_path=path, now=now,
        )  # fmt: skip
        return build.write_planned_calendar(report, rules, path, now).calendar_written

    assert run() is False and run() is False
    path.write_text(json.dumps(json.loads(written), indent=4), encoding="utf-8")
    assert run() is True
    assert path.read_text(encoding="utf-8") == written


def test_every_build_reports_the_pins_that_break_the_current_rules(tmp_path: Path) -> None:
    # A kept pin stays in its slot when the rules change; each build says so again.
    from mkdocs_pinplan.durations import parse_windows
    from mkdocs_pinplan.model import Post

    path = tmp_path / "calendar.json"
    morning = Rules(timezone="UTC", windows=parse_windows(["08:00-11:00"]))
    evening = Rules(timezone="UTC", windows=parse_windows(["19:00-22:00"]))
    post = Post("a.md", "A post", "https://e.x/a/", "a")

    def run(rules: Rules) -> tuple[str, ...]:
        now = datetime(2026, 11, 20, tzinfo=timezone.utc)
        report = build.run_build(
            [post], settings=PinSettings(pins_per_post=1), rules=rules,
            site_dir=tmp_path / "site", calendar_path=path, now=now,
        )  # fmt: skip
        planned = build.write_planned_calendar(report, rules, path, now).plan
        return tuple(f"{v.rule}: {v}" for v in violations(planned.calendar, rules))

    assert run(morning) == ()  # placed in the morning window
    broken = run(evening)  # kept where it is, now outside the windows
    assert len(broken) == 1 and broken[0].startswith("windows: a.md#1: ")
    assert run(evening) == broken
    assert run(morning) == ()
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a hand edit
    assert run(evening) == broken
