"""Posts → pin specs: one per variant, rotating headlines × layouts × palettes."""

from __future__ import annotations

import colorsys
import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .color import readable
from .layouts import DEFAULT_LAYOUTS, resolve_layouts
from .model import Brand, Design, Layout, Palette, PinSpec, Post

TITLE_LIMIT = 100
DESCRIPTION_LIMIT = 500
ALT_LIMIT = 500


@dataclass(frozen=True)
class PinSettings:
    """Site-wide options that shape the pins (resolved by the adapter)."""

    site_url: str = ""
    brand: Brand = field(default_factory=lambda: Brand(name=""))
    pins_per_post: int = 3
    board: str = "Blog"
    layouts: tuple[Layout | str, ...] = DEFAULT_LAYOUTS
    """Layouts (or built-in layout names) rotated over each post's pins."""
    palettes: tuple[Palette, ...] = ()
    image_format: str = "jpeg"
    quality: int = 85
    assets_dir: str = "assets/pinplan"


def _hls(hue: float, lightness: float, saturation: float) -> str:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))


def _palette(background: str, text: str, accent: str) -> Palette:
    # The text colour is nudged until it reads on the background (WCAG 4.5:1 and a bit).
    fixed = readable(background, [text])
    return Palette(background=background, text="#{:02x}{:02x}{:02x}".format(*fixed), accent=accent)


def default_palettes(name: str) -> tuple[Palette, ...]:
    """Six pleasant palettes derived from nothing but the site name (stable across builds).

    One hue comes from the name; the palettes alternate deep and pale grounds around it, its
    complement and neighbours, so rotated variants of one post look clearly different.
    """
    hue = int(hashlib.sha256(name.encode()).hexdigest()[:4], 16) / 0xFFFF
    cream = _hls(hue + 0.08, 0.95, 0.55)
    # Grounds alternate deep and pale; accents are spread around the colour wheel so the
    # colour-block layout (accent ground) changes hue from variant to variant.
    return (
        _palette(_hls(hue, 0.2, 0.42), cream, _hls(hue + 0.4, 0.6, 0.62)),
        _palette(_hls(hue + 0.08, 0.95, 0.45), _hls(hue, 0.2, 0.45), _hls(hue, 0.42, 0.45)),
        _palette(_hls(hue + 0.55, 0.22, 0.38), cream, _hls(hue + 0.12, 0.62, 0.68)),
        _palette(
            _hls(hue + 0.55, 0.94, 0.4), _hls(hue + 0.55, 0.2, 0.4), _hls(hue + 0.62, 0.5, 0.5)
        ),
        _palette(_hls(hue, 0.12, 0.18), _hls(hue, 0.97, 0.25), _hls(hue + 0.33, 0.6, 0.6)),
        _palette(
            _hls(hue + 0.3, 0.93, 0.3), _hls(hue + 0.3, 0.17, 0.4), _hls(hue + 0.75, 0.5, 0.52)
        ),
    )


def slugify(text: str) -> str:
    """ASCII file-name slug: ``Über Pins!`` → ``uber-pins``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "post"


# A link that ``urlsplit``/``urlunsplit`` would give back unchanged and that has no query or
# fragment: a path, optionally after a lowercase http(s) scheme and a plain ASCII host.
_PLAIN_LINK = re.compile(
    r"https?://[A-Za-z0-9.:@_~%!$&'()*+,;=-]+(?:/[^?#\x00-\x20\x7f]*)?|/(?!/)[^?#\x00-\x20\x7f]*"
)


def utm_links(url: str) -> Callable[[int], str]:
    """``index`` → the post link with ``utm_content=pin<index>``, so every pin has its own
    link (the link is parsed once for all of a post's pins)."""
    if url and _PLAIN_LINK.fullmatch(url):
        # The usual post URL: parsing and re-joining it (some 20 µs) would change nothing.
        plain = f"{url}?utm_content=pin"
        return lambda index: f"{plain}{index}"
    parts = urlsplit(url)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "utm_content"
    ]
    # urlencode joins its pairs with "&", so the pin's own pair can be appended as text.
    kept = urlencode(query) + "&" if query else ""
    if not parts.fragment:
        # The query ends the link: the pin's number goes at the very end.
        base = urlunsplit(parts._replace(query=f"{kept}utm_content=pin"))
        return lambda index: f"{base}{index}"
    return lambda index: urlunsplit(parts._replace(query=f"{kept}utm_content=pin{index}"))


def absolute_url(site_url: str, path: str) -> str:
    """``path`` (relative to the site root) as an absolute URL when ``site_url`` is known."""
    if not site_url:
        return "/" + path.lstrip("/")
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, at a word break when one is near."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:–-") + "…"


def pin_count(post: Post, pins_per_post: int) -> int:
    """SPEC: ``pinplan.pins`` when set, else the larger of ``pins_per_post`` and the titles."""
    if post.pins is not None:
        return post.pins
    return max(pins_per_post, len(post.titles))


