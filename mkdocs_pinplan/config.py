"""The plugin's options, as an MkDocs config schema (one docstring per option)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import fields
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    import mkdocs.config  # noqa: F401
except ModuleNotFoundError:  # ProperDocs alone: importing this makes it answer for mkdocs.*
    import properdocs.replacement  # noqa: F401
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig

from .calendar_file import EARLIEST_YEAR, LATEST_YEAR
from .durations import parse_duration, parse_windows
from .errors import shown
from .layouts import DEFAULT_LAYOUTS, resolve_layouts
from .model import Layout, Rules
from .site_config import BlogSettings

T = TypeVar("T")


class Checked(base.BaseConfigOption[T]):
    """An option whose ``check`` returns the value to keep, or raises ``ValueError``."""

    def __init__(self, check: Callable[[object], T], default: object = None) -> None:
        super().__init__()
        self.check = check
        self.default = default

    def run_validation(self, value: object) -> T:
        try:
            return self.check(value)
        except ValueError as exc:
            raise base.ValidationError(str(exc)) from None


def _timezone(value: object) -> str:
    """An IANA time zone name such as ``Europe/Berlin`` (from the ``tzdata`` package)."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected an IANA time zone such as 'Europe/Berlin', got {shown(value)}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {shown(value)} (expected e.g. 'Europe/Berlin')"
        ) from None
    return value


def _start_date(value: object) -> date:
    day = value if isinstance(value, date) else None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(value.strip())
    if day is None:
        raise ValueError(f"expected a date such as 2026-12-01, got {shown(value)}")
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise ValueError(f"must lie in the years {EARLIEST_YEAR}-{LATEST_YEAR}, got {day}")
    return day


def _color(value: object) -> str:
    """``#rrggbb`` or ``#rgb``, as ``#rrggbb``."""
    if not isinstance(value, str) or not re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", value):
        raise ValueError(f"expected a colour such as '#1a2b3c', got {shown(value)}")
    if len(value) == 4:
        value = "#" + "".join(ch * 2 for ch in value[1:])
    return value.lower()


def _whole(low: int, high: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected a whole number, got {shown(value)}")
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}, got {shown(value)}")
        return value

    return check


def _layouts(value: object) -> tuple[Layout, ...]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of layout names or mappings, got {shown(value)}")
    return resolve_layouts(value)


class PaletteConfig(base.Config):
    """One colour scheme of the pins."""

    background = Checked(_color)
    """Background colour of the text area."""
    text = Checked(_color)
    """Headline colour; should contrast with ``background`` (4.5:1 or more)."""
    accent = Checked(_color)
    """Colour of rules, labels and the site name."""


class BrandConfig(base.Config):
    """What identifies the blog on every pin."""

    name = c.Optional(c.Type(str))
    """Footer text; default: the domain of ``site_url``, else ``site_name``."""
    logo = c.Optional(c.Type(str))
    """Logo image (PNG with transparency works best), relative to mkdocs.yml."""
    colors = c.ListOfItems(c.SubConfig(PaletteConfig), default=[])
    """Palettes rotated over the variants; default: derived from the site name."""
    font = c.Optional(c.Type(str))
    """Regular-weight font file (TTF/OTF), relative to mkdocs.yml; default: Manrope."""
    font_bold = c.Optional(c.Type(str))
    """Headline font file, relative to mkdocs.yml; default: Manrope Bold."""
    fallback_fonts = c.ListOfItems(c.Type(str), default=[])
    """Font files tried, in order, for characters the main fonts lack (e.g. a Noto font)."""
    system_fonts = c.Type(bool, default=True)
    """Fonts installed on the machine may draw what the others lack (``false``: pins are the
    same on every machine)."""


