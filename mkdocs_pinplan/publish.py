"""``pinplan publish``: post the pins that are due, each exactly once, never in a burst.

SPEC "Publishing" and spacing rule 8. The calendar file is the record of what went out: it
is re-read and written under the calendar lock after every pin, so a run that stops (or is
killed) keeps everything it posted before. No MkDocs here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from .calendar_file import read_calendar, write_calendar
from .durations import format_duration
from .errors import PinplanError
from .fs import calendar_lock
from .model import Calendar, CalendarPin, Rules
from .pinterest import Client, Refused, RemotePin, Secrets, Stop, connect
from .schedule import sort_pins

Clock = Callable[[], datetime]


class Say(Protocol):
    def __call__(self, line: str, err: bool = False) -> None: ...


@dataclass
class Report:
    """What one run did, by pin id."""

    posted: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    """Already on the board (an earlier run posted them and died before recording)."""
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Due but not posted this run: unknown board, image not reachable, the run stopped."""
    held: list[str] = field(default_factory=list)
    """Due but kept back by the spacing rules (rule 8); they go out in later runs."""
    stopped: str | None = None

    @property
    def exit_status(self) -> int:
        """1 when something due was not posted for a reason other than the spacing rules."""
        return 1 if self.failed or self.skipped or self.stopped else 0

    def summary(self) -> str:
        return (
            f"pinplan publish: {len(self.posted)} posted, {len(self.found)} found already on "
            f"Pinterest, {len(self.failed)} refused, {len(self.skipped)} not posted, "
            f"{len(self.held)} waiting for the spacing rules"
        )


def due_pins(calendar: Calendar, now: datetime) -> list[CalendarPin]:
    """The scheduled pins whose time has come, oldest first."""
    return [p for p in sort_pins(calendar.pins) if p.status == "scheduled" and p.publish_at <= now]


def spacing_hold(calendar: Calendar, rules: Rules, at: datetime) -> str | None:
    """Why no pin may go out at ``at`` under rule 8, or None when one may.

    Counted on the published pins' actual times: none closer than ``min_gap`` to ``at``,
    and fewer than the day's cap on ``at``'s local day. Failed pins never went out.
    """
    tz = ZoneInfo(rules.timezone)
    out = [p.publish_at for p in calendar.pins if p.published]
    close = [t for t in out if abs(t - at) < rules.min_gap]
    if close:
        after = max(close) + rules.min_gap
        return (
            f"a pin went out at {max(close).astimezone(tz):%Y-%m-%d %H:%M}; with min_gap "
            f"{format_duration(rules.min_gap)} the next may go out from "
            f"{after.astimezone(tz):%Y-%m-%d %H:%M}"
        )
    day = at.astimezone(tz).date()
    count = sum(1 for t in out if t.astimezone(tz).date() == day)
    cap = rules.cap((day - calendar.start).days)
    if count >= cap:
        return f"{day} already has {count} pins, its cap of {cap}; the next may go out tomorrow"
    return None


def record(path: Path, pin: CalendarPin) -> Calendar:
    """Write ``pin`` into the calendar at ``path`` (by id), re-read and written under the lock.

    Raises :class:`PinplanError` when the calendar cannot be read or written.
    """
    with calendar_lock(path):
        current = read_calendar(path)
        if current is None:
            raise PinplanError(str(path), None, "the calendar is gone; cannot record the pin")
        pins = [pin if p.id == pin.id else p for p in current.pins]
        if all(p.id != pin.id for p in current.pins):
            # A build dropped it meanwhile; it is on Pinterest, so it is kept as published.
            pins.append(pin)
        updated = replace(current, pins=sort_pins(pins))
        write_calendar(path, updated)
    return updated


def _published(
    calendar: Calendar, pin: CalendarPin, remote: RemotePin, at: datetime
) -> CalendarPin:
    """``pin`` as Pinterest's pin ``remote``, gone out at ``at`` (local time, whole seconds)."""
    local = at.astimezone(ZoneInfo(calendar.timezone)).replace(microsecond=0)
    return replace(pin, status="published", publish_at=local, pinterest_id=remote.id)


def _unknown_boards(due: Sequence[CalendarPin], boards: Mapping[str, str], say: Say) -> list[str]:
    """The ids of the due pins whose board is unknown, after one line per such board."""
    missing: dict[str, list[str]] = {}
    for pin in due:
        if pin.board not in boards:
            missing.setdefault(pin.board, []).append(pin.id)
    folded = {name.casefold(): name for name in boards}
    for board, ids in missing.items():
        near = folded.get(board.casefold())
        hint = f' (there is "{near}": names must match exactly)' if near else ""
        say(
            f'pinplan: board "{board}" is not on the Pinterest account{hint}; not posting '
            + ", ".join(ids),
            err=True,
        )
    return [pin_id for ids in missing.values() for pin_id in ids]


