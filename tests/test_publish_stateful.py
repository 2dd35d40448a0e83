"""Runs of the uploader interleaved with faults, crashes, lost commits and time passing.

Whatever happens, the fake Pinterest account never holds a pin twice, the pins that went
out are never closer than ``min_gap`` nor over a day's cap (on the times they actually
went out), and the calendar file stays valid; once the faults stop and time goes on,
every due pin is on the account exactly once and recorded as published.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from fake_pinterest import ACCESS_TOKEN, Crash, FakePinterest, Fault, transport
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)
from test_publish import make_pin

from mkdocs_pinplan import publish
from mkdocs_pinplan.calendar_file import dumps, loads
from mkdocs_pinplan.cli import load_site, main
from mkdocs_pinplan.model import Calendar, Rules

LONG = int(os.environ.get("PINPLAN_FUZZ_EXAMPLES", "0"))
pytestmark = [
    pytest.mark.filterwarnings("ignore:Unsupported scheme type"),
    *([pytest.mark.fuzz] if LONG else []),
]

BERLIN = ZoneInfo("Europe/Berlin")
START = date(2026, 11, 16)
T0 = datetime(2026, 11, 18, 9, 0, tzinfo=timezone.utc)
RULES = Rules(
    timezone="Europe/Berlin",
    start=START,
    max_per_day=3,
    min_gap=timedelta(minutes=90),
    warmup_days=4,  # caps 1, 1, 2, 2, then 3: the ramp is exercised too
)
MKDOCS_YML = """\
site_name: Stateful
site_url: https://blog.example/
plugins:
  - pinplan:
      schedule:
        timezone: Europe/Berlin
        start: 2026-11-16
        max_per_day: 3
        min_gap: 90m
        warmup_days: 4
"""
SITE = "https://blog.example"
ENV = {"PINTEREST_ACCESS_TOKEN": ACCESS_TOKEN, "PINTEREST_API_URL": "https://api.pinterest.com/v5"}
OPERATIONS = ["pins/create", "boards/list", "boards/list_pins", "*"]


class Publishing(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="pinplan-publish-"))
        self.path = self.dir / "pinplan" / "calendar.json"
        self.now = T0
        self.fake = FakePinterest(lambda: self.now, ["Blog", "Travel", "Garden"])
        self.committed = b""
        self.saved = (publish.TRANSPORT, publish.WAITS)
        publish.TRANSPORT = transport(self.fake)
        publish.WAITS = publish.Waits(sleep=lambda _: None, jitter=lambda: 0.0)

    def teardown(self) -> None:
        try:
            if self.committed:
                self.settle()
        finally:
            publish.TRANSPORT, publish.WAITS = self.saved
            shutil.rmtree(self.dir, ignore_errors=True)

    @initialize(
        offsets=st.lists(st.integers(-3 * 24 * 60, 2 * 24 * 60), min_size=1, max_size=6),
        boards=st.lists(st.sampled_from(["Blog", "Travel", "Garden"]), min_size=6, max_size=6),
    )
    def calendar(self, offsets: list[int], boards: list[str]) -> None:
        pins = [
            make_pin(n, T0 + timedelta(minutes=minutes), SITE, board=boards[n])
            for n, minutes in enumerate(offsets)
        ]
        pins.sort(key=lambda p: (p.publish_at, p.id))
        self.path.parent.mkdir(parents=True)
        (self.dir / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
        # The invariants judge by RULES: the command must read the same ones.
        assert load_site(str(self.dir / "mkdocs.yml")).rules == RULES
        self.path.write_text(dumps(Calendar("Europe/Berlin", START, tuple(pins))), "utf-8")
        self.committed = self.path.read_bytes()

    def read(self) -> Calendar:
        return loads(self.path.read_text(encoding="utf-8"), str(self.path))

    def run(self) -> int | None:
        """One ``pinplan publish`` (the command itself); None when its process "died"."""
        env = {**ENV, "SOURCE_DATE_EPOCH": str(int(self.now.timestamp()))}
        args = ["publish", "-f", str(self.dir / "mkdocs.yml")]
        try:
            result = CliRunner().invoke(main, args, env=env)
        except Crash:
            return None
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result.exit_code

    @rule(minutes=st.integers(0, 30 * 60))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule(
        kind=st.sampled_from(["429", "500", "timeout", "lost", "crash"]),
        operation=st.sampled_from(OPERATIONS),
        retry_after=st.sampled_from([None, "2", "9999"]),
    )
    def fault(self, kind: str, operation: str, retry_after: str | None) -> None:
        if kind in ("lost", "crash"):
            operation = "pins/create"
        self.fake.faults.append(Fault(kind, operation, retry_after if kind == "429" else None))

    @rule()
    def publish_run(self) -> None:
        self.run()

    @rule()
    def commit(self) -> None:
        """The workflow commits the calendar back."""
        self.committed = self.path.read_bytes()

    @rule()
    def run_dies_before_the_commit(self) -> None:
        """The next run checks out the calendar as last committed."""
        self.path.write_bytes(self.committed)

    @invariant()
    def never_twice(self) -> None:
        links = self.fake.links()
        assert len(links) == len(set(links)), "a pin was posted twice"

    @invariant()
    def never_a_burst(self) -> None:
        times = sorted(pin["created_at"] for pin in self.fake.pins)
        for a, b in itertools.pairwise(times):
            assert b - a >= RULES.min_gap, f"{a} and {b} are closer than min_gap"
        days: dict[date, int] = {}
        for moment in times:
            day = moment.astimezone(BERLIN).date()
            days[day] = days.get(day, 0) + 1
        for day, count in days.items():
            assert count <= RULES.cap((day - START).days), f"{day} holds {count} pins"

    @invariant()
    def the_calendar_is_valid_and_true(self) -> None:
        calendar = self.read()
        made = {pin["id"]: pin for pin in self.fake.pins}
        for pin in calendar.pins:
            if pin.published:
                assert made[pin.pinterest_id or ""]["link"] == pin.link
                assert pin.publish_at == made[pin.pinterest_id or ""]["created_at"]
        assert self.fake.problems == []

    def settle(self) -> None:
        """Faults stop, the calendar is kept, time goes on: every pin goes out exactly once."""
        self.fake.faults.clear()
        for _ in range(40):
            self.now += timedelta(hours=3)
            assert self.run() == 0
            self.never_a_burst()
            if all(pin.published for pin in self.read().pins):
                break
        calendar = self.read()
        assert all(pin.published for pin in calendar.pins)
        assert sorted(self.fake.links()) == sorted(pin.link for pin in calendar.pins)
        self.never_twice()
        self.the_calendar_is_valid_and_true()


Publishing.TestCase.settings = settings(
    max_examples=max(LONG // 50, 20),
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TestPublishing = Publishing.TestCase
