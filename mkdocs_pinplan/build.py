"""One build: posts → pin specs → images → plan → calendar file, and the work around it once
a site is built, shared by the plugin and ``pinplan build``. No MkDocs here."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from .calendar_file import EARLIEST_YEAR, LATEST_YEAR, loads, read_calendar_text, write_calendar
from .errors import Problem, shown
from .filememo import FileMemo
from .fs import calendar_lock
from .model import Brand, Calendar, Palette, PinSpec, Post, Rules
from .pins import PinSettings, make_pin_specs
from .preview import write_preview
from .render.fonts import check_fonts
from .render.pipeline import Progress, RenderStats, render_pins
from .render.progress import ProgressReport
from .schedule import Plan, evergreen_variants, plan, violations


def build_now() -> datetime:
    """The build's "now": ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
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
    cache_dir: Path | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> BuildReport:
    """Render every pin into ``site_dir`` and plan the calendar at ``calendar_path`` (written
    by :func:`write_planned_calendar`)."""
    # Read first: a calendar we cannot read stops the build before any rendering.
    text = read_calendar_text(calendar_path)
    existing = loads(text, str(calendar_path)) if text is not None else None
    specs = pin_specs(posts, settings, existing, rules, now)
    # Before the plan: a post no font can draw must not reach the calendar.
    fonts = check_fonts(specs, system_fonts=settings.system_fonts)
    specs = fonts.specs
    stats = render_pins(specs, site_dir, cache_dir=cache_dir, workers=workers, progress=progress)
    return BuildReport(
        specs=specs,
        plan=plan(specs, rules, existing, now),
        render=stats,
        calendar_written=False,
        refused=fonts.refused,
        notes=fonts.notes,
        planned_from=text,
    )


def write_planned_calendar(
    report: BuildReport, rules: Rules, calendar_path: Path, now: datetime
) -> BuildReport:
    """Write the calendar of ``report``'s plan atomically (``calendar_written``: it changed).

    Under the calendar lock the file is read again: changed since the plan (a concurrent build,
    ``mark-published``), the specs are planned again into what it now holds, so nothing written
    meanwhile is lost."""
    with calendar_lock(calendar_path):
        text = read_calendar_text(calendar_path)
        if text != report.planned_from:
            existing = loads(text, str(calendar_path)) if text is not None else None
            planned = plan(report.specs, rules, existing, now)
            report = report._replace(plan=planned, planned_from=text)
        return report._replace(calendar_written=write_calendar(calendar_path, report.plan.calendar))


class SiteFacts(NamedTuple):
    """What the build needs of the site, whichever generator built it."""

    root: Path
    """The config file's folder: the plugin's relative paths are resolved against it."""
    site_dir: Path
    site_url: str | None
    site_name: str


def pin_settings(options: Any, site: SiteFacts) -> PinSettings:
    """The pin settings of the plugin's validated options (``PinplanConfig``)."""
    root, brand = site.root, options.brand
    # The footer text: the brand name, else the site's domain, else its name.
    host = (urlsplit(site.site_url or "").hostname or "").removeprefix("www.")
    return PinSettings(
        site_url=site.site_url or "",
        brand=Brand(
            name=brand.name or host or site.site_name,
            logo=(root / brand.logo) if brand.logo else None,
            font=(root / brand.font) if brand.font else None,
            font_bold=(root / brand.font_bold) if brand.font_bold else None,
            fallback_fonts=tuple(root / f for f in brand.fallback_fonts),
        ),
        pins_per_post=options.pins_per_post,
        board=options.board,
        layouts=tuple(options.layouts),
        palettes=tuple(Palette(c.background, c.text, c.accent) for c in brand.colors),
        image_format=options.image_format,
        quality=options.quality,
        system_fonts=brand.system_fonts,
    )


class SiteBuild(NamedTuple):
    """One build of a site with the plugin's validated ``options`` (``PinplanConfig``), in the
    order both front doors keep: :meth:`run`, :meth:`finish`, and last :meth:`write_calendar`."""

    posts: Sequence[Post]
    options: Any
    site: SiteFacts
    rules: Rules
    now: datetime
    info: Callable[[str], None]
    warn: Callable[[str], None]

    def run(self, memo: FileMemo | None) -> BuildReport:
        """:func:`run_build`; the renderer's warnings go to ``warn``; ``memo``, the image sizes
        the posts were read with, is saved. Raises :class:`PinplanError` or ``ValueError`` for
        input that stops the build."""
        options, site = self.options, self.site
        report = run_build(
            self.posts,
            settings=pin_settings(options, site),
            rules=self.rules,
            site_dir=site.site_dir,
            calendar_path=site.root / options.calendar,
            now=self.now,
            cache_dir=site.root / options.cache_dir,
            workers=options.workers or (os.cpu_count() or 1),
            progress=ProgressReport(self.info),
        )
        if memo is not None:
            memo.save()
        for warning in report.render.warnings:
            self.warn(warning)
        for problem in report.refused:
            self.warn(str(problem))
        for note in report.notes:
            self.info(note)
        return report

    def finish(self, report: BuildReport, *, where: str, live: bool = False) -> None:
        """Warn about upcoming pins that break the rules, say what the build did (``where``: what
        becomes of the calendar file) and write the preview page (``live`` under a dev server)."""
        calendar, queue = report.plan.calendar, report.plan.queue
        name, rules = self.options.calendar, self.rules
        upcoming = {p.id for p in calendar.pins if p.publish_at >= self.now}
        for violation in violations(calendar, rules):
            # Kept in its slot (SPEC rule 6), but a hand edit or a rule change deserves a word.
            if violation.pin_id in upcoming:
                self.warn(
                    f"{name}: {violation} (kept in its slot; delete the entry "
                    "to have the next build place it again)"
                )
        if report.plan.returned:
            self.info(
                f"{name}: {report.plan.returned} scheduled pins lay beyond the "
                f"{rules.horizon_days}-day window and went back to the queue (the calendar now "
                "commits only the window; the queue is worked out again at every build)"
            )
        self.info(
            f"{len(report.specs)} pins for {len(self.posts)} posts: "
            f"{report.render.rendered} rendered, {report.render.cached} cached "
            f"in {report.render.seconds:.2f}s; {len(calendar.pins)} on the calendar, "
            f"{len(queue)} queued, {where}"
        )
        if self.options.preview:
            # Written into the built site, not as a page of it, so it stays out of the nav,
            # search and sitemap; under `mkdocs serve` it shows the planned but unsaved calendar.
            write_preview(
                self.site.site_dir,
                calendar,
                rules,
                specs=report.specs,
                posts=self.posts,
                now=self.now,
                site_name=self.site.site_name,
                live=live,
                placed={spec.image for spec in report.specs},
                queue=queue,
            )

    def write_calendar(self, report: BuildReport) -> BuildReport:
        """:func:`write_planned_calendar` of ``report``, at the site's calendar file."""
        path = self.site.root / self.options.calendar
        return write_planned_calendar(report, self.rules, path, self.now)
