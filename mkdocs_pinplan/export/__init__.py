"""What an uploader takes: Pinterest bulk CSV, iCalendar and JSON, from the calendar."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from ..model import Calendar, CalendarPin


def pins_within(pins: Iterable[CalendarPin], now: datetime, days: int) -> list[CalendarPin]:
    """Pins of any status with ``now <= publish_at < now + days``."""
    until = now + timedelta(days=days)
    return [p for p in pins if now <= p.publish_at < until]


def due_pins(calendar: Calendar, now: datetime, days: int) -> list[CalendarPin]:
    """The scheduled pins of :func:`pins_within`, in calendar order: published pins are done,
    failed ones wait for their post to change, overdue ones would publish at once."""
    return [p for p in pins_within(calendar.pins, now, days) if p.status == "scheduled"]
