"""Front-matter → :class:`Post`: validated, typed, every problem naming file and key."""

from __future__ import annotations

import html
import os
import posixpath
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from functools import cache, partial
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

import yaml

from .errors import PinplanError, Problem, shown
from .filememo import FileMemo
from .images import ImageProblem, probe_image
from .model import Post

MAX_PINS_PER_POST = 20
MAX_TEXT = 2000
"""Longest text a front-matter field may hold; the pins clip descriptions to 500 anyway."""
MAX_HEADLINE = 200
"""Longest headline (title, titles): twice what Pinterest shows, and fitting stays cheap."""
MAX_VALUES = 2000
"""Most values (keys, items, leaves) a page's front-matter may hold, aliases expanded."""
MAX_DEPTH = 20
_REMOTE = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_FRONT_MATTER = r"(?s)^-{3}[ \t]*\r?\n(.*?\r?\n)?(?:-{3}|\.{3})[ \t]*(?:\r?\n|$)"


class PostReading(NamedTuple):
    """Result of reading one page: the post (``None`` when the page opts out) and problems."""

    post: Post | None
    problems: tuple[Problem, ...] = ()


# LibYAML's safe loader when PyYAML has it (MkDocs reads front-matter with it too).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def front_matter_problem(meta: Mapping[str, object]) -> str | None:
    """Why ``meta`` is too big to read (counted with aliases expanded), else None."""
    level: list[object] = [meta]
    budget = MAX_VALUES
    for _depth in range(MAX_DEPTH + 1):
        below: list[object] = []  # the keys, values and items one level down
        for value in level:
            if isinstance(value, dict):
                below += value.keys()
                below += value.values()
            elif isinstance(value, (list, tuple, set)):
                below += value
            if len(below) > budget:
                return f"more than {MAX_VALUES} values (YAML aliases expand in full): not read"
        if not below:
            return None
        budget -= len(below)
        level = below
    return f"nested deeper than {MAX_DEPTH} levels: not read"


def parse_front_matter(text: str, file: str) -> dict[str, object]:
    """The YAML front-matter of a Markdown page as a mapping (empty when there is none).
    Raises :class:`PinplanError` naming the file when the YAML is broken or not a mapping
    (MkDocs drops such front-matter silently, hiding a broken ``pinplan`` block)."""
    match = re.match(_FRONT_MATTER, text.lstrip("\ufeff"))
    if not match:
        return {}
    try:
        # As MkDocs reads it (aliases stay shared; read_post refuses what they expand to).
        data = yaml.load(match.group(1) or "", _SAFE_LOADER)
    except RecursionError:
        raise PinplanError(file, "front-matter", "nested too deeply") from None
    except ValueError:  # a number of more than 4,300 digits, which Python refuses to read
        raise PinplanError(file, "front-matter", "holds a number too long to read") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise PinplanError(file, "front-matter", f"invalid YAML{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PinplanError(
            file, "front-matter", f"expected a mapping of keys, got {type(data).__name__}"
        )
    return {str(k): v for k, v in data.items()}


def markdown_body(text: str) -> str:
    """A Markdown page without its YAML front-matter (what MkDocs renders)."""
    text = text.lstrip("\ufeff")
    match = re.match(_FRONT_MATTER, text)
    return text[match.end() :] if match else text


# Invisible characters that reorder or hide text (bidi overrides, controls): never wanted in
# a headline, and a classic way to make a spreadsheet or calendar show something else.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str) -> str:
    """Strip HTML tags, unescape entities, drop bidi overrides and controls, fold whitespace."""
    text = html.unescape(_TAG.sub("", value))
    if not text.isprintable():  # each character _INVISIBLE names is unprintable
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


