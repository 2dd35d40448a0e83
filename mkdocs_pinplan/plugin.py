"""The MkDocs plugin: translates MkDocs events into calls of the core, nothing else."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from .build import BuildReport, SiteBuild, SiteFacts, build_now
from .config import (
    PinplanConfig,
    config_dir,
    default_post_globs,
    rules_from_config,
    site_problems,
)
from .errors import PinplanError
from .images import image_size_memo
from .model import Post
from .posts import PostImages, parse_front_matter, read_post
from .schedule import collector_paused

log = get_plugin_logger(__name__)


class PinplanPlugin(BasePlugin[PinplanConfig]):
    """Renders Pinterest pins for blog posts and keeps a spam-safe publishing calendar."""

    def __init__(self) -> None:
        self.is_serve = False
        # Each page as on_page_context saw it: its meta (maybe read again) and whether a glob
        # names it a post.
        self.pages: list[tuple[Page, Mapping[str, object], bool]] = []
        self._enabled = True
        self._is_post: Callable[[str], object] = lambda src: None
        self.images = PostImages(Path())
        self.dirty = False
        # Under the `mkdocs` command the calendar is written in on_shutdown, once the build
        # (and --strict's count of warnings, made after on_post_build) has succeeded.
        self._deferred = False
        self._pending: Callable[[], BuildReport] | None = None

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.is_serve = command == "serve"
        self.dirty = dirty
        self._deferred = True

    def on_build_error(self, *, error: Exception) -> None:
        if self._pending is not None:
            self._pending = None
            log.info(f"{self.config.calendar} unchanged: the build failed")

    def on_shutdown(self) -> None:
        # The build has succeeded: write the calendar it planned.
        self._deferred = False
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            written = pending().calendar_written
        except (PinplanError, OSError, ValueError) as exc:
            raise PluginError(f"pinplan: {exc}") from None
        log.info(f"{self.config.calendar} " + ("updated" if written else "unchanged"))

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        # Per-build state is reset here: under `mkdocs serve` the plugin object lives on.
        self.pages = []
        self._pending = None
        # Read once: MkDocs' config attribute access costs more than the rest of a page's turn.
        self._enabled = bool(self.config.enabled)
        if not self._enabled:
            return None
        # `mkdocs serve --clean` starts as a build, then points site_url at its own address:
        # a calendar written from it would link every pin to localhost.
        host, port = config.dev_addr
        if urlsplit(config.site_url or "").netloc == f"{host}:{port}":
            self.is_serve = True
        globs = self.config.posts or default_post_globs(config)
        # One regular expression for all the globs (fnmatch's own translation, case-sensitive).
        self._is_post = re.compile("|".join(fnmatch.translate(g) for g in globs)).match
        root = config_dir(config)
        # One per build: it resolves each folder once and remembers which images passed
        # (in the cache, beside the file hashes the renderer keeps).
        docs_dir = Path(config.docs_dir)
        self.images = PostImages(docs_dir, image_size_memo(root / self.config.cache_dir))
        problems = site_problems(
            self.config.calendar,
            config.site_url,
            root=root,
            docs_dir=docs_dir,
            site_dir=Path(config.site_dir),
        )
        if problems:
            raise PluginError(f"pinplan: {problems[0]}")
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
        self.pages.append((page, meta, is_post))
        return None

    def _read_posts(self, config: MkDocsConfig) -> list[Post]:
        """The posts among the pages noted in ``on_page_context``; warns about their problems."""
        posts: list[Post] = []
        lang = str(config.theme.get("language", "en") or "en")
        for page, meta, is_post in self.pages:
            src = page.file.src_uri
            reading = read_post(
                src,
                meta,
                url=page.canonical_url or "/" + page.url,
                docs_dir=Path(config.docs_dir),
                default_title=page.title or "",
                default_slug=posixpath.splitext(posixpath.basename(src))[0],
                default_lang=lang,
                is_post_path=is_post,
                images=self.images,
                body=page.markdown or "",
            )
            for problem in reading.problems:
                log.warning(str(problem))
            if reading.post is not None and not reading.post.draft:
                posts.append(reading.post)
        return posts

    # Last: every page has been read and the site directory is complete.
    @event_priority(-100)
    # By now the process holds every page of the site. A warm build of a few hundred posts
    # makes tens of thousands of short-lived objects, freed by reference counting; a full
    # collection they happened to trigger would walk that whole heap (0.1-0.25 s for a
    # 240-post blog, more than all of pinplan's own work) and free nothing of ours.
    @collector_paused()
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self._enabled:
            return
        posts = self._read_posts(config)
        site = SiteFacts(
            config_dir(config), Path(config.site_dir), config.site_url, config.site_name
        )
        try:
            build = SiteBuild(
                posts,
                self.config,
                site,
                rules_from_config(self.config.schedule),
                build_now(),
                info=log.info,
                warn=log.warning,
            )
            report = build.run(self.images.memo)
        except (PinplanError, ValueError) as exc:
            raise PluginError(f"pinplan: {exc}") from None
        if self.dirty:
            # A --dirty build sees only the pages that changed: planning from those would drop
            # every other post's pins, so the calendar and the preview are left as they are.
            log.info(
                f"{len(report.specs)} pins for {len(posts)} changed posts; "
                f"{self.config.calendar} and the preview left as they are (--dirty sees only "
                "changed pages; a full build plans the calendar)"
            )
            return
        if self.is_serve:
            build.finish(report, where="not written (serve)", live=True)
            return
        build.finish(report, where=f"{self.config.calendar} written once the build succeeds")
        self._pending = partial(build.write_calendar, report)
        if not self._deferred:
            # No on_startup (MkDocs' Python API), so no on_shutdown either: write it now.
            self.on_shutdown()
