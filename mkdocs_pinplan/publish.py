"""``pinplan publish``: post the pins that are due, each exactly once, never in a burst.

SPEC "Publishing" and spacing rule 8. The calendar file is the record of what went out: it
is re-read and written under the calendar lock after every pin, so a run that stops (or is
killed) keeps everything it posted before. No MkDocs here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from .calendar_file import read_calendar, write_calendar
from .durations import format_duration
from .errors import PinplanError
from .fs import calendar_lock
from .model import Calendar, CalendarPin, Rules
from .pinterest import Client, Refused, RemotePin, Stop, connect, media_problem, redact
from .schedule import sort_pins

Clock = Callable[[], datetime]


class Say(Protocol):
    def __call__(self, line: str, err: bool = False) -> None: ...


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
        # Added back if a build dropped it meanwhile: it is on Pinterest.
        others = [p for p in current.pins if p.id != pin.id]
        updated = replace(current, pins=sort_pins([*others, pin]))
        write_calendar(path, updated)
    return updated


def _published(pin: CalendarPin, made: RemotePin, clock: Clock, tz: str) -> CalendarPin:
    """``pin`` as Pinterest's pin ``made``, gone out when Pinterest made it or else now (local
    time, whole seconds)."""
    local = (made.created_at or clock()).astimezone(ZoneInfo(tz)).replace(microsecond=0)
    return replace(pin, status="published", publish_at=local, pinterest_id=made.id)


def _unknown_boards(due: Sequence[CalendarPin], boards: Mapping[str, str], say: Say) -> None:
    """One line per board of a due pin that is not on the account, naming its pins."""
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


def publish(
    path: Path, rules: Rules, api: Client, clock: Clock, say: Say, outcome: dict[str, str]
) -> None:
    """Post every due pin of the calendar at ``path`` that rule 8 lets out now; ``outcome``
    gets each due pin's (``posted``, ``found``, ``failed``, ``held``, ``skipped``).

    Promises: a pin is never posted when a pin with its link is on its board (it is
    recorded instead, as ``found``); no post lands closer than ``min_gap`` to a published
    pin or over its day's cap; each outcome is in the calendar file before the next pin is
    tried. Due pins not posted for another reason, or not reached, stay ``skipped``.
    """
    calendar = read_calendar(path)
    due = due_pins(calendar, clock()) if calendar is not None else []
    if calendar is None or not due:
        say("pinplan publish: nothing is due")
        return
    outcome.update(dict.fromkeys([pin.id for pin in due], "skipped"))
    boards = api.boards()
    _unknown_boards(due, boards, say)
    used = {pin.board: boards[pin.board] for pin in due if pin.board in boards}
    for board, board_id in used.items():
        there = api.board_pins(board_id)
        for pin in calendar.pins:
            if pin.status == "scheduled" and pin.board == board and pin.link in there:
                made = there[pin.link]
                calendar = record(path, _published(pin, made, clock, calendar.timezone))
                outcome[pin.id] = "found"
                say(f"{pin.id}: already on Pinterest as pin {made.id}; recorded, not posted again")
    queue = [p for p in due_pins(calendar, clock()) if p.board in used]
    for index, pin in enumerate(queue):
        hold = spacing_hold(calendar, rules, clock())
        if hold is not None:
            outcome.update(dict.fromkeys([p.id for p in queue[index:]], "held"))
            say(f"pinplan publish: {len(queue) - index} due pins wait: {hold}")
            return
        problem = media_problem(pin.media_url)
        if problem is not None:
            say(f"pinplan: {pin.id}: not posted this run: {problem} (deploy first)", err=True)
            continue
        try:
            made = api.create_pin(pin, used[pin.board])
        except Refused as exc:
            calendar = record(path, replace(pin, status="failed", error=str(exc)))
            outcome[pin.id] = "failed"
            say(f"pinplan: {pin.id}: Pinterest refused it: {exc}; marked failed", err=True)
            continue
        calendar = record(path, _published(pin, made, clock, calendar.timezone))
        outcome[pin.id] = "posted"
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


def run(path: Path, rules: Rules, environ: Mapping[str, str], now: Clock, say: Say) -> int:
    """The whole ``pinplan publish`` at ``now`` (taken in whole seconds, the calendar's
    precision): credentials, then :func:`publish`; the exit status, 1 when a due pin was
    not posted for a reason other than the spacing rules.

    Nothing the run says holds a credential: every line passes the run's redaction.
    """
    secrets: set[str] = set()

    def safe(line: str, err: bool = False) -> None:
        say(redact(line, secrets), err)

    def clock() -> datetime:
        return now().replace(microsecond=0)

    calendar = read_calendar(path)
    if calendar is None or not due_pins(calendar, clock()):
        safe("pinplan publish: nothing is due")
        return 0
    outcome: dict[str, str] = {}
    stopped = False
    with ExitStack() as held:
        try:
            api = held.enter_context(connect(environ, secrets))
            # Two runs at once could both post a pin before either records it.
            held.enter_context(calendar_lock(path.with_name(f"{path.name}.publish"), 2.0))
        except Stop as exc:
            safe(f"pinplan: {exc}", err=True)
            return 1
        except PinplanError:
            safe("pinplan: another pinplan publish is running for this calendar", err=True)
            return 1
        try:
            publish(path, rules, api, clock, safe, outcome)
        except (Stop, PinplanError) as exc:
            stopped = True
            safe(f"pinplan: {exc}", err=True)
    counts = Counter(outcome.values())
    status = 1 if stopped or counts["failed"] or counts["skipped"] else 0
    safe(
        f"pinplan publish: {counts['posted']} posted, {counts['found']} found already on "
        f"Pinterest, {counts['failed']} refused, {counts['skipped']} not posted, "
        f"{counts['held']} waiting for the spacing rules",
        err=bool(status),
    )
    return status