def parse_datetime(value: object) -> datetime:
    """A front-matter date (date, datetime, ISO string or created/updated mapping) as a
    datetime, a bare date at midnight. Raises ``ValueError`` with a message for the user."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        try:
            return datetime.combine(date.fromisoformat(text[:10]), time())
        except ValueError:
            raise ValueError(f"expected a date such as 2026-11-20, got {shown(value)}") from None
    if isinstance(value, Mapping):
        if "created" in value:
            return parse_datetime(value["created"])
        if "updated" in value:
            raise ValueError("has 'updated' but no 'created' date")
        raise ValueError("expected a date or a mapping with a 'created' date")
    raise ValueError(f"expected a date such as 2026-11-20, got {shown(value)}")


def _text(
    value: object, file: str, key: str, problems: list[Problem], limit: int = MAX_TEXT
) -> str | None:
    if not isinstance(value, str):
        got = f"{type(value).__name__} {shown(value)}"
        problems.append(Problem(file, key, f"expected text, got {got}"))
        return None
    text = clean_text(value[: 4 * limit])  # cleaning is not free: never more than a few pages
    if len(text) > limit:
        problems.append(Problem(file, key, f"longer than {limit} characters (clipped)"))
        text = text[:limit].rstrip()
    if not text:
        problems.append(Problem(file, key, "is empty"))
    return text or None


def _text_list(
    value: object, file: str, key: str, problems: list[Problem], limit: int = MAX_TEXT
) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        got = f"{type(value).__name__} {shown(value)}"
        problems.append(Problem(file, key, f"expected a list of text, got {got}"))
        return ()
    items: list[str] = []
    for i, item in enumerate(value):
        text = _text(item, file, f"{key}[{i}]", problems, limit)
        if text and text not in items:
            items.append(text)
    return tuple(items)


def _pin_number(value: object, file: str, key: str, problems: list[Problem]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(Problem(file, key, f"expected a whole number, got {shown(value)}"))
        return None
    if not 1 <= value <= MAX_PINS_PER_POST:
        limits = f"must be between 1 and {MAX_PINS_PER_POST}"
        problems.append(Problem(file, key, f"{limits}, got {shown(value)}"))
        return None
    return value


def _web_link(value: object, file: str, key: str, problems: list[Problem]) -> str | None:
    """An absolute http(s) URL that Python's URL functions take apart."""
    text = _text(value, file, key, problems)
    if text is None:
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises for a port that is no number)
    except ValueError:  # e.g. "https://[::1" (an unclosed IPv6 address)
        parts = None
    if not (parts and parts.hostname and re.match(r"^https?://\S+$", text)):
        problems.append(Problem(file, key, f"expected an http(s) URL, got {shown(text)}"))
        return None
    return text


_Reader = Callable[[object, str, str, list[Problem]], object]
PINPLAN_KEYS: dict[str, tuple[str, _Reader | None]] = {
    # key: (the Post field it sets, how it is read; None: by PostImages)
    "titles": ("titles", partial(_text_list, limit=MAX_HEADLINE)),
    "pins": ("pins", _pin_number),
    "board": ("board", _text),
    "description": ("pin_description", _text),
    "alt": ("alt", _text),
    "image": ("image", None),
    "keywords": ("keywords", _text_list),
    "link": ("link", _web_link),
}


