"""The core's data, as frozen dataclasses: posts, pin specs, scheduling rules, the calendar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from operator import attrgetter
from pathlib import Path

from .durations import Window
from .layouts import Layout as Layout

CALENDAR_VERSION = 1
STATUSES = ("scheduled", "published", "failed")
"""``scheduled``: placed, not yet taken by an uploader; ``published``: posted by ``pinplan
publish`` or handed over through a recorded CSV export; ``failed``: refused by Pinterest."""


@dataclass(frozen=True)
class Post:
    """One blog post as the plugin needs it, validated from front-matter."""

    src_path: str
    """Relative to ``docs_dir``, with ``/`` separators."""
    title: str
    url: str
    """Absolute canonical URL (site-relative when ``site_url`` is unset)."""
    slug: str
    description: str = ""
    lang: str = "en"
    date: date | None = None
    draft: bool = False
    titles: tuple[str, ...] = ()
    pins: int | None = None
    board: str | None = None
    pin_description: str | None = None
    alt: str | None = None
    image: Path | None = None
    """The background photo's absolute path, checked to lie inside ``docs_dir``."""
    keywords: tuple[str, ...] = ()
    link: str | None = None
    h1: str = ""
    sections: tuple[str, ...] = ()
    """The body's second-level headings (plain text)."""
    lead: str = ""
    """The first sentence of the body's prose."""

    def headlines(self) -> tuple[str, ...]:
        """The headlines to rotate over the post's pins."""
        return self.titles or (self.title,)


@dataclass(frozen=True)
class Palette:
    """Colours of one pin design, as ``#rrggbb``."""

    background: str
    text: str
    accent: str


@dataclass(frozen=True)
class Brand:
    """What identifies the blog on every pin."""

    name: str
    logo: Path | None = None
    font: Path | None = None
    font_bold: Path | None = None
    fallback_fonts: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Design:
    """Everything that decides a pin's pixels, and nothing else (the render cache key)."""

    headline: str
    layout: Layout
    palette: Palette
    brand: Brand
    lang: str = "en"
    image: Path | None = None
    image_format: str = "jpeg"
    quality: int = 85
    width: int = 1000
    height: int = 1500


@dataclass(frozen=True, slots=True)
class PinContent:
    """What Pinterest is given for a pin: the fields a pin spec and its calendar entry share."""

    id: str
    post: str
    link: str
    image: str
    """Relative to ``site_dir`` (``assets/pinplan/slug-1.jpg``)."""
    media_url: str
    title: str
    description: str
    alt_text: str
    board: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class PinSpec(PinContent):
    """One pin to render and schedule."""

    index: int
    design: Design
    post_date: date | None = None


@dataclass(frozen=True)
class Rules:
    """The spacing rules of SPEC's schedule section."""

    timezone: str = "UTC"
    start: date | None = None
    max_per_day: int = 5
    min_gap: timedelta = timedelta(minutes=90)
    link_gap: timedelta = timedelta(days=3)
    windows: tuple[Window, ...] = (Window(8 * 60, 11 * 60), Window(19 * 60, 22 * 60))
    warmup_days: int = 14
    horizon_days: int = 7
    evergreen_after: timedelta = timedelta(days=90)
    """How long after its latest pin an all-published post gets a new variant (0: never)."""

    def cap(self, day_index: int) -> int:
        """Most pins allowed on day ``start + day_index`` (SPEC rule 1)."""
        if self.warmup_days <= 0 or day_index >= self.warmup_days:
            return self.max_per_day
        k = max(day_index, 0)
        return 1 + (self.max_per_day - 1) * k // self.warmup_days


@dataclass(frozen=True, slots=True)
class CalendarPin(PinContent):
    """One entry of ``calendar.json`` (field names and order are the contract)."""

    publish_at: datetime
    status: str = "scheduled"
    pinterest_id: str | None = None
    error: str | None = None
    """Pinterest's message for a ``failed`` pin."""

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def failed(self) -> bool:
        return self.status == "failed"


# PinContent's fields in order, by a C getter (every build makes a calendar pin per live pin).
_Content = tuple[str, str, str, str, str, str, str, str, str, tuple[str, ...]]
_content: Callable[[PinContent], _Content] = attrgetter(*(f.name for f in fields(PinContent)))


def pin_from_spec(spec: PinSpec, publish_at: datetime, status: str = "scheduled") -> CalendarPin:
    """``spec``'s calendar entry at ``publish_at``."""
    return CalendarPin(*_content(spec), publish_at, status)


@dataclass(frozen=True)
class Calendar:
    """The whole calendar file."""

    timezone: str
    start: date
    pins: tuple[CalendarPin, ...] = ()
    version: int = CALENDAR_VERSION
