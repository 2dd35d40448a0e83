"""Reading, validating and writing ``calendar.json``.

The lock and the atomic write live in :mod:`mkdocs_pinplan.fs`; they are named here too for
the callers that update the calendar.
"""

from __future__ import annotations

import json
import operator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import PinplanError, shown
from .fs import LOCK_TIMEOUT as LOCK_TIMEOUT
from .fs import calendar_lock as calendar_lock
from .fs import lock_path as lock_path
from .fs import read_regular, write_text_atomic
from .fs import write_bytes_atomic as write_bytes_atomic
from .model import CALENDAR_VERSION, STATUSES, Calendar, CalendarPin

PIN_FIELDS = (
    "id",
    "post",
    "link",
    "image",
    "media_url",
    "title",
    "description",
    "alt_text",
    "board",
    "keywords",
    "publish_at",
    "status",
)
OPTIONAL_FIELDS = ("pinterest_id", "error")
"""Written after ``status`` only when set: a published pin's Pinterest id, a failed one's error."""


def pin_to_dict(pin: CalendarPin) -> dict[str, Any]:
    """A calendar pin as its JSON object, fields in contract order."""
    return {
        "id": pin.id,
        "post": pin.post,
        "link": pin.link,
        "image": pin.image,
        "media_url": pin.media_url,
        "title": pin.title,
        "description": pin.description,
        "alt_text": pin.alt_text,
        "board": pin.board,
        "keywords": list(pin.keywords),
        "publish_at": pin.publish_at.isoformat(timespec="seconds"),
        "status": pin.status,
        **{key: getattr(pin, key) for key in OPTIONAL_FIELDS if getattr(pin, key) is not None},
    }


def dumps(calendar: Calendar) -> str:
    """The calendar as deterministic JSON text (same calendar ⇒ same bytes).

    Exactly ``json.dumps(data, ensure_ascii=False, indent=2)`` plus a newline, written out
    by hand: with ``indent`` the json module falls back to its pure-Python encoder, which
    takes seconds for a calendar of 100,000 pins.
    """
    head = (
        f'{{\n  "version": {json.dumps(calendar.version)},\n'
        f'  "timezone": {_string(calendar.timezone)},\n'
        f'  "start": {_string(calendar.start.isoformat())},\n'
        '  "pins": '
    )
    if not calendar.pins:
        return head + "[]\n}\n"
    return head + "[\n" + ",\n".join(map(_pin_text, calendar.pins)) + "\n  ]\n}\n"


_string = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses


def _pin_text(pin: CalendarPin) -> str:
    s = _string
    keywords = (
        "[\n" + ",\n".join("        " + s(k) for k in pin.keywords) + "\n      ]"
        if pin.keywords
        else "[]"
    )
    return (
        f'    {{\n      "id": {s(pin.id)},\n      "post": {s(pin.post)},\n'
        f'      "link": {s(pin.link)},\n      "image": {s(pin.image)},\n'
        f'      "media_url": {s(pin.media_url)},\n      "title": {s(pin.title)},\n'
        f'      "description": {s(pin.description)},\n      "alt_text": {s(pin.alt_text)},\n'
        f'      "board": {s(pin.board)},\n      "keywords": {keywords},\n'
        f'      "publish_at": {s(pin.publish_at.isoformat(timespec="seconds"))},\n'
        f'      "status": {s(pin.status)}'
        + "".join(
            f',\n      "{key}": {s(value)}'
            for key in OPTIONAL_FIELDS
            if (value := getattr(pin, key)) is not None
        )
        + "\n    }"
    )


def _field(file: str, where: str, obj: dict[str, Any], key: str, kind: type) -> Any:
    if key not in obj:
        raise PinplanError(file, f"{where}.{key}", "is missing")
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise PinplanError(file, f"{where}.{key}", f"expected {kind.__name__}, got {shown(value)}")
    return value


def _parse_pin(file: str, index: int, obj: object) -> CalendarPin:
    """One pin object, validated; errors name the field (``pins[3].publish_at``)."""
    quick = _parse_valid_pin(obj)
    return quick if quick is not None else _parse_pin_checked(file, index, obj)


_pin_values = operator.itemgetter(*PIN_FIELDS)
_STR: set[type] = {str}


