"""The ``pinplan`` command: a second front door onto the same core.

Every verb reads the site's config file and the calendar, and reports bad input as one line per
problem with a non-zero exit status, never a traceback. Only ``build`` writes into a site.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from .build import SiteBuild, SiteFacts, build_now, pin_settings, pin_specs, run_build
from .calendar_file import EARLIEST_YEAR, LATEST_YEAR, read_calendar, write_calendar
from .errors import PinplanError, shown
from .export import MAX_ROWS, due_pins, export_csv, export_ics, export_json, pins_within
from .fs import calendar_lock, write_bytes_atomic
from .images import image_size_memo
from .model import Calendar, CalendarPin, Post, Rules
from .pins import thin_titles
from .posts import PostImages
from .schedule import plan, sort_pins, violations
from .site_config import CONFIG_NAMES, BlogSettings, SiteConfig, read_site_config
from .site_pages import SitePost, missing_pages, read_site_posts

MAX_DAYS_AHEAD = 14  # furthest a CSV export reaches: sources say 14 or 30 days; the safe one
MAX_DAYS = 3660  # furthest --days reaches (ten years): any plan, never past the calendar
QUEUE_ROWS = 20  # queued pins `show` lists without --days


class Failure(click.ClickException):
    """Bad input: printed as ``pinplan: <line>`` per problem to stderr, exit status 1."""

    def show(self, file: Any = None) -> None:
        for line in self.format_message().splitlines():
            click.echo(f"pinplan: {line}", err=True)


def _display(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Site:
    """What the verbs need from the site's configuration file."""

    config_file: Path
    config: SiteConfig
    options: Any  # the plugin's validated PinplanConfig
    rules: Rules
    facts: SiteFacts
    calendar_path: Path  # as the user sees it: relative to the working directory if below it
    docs: str  # docs_dir, the same way
    warnings: tuple[str, ...]
    problems: tuple[str, ...]  # why it cannot make a plan (site_url, calendar place)


def load_site(config_file: str | None, site_dir: Path | None = None) -> Site:
    """The site of ``config_file`` (default: the first of :data:`CONFIG_NAMES` here) built into
    ``site_dir`` (default: its own); :class:`Failure` with every configuration error."""
    names = [config_file] if config_file else [n for n in CONFIG_NAMES if Path(n).is_file()]
    if not names:
        raise Failure(
            f"no {', '.join(CONFIG_NAMES)} in this folder: run pinplan next to the site's "
            "config file, or name it with -f"
        )
    path, name = Path(names[0]), names[0]
    if not path.is_file():
        raise Failure(f"{name}: no such config file (use -f to name the config file)")
    cfg = read_site_config(path)
    if cfg.pinplan is None:
        table = "a [project.plugins.pinplan] table" if path.suffix == ".toml" else "- pinplan"
        raise Failure(f"{name}: plugins: the pinplan plugin is not listed (add {table})")
    try:
        from .config import PinplanConfig, rules_from_config, site_problems
    except ModuleNotFoundError as exc:
        raise Failure(
            f"{name}: reading the plugin's options needs mkdocs or properdocs installed ({exc})"
        ) from None
    options = PinplanConfig(config_file_path=name)
    options.load_dict(dict(cfg.pinplan))
    errors, warnings = options.validate()
    if errors:
        raise Failure("\n".join(f"{name}: plugins.pinplan.{key}: {e}" for key, e in errors))
    rules = rules_from_config(options.schedule)
    root = path.resolve().parent
    facts = SiteFacts(root, site_dir or Path(cfg.site_dir), cfg.site_url, cfg.site_name)
    docs_dir = Path(cfg.docs_dir)
    found = site_problems(
        options.calendar, cfg.site_url, root=root, docs_dir=docs_dir, site_dir=facts.site_dir
    )
    calendar = Path(_display(root / options.calendar))
    warned = tuple(f"{name}: plugins.pinplan.{key}: {w}" for key, w in warnings)
    problems = tuple(f"{name}: {problem}" for problem in found)
    return Site(path, cfg, options, rules, facts, calendar, _display(docs_dir), warned, problems)


def _now() -> datetime:
    try:
        return build_now()
    except ValueError as exc:
        raise Failure(str(exc)) from None


