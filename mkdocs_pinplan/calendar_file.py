"""Reading, validating, locking and atomically writing ``calendar.json``."""

from __future__ import annotations

import errno
import json
import operator
import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import PinplanError
from .model import CALENDAR_VERSION, STATUSES, Calendar, CalendarPin
from .schedule import collector_paused

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
        raise PinplanError(file, f"{where}.{key}", f"expected {kind.__name__}, got {value!r}")
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


def _in_range(moment: datetime) -> bool:
    """Whether ``moment`` (aware) is also a valid time in UTC and in any other zone."""
    # Only the first and the last years can spill over the ends of datetime's range.
    return 2 <= moment.year <= 9998


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
            file, f"{where}.publish_at", f"not an ISO 8601 time: {raw_at!r}"
        ) from None
    if publish_at.tzinfo is None:
        raise PinplanError(file, f"{where}.publish_at", f"needs a UTC offset: {raw_at!r}")
    if not _in_range(publish_at):
        raise PinplanError(file, f"{where}.publish_at", f"out of range: {raw_at!r}")
    if text["status"] not in STATUSES:
        expected = ", ".join(repr(s) for s in STATUSES)
        raise PinplanError(
            file, f"{where}.status", f"expected one of {expected}, got {text['status']!r}"
        )
    for key in OPTIONAL_FIELDS:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise PinplanError(file, f"{where}.{key}", f"expected text, got {obj[key]!r}")
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
    if not isinstance(data, dict):
        raise PinplanError(file, None, "expected a JSON object")
    version = data.get("version")
    if version != CALENDAR_VERSION:
        raise PinplanError(
            file,
            "version",
            f"unsupported version {version!r} (this plugin reads {CALENDAR_VERSION})",
        )
    tz_name = _field(file, "calendar", data, "timezone", str)
    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PinplanError(
            file, "timezone", f"unknown time zone {tz_name!r} (expected e.g. 'Europe/Berlin')"
        ) from None
    raw_start = _field(file, "calendar", data, "start", str)
    try:
        start = date.fromisoformat(raw_start)
    except ValueError:
        raise PinplanError(
            file, "start", f"expected a date such as 2026-12-01, got {raw_start!r}"
        ) from None
    raw_pins = _field(file, "calendar", data, "pins", list)
    with collector_paused():
        pins = [_parse_pin(file, i, obj) for i, obj in enumerate(raw_pins)]
    seen: set[str] = set()
    for i, pin in enumerate(pins):
        if pin.id in seen:
            raise PinplanError(file, f"pins[{i}].id", f"duplicate id {pin.id!r}")
        seen.add(pin.id)
    return Calendar(timezone=tz_name, start=start, pins=tuple(pins), version=version)


def read_calendar_text(path: Path) -> str | None:
    """The text of the calendar file at ``path``, or ``None`` when there is none yet."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise PinplanError(str(path), None, f"cannot read the calendar: {exc}") from None


def read_calendar(path: Path) -> Calendar | None:
    """The calendar at ``path``, or ``None`` when there is none yet."""
    text = read_calendar_text(path)
    return loads(text, str(path)) if text is not None else None


def write_text_atomic(path: Path, text: str, *, durable: bool = True) -> bool:
    """Replace ``path`` with ``text`` atomically; return False when the content is unchanged."""
    return write_bytes_atomic(path, text.encode("utf-8"), durable=durable)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_bytes_atomic(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Replace ``path`` with ``data`` (temp file + ``os.replace``); False when unchanged.

    The new file keeps the old one's permissions; a file without any write permission bit is
    refused (``PermissionError``) even for root, since the user marked it as not to be changed.
    ``durable`` flushes the bytes to disk before the rename (the calendar: a power cut must
    not leave it empty); files the next build remakes anyway can skip that.
    """
    try:
        if path.read_bytes() == data:
            return False
        mode = stat.S_IMODE(path.stat().st_mode)
        if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise PermissionError(f"{path.name} is read-only; not replacing it")
    except FileNotFoundError:
        mode = _default_mode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def write_calendar(path: Path, calendar: Calendar) -> bool:
    """Write the calendar atomically; return whether the file changed.

    Raises :class:`PinplanError` naming the file when it cannot be written (e.g. it is
    read-only); the old file is then left exactly as it was.
    """
    try:
        return write_text_atomic(path, dumps(calendar))
    except OSError as exc:
        raise PinplanError(str(path), None, f"cannot write the calendar: {exc}") from None


LOCK_TIMEOUT = 120.0
"""Seconds a build waits for another build to finish with the calendar."""


def lock_path(path: Path) -> Path:
    """The sidecar file that is locked while a build or command updates ``path``."""
    return path.with_name(f".{path.name}.lock")


@contextmanager
def calendar_lock(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock for a read → change → write of the calendar at ``path``.

    A second build (or ``pinplan mark-published``) waits here until the first is done, so
    neither overwrites the other's pins. The lock is an OS file lock on a hidden sidecar
    file (``.calendar.json.lock``) that exists only while it is held and is released by
    the OS even when a build is killed. Where the sidecar cannot be created (a read-only
    checkout) or the platform has no file locks, this goes on unlocked: a needed write
    then fails with its own clear message.
    Raises :class:`PinplanError` when another holder keeps the lock for ``timeout`` seconds.
    """
    sidecar = lock_path(path)
    deadline = time.monotonic() + timeout
    while True:
        try:
            sidecar.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(sidecar, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                yield
                return
            raise PinplanError(
                str(path), None, f"cannot lock the calendar: {exc.strerror}"
            ) from None
        if _wait_for_lock(fd, deadline) and _still_there(fd, sidecar):
            break
        os.close(fd)
        if time.monotonic() >= deadline:
            raise PinplanError(
                str(path),
                None,
                f"another build has held {sidecar.name} for {timeout:.0f} s; giving up",
            )
    try:
        yield
    finally:
        # Remove the sidecar before closing (which releases the lock): a waiter that then
        # gets the lock on the removed file notices and starts again (_still_there).
        # Windows cannot remove an open file; the next holder then reuses it.
        with suppress(OSError):
            sidecar.unlink(missing_ok=True)
        os.close(fd)


def _still_there(fd: int, sidecar: Path) -> bool:
    """Whether the locked descriptor is still the file at ``sidecar`` (not a removed one)."""
    try:
        return os.path.samestat(os.fstat(fd), sidecar.stat())
    except FileNotFoundError:
        return False


def _wait_for_lock(fd: int, deadline: float) -> bool:
    while not _try_lock(fd):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - every POSIX Python has fcntl
        fcntl = None  # type: ignore[assignment]

    def _try_lock(fd: int) -> bool:
        if fcntl is None:  # pragma: no cover
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as exc:
            # File systems without flock support: carry on unlocked rather than fail.
            return exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS)
        return True