def _reconcile(
    path: Path, calendar: Calendar, api: Client, board_ids: dict[str, str], clock: Clock, say: Say
) -> tuple[Calendar, list[str]]:
    """Record the scheduled pins already on their boards instead of posting them again."""
    found: list[str] = []
    for board, board_id in board_ids.items():
        remote: dict[str, RemotePin] = {}
        for item in api.board_pins(board_id):
            if item.link is not None:
                remote.setdefault(item.link, item)
        for pin in [p for p in calendar.pins if p.status == "scheduled" and p.board == board]:
            there = remote.get(pin.link)
            if there is None:
                continue
            calendar = record(path, _published(calendar, pin, there, there.created_at or clock()))
            found.append(pin.id)
            say(f"{pin.id}: already on Pinterest as pin {there.id}; recorded, not posted again")
    return calendar, found


def publish(path: Path, rules: Rules, api: Client, clock: Clock, say: Say) -> Report:
    """Post every due pin of the calendar at ``path`` that rule 8 lets out now.

    Promises: a pin is never posted when a pin with its link is on its board (it is
    recorded instead); no post lands closer than ``min_gap`` to a published pin or over
    its day's cap; each outcome is in the calendar file before the next pin is tried;
    :class:`Stop` and write errors end the run with :attr:`Report.stopped` set.
    """
    report = Report()
    calendar = read_calendar(path)
    due = due_pins(calendar, clock()) if calendar is not None else []
    if calendar is None or not due:
        say("pinplan publish: nothing is due")
        return report
    try:
        _publish_due(path, calendar, due, rules, api, clock, say, report)
    except (Stop, PinplanError) as exc:
        report.stopped = str(exc)
        done = {*report.posted, *report.found, *report.failed, *report.skipped}
        report.skipped.extend(p.id for p in due if p.id not in done)
        say(f"pinplan: {exc}", err=True)
    return report


def _publish_due(
    path: Path,
    calendar: Calendar,
    due: list[CalendarPin],
    rules: Rules,
    api: Client,
    clock: Clock,
    say: Say,
    report: Report,
) -> None:
    boards = api.boards()
    report.skipped.extend(_unknown_boards(due, boards, say))
    used = {pin.board: boards[pin.board] for pin in due if pin.board in boards}
    calendar, report.found = _reconcile(path, calendar, api, used, clock, say)
    queue = [p for p in due_pins(calendar, clock()) if p.board in used]
    for index, pin in enumerate(queue):
        at = clock()
        hold = spacing_hold(calendar, rules, at)
        if hold is not None:
            report.held = [p.id for p in queue[index:]]
            say(f"pinplan publish: {len(report.held)} due pins wait: {hold}")
            return
        problem = api.media_problem(pin.media_url)
        if problem is not None:
            report.skipped.append(pin.id)
            say(f"pinplan: {pin.id}: not posted this run: {problem} (deploy first)", err=True)
            continue
        try:
            made, found = api.create_pin(pin, used[pin.board])
        except Refused as exc:
            calendar = record(path, replace(pin, status="failed", error=str(exc)))
            report.failed.append(pin.id)
            say(f"pinplan: {pin.id}: Pinterest refused it: {exc}; marked failed", err=True)
            continue
        when = made.created_at if found and made.created_at else clock()
        calendar = record(path, _published(calendar, pin, made, when))
        (report.found if found else report.posted).append(pin.id)
        say(f"{pin.id}: posted to {pin.board} as pin {made.id}")


def dry_run(calendar: Calendar, rules: Rules, now: datetime) -> list[str]:
    """What a run at ``now`` would post and what it would hold back (no network)."""
    lines: list[str] = []
    tz = ZoneInfo(calendar.timezone)
    for pin in due_pins(calendar, now):
        hold = spacing_hold(calendar, rules, now)
        due = pin.publish_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        if hold is None:
            lines.append(f"would post {pin.id} (due {due}) to {pin.board}: {pin.title}")
            posted = replace(pin, status="published", publish_at=now)
            calendar = replace(calendar, pins=(*calendar.pins, posted))
        else:
            lines.append(f"would wait {pin.id} (due {due}): {hold}")
    return lines or ["nothing is due"]


def run(path: Path, rules: Rules, environ: Mapping[str, str], clock: Clock, say: Say) -> int:
    """The whole ``pinplan publish``: credentials, then :func:`publish`; the exit status.

    Nothing the run says holds a credential: every line passes the run's redaction.
    """
    secrets = Secrets()

    def safe(line: str, err: bool = False) -> None:
        say(secrets.redact(line), err)

    calendar = read_calendar(path)
    if calendar is None or not due_pins(calendar, clock()):
        safe("pinplan publish: nothing is due")
        return 0
    with ExitStack() as held:
        try:
            client = held.enter_context(closing(connect(environ, secrets)))
            # Two runs at once could both post a pin before either records it.
            held.enter_context(calendar_lock(path.with_name(f"{path.name}.publish"), 2.0))
        except Stop as exc:
            safe(f"pinplan: {exc}", err=True)
            return 1
        except PinplanError:
            safe("pinplan: another pinplan publish is running for this calendar", err=True)
            return 1
        report = publish(path, rules, client, clock, safe)
    safe(report.summary(), err=bool(report.exit_status))
    return report.exit_status


def second_clock(now: Callable[[], datetime]) -> Clock:
    """``now`` in whole seconds, the precision the calendar keeps."""
    return lambda: now().replace(microsecond=0)