def _read(site: Site) -> Calendar:
    """The site's calendar; a missing one is an error for the verbs that need one."""
    calendar = read_calendar(site.calendar_path)
    if calendar is None:
        raise Failure(
            f"{site.calendar_path}: no calendar yet; run `mkdocs build` (or `pinplan build`) first"
        )
    return calendar


def _read_posts(site: Site, images: PostImages | None = None) -> tuple[list[SitePost], list[str]]:
    """The site's posts as a build reads them, and one line per problem in their pages."""
    globs = site.options.posts or (site.config.blog or BlogSettings()).post_globs()
    # The clock, not SOURCE_DATE_EPOCH: it is what the blog plugin judges future posts by.
    found, problems = read_site_posts(site.config, globs, datetime.now(timezone.utc), images)
    return found, [f"{site.docs}/{problem}" for problem in problems]


config_option = click.option(
    "-f",
    "--config-file",
    metavar="FILE",
    help="The site's config file (default: mkdocs.yml, properdocs.yml or zensical.toml).",
)
days_option = click.option(
    "--days",
    type=click.IntRange(min=1, max=MAX_DAYS),
    help="How many days ahead, from now (default: schedule.horizon_days).",
)


class _Verbs(click.Group):
    """Bad input the core reports (:class:`PinplanError`) ends any verb as a :class:`Failure`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PinplanError as exc:
            raise Failure(str(exc)) from None


@click.group(cls=_Verbs, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mkdocs-pinplan")
def main() -> None:
    """Check, build, show, export and publish the pins planned by mkdocs-pinplan.

    Each verb reads the site's config file (-f FILE after the verb, as mkdocs takes it). "Now"
    is the clock, or SOURCE_DATE_EPOCH when that is set."""


@main.command(short_help="Validate config, front-matter and calendar.")
@config_option
def check(config_file: str) -> None:
    """Validate the config, every post's front-matter and the calendar.

    Prints one line per problem (file: field: what is wrong) and exits with 1 if there is
    any, listing too the scheduled pins that break the spacing rules (delete such an entry
    and the next build places the pin again) and those Pinterest refused, with its message.
    """
    site = load_site(config_file)
    found, post_problems = _read_posts(site)
    posts = [item.post for item in found]
    problems = [*site.warnings, *site.problems, *post_problems, *_build_problems(posts, site)]
    calendar = None
    try:
        calendar = read_calendar(site.calendar_path)
    except PinplanError as exc:
        problems.append(str(exc))
    pins = calendar.pins if calendar is not None else ()
    if calendar is not None:
        problems.extend(f"{site.calendar_path}: {v}" for v in violations(calendar, site.rules))
    problems.extend(
        f"{site.calendar_path}: {pin.id}: Pinterest refused it: {pin.error or 'no message'}"
        " (change the post and the next build plans it again)"
        for pin in pins
        if pin.failed
    )
    for line in problems:
        click.echo(line)
    # A note, not a problem: without more text of their own such posts get fewer pins.
    thin = thin_titles(posts, site.options.pins_per_post)
    if thin:
        click.echo(
            f"pinplan check: hint: {len(thin)} posts would gain from their own pinplan.titles "
            "(one headline per pin):",
            err=True,
        )
    for post, titles, count in thin:
        text = f"  {site.docs}/{post.src_path}: its text gives {titles} of {count} pin titles"
        click.echo(text, err=True)
    if problems:
        raise SystemExit(1)
    click.echo(
        f"pinplan check: {len(posts)} posts, {len(pins)} pins on the calendar, no problems",
        err=True,
    )


def _build_problems(posts: Sequence[Post], site: Site) -> list[str]:
    """What a build of ``posts`` would refuse or warn about (built into a temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="pinplan-check-") as tmp:
        try:
            report = run_build(
                posts,
                settings=pin_settings(site.options, site.facts),
                rules=site.rules,
                site_dir=Path(tmp),
                calendar_path=Path(tmp) / "calendar.json",  # the real one is checked apart
                now=_now(),
                cache_dir=site.facts.root / site.options.cache_dir,
                workers=site.options.workers or (os.cpu_count() or 1),
            )
        except PinplanError as exc:
            # A post that cannot be drawn is named as the front-matter problems are.
            return [str(exc) if Path(exc.file).is_absolute() else f"{site.docs}/{exc}"]
    return [f"{site.docs}/{problem}" for problem in (*report.refused, *report.render.warnings)]