class PostImages:
    """Finds and checks the images posts name, for one build: each folder is resolved once, and
    with ``memo`` an image that passed before and is unchanged is not opened again."""

    def __init__(self, docs_dir: Path, memo: FileMemo | None = None) -> None:
        self.docs_dir = os.fspath(docs_dir)
        root = os.path.realpath(docs_dir)
        self.inside = root if root.endswith(os.sep) else root + os.sep  # the resolved prefix
        self.memo = memo
        self._folder = cache(os.path.realpath)

    def resolve(self, value: object, *, file: str, key: str) -> Path:
        """The local image ``value`` names, relative to page ``file``. Raises :class:`Problem`
        for remote URLs, escapes from the docs directory and files that are no usable images."""
        if not isinstance(value, str) or not value.strip():
            raise Problem(file, key, f"expected a path to an image, got {shown(value)}")
        text = value.strip()
        if _REMOTE.match(text):
            raise Problem(file, key, f"remote images are not fetched at build time: {text}")
        if os.path.isabs(text):
            raise Problem(file, key, f"must be a path relative to the page, not absolute: {text}")
        page_dir = os.path.dirname(os.path.join(self.docs_dir, file))
        folder, name = os.path.split(os.path.join(page_dir, text))
        path = os.path.join(self._folder(folder), name)
        if name in ("", ".", "..") or os.path.islink(path):
            path = os.path.realpath(path)
        if not path.startswith(self.inside):
            raise Problem(file, key, f"points outside the docs directory: {text}")
        if not os.path.isfile(path):
            raise Problem(file, key, f"image not found: {text}")
        image = Path(path)
        try:
            probe_image(image, self.memo)
        except ImageProblem as exc:
            raise Problem(file, key, str(exc)) from None
        return image


def read_post(
    file: str,
    meta: Mapping[str, object],
    *,
    url: str,
    docs_dir: Path,
    default_title: str,
    default_slug: str,
    default_lang: str = "en",
    is_post_path: bool = True,
    images: PostImages | None = None,
    body: str = "",
) -> PostReading:
    """Validate one page's front-matter (and ``body``, its Markdown) into a :class:`Post`.

    Pages outside the ``posts`` globs (``is_post_path``) are posts only with a ``pinplan``
    mapping. Never raises for bad content: problems come back in the result and the offending
    key falls back to its default."""
    problems: list[Problem] = []
    block = meta.get("pinplan")
    if block is False or (not is_post_path and not isinstance(block, Mapping)):
        return PostReading(None)
    too_big = front_matter_problem(meta)
    if too_big:
        return PostReading(None, (Problem(file, "front-matter", too_big),))
    if block is None or block is True:
        block = {}
    if not isinstance(block, Mapping):
        problems.append(
            Problem(file, "pinplan", f"expected a mapping or false, got {type(block).__name__}")
        )
        block = {}
    fields = _page_fields(meta, file, problems, default_title, default_slug, default_lang)
    images = images or PostImages(docs_dir)
    fields.update(_block_fields(block, file, images, problems))
    if "image" not in block:
        fields["image"] = find_photo(meta, body, file, images, problems)
    post = Post(src_path=file, url=url, **read_body(body)._asdict(), **fields)
    return PostReading(post, tuple(problems))


def _page_fields(
    meta: Mapping[str, object],
    file: str,
    problems: list[Problem],
    title: str,
    slug: str,
    lang: str,
) -> dict[str, Any]:
    """The post's title, description, date, slug, lang and draft from the page's own keys;
    the default (given or the field's) where a key is missing or unusable, which is a problem."""
    fields: dict[str, Any] = {"slug": slug, "lang": lang}
    draft = meta.get("draft", False)
    if isinstance(draft, bool):
        fields["draft"] = draft
    else:
        problems.append(Problem(file, "draft", f"expected true or false, got {shown(draft)}"))

    # MkDocs takes a page's title from front-matter as it is: a number, a date, a list.
    title = title if isinstance(title, str) else ""
    if "title" in meta:
        title = _text(meta["title"], file, "title", problems, MAX_HEADLINE) or title
    fields["title"] = clean_text(title) or slug.replace("-", " ").strip() or file

    if meta.get("date") is not None:
        try:
            fields["date"] = parse_datetime(meta["date"]).date()
        except ValueError as exc:
            problems.append(Problem(file, "date", str(exc)))

    lang_key = "language" if meta.get("lang") is None else "lang"
    for field, key in (("description", "description"), ("slug", "slug"), ("lang", lang_key)):
        if meta.get(key) is not None:
            fields[field] = _text(meta[key], file, key, problems) or fields.get(field, "")
    return fields


