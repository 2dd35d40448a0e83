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
from .model import Calendar, PinSpec, Post, Rules
from .pins import PinSettings, make_pin_specs
from .render.fonts import check_fonts
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
    plan: Plan
    render: RenderStats
    calendar_written: bool
    violations: tuple[Violation, ...] = ()
    """Scheduled pins that break the current spacing rules (hand edits, changed rules)."""
    refused: tuple[Problem, ...] = ()
    """Posts left out because no font draws their headline (content problems)."""
    notes: tuple[str, ...] = ()
    """Things worth an info line: pictographs left out of pin images."""
    planned_from: str | None = None
    """The calendar text ``plan`` was made from (``None``: there was no calendar)."""


def pin_specs(
    posts: Sequence[Post],
    settings: PinSettings,
    existing: Calendar | None,
    rules: Rules,
    now: datetime,
) -> tuple[PinSpec, ...]:
    """Every post's pins, plus the new evergreen variants ``existing`` is due for."""
    specs = tuple(make_pin_specs(posts, settings))
    extra = evergreen_variants(specs, existing, rules, now)
    return tuple(make_pin_specs(posts, settings, extra)) if extra else specs


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
    specs = pin_specs(posts, settings, existing, rules, now)
    # Before the plan: a post no font can draw must not reach the calendar.
    fonts = check_fonts(specs, system_fonts=settings.system_fonts)
    specs = fonts.specs
    stats = render_pins(specs, site_dir, cache_dir=cache_dir, workers=workers, progress=progress)
    if memo is not None:
        memo.save()
    planned = plan(specs, rules, existing, now)
    report = BuildReport(
        specs=specs,
        plan=planned,
        render=stats,
        calendar_written=False,
        violations=tuple(violations(planned.calendar, rules)),
        refused=fonts.refused,
        notes=fonts.notes,
        planned_from=text,
    )
    return write_planned_calendar(report, rules, calendar_path, now) if write else report


def write_planned_calendar(
    report: BuildReport, rules: Rules, calendar_path: Path, now: datetime
) -> BuildReport:
    """Write the calendar of ``report``'s plan atomically: the last step of a build that
    succeeded. Returns the report of what was written (``calendar_written``: the file changed).

    The file is read again under the calendar lock: when a concurrent build or
    ``mark-published`` has changed it since the plan was made, the specs are planned again
    into what it now holds, so nothing written meanwhile is lost. (Unchanged, the plan stands:
    the same arguments give the same plan.)
    """
    with calendar_lock(calendar_path):
        text = read_calendar_text(calendar_path)
        if text != report.planned_from:
            existing = loads(text, str(calendar_path)) if text is not None else None
            planned = plan(report.specs, rules, existing, now)
            found = tuple(violations(planned.calendar, rules))
            report = report._replace(plan=planned, violations=found, planned_from=text)
        return report._replace(calendar_written=write_calendar(calendar_path, report.plan.calendar))
