"""Pins + rules + existing calendar + now → calendar. Pure: no clock, no I/O.

The planner works in whole seconds since the Unix epoch and in local days (proleptic
ordinals of the configured time zone) so that its work grows linearly with the pins
(``bench/bench_plan.py`` times 100,000): a local day's windows are turned into UTC
intervals (DST-correct; on the days without an offset change near them, a plain shift of
the windows), full days are skipped through a "next open day" pointer, and the first open
day's free minutes are kept as ranges that each placement cuts, so a pin takes the
earliest free minute without looking at the day's other pins. A pin whose post has pins
near that day goes through the general search instead, where a candidate time jumps
straight past the pin that blocks it instead of stepping minute by minute.
"""

from __future__ import annotations

import gc
import zlib
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone, tzinfo
from itertools import pairwise
from typing import NamedTuple
from zoneinfo import ZoneInfo

from .durations import format_duration
from .model import Calendar, CalendarPin, PinSpec, Rules, pin_from_spec

UTC = timezone.utc
DAY = 86400
MINUTE = 60
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Widest UTC offsets in the tz database are -12h and +14h: a local day lies inside
# [midnight - 14h, midnight + 24h + 12h] in UTC.
_BEFORE = 15 * 3600
_AFTER = DAY + 13 * 3600
# Guard against an endless search: ten thousand years of days is more than any calendar.
_LAST_ORDINAL = date(9999, 12, 1).toordinal()
_LEAP = 2 * DAY
"""How far past the days asked for a calm stretch of UTC offset is checked ahead."""
_MINUTES = tuple([timedelta(0, m * MINUTE) for m in range(24 * 60)])
"""The minutes of a day, as timedeltas: a local midnight plus one is a cheap local time."""
_DAY_MINUTES = DAY // MINUTE
_ONE_DAY = timedelta(days=1)
_NONE: list[int] = []
"""A shared empty list of instants, only ever read (saves an allocation per look-up)."""


def jitter_seconds(pin_id: str, jitter: timedelta) -> int:
    """A deterministic delay of whole minutes in ``[0, jitter]`` derived from the pin id."""
    span = int(jitter.total_seconds()) // MINUTE
    if span <= 0:
        return 0
    return zlib.crc32(pin_id.encode("utf-8")) % (span + 1) * MINUTE


def epoch_seconds(moment: datetime) -> int:
    """``moment`` as whole seconds since the Unix epoch (fractions dropped)."""
    return (moment.astimezone(UTC) - _EPOCH) // timedelta(seconds=1)


