"""The work after a site is built, shared by the plugin and ``pinplan build``: the plugin's
options → pin settings → :func:`run_build` → warnings, summary and preview."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .build import BuildReport, run_build
from .filememo import FileMemo
from .model import Brand, Palette, Post, Rules
from .pins import PinSettings
from .preview import write_preview
from .render.progress import ProgressReport


@dataclass(frozen=True)
class SiteFacts:
    """What the build needs of the site, whichever generator built it."""

    root: Path
    """The config file's folder: the plugin's relative paths are resolved against it."""
    site_dir: Path
    site_url: str | None
    site_name: str


Say = Callable[[str], None]


def pin_site_name(site: SiteFacts, name: str | None) -> str:
    """The footer text: the brand name, else the site's domain, else ``site_name``."""
    if name:
        return name
    host = urlsplit(site.site_url or "").hostname or ""
    return host.removeprefix("www.") or site.site_name


def pin_settings(options: Any, site: SiteFacts) -> PinSettings:
    """The pin settings of the plugin's validated options (``PinplanConfig``)."""
    root, brand = site.root, options.brand
    return PinSettings(
        site_url=site.site_url or "",
        brand=Brand(
            name=pin_site_name(site, brand.name),
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


def run_site_build(
    posts: Sequence[Post],
    options: Any,
    site: SiteFacts,
    *,
    rules: Rules,
    now: datetime,
    write: bool,
    memo: FileMemo | None,
    info: Say,
    warn: Say,
) -> BuildReport:
    """Render the pins of ``posts`` into the built site and plan the calendar (written now
    only with ``write``); the renderer's warnings go to ``warn``. ``options`` is the plugin's
    validated ``PinplanConfig``, ``rules`` its ``schedule``.

    Raises :class:`PinplanError` or ``ValueError`` for input that stops the build.
    """
    report = run_build(
        posts,
        settings=pin_settings(options, site),
        rules=rules,
        site_dir=site.site_dir,
        calendar_path=site.root / options.calendar,
        now=now,
        write=write,
        cache_dir=site.root / options.cache_dir,
        workers=options.workers or (os.cpu_count() or 1),
        memo=memo,
        progress=ProgressReport(info),
    )
    for warning in report.render.warnings:
        warn(warning)
    for problem in report.refused:
        warn(str(problem))
    for note in report.notes:
        info(note)
    return report


def finish_site_build(
    report: BuildReport,
    posts: Sequence[Post],
    options: Any,
    site: SiteFacts,
    *,
    rules: Rules,
    now: datetime,
    where: str,
    live: bool,
    info: Say,
    warn: Say,
) -> None:
    """Warn about upcoming pins that break the rules, say what the build did (``where``: what
    became of the calendar file) and write the preview page (``live`` under a dev server)."""
    calendar, queue = report.plan.calendar, report.plan.queue
    upcoming = {p.id for p in calendar.pins if p.publish_at >= now}
    for violation in report.violations:
        # Kept in its slot (SPEC rule 6), but a hand edit or a rule change deserves a word.
        if violation.pin_id in upcoming:
            warn(
                f"{options.calendar}: {violation} (kept in its slot; delete the entry "
                "to have the next build place it again)"
            )
    if report.plan.returned:
        info(
            f"{options.calendar}: {report.plan.returned} scheduled pins lay beyond the "
            f"{rules.horizon_days}-day window and went back to the queue (the calendar now "
            "commits only the window; the queue is worked out again at every build)"
        )
    info(
        f"{len(report.specs)} pins for {len(posts)} posts: "
        f"{report.render.rendered} rendered, {report.render.cached} cached "
        f"in {report.render.seconds:.2f}s; {len(calendar.pins)} on the calendar, "
        f"{len(queue)} queued, {where}"
    )
    if options.preview:
        # Written into the built site, not as a page of it, so it stays out of the nav, search
        # and sitemap; under `mkdocs serve` it shows the planned but unsaved calendar.
        write_preview(
            site.site_dir,
            calendar,
            rules,
            specs=report.specs,
            posts=posts,
            now=now,
            site_name=site.site_name,
            live=live,
            placed={spec.image_path for spec in report.specs},
            queue=queue,
        )