class ScheduleConfig(base.Config):
    """The spacing rules (SPEC: "The spacing rules")."""

    timezone = Checked(_timezone, "UTC")
    """IANA time zone the windows and days are counted in."""
    start = c.Optional(Checked(_start_date))
    """First day pins may go out; default: the day after the calendar is first made."""
    max_per_day = Checked(_whole(1, 100), 5)
    """Daily cap once the warm-up is over."""
    min_gap = Checked(parse_duration, "90m")
    """Least time between any two pins."""
    link_gap = Checked(parse_duration, "3d")
    """Least time between two pins of the same post (never two on one day)."""
    windows = Checked(parse_windows, ["08:00-11:00", "19:00-22:00"])
    """Local times of day pins may go out (start included, end excluded)."""
    warmup_days = Checked(_whole(0, 365), 14)
    """Days over which a new account's cap ramps from 1 to ``max_per_day``."""
    jitter = Checked(parse_duration, "20m")
    """No longer used; still accepted so existing configs keep working."""
    horizon_days = Checked(_whole(1, 14), 7)
    """The committed window: how far ahead the calendar and the exports reach."""
    evergreen_after = Checked(lambda v: timedelta(0) if v in (0, "0") else parse_duration(v), "90d")
    """A post whose pins are all out gets a new variant this long after its latest (0: off)."""


class PinplanConfig(base.Config):
    """Options of the ``pinplan`` plugin."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it (e.g. ``enabled: !ENV [PINPLAN, true]``)."""
    posts = c.Optional(c.ListOfItems(c.Type(str)))
    """Globs (relative to docs_dir) of pages that are posts; default: the blog's posts."""
    pins_per_post = Checked(_whole(1, 20), 3)
    """Pins per post unless a post says otherwise."""
    board = c.Type(str, default="Blog")
    """Pinterest board name, exactly as on Pinterest."""
    layouts = Checked(_layouts, list(DEFAULT_LAYOUTS))
    """Designs rotated across a post's variants: built-in names (``photo``, ``block``,
    ``type``, ``split``, ``band``) and mappings deriving your own (``{name: x, base: type}``)."""
    brand = c.SubConfig(BrandConfig)
    """Name, logo, colours and fonts."""
    image_format = c.Choice(("jpeg", "png"), default="jpeg")
    """Pin image format: JPEG is fast and small, PNG is lossless."""
    quality = Checked(_whole(1, 95), 85)
    """JPEG quality."""
    cache_dir = c.Type(str, default=".cache/plugin/pinplan")
    """Rendered pins are kept here between builds, relative to mkdocs.yml."""
    calendar = c.Type(str, default="pinplan/calendar.json")
    """The calendar file, relative to mkdocs.yml; never inside docs_dir."""
    workers = Checked(_whole(0, 64), 0)
    """Render processes: 0 (default) means one per CPU; 1 renders in the build process."""
    preview = c.Type(bool, default=True)
    """Write the preview page ``pinplan/index.html`` into the site."""
    schedule = c.SubConfig(ScheduleConfig)
    """When pins go out."""


def rules_from_config(schedule: ScheduleConfig) -> Rules:
    """The core's :class:`Rules` from the validated ``schedule`` options (same names)."""
    return Rules(**{field.name: schedule[field.name] for field in fields(Rules)})


def site_problems(
    calendar: str, site_url: str | None, *, root: Path, docs_dir: Path, site_dir: Path
) -> list[str]:
    """Why the site cannot make a plan, one line each: a ``site_url`` that cannot make the
    absolute links pins need, a ``calendar`` (relative to ``root``) in docs_dir or site_dir."""
    problems = []
    if not site_url or not urlsplit(site_url).netloc:
        problems.append(
            f"site_url: {site_url!r} is not an absolute URL such as https://example.com/; "
            "pins need absolute links and image URLs"
        )
    where = (root / calendar).resolve()
    for option, folder, why in (
        ("docs_dir", docs_dir, "rewriting docs would loop `mkdocs serve`"),
        ("site_dir", site_dir, "every build empties site_dir"),
    ):
        if where.is_relative_to(folder.resolve()):
            problems.append(
                f"plugins.pinplan.calendar: {calendar} lies inside {option}; keep it next to "
                f"mkdocs.yml ({why})"
            )
    return problems


def config_dir(config: MkDocsConfig) -> Path:
    """Directory of mkdocs.yml: every relative option path is resolved against it."""
    return Path(config.config_file_path or ".").resolve().parent


def default_post_globs(config: MkDocsConfig) -> list[str]:
    """The blog plugin's post directory when that plugin is on, else ``blog/posts/**``."""
    for name, plugin in config.plugins.items():
        if name.split("/")[-1] == "blog" and hasattr(plugin, "config"):
            keys = [key for key in ("blog_dir", "post_dir") if key in plugin.config]
            return BlogSettings(**{key: plugin.config[key] for key in keys}).post_globs()
    return BlogSettings().post_globs()