def _parse_valid_pin(obj: object) -> CalendarPin | None:
    # The common case, a pin the plugin wrote, in one pass; anything odd goes to the
    # field-by-field reader below for its message.
    if type(obj) is not dict:
        return None
    try:
        values = _pin_values(obj)
    except KeyError:
        return None
    (id_, post, link, image, media_url, title, description, alt_text, board,
     keywords, raw_at, status) = values  # fmt: skip
    if (
        set(map(type, values[:9] + values[10:])) != _STR
        or type(keywords) is not list
        or not set(map(type, keywords)) <= _STR
        or status not in STATUSES
    ):
        return None
    extra = [obj.get(key) for key in OPTIONAL_FIELDS]
    if any(value is not None and type(value) is not str for value in extra):
        return None
    try:
        publish_at = datetime.fromisoformat(raw_at)
    except ValueError:
        return None
    if publish_at.tzinfo is None or not _in_range(publish_at):
        return None
    return CalendarPin(
        id_, post, link, image, media_url, title, description, alt_text, board,
        tuple(keywords), publish_at, status, *extra,
    )  # fmt: skip


EARLIEST_YEAR, LATEST_YEAR = 1970, 2999
"""Years a calendar's times may fall in: far from datetime's ends, so the planner's days,
gaps and horizons that count on from a pin can never overflow."""


def _in_range(moment: datetime | date) -> bool:
    """Whether ``moment`` lies within the years a calendar may hold."""
    return EARLIEST_YEAR <= moment.year <= LATEST_YEAR


def _parse_pin_checked(file: str, index: int, obj: object) -> CalendarPin:
    where = f"pins[{index}]"
    if not isinstance(obj, dict):
        raise PinplanError(file, where, "expected an object")
    text = {
        key: _field(file, where, obj, key, str)
        for key in PIN_FIELDS
        if key not in ("keywords", "publish_at")
    }
    keywords = _field(file, where, obj, "keywords", list)
    if not all(isinstance(k, str) for k in keywords):
        raise PinplanError(file, f"{where}.keywords", "expected a list of text")
    raw_at = _field(file, where, obj, "publish_at", str)
    try:
        publish_at = datetime.fromisoformat(raw_at)
    except ValueError:
        raise PinplanError(
            file, f"{where}.publish_at", f"not an ISO 8601 time: {shown(raw_at)}"
        ) from None
    if publish_at.tzinfo is None:
        raise PinplanError(file, f"{where}.publish_at", f"needs a UTC offset: {shown(raw_at)}")
    if not _in_range(publish_at):
        raise PinplanError(file, f"{where}.publish_at", f"out of range: {shown(raw_at)}")
    if text["status"] not in STATUSES:
        expected = ", ".join(repr(s) for s in STATUSES)
        raise PinplanError(
            file, f"{where}.status", f"expected one of {expected}, got {shown(text['status'])}"
        )
    for key in OPTIONAL_FIELDS:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise PinplanError(file, f"{where}.{key}", f"expected text, got {shown(obj[key])}")
    return CalendarPin(
        keywords=tuple(keywords),
        publish_at=publish_at,
        pinterest_id=obj.get("pinterest_id"),
        error=obj.get("error"),
        **text,
    )


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
    if not _in_range(start):
        raise PinplanError(file, "start", f"out of range: {shown(raw_start)}")
    raw_pins = _field(file, "calendar", data, "pins", list)
    pins = [_parse_pin(file, i, obj) for i, obj in enumerate(raw_pins)]
    seen: set[str] = set()
    for i, pin in enumerate(pins):
        if pin.id in seen:
            raise PinplanError(file, f"pins[{i}].id", f"duplicate id {shown(pin.id)}")
        seen.add(pin.id)
    return Calendar(timezone=tz_name, start=start, pins=tuple(pins), version=version)


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
    """Write the calendar atomically; return whether the file changed.

    Raises :class:`PinplanError` naming the file when it cannot be written (e.g. it is
    read-only); the old file is then left exactly as it was.
    """
    try:
        return write_text_atomic(path, dumps(calendar))
    except OSError as exc:
        raise PinplanError(str(path), None, f"cannot write the calendar: {exc}") from None
