"""Calendar + rules → the preview page ``pinplan/index.html`` (Jinja2, autoescaped).

The page is plain HTML with inline CSS and a few lines of inline JavaScript for the filters,
so it works from any static host and fetches nothing from elsewhere.
"""

from __future__ import annotations

import calendar as _cal
import functools
import os
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import NamedTuple
from urllib.parse import SplitResult, quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..durations import format_duration
from ..fs import write_text_atomic
from ..model import Calendar, CalendarPin, PinSpec, Post, Rules

PREVIEW_PATH = "pinplan/index.html"
"""Where the page goes, relative to ``site_dir``."""
_TO_ROOT = "../"
"""From the page's folder back to the site root (the page sits one folder deep)."""

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_SAFE_SCHEMES = ("http", "https")


# PinInfo and the template's views are named tuples: cheap to make per pin, and cheap to
# define (a dataclass costs over a millisecond of import time each, paid by every build).
class PinInfo(NamedTuple):
    """What the build knows about a pin beyond its calendar entry."""

    post_title: str = ""
    layout: str = ""
    rendered: bool = True
    """Whether the pin's image is in the built site (a published pin of a removed post is not)."""


class _PinView(NamedTuple):
    pin: CalendarPin
    post_title: str
    time: str
    iso: str
    link_text: str
    href: str | None
    image_url: str | None
    alt: str
    layout: str
    status: str
    overdue: bool


class _DayView(NamedTuple):
    key: str
    label: str
    pins: tuple[_PinView, ...]
    cap: int | None
    over: bool


class _CellView(NamedTuple):
    key: str
    day: int
    pins: int
    cap: int | None
    cap_pct: int
    count_pct: int
    over: bool
    today: bool
    ramp: bool


class _MonthView(NamedTuple):
    label: str
    weeks: tuple[tuple[_CellView | None, ...], ...]


class _PostOption(NamedTuple):
    key: str
    title: str


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # The calendar file is trusted for its pins, not for its zone name: fall back to UTC.
        return ZoneInfo("UTC")


def _href(url: str) -> str | None:
    """``url`` when a browser may follow it safely (http, https or relative), else ``None``."""
    return _split_href(url)[0]


def _split_href(url: str) -> tuple[str | None, SplitResult]:
    """:func:`_href` of ``url``, and ``url`` split (once: this runs for every pin)."""
    stripped = url.strip()
    parts = urlsplit(stripped)
    scheme = parts.scheme.lower()
    return (None if scheme and scheme not in _SAFE_SCHEMES else stripped or None), parts


def _image_url(image: str) -> str | None:
    """The page-relative URL of a site-relative image path (absolute http(s) URLs kept)."""
    if ":" in image and urlsplit(image).scheme:
        return _href(image)
    path = image.replace("\\", "/").lstrip("/")
    return _TO_ROOT + quote(path, safe="/") if path else None


def _link(url: str) -> tuple[str | None, str]:
    """The link's safe ``href`` (see :func:`_href`) and the text to show for it."""
    href, parts = _split_href(url)
    text = url.split("://", 1)[1] if parts.scheme in _SAFE_SCHEMES and parts.netloc else url
    return href, text


def _day_label(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1][:3]} {day.year}"


def _cap(rules: Rules, start: date, day: date) -> int | None:
    index = (day - start).days
    return rules.cap(index) if index >= 0 else None


_NO_INFO = PinInfo()


def _time_order(pin: CalendarPin) -> tuple[datetime, str]:
    return pin.publish_at, pin.id


_Entry = tuple[CalendarPin, datetime, PinInfo, bool]
"""A pin on the page: the pin, its local time, what the build knows of it, whether overdue."""


def _pin_view(pin: CalendarPin, local: datetime, info: PinInfo, overdue: bool) -> _PinView:
    """The template's view of ``pin``, which is at ``local`` in the calendar's zone."""
    href, link_text = _link(pin.link)
    return _PinView(
        pin=pin,
        post_title=info.post_title or pin.post,
        time=local.strftime("%H:%M"),
        iso=local.isoformat(timespec="minutes"),
        link_text=link_text,
        href=href,
        image_url=_image_url(pin.image) if info.rendered else None,
        alt=pin.alt_text or pin.title,
        layout=info.layout,
        status=pin.status,
        overdue=overdue,
    )


