"""A site's posts read from its Markdown sources, without the site generator: each page's
front-matter, title and the URL the generator gave it, checked against the built site."""

from __future__ import annotations

import fnmatch
import html
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urljoin

from .errors import PinplanError, Problem
from .model import Post
from .posts import (
    PostImages,
    markdown_body,
    parse_datetime,
    parse_front_matter,
    read_body,
    read_post,
)
from .site_config import SiteConfig
from .site_urls import blog_post_src, page_file, page_url

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")
_CANONICAL = re.compile(r"<link\b[^>]*\brel=[\"']?canonical\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"\bhref=(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)


def markdown_pages(docs_dir: Path) -> list[str]:
    """Every Markdown page under ``docs_dir`` (``/``-separated, sorted), leaving out dot
    files and folders as MkDocs does."""
    pages: list[str] = []
    for root, dirs, files in os.walk(docs_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in files:
            if file.endswith(MARKDOWN_SUFFIXES) and not file.startswith("."):
                pages.append((Path(root) / file).relative_to(docs_dir).as_posix())
    return sorted(pages)


def page_title(src: str, meta: dict[str, object], body: str) -> str:
    """The title MkDocs gives a page: ``title`` in the front-matter, else the first level-1
    heading of its ``body``, else one made of the file name."""
    title = meta.get("title")
    if isinstance(title, str) and title.strip():
        return title
    heading = read_body(body).h1
    if heading:
        return heading
    stem = Path(src).stem
    if stem in ("index", "README"):
        stem = Path(src).parent.name or "Home"
    name = stem.replace("-", " ").replace("_", " ")
    return name.capitalize() if name.lower() == name else name


@dataclass(frozen=True)
class SitePost:
    """A post and the page the generator built for it."""

    post: Post
    page: str
    """The built page's path relative to site_dir."""


def _page_url(site: SiteConfig, src: str, meta: dict[str, object], title: str) -> str:
    """The post's site-relative URL. Raises :class:`Problem` when the blog cannot place it."""
    blog = site.blog
    if blog is None or not any(fnmatch.fnmatchcase(src, g) for g in blog.post_globs()):
        return page_url(src, site.use_directory_urls)
    if meta.get("date") is None:
        raise Problem(src, "date", "a blog post needs a date for its URL")
    try:
        day = parse_datetime(meta["date"]).date()
    except ValueError as exc:
        raise Problem(src, "date", str(exc)) from None
    categories = meta.get("categories") or []
    slug = meta.get("slug")
    try:
        path = blog_post_src(
            src,
            blog=blog,
            day=day,
            slug=slug if isinstance(slug, str) else None,
            title=title,
            categories=[str(c) for c in categories] if isinstance(categories, list) else [],
        )
    except (ValueError, KeyError, IndexError) as exc:
        raise Problem(src, "plugins.blog.post_url_format", str(exc)) from None
    return page_url(path, site.use_directory_urls)


def _future_draft(site: SiteConfig, src: str, meta: dict[str, object], now: datetime) -> bool:
    """Whether the blog leaves this post out as a draft because its date is still to come
    (``draft_if_future_date``, for posts that do not say ``draft`` themselves)."""
    blog = site.blog
    if blog is None or not blog.draft_if_future_date or isinstance(meta.get("draft"), bool):
        return False
    if not any(fnmatch.fnmatchcase(src, g) for g in blog.post_globs()):
        return False
    try:
        when = parse_datetime(meta.get("date"))
    except ValueError:
        return False
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)) > now


def read_site_posts(
    site: SiteConfig, globs: Sequence[str], now: datetime, images: PostImages | None = None
) -> tuple[list[SitePost], list[Problem]]:
    """The site's posts (drafts left out, and with ``draft_if_future_date`` the posts dated
    after ``now``) with their URLs, and every problem found on the way (each names the page,
    relative to docs_dir, and the key)."""
    docs_dir = Path(site.docs_dir)
    posts: list[SitePost] = []
    problems: list[Problem] = []
    for src in markdown_pages(docs_dir):
        is_post = any(fnmatch.fnmatchcase(src, g) for g in globs)
        try:
            markdown = (docs_dir / src).read_text(encoding="utf-8-sig")
            meta = parse_front_matter(markdown, src)
        except (OSError, UnicodeDecodeError) as exc:
            if is_post:
                problems.append(Problem(src, None, f"cannot be read: {exc}"))
            continue
        except PinplanError as exc:
            if is_post or "pinplan" in markdown[:2000]:
                problems.append(Problem(exc.file, exc.field, exc.message))
            continue
        if _future_draft(site, src, meta, now):
            continue
        body = markdown_body(markdown)
        title = page_title(src, meta, body)
        try:
            url = _page_url(site, src, meta, title) if is_post or "pinplan" in meta else ""
        except Problem as problem:
            problems.append(problem)
            continue
        reading = read_post(
            src,
            meta,
            url=urljoin(site.site_url, url) if site.site_url else "/" + url,
            docs_dir=docs_dir,
            default_title=title,
            default_slug=Path(src).stem,
            default_lang=site.language,
            is_post_path=is_post,
            images=images,
            body=body,
        )
        problems.extend(reading.problems)
        if reading.post is not None and not reading.post.draft:
            posts.append(SitePost(reading.post, page_file(url)))
    return posts, problems


def canonical_link(page: str) -> str | None:
    """The ``href`` of a page's ``<link rel="canonical">``, if it has one."""
    tag = _CANONICAL.search(page)
    href = _HREF.search(tag.group(0)) if tag else None
    return html.unescape(next(g for g in href.groups() if g is not None)) if href else None


def missing_pages(
    site: SiteConfig, posts: Sequence[SitePost], site_dir: Path, shown: str
) -> list[str]:
    """One line per post whose page the built site in ``site_dir`` (``shown`` in messages)
    lacks, or whose canonical link points elsewhere: pinning it would pin a dead link."""
    lines: list[str] = []
    for item in posts:
        post, path = item.post, site_dir / item.page
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            lines.append(f"{post.src_path}: no page {item.page} in {shown} for {post.url}")
            continue
        canonical = canonical_link(text)
        # Compared decoded: a generator may write "ü" where another writes "%C3%BC".
        if site.site_url and canonical is not None and unquote(canonical) != unquote(post.url):
            lines.append(
                f"{post.src_path}: {item.page} in {shown} has the canonical link "
                f"{canonical}, expected {post.url}"
            )
    return lines
