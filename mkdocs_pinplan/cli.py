"""The ``pinplan`` command: a second front door onto the same core.

Every verb reads the site's config file (for the plugin's options and the calendar's path) and the
calendar file, never builds the site, and reports bad input as one line per problem with
a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import click

from .build import build_now
from .calendar_file import EARLIEST_YEAR, LATEST_YEAR, read_calendar, write_calendar
from .errors import PinplanError, shown
from .export import due_pins, pins_within
from .export.csv import MAX_ROWS, export_csv
from .export.ics import export_ics
from .export.json import export_json
from .fs import calendar_lock, write_bytes_atomic
from .model import Calendar, CalendarPin, Post, Rules
from .schedule import evergreen_variants, plan, sort_pins, violations
from .site_config import CONFIG_NAMES, SiteConfig, find_config_file, read_site_config
from .site_pages import markdown_pages

if TYPE_CHECKING:
    from .filememo import FileMemo
    from .model import Post
    from .site_build import SiteFacts

F = TypeVar("F", bound=Callable[..., Any])
MAX_DAYS_AHEAD = 14
MAX_DAYS = 3660
"""Furthest ``--days`` reaches (ten years): far enough for any plan, never past the calendar."""
"""Furthest a CSV export reaches: sources give 14 or 30 days for Pinterest; the safe one."""


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
    options: Any
    """The pinplan plugin's validated ``PinplanConfig``."""
    rules: Rules
    calendar_path: Path
    warnings: tuple[str, ...]

    @property
    def calendar_name(self) -> str:
        return _display(self.calendar_path)


def _validated_options(raw: Mapping[str, Any], name: str) -> tuple[Any, list[str]]:
    """The plugin's options checked by its own schema: ``(options, warnings)``.

    Raises :class:`Failure` with every error, one per line.
    """
    try:
        from .config import PinplanConfig
    except ModuleNotFoundError as exc:
        raise Failure(
            f"{name}: reading the plugin's options needs mkdocs or properdocs installed ({exc})"
        ) from None
    options = PinplanConfig(config_file_path=name)
    options.load_dict(dict(raw))
    errors, warnings = options.validate()
    if errors:
        raise Failure("\n".join(f"{name}: plugins.pinplan.{key}: {e}" for key, e in errors))
    return options, [f"{name}: plugins.pinplan.{key}: {w}" for key, w in warnings]


def load_site(config_file: str | None) -> Site:
    """Load ``config_file`` (default: the first of mkdocs.yml, properdocs.yml and
    zensical.toml here) and validate the pinplan plugin's options in it, without MkDocs.

    Raises :class:`Failure` with every configuration error, one per line.
    """
    path = Path(config_file) if config_file else find_config_file()
    if path is None:
        raise Failure(
            f"no {', '.join(CONFIG_NAMES)} in this folder: run pinplan next to the site's "
            "config file, or name it with -f"
        )
    name = str(path)
    if not path.is_file():
        raise Failure(f"{name}: no such config file (use -f to name the config file)")
    try:
        cfg = read_site_config(path)
    except PinplanError as exc:
        raise Failure(str(exc)) from None
    if cfg.pinplan is None:
        table = "a [project.plugins.pinplan] table" if path.suffix == ".toml" else "- pinplan"
        raise Failure(f"{name}: plugins: the pinplan plugin is not listed (add {table})")
    options, warnings = _validated_options(cfg.pinplan, name)
    from .config import rules_from_config

    try:
        rules = rules_from_config(options.schedule)
    except ValueError as exc:
        raise Failure(f"{name}: plugins.pinplan.schedule: {exc}") from None
    calendar_path = path.resolve().parent / options.calendar
    return Site(path, cfg, options, rules, calendar_path, tuple(warnings))


def _now() -> datetime:
    try:
        return build_now()
    except ValueError as exc:
        raise Failure(str(exc)) from None


def _read(site: Site) -> Calendar:
    """The site's calendar; a missing one is an error for the verbs that need one."""
    try:
        calendar = read_calendar(site.calendar_path)
    except PinplanError as exc:
        raise Failure(str(replace_file(exc, site.calendar_name))) from None
    if calendar is None:
        raise Failure(
            f"{site.calendar_name}: no calendar yet; run `mkdocs build` (or `pinplan build`) first"
        )
    return calendar


def replace_file(error: PinplanError, file: str) -> PinplanError:
    """The same error, naming ``file`` as the user wrote it."""
    return PinplanError(file, error.field, error.message)