def _block_fields(
    block: Mapping[object, object], file: str, images: PostImages, problems: list[Problem]
) -> dict[str, Any]:
    """The post's fields from its ``pinplan`` block; each unknown or unusable key is a problem."""
    fields: dict[str, Any] = {}
    for raw_key, value in block.items():
        key = str(raw_key)
        name = f"pinplan.{key}"
        if key not in PINPLAN_KEYS:
            import difflib  # only for a misspelt key: not worth its import time on every build

            close = difflib.get_close_matches(key, PINPLAN_KEYS, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(Problem(file, name, "unknown key" + hint))
            continue
        field, read = PINPLAN_KEYS[key]
        if read is not None:
            fields[field] = read(value, file, name, problems)
            continue
        try:
            fields[field] = images.resolve(value, file=file, key=name)
        except Problem as problem:
            problems.append(problem)
    return fields


# A post's body, read with a few regular expressions, not a Markdown parser: only the shapes
# that show in a finished page matter. A fenced block runs to a closing fence of its kind.
# Patterns most bodies never need are strings, compiled (and cached by `re`) on first use.
_FENCED = r"(?ms)^[ \t>]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t>]*\1[`~]*[ \t]*$|\Z)"
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CODE_SPAN = r"(?s)(`+)[^`].*?\1"
_MD_IMAGE = (
    r"!\[(?P<alt>(?:[^\[\]\\\n]|\\.|\[[^\]\n]*\])*)\]"
    r"(?:\(\s*(?P<url><[^>\n]*>|(?:[^\s()\\]|\\.|\([^\s()]*\))+)"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?\s*\)|\[(?P<ref>[^\]\n]*)\])?"
)
_REF_DEF = r"(?m)^[ \t]{0,3}\[(?P<label>[^\]\n]+)\]:[ \t]*(?P<url><[^>\n]*>|\S+)"
_HTML_IMG = r"(?i)<img\b[^>]*?\ssrc\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))"
_HEADING = re.compile(r"(#{1,6})[ \t]+(.+?)[ \t]*$")
_ATTRS = r"\s*\{[^{}]*\}\s*$"
_LINK = r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\](?:\([^)]*\)|\[[^\]]*\])?"
_EMPHASIS = r"(\*{1,3}|_{1,3}|~~|==)(?=\S)(.+?)(?<=\S)\1"
_NOT_PROSE = re.compile(r"^\s*(?:[#>|<{!?*+=\-]|\d+[.)]\s|\[|:::|\$\$|---|\.\.\.)")
_MARKUP = re.compile(r"[*_`\[\]<>&\\{}~=\x00-\x1f\u202a-\u202e\u2066-\u2069]")
_SENTENCE_END = re.compile(r"[.!?。！？](?=\s)")


class PostBody(NamedTuple):
    """What a post's Markdown body offers for its pins, as plain text: the first top-level
    heading, the second-level ones, the first sentence of prose."""

    h1: str
    sections: tuple[str, ...]
    lead: str


def _inline_text(markdown: str) -> str:
    """Markdown inline text as plain text: links to their words, no emphasis or attributes."""
    if not _MARKUP.search(markdown):
        return " ".join(markdown.split())  # the usual heading: nothing to undo
    text = re.sub(_ATTRS, "", markdown)
    text = re.sub(_CODE_SPAN, lambda m: m.group(0).strip("`").strip(), text)
    text = re.sub(_LINK, lambda m: "" if m.group(0).startswith("!") else m.group(1), text)
    for _ in range(2):  # nested emphasis, e.g. ***bold italic*** or **a _b_ c**
        text = re.sub(_EMPHASIS, r"\2", text)
    return clean_text(text.replace("\\", ""))


def _lead(text: str) -> str:
    """The first sentence of the first paragraph of prose (no heading, list, table or HTML)."""
    for block in re.split(r"\n[ \t]*\n", text):
        lines = block.strip("\n").splitlines()
        if not lines or lines[0].startswith((" ", "\t")) or _NOT_PROSE.match(lines[0]):
            continue
        paragraph = _inline_text(" ".join(lines))
        if paragraph:
            end = _SENTENCE_END.search(paragraph)
            return paragraph[: end.end()] if end else paragraph
    return ""