def _unique(candidates: Sequence[str], taken: set[str]) -> str:
    """The first candidate title not taken yet; numbered repeats only as the last resort.

    Pinterest rejects duplicate titles in a bulk upload, and a title that adds the post's
    description reads better in the feed than ``Title (2)``.
    """
    for candidate in candidates:
        option = _clip(candidate, TITLE_LIMIT) if candidate else ""
        if option and option not in taken:
            taken.add(option)
            return option
    first = _clip(next(c for c in candidates if c), TITLE_LIMIT)
    n = 2
    while True:
        suffix = f" ({n})"
        option = _clip(first, TITLE_LIMIT - len(suffix)) + suffix
        if option not in taken:
            taken.add(option)
            return option
        n += 1


def _title_candidates(headline: str, post: Post, brand: str) -> list[str]:
    """Titles for a pin, best first: whole sentences before clipped ones."""
    description = post.pin_description or post.description
    joined = f"{headline} – {description}" if description and description != headline else ""
    candidates = [headline]
    if joined and len(joined) <= TITLE_LIMIT:
        candidates.append(joined)
    if description and description != headline and len(description) <= TITLE_LIMIT:
        candidates.append(description)
    if post.title != headline:
        candidates.append(f"{headline} – {post.title}")
    if brand:
        candidates.append(f"{headline} | {brand}")
    if joined:
        candidates.append(joined)
    return candidates


def file_stems(posts: Sequence[Post]) -> dict[str, str]:
    """A stable, unique file-name stem per post: its slug, plus a hash when slugs collide."""
    by_slug: dict[str, list[Post]] = {}
    for post in posts:
        by_slug.setdefault(slugify(post.slug), []).append(post)
    stems: dict[str, str] = {}
    for slug, group in by_slug.items():
        for post in group:
            if len(group) == 1:
                stems[post.src_path] = slug
            else:
                digest = hashlib.sha1(post.src_path.encode()).hexdigest()[:6]
                stems[post.src_path] = f"{slug}-{digest}"
    return stems


def make_pin_specs(
    posts: Iterable[Post], settings: PinSettings, extra: Mapping[str, int] | None = None
) -> list[PinSpec]:
    """Every pin of every (non-draft) post, in a stable order, with distinct titles.

    ``extra`` asks for variants beyond a post's pins (evergreen pins), by post path: they
    continue the post's rotation, so each is a headline/layout/palette combination the post
    has not had (fewer when the rotation has none left).
    """
    live = sorted((p for p in posts if not p.draft), key=lambda p: p.src_path)
    stems = file_stems(live)
    palettes = settings.palettes or default_palettes(settings.brand.name or "pinplan")
    layouts = resolve_layouts(settings.layouts or DEFAULT_LAYOUTS)
    ext = "png" if settings.image_format == "png" else "jpg"
    assets_dir = settings.assets_dir.strip("/")
    taken: set[str] = set()
    specs: list[PinSpec] = []
    for post in live:
        headlines = post.headlines()
        digest = hashlib.sha1(post.src_path.encode()).hexdigest()
        # Each post starts the rotations at its own (stable) point, so neighbouring posts'
        # pins do not repeat one design and colour in the feed.
        offset, tint = int(digest[:8], 16), int(digest[8:16], 16)
        link = utm_links(post.link or post.url)
        stem = f"{assets_dir}/{stems[post.src_path]}"
        description = post.pin_description or post.description or post.title
        pin_description = _clip(description, DESCRIPTION_LIMIT)
        board = post.board or settings.board
        count = pin_count(post, settings.pins_per_post)
        if extra and post.src_path in extra:
            combinations = math.lcm(len(headlines), len(layouts), len(palettes))
            count += min(extra[post.src_path], max(combinations - count, 0))
        for i in range(count):
            index = i + 1
            headline = headlines[i % len(headlines)]
            design = Design(
                headline=headline,
                layout=layouts[(offset + i) % len(layouts)],
                palette=palettes[(tint + i) % len(palettes)],
                brand=settings.brand,
                lang=post.lang,
                image=post.image,
                image_format=settings.image_format,
                quality=settings.quality,
            )
            image_path = f"{stem}-{index}.{ext}"
            alt = post.alt or (
                f"{headline} – {description}" if description != headline else headline
            )
            specs.append(
                PinSpec(
                    id=f"{post.src_path}#{index}",
                    post=post.src_path,
                    index=index,
                    design=design,
                    image_path=image_path,
                    title=_unique(_title_candidates(headline, post, settings.brand.name), taken),
                    description=pin_description,
                    alt_text=_clip(alt, ALT_LIMIT),
                    board=board,
                    keywords=post.keywords,
                    link=link(index),
                    media_url=absolute_url(settings.site_url, image_path),
                    post_date=post.date,
                )
            )
    return specs
