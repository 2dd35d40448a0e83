"""Pin specs + rules + the calendar file + now → the committed calendar and the queue.

Pure: no clock, no I/O. The calendar holds what is committed (SPEC "The plan"): every
published pin, failed pins, and the scheduled pins inside the *window*, from now (or the
calendar's ``start``, when later) to ``horizon_days`` ahead. Every other pin waits in a
queue that each build works out again from the posts: :func:`plan` fills the window's free
slots from it, in SPEC's order, and projects the rest beyond the window for display.

Times are whole seconds since the Unix epoch (``int``); days are local dates of the
configured time zone.
"""

from __future__ import annotations

import gc
import hashlib
import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from itertools import pairwise
from typing import NamedTuple
from zoneinfo import ZoneInfo

from .durations import format_duration
from .model import Calendar, CalendarPin, PinSpec, Rules, pin_from_spec

UTC = timezone.utc
MINUTE = 60
DAY = 86400
ONE_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
MISSED_AFTER = 3600
"""Seconds after its time that a scheduled pin not yet published counts as missed."""
SEARCH_DAYS = 20 * 366
"""How far beyond the window a queued pin's projected slot is looked for."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Plan(NamedTuple):
    """What a build plans: the calendar to write, and the queue as projected beyond it."""

    calendar: Calendar
    queue: tuple[CalendarPin, ...] = ()
    """Pins waiting for a slot, each at its projected time (not stored anywhere)."""
    returned: int = 0
    """Scheduled pins of the old calendar that lay beyond the window and went back to the
    queue (a calendar planned months ahead by an earlier version)."""


def seconds(moment: datetime) -> int:
    """``moment`` (aware) as whole seconds since the Unix epoch, fractions dropped."""
    return (moment - _EPOCH) // _SECOND


class Zone:
    """The local days of the configured time zone and the UTC spans of their windows."""

    def __init__(self, rules: Rules) -> None:
        self.tz = ZoneInfo(rules.timezone)
        self.windows = rules.windows
        self._spans: dict[date, list[tuple[int, int]]] = {}

    def local(self, t: int) -> datetime:
        return datetime.fromtimestamp(t, self.tz)

    def day(self, t: int) -> date:
        return self.local(t).date()

    def midnight(self, day: date) -> int:
        """The first instant of local ``day``."""
        return seconds(datetime.combine(day, time(), self.tz))

    def in_window(self, t: int) -> bool:
        local = self.local(t)
        minute = local.hour * 60 + local.minute
        return any(w.start <= minute < w.end for w in self.windows)

    def spans(self, day: date) -> list[tuple[int, int]]:
        """The instants ``[a, b)`` of local ``day`` inside a window, DST-correct: a window
        in a spring-forward gap shrinks or vanishes, one in a fall-back hour covers both."""
        if day not in self._spans:
            a, b = self.midnight(day), self.midnight(day + ONE_DAY)
            if b - a == DAY and self.local(a).utcoffset() == self.local(b - 1).utcoffset():
                self._spans[day] = [
                    (a + w.start * MINUTE, a + w.end * MINUTE) for w in self.windows
                ]
            else:  # the day of an offset change: look at each of its minutes
                spans: list[tuple[int, int]] = []
                for t in range(a, b, MINUTE):
                    if not self.in_window(t):
                        continue
                    if spans and spans[-1][1] == t:
                        spans[-1] = (spans[-1][0], t + MINUTE)
                    else:
                        spans.append((t, t + MINUTE))
                self._spans[day] = spans
        return self._spans[day]


Minutes = list[tuple[int, int]]
"""Whole minutes as sorted, disjoint ranges ``[a, b)`` of minutes since the epoch."""


def _cut(free: Minutes, a: int, b: int) -> Minutes:
    """``free`` without the minutes in ``[a, b)``."""
    if a >= b:
        return free
    kept: Minutes = []
    for lo, hi in free:
        if hi <= a or b <= lo:
            kept.append((lo, hi))
            continue
        if lo < a:
            kept.append((lo, a))
        if b < hi:
            kept.append((b, hi))
    return kept


def pick(free: Minutes, pin_id: str) -> int:
    """The instant of the minute drawn for ``pin_id`` among ``free`` (not empty): the same
    for the same id and free minutes, each free minute equally likely over many ids."""
    digest = hashlib.blake2b(pin_id.encode("utf-8"), digest_size=8).digest()
    k = int.from_bytes(digest, "big") % sum(b - a for a, b in free)
    for a, b in free:
        if k < b - a:
            return (a + k) * MINUTE
        k -= b - a
    raise AssertionError("unreachable")


class Board:
    """The pins that count for spacing (published and scheduled), by local day and by
    post, and the minutes they leave free (SPEC rules 1-4)."""

    def __init__(self, rules: Rules, zone: Zone, start: date) -> None:
        self.rules, self.zone, self.start = rules, zone, start
        self.gap = int(rules.min_gap.total_seconds())
        self.link_gap = int(rules.link_gap.total_seconds())
        # A local day lasts 23 hours or more: pins further away cannot be min_gap near it.
        self.reach = self.gap // (23 * 3600) + 1
        self.near = [timedelta(days=k) for k in range(-self.reach, self.reach + 1)]
        """The offsets of the days around a day that ``min_gap`` reaches into."""
        self.by_day: dict[date, list[int]] = {}
        self.by_post: dict[str, list[int]] = {}
        self.days_of: dict[str, list[date]] = {}
        """The local day of each of a post's pins (``by_post``'s, in the same order)."""
        self.unpublished: set[str] = set()
        """Posts with a scheduled pin on the board."""

    def add(self, post: str, t: int, published: bool = False) -> None:
        day = self.zone.day(t)
        self.by_day.setdefault(day, []).append(t)
        self.by_post.setdefault(post, []).append(t)
        self.days_of.setdefault(post, []).append(day)
        if not published:
            self.unpublished.add(post)

    def remove(self, post: str, t: int) -> None:
        """Undo the last ``add(post, t)`` of a scheduled pin."""
        day = self.zone.day(t)
        self.by_day[day].remove(t)
        self.by_post[post].remove(t)
        self.days_of[post].remove(day)
        if not self.by_post[post]:
            del self.by_post[post], self.days_of[post]

    def cap(self, day: date) -> int:
        return self.rules.cap((day - self.start).days)

    def free(self, day: date, post: str | None, lo: int, hi: int) -> Minutes:
        """The minutes of local ``day`` in ``[lo, hi)`` where a pin of ``post`` may go:
        inside a window, ``min_gap`` from every pin and ``link_gap`` from the post's pins,
        on a day below its cap that holds no other pin of the post (``None``: any post)."""
        mine = self.by_post.get(post, []) if post is not None else []
        if len(self.by_day.get(day, ())) >= self.cap(day):
            return []
        if post is not None and day in self.days_of.get(post, ()):
            return []
        first, last = -(-lo // MINUTE), -(-hi // MINUTE)
        free: Minutes = []
        for a, b in self.zone.spans(day):
            a, b = max(-(-a // MINUTE), first), min(-(-b // MINUTE), last)
            if a < b:
                free.append((a, b))
        near = [t for k in self.near for t in self.by_day.get(day + k, ())]
        for t in near if self.gap else ():
            # The minutes m with t - gap < 60 m < t + gap (most pins near the day are
            # nowhere near its free minutes).
            a, b = (t - self.gap) // MINUTE + 1, -(-(t + self.gap) // MINUTE)
            if free and a < free[-1][1] and free[0][0] < b:
                free = _cut(free, a, b)
        for t in mine if self.link_gap else ():
            # A day partly within link_gap of the post's pins would leave its pin only the
            # end (or start) of a window, the same minutes pin after pin: the day is skipped.
            a, b = (t - self.link_gap) // MINUTE + 1, -(-(t + self.link_gap) // MINUTE)
            for start, end in free if a < b else ():
                if start < b and a < end:
                    return []
        return free


class _Pass:
    """One pass of placing queued pins into ``[lo, hi)``, earliest day first."""

    def __init__(self, board: Board, lo: int, hi: int, guard: Callable[[int], bool]) -> None:
        self.board, self.lo, self.hi, self.guard = board, lo, hi, guard
        self.full: set[date] = set()
        """Days where no pin of any post fits any more (pins are only added)."""
        self.closed: set[date] = set()
        """Days where ``guard`` turned a pin away: closed to guarded pins for the pass."""
        self.first = board.zone.day(lo)
        self.last = board.zone.day(hi - 1)

    def slot(self, spec: PinSpec, guarded: bool) -> int | None:
        """The instant for ``spec``: on the earliest day it fits, the minute drawn from all
        of that day's free minutes (SPEC rule 7); with ``guarded``, only where ``guard``
        accepts it. ``None`` when it fits nowhere in the pass."""
        board = self.board
        while self.first in self.full:
            self.first += ONE_DAY
        day = self.first
        while day <= self.last:
            if day not in self.full and not (guarded and day in self.closed):
                free = board.free(day, spec.post, self.lo, self.hi)
                if free:
                    t = pick(free, spec.id)
                    if not guarded or self.guard(t):
                        return t
                    self.closed.add(day)
                elif not board.free(day, None, self.lo, self.hi):
                    self.full.add(day)
            day += ONE_DAY
        return None


def plan(specs: Sequence[PinSpec], rules: Rules, existing: Calendar | None, now: datetime) -> Plan:
    """The calendar for ``now``, and the queue projected beyond its window.

    Promises (SPEC "The plan", "The spacing rules", "Statuses"):

    - published pins are kept exactly as they are; failed pins too, unless their post
      changed (then the pin is queued again, same id); pins of gone or draft posts are
      dropped unless published;
    - a scheduled pin inside the window keeps its slot and takes its text from the current
      spec; one more than an hour late is missed and queued again (same id); one beyond the
      window (an older version planned months ahead) goes back to the queue;
    - the window's free slots are filled from the queue: first pins of posts without a pin,
      newest post first; then further variants, the post whose latest pin is oldest first;
      then evergreen variants. Past the warm-up every day after today keeps room for one
      fresh post's first pin until the day comes;
    - every new pin keeps rules 1-4, lies at a whole minute drawn from all its day's free
      minutes, never before now nor before ``start`` (the calendar's and the rules');
    - the same arguments give an equal plan.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = Zone(rules)
    now_s = seconds(now)
    today = zone.day(now_s)
    start = existing.start if existing is not None else rules.start or today + ONE_DAY
    live = {spec.id: spec for spec in sorted(specs, key=lambda s: (s.post, s.index, s.id))}
    begin = max(-(-now_s // MINUTE) * MINUTE, zone.midnight(max(start, rules.start or start)))
    end = now_s + rules.horizon_days * DAY

    kept, returned = _kept_pins(existing, live, zone, now_s, end)
    board = Board(rules, zone, start)
    for pin in kept:
        if not pin.failed:
            board.add(pin.post, seconds(pin.publish_at), pin.published)
    kept_ids = {pin.id for pin in kept}
    waiting: dict[str, list[PinSpec]] = {}
    for spec in live.values():
        if spec.id not in kept_ids:
            waiting.setdefault(spec.post, []).append(spec)

    dates = {spec.post: spec.post_date for spec in live.values()}
    priority = _priority(board, dates, rules, now_s)
    fresh = _fresh_posts(waiting, board, dates)

    def keeps_room(t: int) -> bool:
        return _keeps_fresh_room(board, t, today, begin)

    window = _Pass(board, begin, end, keeps_room)
    placed, later = _fill(waiting, priority, window, fresh)
    beyond = _Pass(board, begin, end + SEARCH_DAYS * DAY, lambda t: True)
    projected, _ = _fill(later, priority, beyond, set())

    def pins(placements: Iterable[tuple[PinSpec, int]]) -> tuple[CalendarPin, ...]:
        # In sort_pins' order: by instant, then id.
        ordered = sorted(placements, key=lambda placement: (placement[1], placement[0].id))
        return tuple(pin_from_spec(spec, zone.local(t)) for spec, t in ordered)

    calendar = Calendar(rules.timezone, start, sort_pins([*kept, *pins(placed)]))
    return Plan(calendar, pins(projected), returned)


def _kept_pins(
    existing: Calendar | None, live: dict[str, PinSpec], zone: Zone, now: int, end: int
) -> tuple[list[CalendarPin], int]:
    """The pins of ``existing`` that stay on the calendar, and how many scheduled pins lay
    beyond the window (they go back to the queue, as do missed and changed failed pins)."""
    kept: list[CalendarPin] = []
    returned = 0
    for pin in existing.pins if existing is not None else ():
        spec = live.get(pin.id)
        t = seconds(pin.publish_at)
        if pin.published:
            kept.append(pin)
        elif spec is None:
            continue  # its post is gone, a draft now, or has fewer pins
        elif pin.failed:
            if _content(pin) == _content(pin_from_spec(spec, pin.publish_at)):
                kept.append(pin)
        elif t >= end:
            returned += 1
        elif t >= now - MISSED_AFTER:
            kept.append(pin_from_spec(spec, zone.local(t), pin.status))
    return kept, returned


def _content(pin: CalendarPin) -> tuple[object, ...]:
    """What Pinterest was sent for a pin: a failed pin is retried once this changes."""
    return (
        pin.title, pin.description, pin.alt_text, pin.link, pin.media_url,
        pin.board, pin.keywords, pin.image,
    )  # fmt: skip


Priority = tuple[int, int, str]


def _priority(
    board: Board, dates: dict[str, date | None], rules: Rules, now: int
) -> Callable[[str], Priority]:
    """The order posts get their next pin (smallest first), from the board as it is then."""
    evergreen_after = int(rules.evergreen_after.total_seconds())

    def priority(post: str) -> Priority:
        times = board.by_post.get(post)
        if not times:
            day = dates.get(post)
            # SPEC 1: posts without a pin, newest first (undated ones last).
            return (1, -day.toordinal() if day else 0, post)
        latest = max(times)
        evergreen = (
            evergreen_after > 0
            and post not in board.unpublished
            and latest <= now - evergreen_after
        )
        # SPEC 2 and 3: the post whose latest pin is oldest first.
        return (3 if evergreen else 2, latest, post)

    return priority


def _fresh_posts(
    waiting: dict[str, list[PinSpec]], board: Board, dates: dict[str, date | None]
) -> set[str]:
    """Posts new to the plan: no pin yet, and dated no earlier than the newest post that
    has one (or than every post, when none has): the backlog of never-pinned older posts
    is not fresh."""
    unpinned = [post for post in waiting if post not in board.by_post]
    pinned = [day for post in board.by_post if (day := dates.get(post)) is not None]
    known = pinned or [day for post in unpinned if (day := dates.get(post)) is not None]
    if not known:
        return set()
    newest = max(known)
    return {post for post in unpinned if (day := dates.get(post)) is not None and day >= newest}


def _keeps_fresh_room(board: Board, t: int, today: date, lo: int) -> bool:
    """Whether a backlog pin at ``t`` leaves room for a fresh post's first pin on every day
    near it that keeps such room: the days after today, once the warm-up is over, with a
    cap of two or more."""
    day = board.zone.day(t)
    far = lo + SEARCH_DAYS * DAY
    kept = [
        near
        for k in board.near
        if (near := day + k) > today
        and (near - board.start).days >= board.rules.warmup_days
        and board.cap(near) > 1
        and board.free(near, None, lo, far)
    ]
    board.add("", t, published=True)  # a stand-in for the backlog pin, taken away below
    try:
        return all(board.free(near, None, lo, far) for near in kept)
    finally:
        board.remove("", t)


def _fill(
    waiting: dict[str, list[PinSpec]],
    priority: Callable[[str], Priority],
    where: _Pass,
    fresh: set[str],
) -> tuple[list[tuple[PinSpec, int]], dict[str, list[PinSpec]]]:
    """Place waiting pins one at a time, each post's in index order, the post first in
    ``priority`` first. Returns the placements and the pins left waiting: a post whose
    next pin fits nowhere in the pass waits with all its pins."""
    waiting, fresh = dict(waiting), set(fresh)
    heap = [(priority(post), post) for post in waiting]
    heapq.heapify(heap)
    placed: list[tuple[PinSpec, int]] = []
    left: dict[str, list[PinSpec]] = {}
    while heap:
        _, post = heapq.heappop(heap)
        spec, *rest = waiting[post]
        t = where.slot(spec, guarded=post not in fresh)
        if t is None:
            left[post] = [spec, *rest]
            continue
        where.board.add(post, t)
        placed.append((spec, t))
        fresh.discard(post)
        if rest:
            waiting[post] = rest
            heapq.heappush(heap, (priority(post), post))
    return placed, left


def evergreen_variants(
    specs: Sequence[PinSpec], existing: Calendar | None, rules: Rules, now: datetime
) -> dict[str, int]:
    """Per post, how many variants beyond its own pins a build should make: those the
    calendar already holds (ids ``post#n``), plus one new variant when every pin of the post
    is published and its latest went out ``evergreen_after`` ago or more (SPEC 3)."""
    own: dict[str, int] = {}
    for spec in specs:
        own[spec.post] = max(own.get(spec.post, 0), spec.index)
    pins_of: dict[str, list[CalendarPin]] = {}
    for pin in existing.pins if existing is not None else ():
        if pin.post in own:
            pins_of.setdefault(pin.post, []).append(pin)
    on_calendar = {pin.id for pins in pins_of.values() for pin in pins}
    not_placed = {spec.post for spec in specs if spec.id not in on_calendar}
    after = rules.evergreen_after
    wanted: dict[str, int] = {}
    for post, pins in pins_of.items():
        numbers = [int(n) for pin in pins if (n := pin.id.rpartition("#")[2]).isdigit()]
        beyond = max([n - own[post] for n in numbers if n > own[post]], default=0)
        due = (
            after > timedelta(0)
            and post not in not_placed
            and all(pin.published for pin in pins)
            and max(pin.publish_at for pin in pins) <= now - after
        )
        if beyond or due:
            wanted[post] = beyond + due
    return wanted


def sort_pins(pins: Iterable[CalendarPin]) -> tuple[CalendarPin, ...]:
    """Pins in calendar order: by instant, then id (so the file is deterministic)."""
    return tuple(sorted(pins, key=lambda p: (seconds(p.publish_at), p.id)))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (when it was on) for the ``with`` block."""
    # Reading a calendar or a site's pages allocates many objects and no cycles.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Violation(NamedTuple):
    """A scheduled pin that breaks a spacing rule (kept, SPEC rule 6, but worth reporting)."""

    pin_id: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.pin_id}: {self.message}"


def violations(calendar: Calendar, rules: Rules) -> list[Violation]:
    """Every way the calendar's *scheduled* pins break ``rules`` (published ones are
    history, failed ones never went out). Ordered by pin time, then id, then rule.

    Pins are kept where they are even when they break the rules (a hand edit, or rules
    changed after the pin was placed); this lists them so a user can delete the entry.
    """
    zone = Zone(rules)
    timed = sorted(
        ((seconds(p.publish_at), p) for p in calendar.pins if not p.failed),
        key=lambda e: (e[0], e[1].id),
    )
    found: list[tuple[int, str, Violation]] = []

    def report(t: int, pin: CalendarPin, rule: str, message: str) -> None:
        found.append((t, pin.id, Violation(pin.id, rule, message)))

    def when(t: int) -> str:
        return zone.local(t).isoformat(timespec="minutes")

    per_day: dict[date, list[tuple[int, CalendarPin]]] = {}
    per_post: dict[str, list[tuple[int, CalendarPin]]] = {}
    windows = ", ".join(str(w) for w in rules.windows)
    for t, pin in timed:
        per_day.setdefault(zone.day(t), []).append((t, pin))
        per_post.setdefault(pin.post, []).append((t, pin))
        if pin.published:
            continue
        if zone.day(t) < calendar.start:
            report(t, pin, "start", f"{when(t)} is before the calendar's start {calendar.start}")
        if not zone.in_window(t):
            report(t, pin, "windows", f"{when(t)} is outside the windows {windows}")
    for day, pins in per_day.items():
        cap = rules.cap((day - calendar.start).days)
        scheduled = [(t, pin) for t, pin in pins if not pin.published]
        excess = len(pins) - cap
        for t, pin in scheduled[max(len(scheduled) - excess, 0) :] if excess > 0 else ():
            report(
                t, pin, "max_per_day", f"{day} holds {len(pins)} pins, more than its cap of {cap}"
            )
    min_gap, link_gap = format_duration(rules.min_gap), format_duration(rules.link_gap)
    for t, pin, t_other, other in _neighbours(timed):
        if abs(t - t_other) < rules.min_gap.total_seconds():
            report(t, pin, "min_gap", f"less than {min_gap} from {other.id} at {when(t_other)}")
    for entries in per_post.values():
        for t, pin, t_other, other in _neighbours(entries):
            if zone.day(t) == zone.day(t_other):
                report(t, pin, "link_gap", f"on the same local day as {other.id} of its post")
            elif abs(t - t_other) < rules.link_gap.total_seconds():
                report(
                    t,
                    pin,
                    "link_gap",
                    f"less than {link_gap} from {other.id} of its post at {when(t_other)}",
                )
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return [entry[2] for entry in found]


def _neighbours(
    entries: list[tuple[int, CalendarPin]],
) -> Iterator[tuple[int, CalendarPin, int, CalendarPin]]:
    """Neighbouring pins in time order, the scheduled one first (published pairs are
    history)."""
    for (t_a, a), (t_b, b) in pairwise(entries):
        if not b.published:
            yield t_b, b, t_a, a
        elif not a.published:
            yield t_a, a, t_b, b
