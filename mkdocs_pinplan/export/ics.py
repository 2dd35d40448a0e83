"""The plan as an iCalendar file: one event per pin, for any calendar app."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import icalendar

from ..model import CalendarPin

PRODID = "-//mkdocs-pinplan//Pin calendar//EN"
UID_DOMAIN = "mkdocs-pinplan"
EVENT_LENGTH = timedelta(minutes=15)
"""Events need a length to show up; a pin takes a moment, so a short slot."""


def export_ics(pins: Sequence[CalendarPin], stamp: datetime) -> bytes:
    """A VCALENDAR with one VEVENT per pin: stable UID, UTC times, title, link and board.

    ``stamp`` becomes every event's DTSTAMP (the file's creation time); pass the build's
    "now" so the same calendar and time give the same bytes.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Pinterest pins")
    stamp_utc = stamp.astimezone(timezone.utc)
    for pin in pins:
        start = pin.publish_at.astimezone(timezone.utc)
        event = icalendar.Event()
        event.add("uid", f"{pin.id}@{UID_DOMAIN}")  # the pin id is stable across builds
        event.add("dtstamp", stamp_utc)
        event.add("dtstart", start)
        event.add("dtend", start + EVENT_LENGTH)
        event.add("summary", f"Pin: {pin.title}")
        lines = (pin.description, f"Board: {pin.board}", pin.link, pin.media_url)
        event.add("description", "\n".join(line for line in lines if line))
        event.add("url", pin.link)
        event.add("categories", [pin.board])
        event.add("status", "CONFIRMED" if pin.published else "TENTATIVE")
        cal.add_component(event)
    return bytes(cal.to_ical())
