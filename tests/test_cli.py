"""The `pinplan` command on a copy of example_site, without building the site."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from click.testing import CliRunner, Result
from test_schedule import specs_for

from mkdocs_pinplan.calendar_file import dumps, loads
from mkdocs_pinplan.cli import main, part_paths
from mkdocs_pinplan.durations import parse_windows
from mkdocs_pinplan.model import Calendar, Rules
from mkdocs_pinplan.schedule import plan

from conftest import FIXED_NOW

RULES = Rules(timezone="Europe/Berlin", start=date(2026, 12, 1))  # as example_site's mkdocs.yml
BERLIN = ZoneInfo("Europe/Berlin")
DEC_1 = 1796083200  # "now" for the verbs: 2026-12-01 00:00 UTC, when the pins begin
HEADER_LINE = "Title,Media URL,Pinterest board,Thumbnail,Description,Link,Publish date,Keywords"


@pytest.fixture
def site(site_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """example_site with a planned calendar of 12 pins, as the working directory."""
    monkeypatch.chdir(site_copy)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(DEC_1))
    write(
        site_copy,
        plan(specs_for([f"p{i}" for i in range(4)], pins=3), RULES, None, FIXED_NOW).calendar,
    )
    return site_copy


def write(site: Path, calendar: Calendar) -> Path:
    path = site / "pinplan" / "calendar.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(dumps(calendar), encoding="utf-8")
    return path


def read(site: Path) -> Calendar:
    path = site / "pinplan" / "calendar.json"
    return loads(path.read_text(encoding="utf-8"), str(path))


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_one_line_failure(result: Result, *expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0]


def test_show_lists_upcoming_pins_in_the_calendars_timezone(site: Path) -> None:
    result = run("show", "--days", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["When", "(Europe/Berlin)", "Status", "Board", "Title", "Id"]
    cal = read(site)
    shown = [p for p in cal.pins if p.publish_at < datetime(2026, 12, 4, tzinfo=timezone.utc)]
    assert len(lines) == 2 + len(shown) + 1
    first = shown[0].publish_at.astimezone(BERLIN)
    assert lines[2].startswith(first.strftime("%a %Y-%m-%d %H:%M"))
    assert lines[-1].startswith(f"{len(shown)} pins until")


def test_export_csv_to_stdout_has_the_header_and_only_due_pins(site: Path) -> None:
    result = run("export", "--format", "csv", "--days", "5")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(HEADER_LINE.encode() + b"\r\n")
    rows = list(csv.reader(io.StringIO(result.stdout)))[1:]
    cal = read(site)
    horizon = datetime.fromtimestamp(DEC_1 + 5 * 86400, tz=timezone.utc)
    due = [p for p in cal.pins if p.publish_at < horizon]
    assert [r[0] for r in rows] == [p.title for p in due]
    assert 0 < len(rows) < len(cal.pins)


def dense(site: Path) -> Rules:
    """Switch the site to a busy schedule: 100 pins a day, one a minute, all day."""
    config = site / "mkdocs.yml"
    text = config.read_text()
    for old, new in [
        ("max_per_day: 5", "max_per_day: 100"),
        ("min_gap: 90m", "min_gap: 1m"),
        ('windows: ["08:00-11:00", "19:00-22:00"]', 'windows: ["00:00-24:00"]'),
        ("warmup_days: 14", "warmup_days: 0"),
    ]:
        assert old in text
        text = text.replace(old, new)
    config.write_text(text)
    return Rules(
        timezone="Europe/Berlin",
        start=date(2026, 12, 1),
        max_per_day=100,
        min_gap=timedelta(minutes=1),
        windows=parse_windows(["00:00-24:00"]),
        warmup_days=0,
    )


def test_export_csv_splits_into_parts_and_leaves_other_files_alone(site: Path) -> None:
    rules = dense(site)
    now = datetime.fromtimestamp(DEC_1, tz=timezone.utc)
    write(site, plan(specs_for([f"p{i:03d}" for i in range(250)]), rules, None, now).calendar)
    out = site / "upload.csv"
    stale = site / "upload-4.csv"
    stale.write_text("old")
    result = run("export", "--days", "14", "-o", "upload.csv")
    assert result.exit_code == 0, result.output
    paths = part_paths(out, 3)
    assert [p.name for p in paths] == ["upload.csv", "upload-2.csv", "upload-3.csv"]
    counts = [len(list(csv.reader(io.StringIO(p.read_text())))) - 1 for p in paths]
    assert counts == [100, 100, 50]
    # Not written by this export: never deleted, but named so it is not uploaded twice.
    assert stale.read_text() == "old"
    assert "not from this export, left as they are (do not upload them): " in result.stderr
    assert "upload-4.csv" in result.stderr

    to_stdout = run("export", "--days", "14")
    assert to_stdout.exit_code == 0
    assert len(list(csv.reader(io.StringIO(to_stdout.stdout)))) == 101
    assert "250 pins are due; stdout holds the first 100" in to_stdout.stderr


def test_csv_export_reaches_at_most_14_days_ahead(site: Path) -> None:
    assert_one_line_failure(
        run("export", "--days", "15"), "--days: Pinterest schedules pins at most 14 days ahead"
    )
    assert run("export", "--format", "json", "--days", "30").exit_code == 0


def test_export_ics_and_json(site: Path) -> None:
    ics = CliRunner().invoke(main, ["export", "--format", "ics"])
    assert ics.exit_code == 0, ics.output
    events = list(icalendar.Calendar.from_ical(ics.stdout_bytes).walk("VEVENT"))
    assert len(events) == len(read(site).pins)
    result = run("export", "--format", "json", "--days", "14")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["timezone"] == "Europe/Berlin"
    assert all(p["status"] == "scheduled" for p in data["pins"])


def test_mark_published_records_pins_and_exports_skip_them(site: Path) -> None:
    cal = read(site)
    first, second = cal.pins[0].id, cal.pins[1].id
    result = run("mark-published", first, second, "--at", "2026-12-01T08:30")
    assert result.exit_code == 0, result.output
    after = read(site)
    marked = {p.id: p for p in after.pins if p.published}
    assert set(marked) == {first, second}
    assert marked[first].publish_at.isoformat() == "2026-12-01T08:30:00+01:00"
    assert [p.id for p in after.pins if not p.published] == [p.id for p in cal.pins[2:]]
    exported = run("export", "--format", "json", "--days", "14")
    assert first not in exported.stdout and second not in exported.stdout
    # Idempotent for a retrying uploader.
    again = run("mark-published", first)
    assert again.exit_code == 0
    assert "already published" in again.stderr
    assert not list((site / "pinplan").glob(".*"))  # no lock or temp file left behind


def test_mark_published_is_all_or_nothing(site: Path) -> None:
    path = site / "pinplan" / "calendar.json"
    before = path.read_bytes()
    known = read(site).pins[0].id
    result = run("mark-published", known, "blog/posts/nope.md#9")
    assert_one_line_failure(
        result, "pinplan/calendar.json", "no pin with id 'blog/posts/nope.md#9'"
    )
    bad_time = run("mark-published", known, "--at", "yesterday-ish")
    assert_one_line_failure(bad_time, "--at", "ISO 8601")
    assert path.read_bytes() == before


def test_check_passes_a_clean_site(site: Path) -> None:
    result = run("check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"5 posts, {len(read(site).pins)} pins on the calendar, no problems" in result.stderr


def test_check_lists_every_problem_one_line_each(site: Path) -> None:
    post = site / "docs" / "blog" / "posts" / "slow-pinning.md"
    post.write_text(post.read_text().replace("  pins: 3", "  pins: lots\n  tittles: [x]"))
    cal = read(site)
    illegal = replace(cal.pins[0], publish_at=datetime(2026, 12, 1, 3, 0, tzinfo=BERLIN))
    write(site, replace(cal, pins=(illegal, *cal.pins[1:])))
    result = run("check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "docs/blog/posts/slow-pinning.md: pinplan.pins: expected a whole number" in lines[0]
    assert any("pinplan.tittles: unknown key (did you mean 'titles'?)" in x for x in lines)
    assert any(
        x.startswith(f"pinplan/calendar.json: {illegal.id}: 2026-12-01T03:00+01:00 is outside")
        for x in lines
    )
    assert "Traceback" not in result.output


@pytest.mark.parametrize("verb", [["check"], ["show"], ["export"], ["mark-published", "x"]])
def test_every_verb_rejects_a_missing_config_file(site: Path, verb: list[str]) -> None:
    result = run(*verb, "-f", "nope.yml")
    assert_one_line_failure(result, "nope.yml: no such config file")


def test_a_bad_config_value_is_one_line_naming_the_option(site: Path) -> None:
    config = site / "mkdocs.yml"
    config.write_text(config.read_text().replace("max_per_day: 5", "max_per_day: 500"))
    result = run("show")
    assert_one_line_failure(result, "mkdocs.yml:", "max_per_day", "between 1 and 100")


@pytest.mark.parametrize("verb", [["show"], ["export"], ["mark-published", "x"]])
def test_missing_or_corrupt_calendar_is_one_line(site: Path, verb: list[str]) -> None:
    path = site / "pinplan" / "calendar.json"
    path.unlink()
    assert_one_line_failure(run(*verb), "pinplan/calendar.json: no calendar yet")
    path.write_text('{"version": 1, "timezone": ')
    assert_one_line_failure(run(*verb), "pinplan/calendar.json", "not valid JSON")
    assert path.read_text() == '{"version": 1, "timezone": '


def test_export_refuses_a_target_that_is_not_a_regular_file(site: Path) -> None:
    fifo = site / "upload.csv"
    os.mkfifo(fifo)
    folder = site / "folder.csv"
    folder.mkdir()
    link = site / "devnull.csv"
    link.symlink_to("/dev/null")
    for name in ("upload.csv", "folder.csv", "devnull.csv"):
        result = run("export", "-o", name)
        assert result.exit_code != 0
        assert_one_line_failure(result, name)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert folder.is_dir() and link.is_symlink()
    # A link to a regular file writes that file and keeps the link.
    real = site / "real.csv"
    real.write_text("old")
    (site / "via-link.csv").symlink_to(real.name)
    assert run("export", "-o", "via-link.csv").exit_code == 0
    assert real.read_text().startswith("Title,")
    assert (site / "via-link.csv").is_symlink()


def test_show_lists_the_queue_marked_as_projected(site: Path) -> None:
    result = run("show")
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()[2:-1]]
    projected = [row for row in rows if "projected" in row]
    assert projected, result.stdout
    # The queue is the example site's posts as a build would plan them now.
    assert all(row[-1].startswith("blog/posts/") for row in projected)
    assert "queued (projected until" in result.stdout.splitlines()[-1]


def test_export_csv_mark_published_hands_each_row_over_once(site: Path) -> None:
    result = run("export", "--format", "csv", "--days", "7", "-o", "week.csv", "--mark-published")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO((site / "week.csv").read_text())))[1:]
    assert rows
    cal = read(site)
    handed = {p.title for p in cal.pins if p.published}
    assert handed == {r[0] for r in rows}
    assert f"{len(rows)} exported pins recorded as published" in result.stderr
    # Published at their planned time: the next export has nothing left to hand over.
    again = run("export", "--format", "csv", "--days", "7")
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == HEADER_LINE


def test_mark_published_goes_only_with_csv(site: Path) -> None:
    before = (site / "pinplan" / "calendar.json").read_bytes()
    assert_one_line_failure(
        run("export", "--format", "ics", "--mark-published"), "--mark-published: only with"
    )
    assert (site / "pinplan" / "calendar.json").read_bytes() == before