def _ceil(value: int, step: int) -> int:
    return -(-value // step) * step


class Zone:
    """Local days and windows of one IANA time zone, as UTC epoch seconds (cached)."""

    def __init__(self, name: str, windows: Iterable[tuple[int, int]]) -> None:
        self.tz = ZoneInfo(name)
        self.minute_windows = tuple(windows)
        """The windows as given: minutes since local midnight."""
        self.windows = tuple((start * MINUTE, end * MINUTE) for start, end in self.minute_windows)
        self._intervals: dict[int, tuple[tuple[int, int], ...]] = {}
        self.day_tz: dict[int, tzinfo] = {}
        """Per day seen by ``intervals`` or ``calm_midnight``: its pins' tzinfo (``on_day``)."""
        self._fixed: dict[int, timezone] = {}
        self._run = (0, -1, 0)
        """A stretch ``(from, to, offset)`` of constant UTC offset seen so far."""

    def offset(self, ts: int) -> int:
        """The zone's UTC offset in seconds at instant ``ts``."""
        off = datetime.fromtimestamp(ts, self.tz).utcoffset()
        return int(off.total_seconds()) if off is not None else 0

    def day(self, ts: int) -> int:
        """The local date (as an ordinal) of instant ``ts``."""
        return datetime.fromtimestamp(ts, self.tz).toordinal()

    def local(self, ts: int) -> datetime:
        """Instant ``ts`` as an aware datetime in this zone."""
        return datetime.fromtimestamp(ts, self.tz)

    def on_day(self, ts: int, day: int) -> datetime:
        """Instant ``ts``, known to lie on local ``day``, with this zone's offset.

        On days without an offset change the time carries a fixed-offset tzinfo: the
        same wall time and offset (so the same text in the file), without the zone's
        per-call rule lookup, which is slow for years past the tz database's table.
        """
        return datetime.fromtimestamp(ts, self.day_tz.get(day, self.tz))

    def _calm(self, a: int, b: int) -> int | None:
        """The UTC offset throughout ``[a, b]`` when it does not change there, else None.

        Assumes, like the tz database, that the offset does not change and change back
        within a few days: within the stretch asked about (about two days) or, going on
        from a calm stretch, before ``_LEAP`` after it (after 2025 the database's closest
        changes are 6.96 days apart: Gaza and Hebron, in 2040).
        """
        run_a, run_b, run_off = self._run
        if run_a <= a and b <= run_b:
            return run_off
        if run_a <= a <= run_b:
            # The next days of a calm stretch: one look-up ahead covers the next few days
            # (a look-up is slow for years past the tz database's table).
            if self.offset(b + _LEAP) == run_off:
                self._run = (run_a, b + _LEAP, run_off)
                return run_off
            if self.offset(b) == run_off:
                self._run = (run_a, b, run_off)
                return run_off
        off_a = self.offset(a)
        if off_a == self.offset(b):
            self._run = (a, b, off_a)
            return off_a
        return None

    def _segments(self, a: int, b: int) -> list[tuple[int, int, int]]:
        """``[a, b)`` split into runs of constant UTC offset: ``(from, to, offset)``
        (with ``_calm``'s assumption)."""
        off = self._calm(a, b)
        if off is not None:
            return [(a, b, off)]
        off_a = self.offset(a)
        lo, hi = a, b
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.offset(mid) == off_a:
                lo = mid
            else:
                hi = mid
        return [(a, hi, off_a), *self._segments(hi, b)]

    def intervals(self, day: int) -> tuple[tuple[int, int], ...]:
        """Sorted, disjoint UTC intervals ``[lo, hi)`` where local ``day`` is inside a window.

        Built from the zone's offset runs, so a window that falls into a spring-forward
        gap shrinks or vanishes, and one that spans a fall-back hour covers both passes.
        """
        cached = self._intervals.get(day)
        if cached is not None:
            return cached
        return self._compute_intervals(day)

    def calm_midnight(self, day: int) -> int | None:
        """The instant of local ``day``'s midnight in whole minutes since the epoch, when
        no UTC offset change is near the day and its offset is whole minutes (almost every
        day): its windows are then ``minute_windows`` shifted by that. Else None: see
        ``intervals``. Either way the day's tzinfo goes into ``day_tz``.
        """
        midnight = (day - _EPOCH_ORDINAL) * DAY  # local midnight, counted as if it were UTC
        a, b = midnight - _BEFORE, midnight + _AFTER
        run_a, run_b, off = self._run
        calm = off if run_a <= a and b <= run_b else self._calm(a, b)  # (no call when inside)
        if calm is None or calm % MINUTE:
            self.intervals(day)
            return None
        self.day_tz[day] = self._fixed.get(calm) or self._fixed_tz(calm)
        return (midnight - calm) // MINUTE

    def _fixed_tz(self, off: int) -> timezone:
        fixed = self._fixed[off] = timezone(timedelta(seconds=off))
        return fixed

    def _compute_intervals(self, day: int) -> tuple[tuple[int, int], ...]:
        midnight = (day - _EPOCH_ORDINAL) * DAY  # local midnight, counted as if it were UTC
        off = self._calm(midnight - _BEFORE, midnight + _AFTER)
        if off is None:
            segments = self._segments(midnight - _BEFORE, midnight + _AFTER)
            return self._split_intervals(day, midnight, segments)
        # No offset change near this day (almost every day): windows map one to one.
        self.day_tz[day] = self._fixed.get(off) or self._fixed_tz(off)
        shift = midnight - off
        pieces = []
        for start, end in self.windows:  # a loop is cheaper than a comprehension here
            pieces.append((shift + start, shift + end))
        plain = self._intervals[day] = tuple(pieces)
        return plain

    def _split_intervals(
        self, day: int, midnight: int, segments: list[tuple[int, int, int]]
    ) -> tuple[tuple[int, int], ...]:
        """The intervals of a local ``day`` around an offset change (``segments``)."""
        pieces: list[tuple[int, int]] = []
        for seg_lo, seg_hi, off in segments:
            for start, end in self.windows:
                lo = max(seg_lo, midnight + start - off)
                hi = min(seg_hi, midnight + end - off)
                if lo < hi:
                    pieces.append((lo, hi))
        pieces.sort()
        merged: list[tuple[int, int]] = []
        for lo, hi in pieces:
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
            else:
                merged.append((lo, hi))
        result = tuple(merged)
        self.day_tz[day] = self.tz
        self._intervals[day] = result
        return result

    def in_window(self, ts: int) -> bool:
        """Whether instant ``ts`` lies inside a window (start included, end excluded)."""
        local = self.local(ts)
        second = local.hour * 3600 + local.minute * 60 + local.second
        return any(start <= second < end for start, end in self.windows)


class _Board:
    """Occupied instants, indexed by local day and by post, for the spacing checks."""

    def __init__(self, rules: Rules, zone: Zone, start: date, posts: Sequence[str] = ()) -> None:
        self.zone = zone
        self.posts = posts
        """The posts that get new pins, by number (``place_all`` takes numbers, not paths)."""
        self.start = start.toordinal()
        self.max_per_day = rules.max_per_day
        self.warmup_days = rules.warmup_days
        self.min_gap = int(rules.min_gap.total_seconds())
        self.link_gap = int(rules.link_gap.total_seconds())
        # Local days are 23 to 25 hours long; pins further away than this many days
        # cannot be within min_gap of a moment.
        self.reach = self.min_gap // (23 * 3600) + 1
        self.by_day: dict[int, list[int]] = {}
        """Per local day, its pins' instants, sorted."""
        self.by_post: list[list[int] | None] = [None] * len(posts)
        """Per post number, its pins' instants, sorted."""
        self.post_days: list[set[int] | None] = [None] * len(posts)
        """Per post number, the local days of its pins, once asked for (see ``days_of``)."""
        self.skip: dict[int, int] = {}
        """Days known to take no more pins, pointing at a later day to try instead."""
        self.hints: dict[int, int] = {}
        """Per day, an instant before which no pin fits (pins are only ever added)."""

    def cap(self, day: int) -> int:
        """SPEC rule 1, with ``k`` counted from the calendar's start."""
        k = day - self.start
        if self.warmup_days <= 0 or k >= self.warmup_days:
            return self.max_per_day
        return 1 + (self.max_per_day - 1) * max(k, 0) // self.warmup_days

    def add(self, day: int, ts: int, post: int | None = None) -> None:
        """Record a pin at instant ``ts`` on local ``day``, of post number ``post`` if any.

        Only posts that get new pins have a number: the others' pins matter by day alone.
        """
        pins = self.by_day.get(day)
        if pins is None:
            self.by_day[day] = pins = [ts]
        else:
            insort(pins, ts)
        if post is not None:
            mine, days = self.by_post[post], self.post_days[post]
            if mine is None:
                self.by_post[post] = [ts]
            else:
                insort(mine, ts)
            if days is not None:
                days.add(day)
        if len(pins) >= self.cap(day):
            self.skip[day] = day + 1

    def days_of(self, post: int) -> set[int]:
        """The local days of ``post``'s pins: worked out when first asked for (place_all's
        general search only, which most pins never need), then kept up to date.
        """
        days = self.post_days[post]
        if days is None:
            day = self.zone.day
            days = self.post_days[post] = {day(ts) for ts in self.by_post[post] or ()}
        return days

    def open_day(self, day: int) -> int:
        """The first day from ``day`` on that is not known to be full (path-compressed)."""
        skip = self.skip
        if day not in skip:
            return day
        seen: list[int] = []
        while day in skip:
            seen.append(day)
            day = skip[day]
        for full in seen:
            skip[full] = day
        return day

    def near(self, day: int, lo: int | None = None, hi: int | None = None) -> list[int]:
        """A new sorted list of the pins close enough to local ``day`` to matter for ``min_gap``
        (or, with ``lo`` and ``hi``, an empty one when none of them lies between).

        Sorted because consecutive local days are consecutive stretches of time.
        """
        by_day, none = self.by_day, _NONE
        if self.reach == 1:
            before, on, after = by_day.get(day - 1), by_day.get(day), by_day.get(day + 1)
            if (
                lo is not None
                and hi is not None
                and (before is None or before[-1] <= lo)
                and on is None
                and (after is None or after[0] >= hi)
            ):
                return none
            return (before or none) + (on or none) + (after or none)
        near: list[int] = []
        for d in range(day - self.reach, day + self.reach + 1):
            near.extend(by_day.get(d, ()))
        return near

    def post_free_from(self, post: int, ts: int) -> int:
        """The first instant ``>= ts`` that keeps ``link_gap`` from every pin of ``post``."""
        mine = self.by_post[post] or ()
        moved = True
        while moved:
            moved = False
            for s in mine:
                if s - self.link_gap < ts < s + self.link_gap:
                    ts = s + self.link_gap
                    moved = True
        return ts

    def place_all(
        self,
        order: Iterable[int],
        posts: Sequence[int],
        delays: Sequence[int],
        first_day: int,
        not_before: int,
    ) -> tuple[list[int], list[datetime]]:
        """Place pin ``i`` for each ``i`` in ``order``: a pin of post number ``posts[i]`` at its
        earliest legal slot from ``first_day`` and ``not_before`` on (later by ``delays[i]``
        minutes where that fits).

        Returns the pins' instants and their local times (see ``Zone.on_day``), indexed like
        ``posts``. One loop for all pins, because this is the planner's hot path. Raises
        ``ValueError`` if no day before the year 9999 fits.
        """
        zone = self.zone
        calm_midnight, windows, day_tz = zone.calm_midnight, zone.minute_windows, zone.day_tz
        at, minutes = datetime.fromtimestamp, _MINUTES
        gap, link_gap = self.min_gap, self.link_gap
        by_day, by_post, hints, skip = self.by_day, self.by_post, self.hints, self.skip
        post_days = self.post_days
        open_day, cap = self.open_day, self.cap
        # From this day on the cap is max_per_day (SPEC rule 1), without a call per pin.
        full_cap, warm_until = self.max_per_day, self.start + max(self.warmup_days, 0)
        instants = [0] * len(posts)
        moments = [_EPOCH] * len(posts)
        last = _LAST_ORDINAL
        # Days only ever fill up, so the first open day (the front) only moves forward, and
        # most pins land on it. Its free minutes are kept from pin to pin (state ``known``),
        # as ranges that each placement cuts, instead of sweeping its pins once per pin.
        # They count minutes since the epoch: new pins go out at whole minutes.
        spread = -(-gap // MINUTE)  # a pin at minute m blocks those strictly within m ± spread
        front = open_day(first_day)
        known = 0
        free: list[tuple[int, int]] = []
        on_front: list[int] | None = None
        local_midnight: datetime | None = None
        base = closes = far_lo = far_hi = front_cap = 0
        lead, trail = _BEFORE + link_gap, _AFTER + link_gap
        for i in order:
            post = posts[i]
            mine = by_post[post]
            while True:
                if known != front:
                    if front in skip:
                        front = open_day(front)
                    if front > last:
                        raise ValueError(f"no free slot left for a pin of {self.posts[post]}")
                    calm = calm_midnight(front)
                    if calm is not None:
                        # A calm day (almost every day): the windows, shifted; its pins'
                        # local times are its midnight plus whole minutes.
                        free = []
                        for start, end in windows:
                            free.append((calm + start, calm + end))
                        opens, closes = free[0][0] * MINUTE, free[-1][1] * MINUTE
                        if local_midnight is not None and calm == base + _DAY_MINUTES:
                            local_midnight += _ONE_DAY  # the day after, same offset
                        else:
                            local_midnight = at(calm * MINUTE, day_tz[front])
                        base = calm
                    else:
                        intervals = zone.intervals(front)
                        if not intervals:
                            skip[front] = front + 1
                            continue
                        free = _window_minutes(intervals)
                        opens, closes = intervals[0][0], intervals[-1][1]
                        local_midnight = None
                    known = front
                    hint = hints.get(front, not_before)
                    near = self.near(front, opens - gap, closes + gap + MINUTE) if gap else _NONE
                    if near or hint > opens:
                        _narrow(free, near, hint, gap)
                    on_front = by_day.get(front)
                    front_cap = full_cap if front >= warm_until else cap(front)
                    # A post whose pins all lie before far_lo (or after far_hi) has none on
                    # this local day and none within link_gap of it (so of its windows).
                    midnight = (front - _EPOCH_ORDINAL) * DAY
                    far_lo, far_hi = midnight - lead, midnight + trail
                if mine is not None and mine[-1] > far_lo and mine[0] < far_hi:
                    # The post's own pins may matter here: the general search. The front's
                    # state is rebuilt when the pin lands near enough to change it.
                    hints[front] = free[0][0] * MINUTE if free else closes
                    day, t = self._place_one(post, mine, delays[i] * MINUTE, front, not_before)
                    if day - front <= self.reach:
                        known = 0
                    self.add(day, t, post)
                    instants[i] = t
                    moments[i] = at(t, day_tz[day])
                    break
                if not free:
                    # Nobody fits on the front any more (min_gap, or now is past the windows).
                    skip[front] = front + 1
                    front += 1
                    continue
                # The earliest free minute, or the first one ``delay`` after it, if any.
                a, b = free[0]
                m = a
                delay = delays[i]
                if delay:
                    target = a + delay
                    if target < b:
                        m = target
                    else:
                        for lo, hi in free:
                            if target < hi:
                                m = lo if lo > target else target
                                break
                if spread:
                    if a > m - spread and (len(free) == 1 or free[1][0] >= m + spread):
                        # The usual case, without a call: m is in the first range, and
                        # nothing but that range lies within spread of it.
                        if m + spread < b:
                            free[0] = (m + spread, b)
                        else:
                            del free[0]
                    else:
                        _block(free, m - spread, m + spread)
                t = m * MINUTE
                instants[i] = t
                if local_midnight is not None:
                    moments[i] = local_midnight + minutes[m - base]
                else:
                    moments[i] = at(t, day_tz[front])
                if on_front is None:
                    by_day[front] = on_front = [t]
                else:
                    insort(on_front, t)
                if mine is None:
                    by_post[post] = [t]
                else:
                    insort(mine, t)
                    days = post_days[post]
                    if days is not None:
                        days.add(front)
                if len(on_front) >= front_cap:
                    skip[front] = front + 1
                    front += 1
                break
        return instants, moments

    def _place_one(
        self, post: int, mine: list[int], delay: int, day: int, not_before: int
    ) -> tuple[int, int]:
        """The earliest legal ``(local day, instant)`` from open ``day`` on for a pin of
        ``post``, whose pins ``mine`` lie near that day (``place_all``'s general case).
        """
        intervals_of, gap, link_gap, skip = (
            self.zone.intervals,
            self.min_gap,
            self.link_gap,
            self.skip,
        )
        open_day, hints = self.open_day, self.hints
        days = self.days_of(post)
        while True:
            if day in days:
                day = open_day(day + 1)
                continue
            if day > _LAST_ORDINAL:
                raise ValueError(f"no free slot left for a pin of {self.posts[post]}")
            intervals = intervals_of(day)
            if not intervals:
                skip[day] = day + 1
                day = open_day(day + 1)
                continue
            near = self.near(day)
            # The post's pins matter only when some lie within link_gap of this day
            # (``mine`` is sorted); usually none do and the sweep ignores the post.
            relevant = (
                mine
                if mine[0] < intervals[-1][1] + link_gap and mine[-1] > intervals[0][0] - link_gap
                else ()
            )
            hint = hints.get(day, not_before)
            found = _scan(intervals, near, relevant, hint, gap, link_gap, delay)
            if found is not None:
                earliest, t = found
                if not relevant:
                    # Nothing before `earliest` fits any pin: later scans start there.
                    hints[day] = earliest
                return day, t
            if not relevant or _scan(intervals, near, (), hint, gap, link_gap) is None:
                # Nobody fits here any more (min_gap, or now is past the windows).
                skip[day] = day + 1
                day = open_day(day + 1)
            else:
                # Only this post is blocked: jump past its link_gap.
                free = self.post_free_from(post, intervals[-1][1])
                day = open_day(max(day + 1, self.zone.day(free)))


def _scan(
    intervals: tuple[tuple[int, int], ...],
    near: list[int],
    mine: Sequence[int],
    not_before: int,
    gap: int,
    link_gap: int,
    delay: int = 0,
) -> tuple[int, int] | None:
    """Earliest whole minute ``>= not_before`` inside ``intervals`` that keeps ``gap`` from
    every instant in (sorted) ``near`` and ``link_gap`` from every instant in ``mine``.

    Returns ``(first, chosen)``: ``chosen`` is the earliest such minute ``>= first + delay``
    where there is one, else ``first`` (the pin's jitter, taken only where it breaks no
    rule). ``None`` when nothing fits.
    """
    count = len(near)
    found = -1
    target = not_before
    i = -1
    for lo, hi in intervals:
        if hi <= target:
            continue
        t = lo if lo > target else target
        if t % MINUTE:
            t += MINUTE - t % MINUTE
        if i < 0:
            i = bisect_right(near, t - gap)
        # One sweep (t only grows, so i does too): jump past the pin t collides with.
        while t < hi:
            while i < count and near[i] <= t - gap:
                i += 1
            end = near[i] + gap if i < count and near[i] < t + gap else t
            for s in mine:
                if s - link_gap < t < s + link_gap and s + link_gap > end:
                    end = s + link_gap
            if end == t:
                if found >= 0:
                    return found, t
                if not delay:
                    return t, t
                found = t
                target = end = t + delay
                if target >= hi:
                    break
            t = end if end % MINUTE == 0 else end + MINUTE - end % MINUTE
    return (found, found) if found >= 0 else None


def _window_minutes(intervals: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """The whole minutes inside ``intervals``, as sorted ranges ``(a, b)`` of minutes since
    the epoch, ``a`` included, ``b`` not: how place_all keeps a day's free minutes.
    """
    free: list[tuple[int, int]] = []
    for lo, hi in intervals:
        a, b = -(-lo // MINUTE), -(-hi // MINUTE)
        if a < b:
            free.append((a, b))
    return free


def _narrow(free: list[tuple[int, int]], near: list[int], not_before: int, gap: int) -> None:
    """Keep in the ranges ``free`` only the minutes ``>= not_before`` that keep ``gap`` from
    every instant in (sorted) ``near``: those ``_scan`` would accept.
    """
    first = -(-not_before // MINUTE)
    while free and free[0][1] <= first:
        del free[0]
    if free and free[0][0] < first:
        free[0] = (first, free[0][1])
    if not gap or not free or not near:
        return
    lo, hi = free[0][0] * MINUTE - gap, free[-1][1] * MINUTE + gap
    if near[-1] > lo and near[0] < hi:  # else no pin is near enough to block a minute
        for s in near[bisect_right(near, lo) : bisect_left(near, hi)]:
            # The minutes m with s - gap < 60 m < s + gap.
            _block(free, (s - gap) // MINUTE, -(-(s + gap) // MINUTE))


def _block(free: list[tuple[int, int]], lo: int, hi: int) -> None:
    """Drop the minutes ``m`` with ``lo < m < hi`` from the ranges ``free``."""
    k, count = 0, len(free)
    while k < count and free[k][1] <= lo + 1:
        k += 1  # all of free[k] lies at or before lo
    j = k
    while j < count and free[j][0] < hi:
        j += 1  # free[k:j] overlap (lo, hi)
    if k < j:
        a, b = free[k][0], free[j - 1][1]
        if a <= lo:
            free[k:j] = [(a, lo + 1), (hi, b)] if hi < b else [(a, lo + 1)]
        else:
            free[k:j] = [(hi, b)] if hi < b else []


def placement_order(specs: Sequence[PinSpec]) -> tuple[list[int], list[str], list[int]]:
    """The order new pins are placed in: first pins of every post before second pins, and
    within a round newer posts first (undated last), ties by path.

    Returns the positions in ``specs`` in that order, the posts in that order (a post's
    number is its place here) and each spec's post number.
    """
    # Built backwards, so each post keeps the date of its first spec (as setdefault would).
    dates = {spec.post: spec.post_date for spec in reversed(specs)}
    dated = {post: day for post, day in dates.items() if day is not None}
    # By path, then (stable) newest first; then the undated posts by path.
    posts = sorted(dated)
    posts.sort(key=dated.__getitem__, reverse=True)
    posts += sorted(post for post, day in dates.items() if day is None)
    number = dict(zip(posts, range(len(posts)), strict=True))
    numbers = [number[spec.post] for spec in specs]
    size = len(posts)
    # One integer per pin is a cheaper sort key than a tuple (this sorts every new pin).
    keys = [spec.index * size + n for spec, n in zip(specs, numbers, strict=True)]
    return sorted(range(len(specs)), key=keys.__getitem__), posts, numbers


def sort_pins(pins: Iterable[CalendarPin]) -> tuple[CalendarPin, ...]:
    """Pins in calendar order: by instant, then id (so the file is deterministic)."""
    return tuple(sorted(pins, key=lambda p: (epoch_seconds(p.publish_at), p.id)))


def plan(
    specs: Sequence[PinSpec],
    rules: Rules,
    existing: Calendar | None,
    now: datetime,
) -> Calendar:
    """Merge ``specs`` into ``existing`` and place new pins in free slots after ``now``.

    Promises (SPEC "The spacing rules"):

    - every newly placed pin keeps the daily cap (warm-up counted from the calendar's
      ``start``), ``min_gap`` to every pin, ``link_gap`` to the pins of its post and no
      other pin of its post on its local day, and lies inside a window, at a whole minute,
      not before ``now``, not before ``start`` nor before ``rules.start``;
    - pins already on the calendar keep their instant; scheduled ones take their text from
      the current spec (a changed headline or image keeps the slot) and are dropped when
      their spec is gone (post deleted, now a draft, fewer pins); published ones are kept
      exactly as they are;
    - new pins fill the earliest free slots after ``now``, first pins of all posts before
      second pins, so a new post does not wait behind older posts' later variants;
    - the same arguments give an equal calendar.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    with collector_paused():
        return _plan(specs, rules, existing, now)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (when it was on) for the ``with`` block."""
    # A big plan (or calendar read) allocates a few objects per pin and no cycles; the
    # collector's passes over the growing heap would take about a third of its time.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _plan(
    specs: Sequence[PinSpec],
    rules: Rules,
    existing: Calendar | None,
    now: datetime,
) -> Calendar:
    zone = Zone(rules.timezone, ((w.start, w.end) for w in rules.windows))
    tz = zone.tz
    now_ts = _ceil(-((_EPOCH - now.astimezone(UTC)) // timedelta(seconds=1)), MINUTE)
    if existing is not None:
        start = existing.start
    else:
        start = rules.start or (now.astimezone(tz).date() + timedelta(days=1))
    by_id = {spec.id: spec for spec in specs}

    entries: list[tuple[int, str, CalendarPin]] = []
    for pin in existing.pins if existing is not None else ():
        spec = by_id.get(pin.id)
        if pin.published:
            kept = pin
        elif spec is not None:
            kept = pin_from_spec(spec, pin.publish_at.astimezone(tz), pin.status)
        else:
            continue
        entries.append((epoch_seconds(pin.publish_at), kept.id, kept))
    kept_ids = {entry[1] for entry in entries}
    # by_id, not specs: a repeated id would otherwise be placed twice.
    new = [s for s in by_id.values() if s.id not in kept_ids] if kept_ids else [*by_id.values()]
    # The per-spec passes below go through `new` in its own order, not in placement order:
    # the specs (and their strings) lie in memory in that order, and visiting 100,000 of
    # them in placement order costs a cache miss each, several times the work.
    order, posts, numbers = placement_order(new)
    board = _Board(rules, zone, start, posts)
    if entries:
        number = dict(zip(posts, range(len(posts)), strict=True))
        for ts, _, pin in entries:
            board.add(zone.day(ts), ts, number.get(pin.post))

    first = max(start, rules.start or start, date.fromordinal(zone.day(now_ts))).toordinal()
    span = int(rules.jitter.total_seconds()) // MINUTE + 1
    if span > 1:
        # jitter_seconds(), inlined for the hot path, in minutes.
        # by_id's keys are new's ids in new's order when no pin was kept.
        ids = map(str.encode, [spec.id for spec in new] if kept_ids else by_id)
        delays = [crc % span for crc in map(zlib.crc32, ids)]
    else:
        delays = [0] * len(new)
    instants, moments = board.place_all(order, numbers, delays, first, now_ts)
    made = [pin_from_spec(s, moment) for s, moment in zip(new, moments, strict=True)]

    # Calendar order: by instant, then id. Placement order is nearly that already.
    final = sorted(order, key=instants.__getitem__)
    if entries or not board.min_gap:
        entries += [(instants[i], made[i].id, made[i]) for i in final]
        # Ids are unique, so the tuples never compare their pins.
        entries.sort()
        pins = tuple([entry[2] for entry in entries])
    else:
        # With a min_gap no new pin shares its instant with another: no ids to compare.
        pins = tuple(map(made.__getitem__, final))
    return Calendar(timezone=rules.timezone, start=start, pins=pins)


class Violation(NamedTuple):
    """A scheduled pin that breaks a spacing rule (kept, SPEC rule 6, but worth reporting)."""

    pin_id: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.pin_id}: {self.message}"


def violations(calendar: Calendar, rules: Rules) -> list[Violation]:
    """Every way the calendar's *scheduled* pins break ``rules`` (published ones are history).

    Pins are kept where they are even when they break the rules (a hand edit, or rules
    changed after the pin was placed); this lists them so a user can delete the entry and
    let the next build place the pin again. Ordered by pin, then rule.
    """
    zone = Zone(rules.timezone, ((w.start, w.end) for w in rules.windows))
    start = calendar.start.toordinal()
    board = _Board(rules, zone, calendar.start)
    timed = sorted(
        ((epoch_seconds(p.publish_at), p) for p in calendar.pins), key=lambda e: (e[0], e[1].id)
    )
    found: list[tuple[int, str, Violation]] = []

    def report(ts: int, pin: CalendarPin, rule: str, message: str) -> None:
        found.append((ts, pin.id, Violation(pin.id, rule, message)))

    per_day: dict[int, list[tuple[int, CalendarPin]]] = {}
    per_post: dict[str, list[tuple[int, CalendarPin]]] = {}
    for ts, pin in timed:
        per_day.setdefault(zone.day(ts), []).append((ts, pin))
        per_post.setdefault(pin.post, []).append((ts, pin))

    def when(ts: int) -> str:
        return zone.local(ts).isoformat(timespec="minutes")

    windows = ", ".join(str(w) for w in rules.windows)
    for ts, pin in timed:
        if pin.published:
            continue
        if zone.day(ts) < start:
            report(ts, pin, "start", f"{when(ts)} is before the calendar's start {calendar.start}")
        if not zone.in_window(ts):
            report(ts, pin, "windows", f"{when(ts)} is outside the windows {windows}")
    for day, pins in sorted(per_day.items()):
        cap = board.cap(day)
        excess = len(pins) - cap
        scheduled = [(ts, pin) for ts, pin in pins if not pin.published]
        for ts, pin in scheduled[max(len(scheduled) - excess, 0) :] if excess > 0 else ():
            report(
                ts,
                pin,
                "max_per_day",
                f"{date.fromordinal(day)} holds {len(pins)} pins, more than its cap of {cap}",
            )

    def pairs(
        entries: list[tuple[int, CalendarPin]],
    ) -> Iterator[tuple[int, CalendarPin, int, CalendarPin]]:
        """Neighbouring pins, the scheduled one first (published pairs are history)."""
        for (ts_a, a), (ts_b, b) in pairwise(entries):
            if not b.published:
                yield ts_b, b, ts_a, a
            elif not a.published:
                yield ts_a, a, ts_b, b

    min_gap, link_gap = format_duration(rules.min_gap), format_duration(rules.link_gap)
    for ts, pin, other_ts, other in pairs(timed):
        if abs(ts - other_ts) < board.min_gap:
            report(ts, pin, "min_gap", f"less than {min_gap} from {other.id} at {when(other_ts)}")
    for entries in per_post.values():
        for ts, pin, other_ts, other in pairs(entries):
            if zone.day(ts) == zone.day(other_ts):
                report(ts, pin, "link_gap", f"on the same local day as {other.id} of its post")
            elif abs(ts - other_ts) < board.link_gap:
                report(
                    ts,
                    pin,
                    "link_gap",
                    f"less than {link_gap} from {other.id} of its post at {when(other_ts)}",
                )
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return [entry[2] for entry in found]