@main.command(short_help="Pins, calendar and preview for a site already built.")
@config_option
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The built site (default: site_dir of the config file).",
)
@click.option(
    "--strict", is_flag=True, help="Fail on content problems, as `mkdocs build --strict`."
)
def build(config_file: str | None, site_dir: Path | None, strict: bool) -> None:
    """Do the plugin's work on a site another generator has built (Zensical, ProperDocs,
    MkDocs without the plugin): render the pins into it, plan and write the calendar, write
    the preview page.

    Run it after the site generator, which may delete files it did not make. Every post's
    page must be in the built site with the canonical link its URL implies, or nothing is
    written and each such post is named on one line.
    """
    site = load_site(config_file, site_dir)
    if not site.options.enabled:
        _say(f"{site.config_file}: plugins.pinplan.enabled is false: nothing done")
        return
    if site.problems:
        raise Failure("\n".join(site.problems))
    if not site.facts.site_dir.is_dir():
        raise Failure(f"{site.facts.site_dir}: no built site here; build the site first")
    memo = image_size_memo(site.facts.root / site.options.cache_dir)
    found, warned = _read_posts(site, PostImages(Path(site.config.docs_dir), memo))
    missing = missing_pages(site.config, found, site.facts.site_dir, _display(site.facts.site_dir))
    if missing:
        raise Failure("\n".join(f"{site.docs}/{line}" for line in missing))
    posts = [item.post for item in found]
    for line in warned:
        _say(f"warning: {line}")
    if strict and warned:
        raise Failure(f"{len(warned)} warnings in strict mode: nothing written")

    def warn(line: str) -> None:
        warned.append(line)
        _say(f"warning: {line}")

    build = SiteBuild(posts, site.options, site.facts, site.rules, _now(), info=_say, warn=warn)
    try:
        # As under `mkdocs build`: the calendar is written last, unless strict and warned.
        report = build.run(memo)
        build.finish(report, where=f"{site.calendar_path} written once the build succeeds")
        if strict and warned:
            raise Failure(f"{len(warned)} warnings in strict mode: the calendar is unchanged")
        report = build.write_calendar(report)
    except (PinplanError, OSError, ValueError) as exc:
        raise Failure(str(exc)) from None
    _say(f"{site.calendar_path} " + ("updated" if report.calendar_written else "unchanged"))


def _say(line: str) -> None:
    click.echo(f"pinplan: {line}", err=True)