def _config_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A verb's ``-f``, else the one given before the verb."""
    if value is None and ctx.parent is not None:
        return ctx.parent.params.get("config_file")
    return value


CONFIG_HELP = "The site's config file (default: mkdocs.yml, properdocs.yml or zensical.toml)."


def config_option(func: F) -> F:
    """The ``-f/--config-file`` option every verb takes, as ``mkdocs`` does."""
    return click.option(
        "-f",
        "--config-file",
        default=None,
        metavar="FILE",
        callback=_config_file,
        help=CONFIG_HELP,
    )(func)


def days_option(func: F) -> F:
    return click.option(
        "--days",
        type=click.IntRange(min=1, max=MAX_DAYS),
        default=None,
        help="How many days ahead, from now (default: schedule.horizon_days).",
    )(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mkdocs-pinplan")
@click.option("-f", "--config-file", default=None, metavar="FILE", help=CONFIG_HELP)
def main(config_file: str | None) -> None:
    """Check, show, export and mark published the pins planned by mkdocs-pinplan.

    "Now" is the clock, or SOURCE_DATE_EPOCH when that is set.
    """


def _post_problems(site: Site, found: list[Post] | None = None) -> tuple[int, list[str]]:
    """Problems in the front-matter of every page that is a post: ``(posts, lines)``; the
    posts read go into ``found`` when given."""
    from .posts import markdown_body, parse_front_matter, read_body, read_post

    docs_dir = Path(site.config.docs_dir)
    globs = site.options.posts or post_globs(site.config)
    shown_docs = _display(docs_dir)
    lines: list[str] = []
    posts = 0
    for src in markdown_pages(docs_dir):
        shown = f"{shown_docs}/{src}"
        is_post = any(fnmatch.fnmatchcase(src, g) for g in globs)
        try:
            text = (docs_dir / src).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            if is_post:
                lines.append(f"{shown}: cannot be read: {exc}")
            continue
        try:
            meta = parse_front_matter(text, shown)
        except PinplanError as exc:
            if is_post or "pinplan" in text[:2000]:
                lines.append(str(exc))
            continue
        body = markdown_body(text)
        reading = read_post(
            src,
            meta,
            url="",
            docs_dir=docs_dir,
            # As MkDocs titles a page: its first top-level heading, else its file name.
            default_title=read_body(body).h1 or Path(src).stem,
            default_slug=Path(src).stem,
            is_post_path=is_post,
            body=body,
        )
        if reading.post is not None and not reading.post.draft:
            posts += 1
            if found is not None:
                found.append(reading.post)
        lines.extend(str(replace_file(p, shown)) for p in reading.problems)
    return posts, lines


def post_globs(config: SiteConfig) -> list[str]:
    """The blog's posts when the blog plugin is on, else ``blog/posts/**`` (as the plugin)."""
    return config.blog.post_globs() if config.blog is not None else ["blog/posts/**"]


@main.command(short_help="Validate config, front-matter and calendar.")
@config_option
def check(config_file: str) -> None:
    """Validate the config, every post's front-matter and the calendar.

    Prints one line per problem (file: field: what is wrong) and exits with 1 if there
    is any. Scheduled pins that break the spacing rules (a hand edit, or rules changed
    since they were placed) are listed too: delete such an entry and the next build
    places the pin again. So are pins Pinterest refused (failed), with its message.
    """
    from .config import calendar_place_problem, site_url_problem

    site = load_site(config_file)
    problems = list(site.warnings)
    name = str(site.config_file)
    place = calendar_place_problem(
        site.options.calendar,
        site.calendar_path,
        docs_dir=Path(site.config.docs_dir),
        site_dir=Path(site.config.site_dir),
    )
    for problem in (site_url_problem(site.config.site_url), place and f"plugins.pinplan.{place}"):
        if problem:
            problems.append(f"{name}: {problem}")
    found: list[Post] = []
    posts, lines = _post_problems(site, found)
    problems.extend(lines)
    problems.extend(_build_problems(found, site))
    pins = 0
    try:
        calendar = read_calendar(site.calendar_path)
    except PinplanError as exc:
        problems.append(str(replace_file(exc, site.calendar_name)))
        calendar = None
    if calendar is not None:
        pins = len(calendar.pins)
        problems.extend(f"{site.calendar_name}: {v}" for v in violations(calendar, site.rules))
        problems.extend(
            f"{site.calendar_name}: {pin.id}: Pinterest refused it: {pin.error or 'no message'}"
            " (change the post and the next build plans it again)"
            for pin in calendar.pins
            if pin.failed
        )
    for line in problems:
        click.echo(line)
    _title_hint(found, site)
    if problems:
        raise SystemExit(1)
    click.echo(f"pinplan check: {posts} posts, {pins} pins on the calendar, no problems", err=True)


def _build_problems(posts: Sequence[Post], site: Site) -> list[str]:
    """What a build of ``posts`` would refuse or warn about, found by doing its work: the
    fonts checked, every pin drawn (from the render cache where it can be; photos decoded in
    full) into a folder removed afterwards, and planned. Only the render cache is written."""
    from .build import run_build
    from .site_build import SiteFacts, pin_settings

    cfg = site.config
    root = site.config_file.resolve().parent
    docs = _display(Path(cfg.docs_dir))
    with tempfile.TemporaryDirectory(prefix="pinplan-check-") as tmp:
        facts = SiteFacts(root, Path(tmp), cfg.site_url, cfg.site_name)
        try:
            settings = pin_settings(site.options, facts)
            report = run_build(
                posts,
                settings=settings,
                rules=site.rules,
                site_dir=Path(tmp) / "site",
                calendar_path=Path(tmp) / "calendar.json",  # the real one is checked apart
                now=_now(),
                write=False,
                cache_dir=root / site.options.cache_dir,
                workers=site.options.workers or (os.cpu_count() or 1),
            )
        except PinplanError as exc:
            # A post that cannot be drawn is named as the front-matter problems are.
            post = not Path(exc.file).is_absolute()
            return [str(replace_file(exc, f"{docs}/{exc.file}") if post else exc)]
        except ValueError:
            return []  # a bad layout or SOURCE_DATE_EPOCH: reported by the config check
    refused = [str(replace_file(p, f"{docs}/{p.file}")) for p in report.refused]
    return [*refused, *(f"{docs}/{warning}" for warning in report.render.warnings)]


def _title_hint(posts: Sequence[Post], site: Site) -> None:
    """A friendly note (not a problem) naming the posts whose own text gives fewer distinct
    pin titles than they have pins: their pins share one headline, and without more text
    some are left out rather than titled with filler."""
    from .pins import thin_titles

    thin = thin_titles(posts, site.options.pins_per_post)
    if not thin:
        return
    docs = _display(Path(site.config.docs_dir))
    click.echo(
        f"pinplan check: hint: {len(thin)} posts would gain from their own pinplan.titles "
        "(one headline per pin):",
        err=True,
    )
    for post, titles, pins in thin:
        click.echo(
            f"  {docs}/{post.src_path}: its text gives {titles} of {pins} pin titles", err=True
        )


@main.command(short_help="Pins, calendar and preview for a site already built.")
@config_option
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
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
    page must be in the built site with the canonical link its URL implies: otherwise
    nothing is written and each such post is named on one line.
    """
    from .site_build import SiteFacts

    site = load_site(config_file)
    if not site.options.enabled:
        _say(f"{site.config_file}: plugins.pinplan.enabled is false: nothing done")
        return
    cfg = site.config
    root = site.config_file.resolve().parent
    facts = SiteFacts(root, site_dir or Path(cfg.site_dir), cfg.site_url, cfg.site_name)
    posts, memo, warnings = _built_posts(site, facts)
    for line in warnings:
        _say(f"warning: {line}")
    if strict and warnings:
        raise Failure(f"{len(warnings)} warnings in strict mode: nothing written")
    try:
        written = _render_plan_write(site, facts, posts, memo, strict)
    except (PinplanError, OSError, ValueError) as exc:
        raise Failure(str(exc)) from None
    _say(f"{site.calendar_name} " + ("updated" if written else "unchanged"))


def _render_plan_write(
    site: Site, facts: SiteFacts, posts: list[Post], memo: FileMemo, strict: bool
) -> bool:
    """Render, plan, report and write the preview, then (unless ``strict`` and something
    warned) the calendar, as under ``mkdocs build``. Returns whether the calendar changed."""
    from .build import write_planned_calendar
    from .site_build import finish_site_build, run_site_build

    warned: list[str] = []

    def warn(line: str) -> None:
        warned.append(line)
        _say(f"warning: {line}")

    now = build_now()
    options, rules = site.options, site.rules
    report = run_site_build(
        posts, options, facts, rules=rules, now=now, write=False, memo=memo, info=_say, warn=warn
    )
    where = f"{site.calendar_name} written once the build succeeds"
    finish_site_build(
        report,
        posts,
        options,
        facts,
        rules=rules,
        now=now,
        where=where,
        live=False,
        info=_say,
        warn=warn,
    )
    if strict and warned:
        raise Failure(f"{len(warned)} warnings in strict mode: the calendar is unchanged")
    return write_planned_calendar(report, rules, site.calendar_path, now).calendar_written


def _say(line: str) -> None:
    click.echo(f"pinplan: {line}", err=True)


def _built_posts(site: Site, facts: SiteFacts) -> tuple[list[Post], FileMemo, list[str]]:
    """The site's posts, the build's file memo and the content problems, once every post is
    known to have its page in the built site (:class:`Failure` otherwise)."""
    from .config import calendar_place_problem, site_url_problem
    from .images import image_size_memo
    from .posts import PostImages
    from .site_pages import missing_pages, read_site_posts

    cfg, name = site.config, str(site.config_file)
    place = calendar_place_problem(
        site.options.calendar,
        site.calendar_path,
        docs_dir=Path(cfg.docs_dir),
        site_dir=facts.site_dir,
    )
    problem = (place and f"plugins.pinplan.{place}") or site_url_problem(cfg.site_url)
    if problem:
        raise Failure(f"{name}: {problem}")
    if not facts.site_dir.is_dir():
        raise Failure(f"{facts.site_dir}: no built site here; build the site first")
    memo = image_size_memo(facts.root / site.options.cache_dir)
    globs = site.options.posts or post_globs(cfg)
    images = PostImages(Path(cfg.docs_dir), memo)
    # The clock, not SOURCE_DATE_EPOCH: it is what the blog plugin judged future posts by.
    now = datetime.now(timezone.utc)
    found, problems = read_site_posts(cfg, globs, now, images)
    shown = _display(Path(cfg.docs_dir))
    warnings = [str(replace_file(p, f"{shown}/{p.file}")) for p in problems]
    missing = missing_pages(cfg, found, facts.site_dir, _display(facts.site_dir))
    if missing:
        raise Failure("\n".join(f"{shown}/{line}" for line in missing))
    return [item.post for item in found], memo, warnings


def _table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    top = "  ".join(c.ljust(w) for c, w in zip(header, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    return "\n".join(line.rstrip() for line in [top, rule, *lines])


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@main.command(short_help="The upcoming pins as a table.")
@config_option
@days_option
def show(config_file: str, days: int | None) -> None:
    """The pins due in the next days as a table, in the calendar's time zone, then the
    queue: the pins waiting for a slot, at the dates they are projected to get one.

    Scheduled pins whose time has passed are listed first as "overdue": mark them
    published once they are up on Pinterest. Projected dates are estimates worked out
    from the posts as they are now; the next build commits the window's share of them.
    """
    site = load_site(config_file)
    calendar = _read(site)
    now = _now()
    span = days or site.rules.horizon_days
    tz = ZoneInfo(calendar.timezone)
    overdue = [p for p in calendar.pins if p.status == "scheduled" and p.publish_at < now]
    upcoming = pins_within(calendar.pins, now, span)
    queue = _queue(site, calendar, now)
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
    header = (f"When ({calendar.timezone})", "Status", "Board", "Title", "Id")
    until = (now + timedelta(days=span)).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if rows:
        click.echo(_table(rows, header))
    last = queue[-1].publish_at.astimezone(tz).strftime("%Y-%m-%d") if queue else ""
    click.echo(
        f"{len(upcoming)} pins until {until}"
        + (f", {len(overdue)} overdue" if overdue else "")
        + f"; {len(calendar.pins)} on the calendar"
        + (f"; {len(queue)} queued (projected until {last})" if queue else "; nothing queued")
    )


QUEUE_ROWS = 20
"""Queued pins ``show`` lists without ``--days``."""


def _queue(site: Site, calendar: Calendar, now: datetime) -> tuple[CalendarPin, ...]:
    """The pins waiting for a slot, at their projected times, as a build would plan them
    now (titles as close as the command can tell without building the site)."""
    from .pins import make_pin_specs
    from .site_build import SiteFacts, pin_settings

    posts: list[Post] = []
    _post_problems(site, posts)
    cfg = site.config
    root = site.config_file.resolve().parent
    facts = SiteFacts(root, Path(cfg.site_dir), cfg.site_url, cfg.site_name)
    settings = pin_settings(site.options, facts)
    specs = make_pin_specs(posts, settings)
    extra = evergreen_variants(specs, calendar, site.rules, now)
    if extra:
        specs = make_pin_specs(posts, settings, extra)
    return plan(specs, site.rules, calendar, now).queue


def part_paths(path: Path, count: int) -> list[Path]:
    """Where the parts of a split export go: ``out.csv``, ``out-2.csv``, ``out-3.csv`` …"""
    return [path] + [path.with_name(f"{path.stem}-{n}{path.suffix}") for n in range(2, count + 1)]


def _write(path: Path, data: bytes) -> None:
    try:
        write_bytes_atomic(path, data)
    except OSError as exc:
        raise Failure(f"{path}: cannot write: {exc}") from None


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
    # Not click.Path: it stats the name itself and fails on a NUL in it; _target checks it.
    callback=lambda ctx, param, value: None if value is None else Path(value),
    default=None,
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

    csv and json hold the scheduled pins due from now to --days ahead (csv: at most 14,
    as Pinterest schedules no further). Pinterest takes at most 100 rows per CSV file,
    so more pins are split: with -o out.csv into out.csv, out-2.csv, out-3.csv … (other
    files are never removed: older extra parts are named on stderr); on stdout only the
    first 100 are written and a note on stderr says how many are left. ics holds every
    pin on the calendar (published too), or with --days the pins of that many days ahead.

    With --mark-published (csv only) the rows written are recorded as published in the
    calendar, atomically and under the lock a build holds.
    """
    site = load_site(config_file)
    now = _now()
    span = days or site.rules.horizon_days
    if mark_published:
        if fmt != "csv":
            raise Failure("--mark-published: only with --format csv")
        _export_and_mark(site, now, span, output)
        return
    calendar = _read(site)
    if fmt == "ics":
        pins = calendar.pins if days is None else tuple(pins_within(calendar.pins, now, days))
        _emit(output, export_ics(pins, now))
        return
    if fmt == "csv" and span > MAX_DAYS_AHEAD:
        raise Failure(
            f"--days: Pinterest schedules pins at most {MAX_DAYS_AHEAD} days ahead, got {span}"
        )
    due = due_pins(calendar, now, span)
    if fmt == "json":
        _emit(output, export_json(calendar, due).encode("utf-8"))
        return
    _write_csv(due, output, span)


def _export_and_mark(site: Site, now: datetime, span: int, output: Path | None) -> None:
    """The CSV workflow: export the due pins and record the rows written as published."""
    if span > MAX_DAYS_AHEAD:
        raise Failure(
            f"--days: Pinterest schedules pins at most {MAX_DAYS_AHEAD} days ahead, got {span}"
        )
    try:
        with calendar_lock(site.calendar_path):
            calendar = _read(site)
            handed = _write_csv(due_pins(calendar, now, span), output, span)
            updated, changed, _ = _marked(calendar, [pin.id for pin in handed], None)
            write_calendar(site.calendar_path, updated)
    except PinplanError as exc:
        raise Failure(str(exc)) from None
    click.echo(
        f"pinplan: {len(changed)} exported pins recorded as published in {site.calendar_name}",
        err=True,
    )


def _write_csv(due: list[CalendarPin], output: Path | None, span: int) -> list[CalendarPin]:
    """Write ``due`` as Pinterest's bulk CSV to ``output`` (or stdout); returns the pins
    written (stdout takes only the first part)."""
    parts = [part.encode("utf-8") for part in export_csv(due)]
    if output is None:
        _emit(None, parts[0])
        if len(parts) > 1:
            click.echo(
                f"pinplan: {len(due)} pins are due; stdout holds the first {MAX_ROWS} "
                f"(Pinterest takes {MAX_ROWS} rows per file). Use -o FILE to write all "
                f"{len(parts)} parts.",
                err=True,
            )
        return due[:MAX_ROWS]
    paths = part_paths(output, len(parts))
    targets = [_target(path) for path in paths]
    for target, data in zip(targets, parts, strict=True):
        _write(target, data)
    # Files we did not write in this run are never removed, but an old part left next to
    # the new ones would upload its pins twice: name them.
    others = [p for p in part_paths(output, len(parts) + 50)[len(parts) :] if os.path.lexists(p)]
    names = ", ".join(str(p) for p in paths)
    click.echo(f"pinplan: {len(due)} pins due within {span} days → {names}", err=True)
    if others:
        click.echo(
            f"pinplan: not from this export, left as they are (do not upload them): "
            f"{', '.join(str(p) for p in others)}",
            err=True,
        )
    return due


def _emit(output: Path | None, data: bytes) -> None:
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        _write(_target(output), data)


def _target(path: Path) -> Path:
    """Where writing ``path`` goes: the path itself when new, the regular file it names (a
    symbolic link is followed). Anything else (a folder, a device, a pipe) is refused."""
    try:
        real = Path(os.path.realpath(path))
        st = os.stat(real)
    except FileNotFoundError:
        return real
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise Failure(f"{shown(str(path))}: cannot write: {exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise Failure(f"{path}: not a regular file; name a new file or a file to replace")
    return real


def parse_time(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """``now`` or an ISO 8601 time; without an offset it is read in ``tz``."""
    if text.strip().lower() == "now":
        return now.astimezone(tz)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
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
    "at",
    default=None,
    metavar="TIME",
    help="When the pins went up (ISO 8601, or 'now'); default: their planned time.",
)
def mark_published(config_file: str, ids: tuple[str, ...], at: str | None) -> None:
    """Record pins as published, so no export offers them again and no build moves them.

    Takes the pin ids from the calendar (e.g. blog/posts/my-post.md#2). All or nothing:
    an unknown id changes nothing. The calendar is rewritten atomically under the same
    lock a build holds.
    """
    site = load_site(config_file)
    now = _now()
    try:
        with calendar_lock(site.calendar_path):
            calendar = _read(site)
            tz = ZoneInfo(calendar.timezone)
            moment = parse_time(at, tz, now) if at is not None else None
            known = {pin.id for pin in calendar.pins}
            unknown = [i for i in dict.fromkeys(ids) if i not in known]
            if unknown:
                raise Failure(
                    f"{site.calendar_name}: no pin with id {', '.join(map(repr, unknown))}"
                )
            updated, changed, already = _marked(calendar, ids, moment)
            write_calendar(site.calendar_path, updated)
    except PinplanError as exc:
        raise Failure(str(exc)) from None
    for pin_id in already:
        click.echo(f"pinplan: {pin_id} was already published; left as it was", err=True)
    click.echo(f"{len(changed)} pins marked published in {site.calendar_name}")


def _marked(
    calendar: Calendar, ids: Sequence[str], moment: datetime | None
) -> tuple[Calendar, list[CalendarPin], list[str]]:
    """``calendar`` with the pins ``ids`` published (at ``moment``, or their planned time);
    also the pins changed and the ids that were published already."""
    wanted = set(ids)
    changed: list[CalendarPin] = []
    already: list[str] = []
    pins: list[CalendarPin] = []
    for pin in calendar.pins:
        if pin.id in wanted and pin.published:
            already.append(pin.id)
        elif pin.id in wanted:
            pin = replace(pin, status="published", publish_at=moment or pin.publish_at)
            changed.append(pin)
        pins.append(pin)
    return replace(calendar, pins=sort_pins(pins)), changed, already


@main.command(name="publish", short_help="Post the pins that are due through Pinterest's API.")
@config_option
@click.option(
    "--dry-run", is_flag=True, help="List what would be posted now; no network, no writes."
)
def publish_command(config_file: str, dry_run: bool) -> None:
    """Post every due pin through Pinterest API v5 and record it in the calendar.

    Keeps the spacing rules on the times pins actually go out (after an outage, one pin
    per min_gap across later runs), never posts a pin whose link is already on its
    board, and writes the calendar after each pin. Credentials come only from the
    environment: PINTEREST_ACCESS_TOKEN, or PINTEREST_APP_ID, PINTEREST_APP_SECRET and
    PINTEREST_REFRESH_TOKEN; PINTEREST_API_URL points at another API (the sandbox).
    Exits with 1 when a due pin was not posted (not for pins the spacing rules hold back).
    """
    from . import publish as uploader

    site = load_site(config_file)
    calendar = _read(site)
    if dry_run:
        for line in uploader.dry_run(calendar, site.rules, _now()):
            click.echo(line)
        return

    def say(line: str, err: bool = False) -> None:
        click.echo(line, err=err)

    try:
        status = uploader.run(
            site.calendar_path, site.rules, os.environ, uploader.second_clock(_now), say
        )
    except PinplanError as exc:
        raise Failure(str(replace_file(exc, site.calendar_name))) from None
    raise SystemExit(status)
