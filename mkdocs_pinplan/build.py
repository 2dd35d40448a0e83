"""One build: posts → pin specs → images → plan → calendar file. No MkDocs here."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from .calendar_file import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    loads,
    read_calendar_text,
    write_calendar,
)
from .errors import Problem, shown
from .filememo import FileMemo
from .fs import calendar_lock
from .model import Calendar, CalendarPin, PinSpec, Post, Rules
from .pins import PinSettings, make_pin_specs
from .render.coverage import check_fonts
from .render.pipeline import Progress, RenderStats, render_pins
from .schedule import Plan, Violation, evergreen_variants, plan, violations


def build_now(environ: os._Environ[str] | dict[str, str] | None = None) -> datetime:
    """The build's "now": ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the clock."""
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            now = datetime.fromtimestamp(int(epoch[:20]), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ValueError(
                f"SOURCE_DATE_EPOCH must be whole seconds, got {shown(epoch)}"
            ) from None
        if not EARLIEST_YEAR <= now.year <= LATEST_YEAR:
            raise ValueError(
                f"SOURCE_DATE_EPOCH: {shown(epoch)} lies outside the years "
                f"{EARLIEST_YEAR}-{LATEST_YEAR} a calendar may hold"
            )
        return now
    return datetime.now(timezone.utc)


class BuildReport(NamedTuple):
    """What a build did, for the summary line and the preview."""

    specs: tuple[PinSpec, ...]
    calendar: Calendar
    render: RenderStats
    calendar_written: bool
    violations: tuple[Violation, ...] = ()
    """Scheduled pins that break the current spacing rules (hand edits, changed rules)."""
    refused: tuple[Problem, ...] = ()
    """Posts left out because no font draws their headline (content problems)."""
    notes: tuple[str, ...] = ()
    """Things worth an info line: pictographs left out of pin images."""
    queue: tuple[CalendarPin, ...] = ()
    """The pins waiting beyond the window, at their projected times (not stored)."""
    returned: int = 0
    """Scheduled pins beyond the window that went back to the queue (an old calendar)."""


def run_build(
    posts: Sequence[Post],
    *,
    settings: PinSettings,
    rules: Rules,
    site_dir: Path,
    calendar_path: Path,
    now: datetime,
    write: bool = True,
    cache_dir: Path | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    memo: FileMemo | None = None,
) -> BuildReport:
    """Render every pin into ``site_dir`` and merge them into the calendar at ``calendar_path``.

    With ``write=False`` (``mkdocs serve``, or a build that writes the calendar only once it
    has succeeded: :func:`write_planned_calendar`) the calendar is planned, the file left alone.
    ``memo`` is the memo of image sizes the posts were read with; it is saved here.
    """
    # Read first: a calendar we cannot read stops the build before any rendering.
    text = read_calendar_text(calendar_path)
    existing = loads(text, str(calendar_path)) if text is not None else None
    specs = tuple(make_pin_specs(posts, settings))
    extra = evergreen_variants(specs, existing, rules, now)
    if extra:
        specs = tuple(make_pin_specs(posts, settings, extra))
    # Before the plan: a post no font can draw must not reach the calendar.
    fonts = check_fonts(specs, system_fonts=settings.system_fonts)
    specs = fonts.specs
    stats = render_pins(specs, site_dir, cache_dir=cache_dir, workers=workers, progress=progress)
    if memo is not None:
        memo.save()
    written = False
    if write:
        planned, written = write_planned_calendar(specs, rules, calendar_path, now)
    else:
        planned = plan(specs, rules, existing, now)
    calendar = planned.calendar
    found = tuple(violations(calendar, rules))
    return BuildReport(
        specs=specs,
        calendar=calendar,
        render=stats,
        calendar_written=written,
        violations=found,
        refused=fonts.refused,
        notes=fonts.notes,
        queue=planned.queue,
        returned=planned.returned,
    )


def write_planned_calendar(
    specs: Sequence[PinSpec],
    rules: Rules,
    calendar_path: Path,
    now: datetime,
) -> tuple[Plan, bool]:
    """Plan ``specs`` into the calendar at ``calendar_path`` and write it atomically: the last
    step of a build that succeeded. Returns the plan and whether the file changed.

    The file is read again under the calendar lock (a concurrent build or ``mark-published``
    may have written it since the build first read it), so nothing written meanwhile is lost.
    """
    with calendar_lock(calendar_path):
        text = read_calendar_text(calendar_path)
        existing = loads(text, str(calendar_path)) if text is not None else None
        planned = plan(specs, rules, existing, now)
        return planned, write_calendar(calendar_path, planned.calendar)