def _table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    """``rows`` in left-aligned columns under ``header`` and a rule."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, tuple("-" * width for width in widths), *rows]
    )


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@main.command(short_help="The upcoming pins as a table.")
@config_option
@days_option
def show(config_file: str, days: int | None) -> None:
    """The pins due in the next days as a table, in the calendar's time zone, then the
    queue: the pins waiting for a slot, at the dates they are projected to get one.

    Overdue scheduled pins come first: mark them published once they are up on Pinterest.
    Projected dates are estimates from the posts as they are now; the next build commits
    the window's share of them.
    """
    site = load_site(config_file)
    calendar = _read(site)
    now = _now()
    span = days or site.rules.horizon_days
    tz = ZoneInfo(calendar.timezone)
    overdue = [p for p in calendar.pins if p.status == "scheduled" and p.publish_at < now]
    upcoming = pins_within(calendar.pins, now, span)
    # The queue as a build would plan it now (titles as close as we can tell unbuilt).
    posts = [item.post for item in _read_posts(site)[0]]
    specs = pin_specs(posts, pin_settings(site.options, site.facts), calendar, site.rules, now)
    queue = plan(specs, site.rules, calendar, now).queue
    shown_queue = queue[:QUEUE_ROWS] if days is None else pins_within(queue, now, days)
    rows = [
        (
            pin.publish_at.astimezone(tz).strftime("%a %Y-%m-%d %H:%M"),
            "overdue" if pin in overdue else "projected" if pin in queue else pin.status,
            _clip(pin.board, 24),
            _clip(pin.title, 48),
            pin.id,
        )
        for pin in [*overdue, *upcoming, *shown_queue]
    ]
    until = (now + timedelta(days=span)).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if rows:
        click.echo(_table(rows, (f"When ({calendar.timezone})", "Status", "Board", "Title", "Id")))
    last = queue[-1].publish_at.astimezone(tz).strftime("%Y-%m-%d") if queue else ""
    click.echo(
        f"{len(upcoming)} pins until {until}"
        + (f", {len(overdue)} overdue" if overdue else "")
        + f"; {len(calendar.pins)} on the calendar"
        + (f"; {len(queue)} queued (projected until {last})" if queue else "; nothing queued")
    )


def part_paths(path: Path, count: int) -> list[Path]:
    """Where the parts of a split export go: ``out.csv``, ``out-2.csv``, ``out-3.csv`` …"""
    return [path] + [path.with_name(f"{path.stem}-{n}{path.suffix}") for n in range(2, count + 1)]


@main.command(short_help="CSV for Pinterest's bulk upload, ICS or JSON.")
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "ics", "json"]),
    default="csv",
    show_default=True,
    help="csv: Pinterest bulk upload; ics: calendar apps; json: scripts.",
)
@days_option
@click.option(
    "-o",
    "--output",
    type=Path,  # not click.Path, which fails on a NUL in the name: _write checks it
    metavar="FILE",
    help="Write to FILE instead of stdout.",
)
@click.option(
    "--mark-published",
    is_flag=True,
    help="csv: record the exported rows as published (handed to Pinterest's scheduler), "
    "so no later export offers them again and no build treats them as missed.",
)
def export(
    config_file: str, fmt: str, days: int | None, output: Path | None, mark_published: bool
) -> None:
    """Export what the uploader takes.

    csv and json hold the scheduled pins due within --days (csv: at most 14, as Pinterest
    schedules no further); ics every pin on the calendar, or those within --days. Pinterest
    takes 100 rows per CSV file: with -o out.csv more go to out-2.csv, out-3.csv … (older
    extra parts are named on stderr, never removed); stdout gets the first 100 and a note.
    --mark-published writes the calendar atomically, under the lock a build holds.
    """
    site = load_site(config_file)
    now = _now()
    span = days or site.rules.horizon_days
    if mark_published and fmt != "csv":
        raise Failure("--mark-published: only with --format csv")
    if fmt == "csv" and span > MAX_DAYS_AHEAD:
        raise Failure(
            f"--days: Pinterest schedules pins at most {MAX_DAYS_AHEAD} days ahead, got {span}"
        )
    with calendar_lock(site.calendar_path) if mark_published else contextlib.nullcontext():
        calendar = _read(site)
        if fmt == "ics":
            pins = calendar.pins if days is None else tuple(pins_within(calendar.pins, now, days))
            _write(output, [export_ics(pins, now)])
        elif fmt == "json":
            _write(output, [export_json(calendar, due_pins(calendar, now, span)).encode("utf-8")])
        else:
            handed = _write_csv(due_pins(calendar, now, span), output, span)
            if mark_published:
                marked = _published(calendar, {pin.id for pin in handed}, None)
                write_calendar(site.calendar_path, marked)
                _say(f"{len(handed)} exported pins recorded as published in {site.calendar_path}")


def _write_csv(due: list[CalendarPin], output: Path | None, span: int) -> list[CalendarPin]:
    """Write ``due`` as Pinterest's bulk CSV (stdout: the first part only); the pins written."""
    parts = [part.encode("utf-8") for part in export_csv(due)]
    _write(output, parts)
    if output is None:
        if len(parts) > 1:
            _say(
                f"{len(due)} pins are due; stdout holds the first {MAX_ROWS} "
                f"(Pinterest takes {MAX_ROWS} rows per file). Use -o FILE to write all "
                f"{len(parts)} parts."
            )
        return due[:MAX_ROWS]
    # Older parts past ours stay (we did not write them), but would upload their pins twice.
    paths = part_paths(output, len(parts) + 50)
    others = [path for path in paths[len(parts) :] if os.path.lexists(path)]
    _say(f"{len(due)} pins due within {span} days → {', '.join(map(str, paths[: len(parts)]))}")
    if others:
        _say(
            "not from this export, left as they are (do not upload them): "
            + ", ".join(map(str, others))
        )
    return due


