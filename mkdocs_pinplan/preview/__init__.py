"""Calendar + rules → the preview page ``pinplan/index.html`` (Jinja2, autoescaped).

Plain HTML with inline CSS and a few lines of inline JavaScript for the filters: it works from
any static host and fetches nothing from elsewhere.
"""

from __future__ import annotations

import calendar as _cal
import functools
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..durations import format_duration
from ..fs import write_bytes_atomic
from ..model import Calendar, CalendarPin, PinSpec, Post, Rules

PREVIEW_PATH = "pinplan/index.html"
"""Where the page goes, relative to ``site_dir`` (one folder deep: ``../`` is the site root)."""


# Named tuples, not dataclasses: cheap to make per pin, and to define (import time).
class PinInfo(NamedTuple):
    """What the build knows about a pin beyond its calendar entry."""

    post_title: str = ""
    layout: str = ""
    rendered: bool = True
    """Whether the pin's image is in the built site (a published pin of a removed post is not)."""


class _Row(NamedTuple):
    """A pin as the page lists it, every text worked out once (the template unpacks it)."""

    pin: CalendarPin
    post_title: str
    when: str
    iso: str
    href: str | None
    link_text: str
    image_url: str | None
    layout: str
    status: str
    overdue: bool


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # as strftime's %a (C locale)
_PAD = Markup('<td class="pad"></td>')
# Month cells are written here, not in the template: Jinja compiles the template every build
# and this grid was a fifth of the work. Markup.format escapes every argument.
_CELL = Markup(
    '<td data-date="{key}" data-count="{count}" data-cap="{cap}" class="{classes}" '
    'title="{title}">{link}<span class="d">{day}</span>{meter}{end}</td>'
)
_METER = Markup(
    '<span class="n">{count}/{cap}</span>'
    '<span class="meter" style="--w-cap: {cap_pct}%; --w-n: {count_pct}%"></span>'
)


def _link(url: str) -> tuple[str | None, str]:
    """The link's ``href`` if a browser may follow it safely (http(s) or relative), its text."""
    stripped = url.strip()
    scheme, sep, rest = stripped.partition("://")
    if sep and scheme in ("http", "https"):
        return stripped, rest  # most links: no need to parse them
    safe = urlsplit(stripped).scheme in ("", "http", "https")
    return (stripped or None) if safe else None, url


def _rows(
    pins: Sequence[CalendarPin],
    zone: tzinfo,
    info: Mapping[str, PinInfo],
    now: datetime | None,
    queued: bool = False,
) -> list[tuple[date, _Row]]:
    """``pins`` in time order with their local days (``now`` marks overdue ones)."""
    rows = []
    for pin in sorted(pins, key=attrgetter("publish_at", "id")):
        local = pin.publish_at.astimezone(zone)
        iso = local.isoformat(timespec="minutes")  # YYYY-MM-DDTHH:MM+HH:MM
        known = info.get(pin.id) or PinInfo()
        href, link_text = _link(pin.link)
        if ":" in pin.image and urlsplit(pin.image).scheme:
            image_url = _link(pin.image)[0]  # an absolute URL, kept when http(s)
        else:
            image = pin.image.replace("\\", "/").lstrip("/")
            image_url = "../" + quote(image, safe="/") if image else None
        row = _Row(
            pin=pin,
            post_title=known.post_title or pin.post,
            # The queue is one list, not days: its pins show their date too.
            when=f"{_WEEKDAYS[local.weekday()]} {iso[:10]} {iso[11:16]}" if queued else iso[11:16],
            iso=iso,
            href=href,
            link_text=link_text,
            image_url=image_url if known.rendered else None,
            layout=known.layout,
            status="projected" if queued else pin.status,
            overdue=now is not None and pin.status == "scheduled" and pin.publish_at < now,
        )
        rows.append((local.date(), row))
    return rows


