"""Reading, validating and writing ``calendar.json``."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import PinplanError, shown
from .fs import read_regular, write_bytes_atomic
from .model import CALENDAR_VERSION, STATUSES, Calendar, CalendarPin

OPTIONAL_FIELDS = ("pinterest_id", "error")
"""Written after ``status`` only when set: a published pin's Pinterest id, a failed one's error."""
PIN_FIELDS = tuple(f.name for f in fields(CalendarPin) if f.name not in OPTIONAL_FIELDS)
"""The fields every pin has, in the contract's order (``CalendarPin``'s)."""
EARLIEST_YEAR, LATEST_YEAR = 1970, 2999
"""Years a calendar's times may fall in: far enough from datetime's ends that no count on from
a pin (the planner's days, gaps, horizons) can overflow."""


def pin_to_dict(pin: CalendarPin) -> dict[str, Any]:
    """A calendar pin as its JSON object, fields in contract order."""
    data = {key: getattr(pin, key) for key in (*PIN_FIELDS, *OPTIONAL_FIELDS)}
    data["keywords"] = list(pin.keywords)
    data["publish_at"] = pin.publish_at.isoformat(timespec="seconds")
    return {key: value for key, value in data.items() if value is not None}


def dumps(calendar: Calendar) -> str:
    """The calendar as deterministic JSON text (same calendar ⇒ same bytes)."""
    data = {
        "version": calendar.version,
        "timezone": calendar.timezone,
        "start": calendar.start.isoformat(),
        "pins": [pin_to_dict(pin) for pin in calendar.pins],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _field(file: str, where: str, obj: dict[str, Any], key: str, kind: type) -> Any:
    if key not in obj:
        raise PinplanError(file, f"{where}.{key}", "is missing")
    value = obj[key]
    if not isinstance(value, kind):
        raise PinplanError(file, f"{where}.{key}", f"expected {kind.__name__}, got {shown(value)}")
    return value


def _parse_pin(file: str, index: int, obj: object) -> CalendarPin:
    """One pin object, validated; errors name the field (``pins[3].publish_at``)."""
    where = f"pins[{index}]"
    if not isinstance(obj, dict):
        raise PinplanError(file, where, "expected an object")
    values = {
        key: _field(file, where, obj, key, list if key == "keywords" else str) for key in PIN_FIELDS
    }
    if not all(isinstance(k, str) for k in values["keywords"]):
        raise PinplanError(file, f"{where}.keywords", "expected a list of text")
    values["keywords"] = tuple(values["keywords"])
    raw_at, at_field = values["publish_at"], f"{where}.publish_at"
    try:
        publish_at = datetime.fromisoformat(raw_at)
    except ValueError:
        raise PinplanError(file, at_field, f"not an ISO 8601 time: {shown(raw_at)}") from None
    if publish_at.tzinfo is None:
        raise PinplanError(file, at_field, f"needs a UTC offset: {shown(raw_at)}")
    if not EARLIEST_YEAR <= publish_at.year <= LATEST_YEAR:
        raise PinplanError(file, at_field, f"out of range: {shown(raw_at)}")
    values["publish_at"] = publish_at
    if values["status"] not in STATUSES:
        expected = ", ".join(repr(s) for s in STATUSES)
        raise PinplanError(
            file, f"{where}.status", f"expected one of {expected}, got {shown(values['status'])}"
        )
    for key in OPTIONAL_FIELDS:
        if obj.get(key) is not None:
            values[key] = _field(file, where, obj, key, str)
    return CalendarPin(**values)


def loads(text: str, file: str) -> Calendar:
    """Parse and validate calendar JSON; raise :class:`PinplanError` naming the field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PinplanError(file, None, f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except (ValueError, RecursionError):
        # Python refuses numbers of more than 4,300 digits and very deep nesting.
        raise PinplanError(
            file, None, "not a calendar: nested too deeply or a huge number"
        ) from None
    if not isinstance(data, dict):
        raise PinplanError(file, None, "expected a JSON object")
    version = data.get("version")
    if version != CALENDAR_VERSION:
        raise PinplanError(
            file,
            "version",
            f"unsupported version {shown(version)} (this plugin reads {CALENDAR_VERSION})",
        )
    tz_name = _field(file, "calendar", data, "timezone", str)
    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PinplanError(
            file, "timezone", f"unknown time zone {shown(tz_name)} (expected e.g. 'Europe/Berlin')"
        ) from None
    raw_start = _field(file, "calendar", data, "start", str)
    try:
        start = date.fromisoformat(raw_start)
    except ValueError:
        raise PinplanError(
            file, "start", f"expected a date such as 2026-12-01, got {shown(raw_start)}"
        ) from None
    if not EARLIEST_YEAR <= start.year <= LATEST_YEAR:
        raise PinplanError(file, "start", f"out of range: {shown(raw_start)}")
    raw_pins = _field(file, "calendar", data, "pins", list)
    pins: dict[str, CalendarPin] = {}
    for i, obj in enumerate(raw_pins):
        pin = _parse_pin(file, i, obj)
        if pin.id in pins:
            raise PinplanError(file, f"pins[{i}].id", f"duplicate id {shown(pin.id)}")
        pins[pin.id] = pin
    return Calendar(timezone=tz_name, start=start, pins=tuple(pins.values()), version=version)


def read_calendar_text(path: Path) -> str | None:
    """The text of the calendar file at ``path``, or ``None`` when there is none yet."""
    try:
        return read_regular(path).decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise PinplanError(str(path), None, f"cannot read the calendar: {exc}") from None


def read_calendar(path: Path) -> Calendar | None:
    """The calendar at ``path``, or ``None`` when there is none yet."""
    text = read_calendar_text(path)
    return loads(text, str(path)) if text is not None else None


def write_calendar(path: Path, calendar: Calendar) -> bool:
    """Write the calendar atomically; whether the file changed. :class:`PinplanError` when it
    cannot be written (e.g. read-only): the old file is then left exactly as it was."""
    try:
        return write_bytes_atomic(path, dumps(calendar).encode("utf-8"))
    except OSError as exc:
        raise PinplanError(str(path), None, f"cannot write the calendar: {exc}") from None
