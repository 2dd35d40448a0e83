"""Nothing the user had is lost: atomic calendar writes, even when a build is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mkdocs_pinplan.calendar_file import loads
from mkdocs_pinplan.fs import write_bytes_atomic

from conftest import MKDOCS, Builder, build_env

WRITER = textwrap.dedent(
    """
    import sys
    from dataclasses import replace
    from datetime import date, datetime, timedelta, timezone
    from pathlib import Path

    from mkdocs_pinplan.calendar_file import write_calendar
    from mkdocs_pinplan.model import Calendar, CalendarPin

    path = Path(sys.argv[1])
    base = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    pin = CalendarPin(
        id="", post="p.md", link="https://example.com/p/", image="assets/pinplan/p.jpg",
        media_url="https://example.com/assets/pinplan/p.jpg", title="T" * 80,
        description="D" * 400, alt_text="A" * 200, board="Blog", keywords=("k",),
        publish_at=base,
    )
    generation = 0
    print("ready", flush=True)
    while True:
        generation += 1
        pins = tuple(
            replace(pin, id=f"p.md#{generation}-{i}", publish_at=base + timedelta(hours=i))
            for i in range(3000)
        )
        write_calendar(path, Calendar(timezone="UTC", start=date(2026, 12, 1), pins=pins))
    """
)


def test_killing_a_writer_at_any_moment_leaves_a_whole_calendar(tmp_path: Path) -> None:
    calendar = tmp_path / "calendar.json"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    for delay in (0.05, 0.13, 0.21, 0.34, 0.55, 0.89):
        child = subprocess.Popen(
            [sys.executable, str(script), str(calendar)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if calendar.exists():
            parsed = loads(calendar.read_text(encoding="utf-8"), str(calendar))
            assert len(parsed.pins) == 3000
    assert calendar.exists(), "the writer never completed a write; raise the delays"


def test_a_failed_replace_leaves_the_old_file_and_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "calendar.json"
    target.write_text('{"old": true}\n')

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_bytes_atomic(target, b'{"new": true}\n')
    assert target.read_text() == '{"old": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calendar.json"]


def test_killed_builds_never_leave_a_broken_calendar(
    site_copy: Path, mkdocs_build: Builder
) -> None:
    assert mkdocs_build(site_copy).returncode == 0
    calendar = site_copy / "pinplan" / "calendar.json"
    before = calendar.read_bytes()
    extra = site_copy / "docs" / "blog" / "posts" / "new-post.md"
    extra.write_text("---\ntitle: A brand new post\ndate: 2026-11-25\n---\n\n# New\n\nText.\n")
    for delay in (0.4, 0.8, 1.2, 1.6):
        child = subprocess.Popen(
            [str(MKDOCS), "build"], cwd=site_copy, env=build_env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        now = calendar.read_bytes()
        parsed = json.loads(now)
        if now != before:
            # Only a whole, newer calendar may replace the old one.
            assert any(p["post"] == "blog/posts/new-post.md" for p in parsed["pins"])
    assert mkdocs_build(site_copy).returncode == 0
    final = json.loads(calendar.read_text())
    old_ids = {p["id"]: p["publish_at"] for p in json.loads(before)["pins"]}
    # The rebuild after all the kills kept every old pin in its slot.
    assert {p["id"]: p["publish_at"] for p in final["pins"] if p["id"] in old_ids} == old_ids