def _shown(markdown: str) -> str:
    """``markdown`` without fenced code and HTML comments (they show no Markdown)."""
    text = _COMMENT.sub("", markdown) if "<!--" in markdown else markdown
    return re.sub(_FENCED, "", text) if "```" in text or "~~~" in text else text


def read_body(markdown: str) -> PostBody:
    """The headings and first sentence of a post's Markdown body (no front-matter)."""
    text = _shown(markdown)
    h1 = ""
    sections: list[str] = []
    for line in text.split("\n"):
        match = _HEADING.match(line) if line.startswith("#") else None
        if match is None:
            continue
        heading = _inline_text(match.group(2).rstrip("#").rstrip())
        if len(match.group(1)) == 1 and not h1:
            h1 = heading
        elif len(match.group(1)) == 2 and heading and heading not in sections:
            sections.append(heading)
    return PostBody(h1, tuple(sections), _lead(text))


def body_images(markdown: str) -> tuple[str, ...]:
    """A post body's image URLs as written (Markdown, reference-style, ``<img>``), in order."""
    text = _shown(markdown)
    refs = {
        " ".join(m.group("label").lower().split()): m.group("url")
        for m in re.finditer(_REF_DEF, text)
    }
    found: list[tuple[int, str]] = []
    for match in re.finditer(_MD_IMAGE, re.sub(_CODE_SPAN, lambda m: " " * len(m.group(0)), text)):
        url = match.group("url")
        if url is None:
            label = match.group("ref") or match.group("alt")
            url = refs.get(" ".join(label.lower().split()))
        if url:
            found.append((match.start(), url))
    for match in re.finditer(_HTML_IMG, text):
        found.append(
            (match.start(), html.unescape(next(g for g in match.groups() if g is not None)))
        )
    return tuple(url for _pos, url in sorted(found))


def _image_path(url: str, file: str) -> str | None:
    """A body image URL as a path relative to the page's file, as MkDocs resolves it;
    ``None`` for remote images, data URIs and anchors."""
    url = url.strip()
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1].strip()
    if not url or url.startswith("#") or _REMOTE.match(url):
        return None
    url = unquote(url.split("#", 1)[0].split("?", 1)[0])
    if url.startswith("/"):
        # Absolute in a page means the docs root (MkDocs' ``absolute_links: relative_to_docs``).
        page_dir = posixpath.dirname(file)
        return posixpath.relpath(posixpath.normpath(url.lstrip("/")) or ".", page_dir or ".")
    return url


def find_photo(
    meta: Mapping[str, object],
    body: str,
    file: str,
    images: PostImages,
    problems: list[Problem],
) -> Path | None:
    """The photo for a post without ``pinplan.image``: the first local image in its body,
    else Material's ``image`` or ``social.cards_layout_options.background_image``. A candidate
    failing the checks of ``pinplan.image`` is a problem; remote and missing ones are skipped."""
    social = meta.get("social")
    options = social.get("cards_layout_options") if isinstance(social, Mapping) else None
    background = options.get("background_image") if isinstance(options, Mapping) else None
    candidates = [("body", url) for url in body_images(body)]
    named = [
        ("image", meta.get("image")),
        ("social.cards_layout_options.background_image", background),
    ]
    candidates += [(key, value) for key, value in named if isinstance(value, str)]
    page_dir = os.path.dirname(os.path.join(images.docs_dir, file))
    for key, url in candidates:
        path = _image_path(url, file)
        if path is None or not os.path.isfile(os.path.normpath(os.path.join(page_dir, path))):
            continue
        try:
            return images.resolve(path, file=file, key=key)
        except Problem as problem:
            problems.append(problem)
    return None