def _months(
    calendar: Calendar, rules: Rules, by_day: Mapping[date, list[_Entry]], today: date | None
) -> tuple[_MonthView, ...]:
    """The month view, from the calendar's start (or last month) to the last pin or ramp day."""
    first = min([calendar.start, *by_day])
    if today is not None:
        # A blog pinning for years has years of published days: show last month onwards.
        recent = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        first = max(first, recent)
    ramp_end = calendar.start + timedelta(days=max(rules.warmup_days - 1, 0))
    last = max([ramp_end, *by_day, first])
    counts = {day: len(entries) for day, entries in by_day.items()}
    scale = max([rules.max_per_day, *counts.values()])
    months: list[_MonthView] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        weeks: list[tuple[_CellView | None, ...]] = []
        for week in _cal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row: list[_CellView | None] = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                count = counts.get(day, 0)
                cap = _cap(rules, calendar.start, day)
                row.append(
                    _CellView(
                        key=day.isoformat(),
                        day=day.day,
                        pins=count,
                        cap=cap,
                        cap_pct=round(100 * (cap or 0) / scale),
                        count_pct=round(100 * count / scale),
                        over=cap is not None and count > cap,
                        today=day == today,
                        ramp=cap is not None and cap < rules.max_per_day,
                    )
                )
            weeks.append(tuple(row))
        months.append(_MonthView(label=f"{_MONTHS[month - 1]} {year}", weeks=tuple(weeks)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


@functools.cache
def _loader() -> PackageLoader:
    """The package's ``templates`` folder (also read directly for the inlined CSS and JS)."""
    return PackageLoader("mkdocs_pinplan.preview", "templates")


@functools.cache
def _environment() -> Environment:
    # Autoescaping is the page's only defence against hostile titles; never turn it off.
    return Environment(
        loader=_loader(),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.cache
def _asset(name: str) -> Markup:
    # Our own CSS/JS, trusted and inlined so the page needs no other request.
    # Through the template loader: importlib.resources would be imported for this alone.
    source, _, _ = _loader().get_source(_environment(), name)
    return Markup(source)


def render_preview(
    calendar: Calendar,
    rules: Rules,
    *,
    info: Mapping[str, PinInfo] | None = None,
    now: datetime | None = None,
    site_name: str = "",
    live: bool = False,
    queue: Sequence[CalendarPin] = (),
) -> str:
    """The preview page for ``calendar``: every pin grouped by local day, and a month view;
    then the ``queue``, the pins waiting for a slot at their projected times.

    Days are counted in the calendar's time zone; each day's cap is ``rules.cap`` of its
    index from the calendar's ``start``. ``info`` adds post titles and says which images are
    in the site; ``now`` marks overdue pins and today; ``live`` labels the page as the
    unsaved plan of ``mkdocs serve``. Same arguments ⇒ same text.
    """
    info = info or {}
    zone = _zone(calendar.timezone)
    by_day = _entries_by_day(calendar.pins, zone, info, now)
    entries = [entry for day in by_day.values() for entry in day]
    shown = {(entry[2].post_title or entry[0].post, entry[0].post) for entry in entries}
    shown |= {((info.get(p.id) or _NO_INFO).post_title or p.post, p.post) for p in queue}
    posts = sorted(shown, key=lambda t: (t[0].lower(), t[1]))
    today = now.astimezone(zone).date() if now else None
    day_keys = [day.isoformat() for day in sorted(by_day)]
    next_day = next((d for d in day_keys if today is not None and d >= today.isoformat()), "")
    statuses = Counter(pin.status for pin in calendar.pins)
    days = [_day_view(day, pins, rules, calendar.start) for day, pins in sorted(by_day.items())]
    template = _environment().get_template("preview.html.j2")
    return template.render(
        site_name=site_name,
        live=live,
        timezone=calendar.timezone,
        start=_day_label(calendar.start),
        start_key=calendar.start.isoformat(),
        now_label=now.astimezone(zone).strftime("%Y-%m-%d %H:%M") if now else "",
        rules=rules,
        windows=", ".join(str(w) for w in rules.windows),
        min_gap=format_duration(rules.min_gap),
        link_gap=format_duration(rules.link_gap),
        total=len(calendar.pins),
        scheduled=statuses["scheduled"],
        published=statuses["published"],
        overdue=sum(entry[3] for entry in entries),
        due=_due(calendar, rules, now),
        days=days,
        next_day=next_day if day_keys and day_keys[0] != next_day else "",
        months=_months(calendar, rules, by_day, today),
        weekdays=_WEEKDAYS,
        queue=[_queued_view(pin, zone, info) for pin in sorted(queue, key=_time_order)],
        queued=len(queue),
        posts=[_PostOption(key=key, title=title) for title, key in posts],
        css=_asset("preview.css"),
        js=_asset("preview.js"),
    )


def _entries_by_day(
    pins: Sequence[CalendarPin], zone: tzinfo, info: Mapping[str, PinInfo], now: datetime | None
) -> dict[date, list[_Entry]]:
    """The pins by local day, in time order, with what the page shows beside each."""
    by_day: dict[date, list[_Entry]] = {}
    for pin in sorted(pins, key=_time_order):
        local = pin.publish_at.astimezone(zone)
        overdue = now is not None and pin.status == "scheduled" and pin.publish_at < now
        by_day.setdefault(local.date(), []).append(
            (pin, local, info.get(pin.id) or _NO_INFO, overdue)
        )
    return by_day


def _due(calendar: Calendar, rules: Rules, now: datetime | None) -> int | None:
    """What `pinplan export` would hand the uploader right now."""
    if now is None:
        return None
    horizon_end = now + timedelta(days=rules.horizon_days)
    return sum(1 for p in calendar.pins if not p.published and now <= p.publish_at < horizon_end)


def _day_view(day: date, entries: list[_Entry], rules: Rules, start: date) -> _DayView:
    cap = _cap(rules, start, day)
    return _DayView(
        key=day.isoformat(),
        label=_day_label(day),
        pins=tuple(_pin_view(*entry) for entry in entries),
        cap=cap,
        over=cap is not None and len(entries) > cap,
    )


def _queued_view(pin: CalendarPin, zone: tzinfo, info: Mapping[str, PinInfo]) -> _PinView:
    """A queued pin at its projected time (with its date: the queue is one list, not days)."""
    local = pin.publish_at.astimezone(zone)
    view = _pin_view(pin, local, info.get(pin.id) or _NO_INFO, False)
    return view._replace(status="projected", time=local.strftime("%a %Y-%m-%d %H:%M"))


def write_preview(
    site_dir: Path,
    calendar: Calendar,
    rules: Rules,
    *,
    specs: Sequence[PinSpec] = (),
    posts: Sequence[Post] = (),
    now: datetime | None = None,
    site_name: str = "",
    live: bool = False,
    placed: Collection[str] = (),
    queue: Sequence[CalendarPin] = (),
) -> Path:
    """Write the preview page to ``site_dir/pinplan/index.html`` and return its path.

    Pins whose image file is missing from ``site_dir`` get a placeholder instead of a
    broken image; ``placed`` names images (site-relative) the build has just put there, which
    need no look.
    """
    titles = {post.src_path: post.title for post in posts}
    layouts = {spec.id: spec.design.layout.name for spec in specs}
    root = os.fspath(site_dir)
    info = {
        pin.id: PinInfo(
            post_title=titles.get(pin.post, ""),
            layout=layouts.get(pin.id, ""),
            rendered=pin.image in placed or os.path.isfile(os.path.join(root, pin.image)),
        )
        for pin in (*calendar.pins, *queue)
    }
    html = render_preview(
        calendar, rules, info=info, now=now, site_name=site_name, live=live, queue=queue
    )
    target = site_dir / PREVIEW_PATH
    write_text_atomic(target, html, durable=False)  # part of the site: rebuilt every time
    return target
