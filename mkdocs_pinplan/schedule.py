"""Pins + rules + existing calendar + now → calendar. Pure: no clock, no I/O."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .model import Calendar, CalendarPin, PinSpec, Rules

UTC = timezone.utc
MINUTE = timedelta(minutes=1)


def _jitter_minutes(pin_id: str, jitter: timedelta) -> int:
    """A deterministic offset in ``[0, jitter]`` minutes derived from the pin id."""
    span = int(jitter.total_seconds() // 60)
    if span <= 0:
        return 0
    return int(hashlib.sha256(pin_id.encode()).hexdigest()[:8], 16) % (span + 1)


def _ceil_minute(moment: datetime) -> datetime:
    floored = moment.replace(second=0, microsecond=0)
    return floored if floored == moment else floored + MINUTE


def _pin_from_spec(spec: PinSpec, publish_at: datetime, status: str = "scheduled") -> CalendarPin:
    return CalendarPin(
        id=spec.id,
        post=spec.post,
        link=spec.link,
        image=spec.image_path,
        media_url=spec.media_url,
        title=spec.title,
        description=spec.description,
        alt_text=spec.alt_text,
        board=spec.board,
        keywords=spec.keywords,
        publish_at=publish_at,
        status=status,
    )


class _Board:
    """Occupied instants, indexed for the spacing checks."""

    def __init__(self, rules: Rules, tz: ZoneInfo, start: date) -> None:
        self.rules = rules
        self.tz = tz
        self.start = start
        self.times: list[datetime] = []
        self.by_post: dict[str, list[datetime]] = {}
        self.per_day: dict[date, int] = {}
        self.post_days: dict[str, set[date]] = {}

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def add(self, post: str, moment: datetime) -> None:
        bisect.insort(self.times, moment)
        bisect.insort(self.by_post.setdefault(post, []), moment)
        day = self.local_day(moment)
        self.per_day[day] = self.per_day.get(day, 0) + 1
        self.post_days.setdefault(post, set()).add(day)

    def cap(self, day: date) -> int:
        return self.rules.cap((day - self.start).days)

    def day_open(self, post: str, day: date) -> bool:
        if day < self.start:
            return False
        if self.per_day.get(day, 0) >= self.cap(day):
            return False
        return day not in self.post_days.get(post, set())

    def in_window(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        minute = local.hour * 60 + local.minute
        return any(w.start <= minute < w.end for w in self.rules.windows)

    def conflict_end(self, post: str, moment: datetime) -> datetime | None:
        """The earliest instant after a pin that ``moment`` is too close to, or None."""
        for times, gap in (
            (self.times, self.rules.min_gap),
            (self.by_post.get(post, []), self.rules.link_gap),
        ):
            lo = bisect.bisect_right(times, moment - gap)
            hi = bisect.bisect_left(times, moment + gap)
            if lo < hi:
                return times[hi - 1] + gap
        return None

    def fits(self, post: str, moment: datetime) -> bool:
        day = self.local_day(moment)
        return (
            self.in_window(moment)
            and self.day_open(post, day)
            and self.conflict_end(post, moment) is None
        )

    def window_bounds(self, day: date) -> list[tuple[datetime, datetime]]:
        """UTC bounds of each window on ``day``; DST gaps are caught by ``in_window``."""
        midnight = datetime.combine(day, time(0), tzinfo=self.tz)
        return [
            (
                (midnight + timedelta(minutes=w.start)).astimezone(UTC),
                (midnight + timedelta(minutes=w.end)).astimezone(UTC),
            )
            for w in self.rules.windows
        ]

    def earliest(self, post: str, day: date, not_before: datetime) -> datetime | None:
        """Earliest whole minute on ``day`` where a pin of ``post`` satisfies every rule."""
        for lo, hi in self.window_bounds(day):
            moment = _ceil_minute(max(lo, not_before))
            while moment < hi:
                if self.local_day(moment) != day or not self.in_window(moment):
                    moment += MINUTE
                    continue
                blocker = self.conflict_end(post, moment)
                if blocker is None:
                    return moment
                moment = _ceil_minute(blocker)
        return None


def _order_key(spec: PinSpec) -> tuple[int, int, str]:
    # First pins of every post before second pins; newer posts first within a round.
    ordinal = -spec.post_date.toordinal() if spec.post_date else 0
    return (spec.index, ordinal, spec.post)


def plan(
    specs: Sequence[PinSpec],
    rules: Rules,
    existing: Calendar | None,
    now: datetime,
) -> Calendar:
    """Merge ``specs`` into ``existing`` and place new pins in free slots after ``now``.

    Existing pins keep their slots (their text follows the post); pins whose post is gone
    are dropped unless published; published pins are never touched.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    tz = ZoneInfo(rules.timezone)
    now_utc = now.astimezone(UTC)
    if existing is not None:
        start = existing.start
    else:
        start = rules.start or (now.astimezone(tz).date() + timedelta(days=1))
    board = _Board(rules, tz, start)
    by_id = {spec.id: spec for spec in specs}

    kept: list[CalendarPin] = []
    for pin in existing.pins if existing else ():
        spec = by_id.get(pin.id)
        if pin.published:
            kept.append(pin)
        elif spec is not None:
            kept.append(_pin_from_spec(spec, pin.publish_at, pin.status))
        else:
            continue
        board.add(pin.post, pin.publish_at.astimezone(UTC))

    placed_ids = {pin.id for pin in kept}
    first_day = max(start, now_utc.astimezone(tz).date())
    for spec in sorted((s for s in specs if s.id not in placed_ids), key=_order_key):
        day = first_day
        while True:
            if board.day_open(spec.post, day):
                moment = board.earliest(spec.post, day, now_utc)
                if moment is not None:
                    break
            day += timedelta(days=1)
        for shift in sorted({_jitter_minutes(spec.id, rules.jitter), 0}, reverse=True):
            candidate = moment + timedelta(minutes=shift)
            if board.fits(spec.post, candidate):
                moment = candidate
                break
        board.add(spec.post, moment)
        kept.append(_pin_from_spec(spec, moment.astimezone(tz)))

    pins = sorted(
        (p if p.publish_at.tzinfo == tz else _retime(p, tz) for p in kept),
        key=lambda p: (p.publish_at, p.id),
    )
    return Calendar(timezone=rules.timezone, start=start, pins=tuple(pins))


def _retime(pin: CalendarPin, tz: ZoneInfo) -> CalendarPin:
    from dataclasses import replace

    return replace(pin, publish_at=pin.publish_at.astimezone(tz))
