"""What an uploader takes: Pinterest bulk CSV, iCalendar and JSON, from the calendar."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from ..model import Calendar, CalendarPin


def due_pins(calendar: Calendar, now: datetime, days: int) -> list[CalendarPin]:
    """Scheduled pins with ``now <= publish_at < now + days``, in calendar order.

    Published pins are done, failed ones were refused by Pinterest (they wait for their post
    to change), and overdue ones (before ``now``) would publish at once or be refused, so none
    of those is handed to an uploader.
    """
    until = now + timedelta(days=days)
    return [p for p in calendar.pins if p.status == "scheduled" and now <= p.publish_at < until]


def pins_within(pins: Iterable[CalendarPin], now: datetime, days: int) -> list[CalendarPin]:
    """Pins of any status with ``now <= publish_at < now + days``."""
    until = now + timedelta(days=days)
    return [p for p in pins if now <= p.publish_at < until]


__all__ = ["due_pins", "pins_within"]