def _months(
    start: date, rules: Rules, counts: Mapping[date, int], today: date | None
) -> list[tuple[str, list[list[Markup]]]]:
    """The month view, from the calendar's start (or last month) to the last pin or ramp day."""
    first = min([start, *counts])
    if today is not None:
        # A blog pinning for years has years of published days: show last month onwards.
        first = max(first, (today.replace(day=1) - timedelta(days=1)).replace(day=1))
    last = max([start + timedelta(days=max(rules.warmup_days - 1, 0)), *counts, first])
    scale = max([rules.max_per_day, *counts.values()])
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        weeks = []
        for week in _cal.Calendar().monthdatescalendar(year, month):
            cells: list[Markup] = []
            for day in week:
                if day.month != month:
                    cells.append(_PAD)
                    continue
                key, count = day.isoformat(), counts.get(day, 0)
                cap = rules.cap((day - start).days) if day >= start else None
                title = f"{day}: {count} pin{'' if count == 1 else 's'}"
                flags = (cap is None, cap is not None and count > cap, day == today, count > 0)
                classes = zip(("before", "over", "today", "busy"), flags, strict=True)
                meter = (
                    ""
                    if cap is None
                    else _METER.format(
                        count=count,
                        cap=cap,
                        cap_pct=round(100 * cap / scale),
                        count_pct=round(100 * count / scale),
                    )
                )
                cell = _CELL.format(
                    key=key,
                    count=count,
                    cap="" if cap is None else cap,
                    classes=" ".join(name for name, on in classes if on),
                    title=title if cap is None else f"{title}, cap {cap}",
                    link=Markup('<a href="#day-{}">').format(key) if count else "",
                    day=day.day,
                    meter=meter,
                    end=Markup("</a>") if count else "",
                )
                cells.append(cell)
            weeks.append(cells)
        months.append((f"{date(year, month, 1):%B %Y}", weeks))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


@functools.cache
def _environment() -> Environment:
    loader = PackageLoader("mkdocs_pinplan.preview", "templates")
    # Autoescaping is the page's only defence against hostile titles; never turn it off.
    env = Environment(
        loader=loader,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # Our own CSS and JS, trusted and inlined so that the page needs no other request.
    for name in ("css", "js"):
        env.globals[name] = Markup(loader.get_source(env, f"preview.{name}")[0])
    return env


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
    """The preview page: ``calendar``'s pins by local day (in its time zone) with each day's
    cap, a month view, then the ``queue`` at projected times. ``info`` adds post titles and
    says which images are in the site; ``now`` marks overdue pins and today; ``live`` labels
    the unsaved plan of ``mkdocs serve``. Same arguments ⇒ same text."""
    info = info or {}
    try:
        zone: tzinfo = ZoneInfo(calendar.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        # The calendar file is trusted for its pins, not for its zone name: fall back to UTC.
        zone = ZoneInfo("UTC")
    today = now.astimezone(zone).date() if now else None
    start = calendar.start
    rows = _rows(calendar.pins, zone, info, now)
    by_day: dict[date, list[_Row]] = {}
    for day, row in rows:
        by_day.setdefault(day, []).append(row)
    days = []
    for day, day_rows in sorted(by_day.items()):
        cap = rules.cap((day - start).days) if day >= start else None
        days.append((day.isoformat(), _day_label(day), day_rows, cap))
    upcoming = [day[0] for day in days if today and day[0] >= today.isoformat()]
    queued = [row for _, row in _rows(queue, zone, info, None, queued=True)]
    shown = {(row.post_title, row.pin.post) for row in [*(row for _, row in rows), *queued]}
    due = None
    if now is not None:  # what `pinplan export` would hand the uploader right now
        end = now + timedelta(days=rules.horizon_days)
        due = sum(not p.published and now <= p.publish_at < end for p in calendar.pins)
    template = _environment().get_template("preview.html.j2")
    return template.render(
        site_name=site_name,
        live=live,
        calendar=calendar,
        start=_day_label(start),
        now_label=now.astimezone(zone).strftime("%Y-%m-%d %H:%M") if now else "",
        rules=rules,
        min_gap=format_duration(rules.min_gap),
        link_gap=format_duration(rules.link_gap),
        statuses=Counter(pin.status for pin in calendar.pins),
        overdue=sum(row.overdue for _, row in rows),
        due=due,
        days=days,
        next_day=upcoming[0] if upcoming and upcoming[0] != days[0][0] else "",
        months=_months(start, rules, {day: len(rows) for day, rows in by_day.items()}, today),
        queue=queued,
        posts=sorted(shown, key=lambda post: (post[0].lower(), post[1])),
    )


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
    """Write the preview page into ``site_dir`` and return its path. A pin whose image is
    missing there gets a placeholder; ``placed`` names images the build has just put there."""
    titles = {post.src_path: post.title for post in posts}
    layouts = {spec.id: spec.design.layout.name for spec in specs}
    info = {
        pin.id: PinInfo(
            post_title=titles.get(pin.post, ""),
            layout=layouts.get(pin.id, ""),
            rendered=pin.image in placed or (site_dir / pin.image).is_file(),
        )
        for pin in (*calendar.pins, *queue)
    }
    html = render_preview(
        calendar, rules, info=info, now=now, site_name=site_name, live=live, queue=queue
    )
    target = site_dir / PREVIEW_PATH
    # Part of the site: rebuilt every time.
    write_bytes_atomic(target, html.encode("utf-8"), durable=False)
    return target
