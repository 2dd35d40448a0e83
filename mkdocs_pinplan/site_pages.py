"""A site's posts read from its Markdown sources, without the site generator: each page's
front-matter, title and the URL the generator gave it (by MkDocs' rules and those of Material's
and Zensical's blog plugin), checked against the built site."""

from __future__ import annotations

import fnmatch
import html
import os
import posixpath
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import quote, unquote, urljoin

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
from .site_config import BlogSettings, SiteConfig

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")
_CANONICAL = re.compile(r"<link\b[^>]*\brel=[\"']?canonical\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"\bhref=(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)
_TAGS = re.compile(r"</?[^>]*>")
_NOT_SLUG = re.compile(r"[^\w\- ]")
_DATE_FIELD = re.compile(r"'[^']*'|([A-Za-z])\1*")


def markdown_pages(docs_dir: Path) -> list[str]:
    """Every Markdown page under ``docs_dir`` (``/``-separated, sorted), leaving out dot
    files and folders as MkDocs does."""
    pages: list[str] = []
    for root, dirs, files in os.walk(docs_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
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


def slugify(text: str, separator: str = "-") -> str:
    """The slug the blog plugin makes of a title or category (``pymdownx.slugs.slugify``
    with ``case="lower"``): tags dropped, lower case, word characters kept, spaces joined."""
    slug = _TAGS.sub("", unicodedata.normalize("NFC", text)).strip().lower()
    return _NOT_SLUG.sub("", slug).replace(" ", separator)


def format_url_date(day: date, pattern: str) -> str:
    """``day`` written by an LDML date pattern of years, months and days (``yyyy/MM/dd``);
    ``ValueError`` for any other field."""

    def field(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("'"):
            return token[1:-1] or "'"
        if token == "yy":
            return f"{day.year % 100:02d}"
        value = {"y": day.year, "M": day.month, "d": day.day}.get(token[0])
        if value is None or (token[0] != "y" and len(token) > 2):
            raise ValueError(f"the date field {token!r} is not supported (only y, M and d)")
        return f"{value:0{len(token)}d}"

    return _DATE_FIELD.sub(field, pattern)


def blog_post_src(src: str, blog: BlogSettings, meta: dict[str, object], title: str) -> str:
    """The path the blog plugin gives the post ``src`` (``blog/2026/11/12/my-post.md``) by its
    front-matter ``meta``. Raises :class:`Problem` when the blog cannot place it."""
    if meta.get("date") is None:
        raise Problem(src, "date", "a blog post needs a date for its URL")
    try:
        day = parse_datetime(meta["date"]).date()
    except ValueError as exc:
        raise Problem(src, "date", str(exc)) from None
    categories = meta.get("categories")
    kept = categories[: blog.post_url_max_categories] if isinstance(categories, list) else []
    slug = meta.get("slug")
    if not isinstance(slug, str) or not slug:
        slug = slugify(title, blog.post_slugify_separator)
    name = posixpath.splitext(posixpath.basename(src))[0]
    try:
        path = blog.post_url_format.format(
            categories="/".join(slugify(str(c), blog.categories_slugify_separator) for c in kept),
            date=format_url_date(day, blog.post_url_date_format),
            file="index" if name == "README" else name,
            slug=slug,
        )
    except (ValueError, KeyError, IndexError) as exc:
        raise Problem(src, "plugins.blog.post_url_format", str(exc)) from None
    path = posixpath.normpath(path.strip("/"))
    return posixpath.normpath(posixpath.join(blog.blog_dir, f"{path}.md"))


def page_url(src_uri: str, use_directory_urls: bool) -> str:
    """A Markdown page's URL relative to the site root, as MkDocs makes it
    (``a/b.md`` → ``a/b/`` or ``a/b.html``; ``a/index.md`` → ``a/``; the home page → ``""``)."""
    parent, filename = posixpath.split(src_uri)
    stem = posixpath.splitext(filename)[0]
    stem = "index" if stem == "README" else stem
    if not use_directory_urls:
        url = posixpath.join(parent, stem + ".html")
    elif stem == "index":
        url = parent + "/" if parent else ""
    else:
        url = posixpath.join(parent, stem) + "/"
    return quote(url)


@dataclass(frozen=True)
class SitePost:
    """A post and the page the generator built for it."""

    post: Post
    page: str
    """The built page's path relative to site_dir."""


def _future_draft(blog: BlogSettings, meta: dict[str, object], now: datetime) -> bool:
    """Whether the blog leaves this post out as a draft because its date is still to come
    (``draft_if_future_date``, for posts that do not say ``draft`` themselves)."""
    if not blog.draft_if_future_date or isinstance(meta.get("draft"), bool):
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
    blog_globs = site.blog.post_globs() if site.blog is not None else []
    for src in markdown_pages(docs_dir):
        is_post = any(fnmatch.fnmatchcase(src, g) for g in globs)
        blog = site.blog if any(fnmatch.fnmatchcase(src, g) for g in blog_globs) else None
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
        if blog is not None and _future_draft(blog, meta, now):
            continue
        body = markdown_body(markdown)
        title = page_title(src, meta, body)
        url = ""
        if is_post or "pinplan" in meta:
            try:
                path = blog_post_src(src, blog, meta, title) if blog is not None else src
            except Problem as problem:
                problems.append(problem)
                continue
            url = page_url(path, site.use_directory_urls)
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
            page = unquote(url)
            if not page or page.endswith("/"):
                page += "index.html"
            posts.append(SitePost(reading.post, page))
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
