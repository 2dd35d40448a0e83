"""Posts → pin specs: one per variant, rotating headlines × layouts × palettes."""

from __future__ import annotations

import colorsys
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .model import Brand, Design, Palette, PinSpec, Post

TITLE_LIMIT = 100
DESCRIPTION_LIMIT = 500
ALT_LIMIT = 500
DEFAULT_LAYOUTS = ("photo", "block", "type", "split")


@dataclass(frozen=True)
class PinSettings:
    """Site-wide options that shape the pins (resolved by the adapter)."""

    site_url: str = ""
    brand: Brand = field(default_factory=lambda: Brand(name=""))
    pins_per_post: int = 3
    board: str = "Blog"
    layouts: tuple[str, ...] = DEFAULT_LAYOUTS
    palettes: tuple[Palette, ...] = ()
    image_format: str = "jpeg"
    quality: int = 85
    assets_dir: str = "assets/pinplan"


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def default_palettes(name: str) -> tuple[Palette, ...]:
    """Pleasant palettes derived from nothing but the site name (stable across builds)."""
    hue = int(hashlib.sha256(name.encode()).hexdigest()[:4], 16) / 0xFFFF
    palettes = []
    for shift in (0.0, 0.5, 0.12, 0.62):
        h = (hue + shift) % 1.0
        dark = _hex(colorsys.hls_to_rgb(h, 0.22, 0.55))
        light = _hex(colorsys.hls_to_rgb(h, 0.95, 0.45))
        accent = _hex(colorsys.hls_to_rgb((h + 0.08) % 1.0, 0.62, 0.75))
        palettes.append(Palette(background=dark, text=light, accent=accent))
        palettes.append(Palette(background=light, text=dark, accent=accent))
    return tuple(palettes[:6])


def slugify(text: str) -> str:
    """ASCII file-name slug: ``Über Pins!`` → ``uber-pins``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "post"


def with_utm(url: str, index: int) -> str:
    """The post link with ``utm_content=pin<index>`` so every pin has its own link."""
    parts = urlsplit(url)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "utm_content"
    ]
    query.append(("utm_content", f"pin{index}"))
    return urlunsplit(parts._replace(query=urlencode(query)))


def absolute_url(site_url: str, path: str) -> str:
    """``path`` (relative to the site root) as an absolute URL when ``site_url`` is known."""
    if not site_url:
        return "/" + path.lstrip("/")
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def pin_count(post: Post, pins_per_post: int) -> int:
    """SPEC: ``pinplan.pins`` when set, else the larger of ``pins_per_post`` and the titles."""
    if post.pins is not None:
        return post.pins
    return max(pins_per_post, len(post.titles))


def _unique(title: str, taken: set[str]) -> str:
    """Pinterest rejects duplicate titles in a bulk upload: number repeats."""
    candidate = _clip(title, TITLE_LIMIT)
    n = 2
    while candidate in taken:
        suffix = f" ({n})"
        candidate = _clip(title, TITLE_LIMIT - len(suffix)) + suffix
        n += 1
    taken.add(candidate)
    return candidate


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


def make_pin_specs(posts: Iterable[Post], settings: PinSettings) -> list[PinSpec]:
    """Every pin of every (non-draft) post, in a stable order, with distinct titles."""
    live = sorted((p for p in posts if not p.draft), key=lambda p: p.src_path)
    stems = file_stems(live)
    palettes = settings.palettes or default_palettes(settings.brand.name or "pinplan")
    layouts = settings.layouts or DEFAULT_LAYOUTS
    ext = "png" if settings.image_format == "png" else "jpg"
    taken: set[str] = set()
    specs: list[PinSpec] = []
    for post in live:
        headlines = post.headlines()
        offset = int(hashlib.sha1(post.src_path.encode()).hexdigest()[:8], 16)
        base_link = post.link or post.url
        for i in range(pin_count(post, settings.pins_per_post)):
            index = i + 1
            headline = headlines[i % len(headlines)]
            design = Design(
                headline=headline,
                layout=layouts[i % len(layouts)],
                palette=palettes[(offset + i) % len(palettes)],
                brand=settings.brand,
                lang=post.lang,
                image=post.image,
                image_format=settings.image_format,
                quality=settings.quality,
            )
            image_path = f"{settings.assets_dir.strip('/')}/{stems[post.src_path]}-{index}.{ext}"
            description = post.pin_description or post.description or post.title
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
                    title=_unique(headline, taken),
                    description=_clip(description, DESCRIPTION_LIMIT),
                    alt_text=_clip(alt, ALT_LIMIT),
                    board=post.board or settings.board,
                    keywords=post.keywords,
                    link=with_utm(base_link, index),
                    media_url=absolute_url(settings.site_url, image_path),
                    post_date=post.date,
                )
            )
    return specs