def _write(output: Path | None, parts: Sequence[bytes]) -> None:
    """The first part to stdout, or every part atomically to :func:`part_paths` of ``output``:
    each a new or a regular file (a link is followed), else refused before any is written."""
    if output is None:
        click.echo(parts[0], nl=False)
        return
    targets = []
    for path in part_paths(output, len(parts)):
        try:
            real = Path(os.path.realpath(path))
            if not stat.S_ISREG(os.stat(real).st_mode):
                raise Failure(f"{path}: not a regular file; name a new file or a file to replace")
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            raise Failure(f"{shown(str(path))}: cannot write: {exc}") from None
        targets.append(real)
    for target, data in zip(targets, parts, strict=True):
        try:
            write_bytes_atomic(target, data)
        except OSError as exc:
            raise Failure(f"{target}: cannot write: {exc}") from None


def parse_time(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """``now`` or an ISO 8601 time; without an offset it is read in ``tz``."""
    if text.strip().lower() == "now":
        return now.astimezone(tz)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Failure(
            f"--at: expected an ISO 8601 time such as 2026-12-01T09:17+01:00, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise Failure(f"--at: out of range (years {EARLIEST_YEAR}-{LATEST_YEAR}): {shown(text)}")
    return moment.astimezone(tz).replace(microsecond=0)


@main.command(name="mark-published", short_help="Record pins as published.")
@config_option
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option(
    "--at",
    metavar="TIME",
    help="When the pins went up (ISO 8601, or 'now'); default: their planned time.",
)
def mark_published(config_file: str, ids: tuple[str, ...], at: str | None) -> None:
    """Record pins as published, so no export offers them again and no build moves them.

    Takes the pin ids from the calendar (e.g. blog/posts/my-post.md#2). All or nothing: an
    unknown id changes nothing. The calendar is rewritten atomically under a build's lock.
    """
    site = load_site(config_file)
    now = _now()
    with calendar_lock(site.calendar_path):
        calendar = _read(site)
        moment = None if at is None else parse_time(at, ZoneInfo(calendar.timezone), now)
        known = {pin.id for pin in calendar.pins}
        unknown = [i for i in dict.fromkeys(ids) if i not in known]
        if unknown:
            raise Failure(f"{site.calendar_path}: no pin with id {', '.join(map(repr, unknown))}")
        already = [pin.id for pin in calendar.pins if pin.id in ids and pin.published]
        write_calendar(site.calendar_path, _published(calendar, set(ids), moment))
    for pin_id in already:
        _say(f"{pin_id} was already published; left as it was")
    click.echo(f"{len(set(ids)) - len(already)} pins marked published in {site.calendar_path}")


def _published(calendar: Calendar, ids: Collection[str], moment: datetime | None) -> Calendar:
    """``calendar`` with its unpublished pins of ``ids`` published at ``moment`` (or as planned)."""
    pins = [
        replace(pin, status="published", publish_at=moment or pin.publish_at)
        if pin.id in ids and not pin.published
        else pin
        for pin in calendar.pins
    ]
    return replace(calendar, pins=sort_pins(pins))


@main.command(name="publish", short_help="Post the pins that are due through Pinterest's API.")
@config_option
@click.option(
    "--dry-run", is_flag=True, help="List what would be posted now; no network, no writes."
)
def publish_command(config_file: str, dry_run: bool) -> None:
    """Post every due pin through Pinterest API v5 and record it in the calendar.

    Keeps the spacing rules on the times pins actually go out (after an outage, one pin per
    min_gap across later runs), never posts a pin whose link is already on its board, and
    writes the calendar after each pin. Credentials come only from the environment:
    PINTEREST_ACCESS_TOKEN, or PINTEREST_APP_ID, PINTEREST_APP_SECRET and
    PINTEREST_REFRESH_TOKEN; PINTEREST_API_URL points at another API (the sandbox). Exits
    with 1 when a due pin was not posted (not for pins the spacing rules hold back).
    """
    from . import publish as uploader

    site = load_site(config_file)
    calendar = _read(site)
    if dry_run:
        click.echo("\n".join(uploader.dry_run(calendar, site.rules, _now())))
        return

    def say(line: str, err: bool = False) -> None:
        click.echo(line, err=err)

    raise SystemExit(uploader.run(site.calendar_path, site.rules, os.environ, _now, say))
