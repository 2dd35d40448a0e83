"""Where a page ends up in a built site, by MkDocs' rules and those of Material's (and
Zensical's) blog plugin: a post's URL from its date, slug or title, and categories."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from urllib.parse import quote, unquote

from .site_config import BlogSettings

_TAGS = re.compile(r"</?[^>]*>")
_NOT_SLUG = re.compile(r"[^\w\- ]")
_DATE_FIELD = re.compile(r"'[^']*'|([A-Za-z])\1*")


def slugify(text: str, separator: str = "-") -> str:
    """The slug the blog plugin makes of a title or category (``pymdownx.slugs.slugify``
    with ``case="lower"``): tags dropped, lower case, word characters kept, spaces joined."""
    slug = _TAGS.sub("", unicodedata.normalize("NFC", text)).strip().lower()
    return _NOT_SLUG.sub("", slug).replace(" ", separator)


def format_url_date(day: date, pattern: str) -> str:
    """``day`` written by an LDML date pattern of years, months and days (``yyyy/MM/dd``).

    Raises ``ValueError`` for a pattern field other than ``y``, ``M`` and ``d``.
    """

    def field(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("'"):
            return token[1:-1] or "'"
        letter, width = token[0], len(token)
        if letter == "y":
            return f"{day.year % 100:02d}" if width == 2 else f"{day.year:0{width}d}"
        if letter == "M" and width <= 2:
            return f"{day.month:0{width}d}"
        if letter == "d" and width <= 2:
            return f"{day.day:0{width}d}"
        raise ValueError(f"the date field {token!r} is not supported (only y, M and d)")

    return _DATE_FIELD.sub(field, pattern)


def blog_post_src(
    src_uri: str,
    *,
    blog: BlogSettings,
    day: date,
    slug: str | None,
    title: str,
    categories: Sequence[str],
) -> str:
    """The path the blog plugin gives a post's page (``blog/2026/11/12/my-post.md``).

    Raises ``ValueError`` for a ``post_url_date_format`` it cannot write.
    """
    kept = [slugify(c, blog.categories_slugify_separator) for c in categories]
    name = posixpath.splitext(posixpath.basename(src_uri))[0]
    path = blog.post_url_format.format(
        categories="/".join(kept[: blog.post_url_max_categories]),
        date=format_url_date(day, blog.post_url_date_format),
        file="index" if name == "README" else name,
        slug=slug or slugify(title, blog.post_slugify_separator),
    )
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


def page_file(url: str) -> str:
    """The file (relative to site_dir) that serves the site-relative ``url``."""
    path = unquote(url)
    return path + "index.html" if path == "" or path.endswith("/") else path
