"""What an uploader takes from the calendar: Pinterest's bulk CSV, iCalendar and JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone

import icalendar

from .calendar_file import pin_to_dict
from .model import Calendar, CalendarPin

HEADER = (
    "Title",
    "Media URL",
    "Pinterest board",
    "Thumbnail",
    "Description",
    "Link",
    "Publish date",
    "Keywords",
)
MAX_ROWS = 100
"""Pinterest takes at most this many pins per uploaded file (sources say 100 or 200)."""
EVENT_LENGTH = timedelta(minutes=15)  # events need a length to show up; a pin takes a moment


def pins_within(pins: Iterable[CalendarPin], now: datetime, days: int) -> list[CalendarPin]:
    """Pins of any status with ``now <= publish_at < now + days``."""
    until = now + timedelta(days=days)
    return [p for p in pins if now <= p.publish_at < until]


def due_pins(calendar: Calendar, now: datetime, days: int) -> list[CalendarPin]:
    """The scheduled pins of :func:`pins_within`, in calendar order: published pins are done,
    failed ones wait for their post to change, overdue ones would publish at once."""
    return [p for p in pins_within(calendar.pins, now, days) if p.status == "scheduled"]


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text (not runs as a formula): a leading ``= + - @``, tab
    or CR gets a ``'``."""
    return "'" + cell if cell.startswith(("=", "+", "-", "@", "\t", "\r")) else cell


def export_csv(pins: Sequence[CalendarPin]) -> list[str]:
    """CSV texts (RFC 4180, CRLF) of at most :data:`MAX_ROWS` pins each, header first, dates
    in UTC as ``YYYY-MM-DDTHH:MM:SS``, Thumbnail (for videos) empty; no pins: the header."""
    parts: list[str] = []
    for first in range(0, max(len(pins), 1), MAX_ROWS):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(HEADER)
        for pin in pins[first : first + MAX_ROWS]:
            at = pin.publish_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
            cells = [pin.title, pin.media_url, pin.board, "", pin.description, pin.link, at]
            writer.writerow(neutralise(cell) for cell in [*cells, ", ".join(pin.keywords)])
        parts.append(buffer.getvalue())
    return parts


def export_ics(pins: Sequence[CalendarPin], stamp: datetime) -> bytes:
    """A VCALENDAR with one VEVENT per pin: stable UID, UTC times, title, link and board;
    ``stamp`` is every DTSTAMP, so the same calendar and stamp give the same bytes."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//mkdocs-pinplan//Pin calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Pinterest pins")
    for pin in pins:
        start = pin.publish_at.astimezone(timezone.utc)
        event = icalendar.Event()
        event.add("uid", f"{pin.id}@mkdocs-pinplan")  # the pin id is stable across builds
        event.add("dtstamp", stamp.astimezone(timezone.utc))
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


def export_json(calendar: Calendar, pins: Sequence[CalendarPin]) -> str:
    """Deterministic JSON: the calendar's zone and ``pins`` as in the calendar file, each
    with an extra ``publish_at_utc`` (``YYYY-MM-DDTHH:MM:SSZ``)."""
    items = []
    for pin in pins:
        at = pin.publish_at.astimezone(timezone.utc)
        items.append({**pin_to_dict(pin), "publish_at_utc": f"{at:%Y-%m-%dT%H:%M:%SZ}"})
    data = {"version": calendar.version, "timezone": calendar.timezone, "pins": items}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
