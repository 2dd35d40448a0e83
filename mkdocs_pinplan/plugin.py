"""The MkDocs plugin: translates MkDocs events into calls of the core, nothing else."""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal, NamedTuple
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from .build import build_now, run_build
from .config import (
    PinplanConfig,
    config_dir,
    default_post_globs,
    palettes_from_config,
    rules_from_config,
)
from .errors import PinplanError
from .model import Brand, Post
from .pins import PinSettings
from .posts import PostImages, parse_front_matter, read_post
from .preview import write_preview
from .render.cache import PinCache
from .render.progress import ProgressReport
from .schedule import collector_paused

log = get_plugin_logger(__name__)


def site_name_for_pins(config: MkDocsConfig, name: str | None) -> str:
    """The footer text: the brand name, else the site's domain, else ``site_name``."""
    if name:
        return name
    host = urlsplit(config.site_url or "").hostname or ""
    return host.removeprefix("www.") or config.site_name


class _PageFacts(NamedTuple):
    """What the plugin needs of a page to read it as a post."""

    src: str
    meta: Mapping[str, object]
    url: str
    title: str
    is_post: bool
    markdown: str
    """The page's Markdown without front-matter: photos and title texts come from it."""


class PinplanPlugin(BasePlugin[PinplanConfig]):
    """Renders Pinterest pins for blog posts and keeps a spam-safe publishing calendar."""

    def __init__(self) -> None:
        self.is_serve = False
        self.posts: list[Post] = []
        self.pages: list[_PageFacts] = []
        self.globs: list[str] = []
        self._enabled = True
        self._is_post: Callable[[str], object] = lambda src: None
        self.images: PostImages | None = None
        self.docs_dir = Path()
        self.lang = "en"

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.is_serve = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        # Per-build state is reset here: under `mkdocs serve` the plugin object lives on.
        self.posts = []
        self.pages = []
        # Read once: MkDocs' config attribute access costs more than the rest of a page's turn.
        self._enabled = bool(self.config.enabled)
        if not self._enabled:
            return None
        self.globs = self.config.posts or default_post_globs(config)
        # One regular expression for all the globs (fnmatch's own translation, case-sensitive).
        self._is_post = re.compile("|".join(fnmatch.translate(g) for g in self.globs)).match
        root = config_dir(config)
        # One per build: it resolves each folder once and remembers which images passed
        # (in the cache, beside the file hashes the renderer keeps).
        self.docs_dir = Path(config.docs_dir)
        self.images = PostImages(self.docs_dir, PinCache(root / self.config.cache_dir).memo())
        self.lang = str(config.theme.get("language", "en") or "en")
        calendar = (root / self.config.calendar).resolve()
        docs = self.docs_dir.resolve()
        if calendar == docs or docs in calendar.parents:
            raise PluginError(
                f"pinplan: calendar: {self.config.calendar} lies inside docs_dir; "
                "keep it next to mkdocs.yml (rewriting docs would loop `mkdocs serve`)"
            )
        if not config.site_url:
            log.warning(
                "site_url is not set in mkdocs.yml: pin links and media URLs are not absolute, "
                "so Pinterest cannot use them"
            )
        return None

    # After Material's blog plugin (-100 on on_page_context): titles, URLs and meta are final.
    @event_priority(-100)
    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        if not self._enabled:
            return None
        src = page.file.src_uri
        is_post = self._is_post(src) is not None
        meta = page.meta
        if not meta and (page.markdown or "").lstrip("\ufeff").startswith("---"):
            # MkDocs drops front-matter it cannot parse without a word; say what broke.
            try:
                meta = parse_front_matter(page.markdown or "", src)
            except PinplanError as exc:
                if is_post or "pinplan" in (page.markdown or "")[:2000]:
                    log.warning(str(exc))
                return None
        # Only noted here; read in on_post_build, all in one go (much cheaper than reading
        # one post between two pages that MkDocs renders).
        self.pages.append(
            _PageFacts(
                src,
                meta,
                page.canonical_url or "/" + page.url,
                page.title or "",
                is_post,
                page.markdown or "",
            )
        )
        return None

    def _read_posts(self) -> list[Post]:
        """The posts among the pages noted in ``on_page_context``; warns about their problems."""
        posts: list[Post] = []
        for page in self.pages:
            reading = read_post(
                page.src,
                page.meta,
                url=page.url,
                docs_dir=self.docs_dir,
                default_title=page.title,
                default_slug=posixpath.splitext(posixpath.basename(page.src))[0],
                default_lang=self.lang,
                is_post_path=page.is_post,
                images=self.images,
                body=page.markdown,
            )
            for problem in reading.problems:
                log.warning(str(problem))
            if reading.post is not None and not reading.post.draft:
                posts.append(reading.post)
        return posts

    # Last: every page has been read and the site directory is complete.
    @event_priority(-100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self._enabled:
            return
        # By now the process holds every page of the site. A warm build of a few hundred
        # posts makes tens of thousands of short-lived objects, freed by reference counting;
        # a full collection they happened to trigger would walk that whole heap (0.1-0.25 s
        # for a 240-post blog, more than all of pinplan's own work) and free nothing of ours.
        with collector_paused():
            self._post_build(config)

    def _post_build(self, config: MkDocsConfig) -> None:
        self.posts = self._read_posts()
        root = config_dir(config)
        brand_cfg = self.config.brand
        brand = Brand(
            name=site_name_for_pins(config, brand_cfg.name),
            logo=(root / brand_cfg.logo) if brand_cfg.logo else None,
            font=(root / brand_cfg.font) if brand_cfg.font else None,
            font_bold=(root / brand_cfg.font_bold) if brand_cfg.font_bold else None,
            fallback_fonts=tuple(root / f for f in brand_cfg.fallback_fonts),
        )
        settings = PinSettings(
            site_url=config.site_url or "",
            brand=brand,
            pins_per_post=self.config.pins_per_post,
            board=self.config.board,
            layouts=tuple(self.config.layouts),
            palettes=palettes_from_config(brand_cfg.colors),
            image_format=self.config.image_format,
            quality=self.config.quality,
        )
        calendar_path = root / self.config.calendar
        rules = rules_from_config(self.config.schedule)
        try:
            now = build_now()
            report = run_build(
                self.posts,
                settings=settings,
                rules=rules,
                site_dir=Path(config.site_dir),
                calendar_path=calendar_path,
                now=now,
                write=not self.is_serve,
                cache_dir=root / self.config.cache_dir,
                workers=self.config.workers or (os.cpu_count() or 1),
                memo=self.images.memo if self.images is not None else None,
                progress=ProgressReport(log.info),
            )
        except (PinplanError, ValueError) as exc:
            raise PluginError(f"pinplan: {exc}") from None
        for warning in report.render.warnings:
            log.warning(warning)
        for problem in report.refused:
            log.warning(str(problem))
        for note in report.notes:
            log.info(note)
        upcoming = {p.id for p in report.calendar.pins if p.publish_at >= now}
        for violation in report.violations:
            # Kept in its slot (SPEC rule 6), but a hand edit or a rule change deserves a word.
            if violation.pin_id in upcoming:
                log.warning(
                    f"{self.config.calendar}: {violation} (kept in its slot; delete the entry "
                    "to have the next build place it again)"
                )
        where = (
            "not written (serve)"
            if self.is_serve
            else (
                f"{self.config.calendar} " + ("updated" if report.calendar_written else "unchanged")
            )
        )
        log.info(
            f"{len(report.specs)} pins for {len(self.posts)} posts: "
            f"{report.render.rendered} rendered, {report.render.cached} cached "
            f"in {report.render.seconds:.2f}s; {len(report.calendar.pins)} on the calendar, {where}"
        )
        if self.config.preview:
            # Written here, not as a MkDocs page, so it stays out of the nav, search and sitemap;
            # under `mkdocs serve` it shows the planned but unsaved calendar.
            write_preview(
                Path(config.site_dir),
                report.calendar,
                rules,
                specs=report.specs,
                posts=self.posts,
                now=now,
                site_name=config.site_name,
                live=self.is_serve,
                placed={spec.image_path for spec in report.specs},
            )
