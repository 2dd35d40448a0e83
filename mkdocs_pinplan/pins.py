"""Posts → pin specs: one per variant, rotating headlines × layouts × palettes."""

from __future__ import annotations

import colorsys
import functools
import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .color import readable
from .layouts import BUILTIN_LAYOUTS
from .model import Brand, Design, Layout, Palette, PinSpec, Post

TITLE_LIMIT = 100
DESCRIPTION_LIMIT = 500
ALT_LIMIT = 500


class PinSettings(NamedTuple):
    """Site-wide options that shape the pins (resolved by the adapter)."""

    site_url: str = ""
    brand: Brand = Brand(name="")
    pins_per_post: int = 3
    board: str = "Blog"
    layouts: tuple[Layout, ...] = tuple(BUILTIN_LAYOUTS.values())
    """Layouts rotated over each post's pins (``layouts:`` as config.py resolves it)."""
    palettes: tuple[Palette, ...] = ()
    image_format: str = "jpeg"
    quality: int = 85
    assets_dir: str = "assets/pinplan"
    system_fonts: bool = True
    """Whether fonts installed on the system (fontconfig) may draw what the brand's lack."""


# (hue shift, lightness, saturation) of each palette's background, text and accent. Grounds
# alternate deep and pale around the name's hue; accents are spread around the colour wheel
# so the colour-block layout (accent ground) changes hue between variants.
_PALETTES = (
    ((0, 0.2, 0.42), (0.08, 0.95, 0.55), (0.4, 0.6, 0.62)),
    ((0.08, 0.95, 0.45), (0, 0.2, 0.45), (0, 0.42, 0.45)),
    ((0.55, 0.22, 0.38), (0.08, 0.95, 0.55), (0.12, 0.62, 0.68)),
    ((0.55, 0.94, 0.4), (0.55, 0.2, 0.4), (0.62, 0.5, 0.5)),
    ((0, 0.12, 0.18), (0, 0.97, 0.25), (0.33, 0.6, 0.6)),
    ((0.3, 0.93, 0.3), (0.3, 0.17, 0.4), (0.75, 0.5, 0.52)),
)


def _hls(hue: float, lightness: float, saturation: float) -> str:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))


def default_palettes(name: str) -> tuple[Palette, ...]:
    """Six pleasant palettes derived from nothing but the site name (stable across builds),
    each text colour nudged until it reads on its background (WCAG 4.5:1 and a bit)."""
    hue = int(hashlib.sha256(name.encode()).hexdigest()[:4], 16) / 0xFFFF
    palettes = []
    for colours in _PALETTES:
        background, text, accent = (_hls(hue + shift, light, sat) for shift, light, sat in colours)
        fixed = readable(background, [text])
        palettes.append(Palette(background, "#{:02x}{:02x}{:02x}".format(*fixed), accent))
    return tuple(palettes)


def slugify(text: str) -> str:
    """ASCII file-name slug: ``Über Pins!`` → ``uber-pins``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "post"


def pin_link(url: str, index: int) -> str:
    """The post link with ``utm_content=pin<index>`` (replacing any), so every pin has its own."""
    parts = urlsplit(url)
    if not parts.query:  # the usual post URL: nothing to keep
        return urlunsplit(parts._replace(query=f"utm_content=pin{index}"))
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "utm_content"
    ]
    return urlunsplit(parts._replace(query=urlencode([*query, ("utm_content", f"pin{index}")])))


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


_PLACEHOLDER = re.compile(
    r"^\W*(tbd|tba|todo|tk|wip|draft|n/?a|none|null|placeholder|coming soon|lorem ipsum.*"
    r"|description|summary|excerpt|x+)\W*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
MIN_TITLE_WORDS = 3


def meaningful(text: str) -> bool:
    """Whether ``text`` is real words that can title a pin: a few words (or, in scripts
    written without spaces, a few characters), not a placeholder such as ``tbd``."""
    if not text or _PLACEHOLDER.match(text):
        return False
    if len(_WORD.findall(text)) >= MIN_TITLE_WORDS:
        return True
    wide = sum(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)
    return wide >= 2 * MIN_TITLE_WORDS


def _phrase(text: str) -> bool:
    """A heading worth adding to a title: two words or more (not ``Conclusion``)."""
    return bool(text) and not _PLACEHOLDER.match(text) and len(_WORD.findall(text)) >= 2


def _title_candidates(headline: str, post: Post) -> list[tuple[str, bool]]:
    """Pinterest titles for a pin from the post's own texts, best first, each with whether it
    is a strong one (the headline, a real description, a differing H1); whole sentences come
    before clipped ones. Never filler: no site name, no counter."""
    described = post.pin_description or post.description
    description = described if meaningful(described) and described != headline else ""
    lead = post.lead if meaningful(post.lead) and post.lead != description else ""
    h1 = post.h1 if _phrase(post.h1) and post.h1.casefold() != post.title.casefold() else ""
    candidates: list[tuple[str, bool]] = [(headline, True)]
    if description:
        candidates += [(f"{headline} – {description}", True), (description, True)]
    if h1:
        candidates.append((h1, True))
    if post.title != headline:
        candidates.append((f"{headline} – {post.title}", True))
    if lead:
        candidates += [(lead, False), (f"{headline} – {lead}", False)]
    candidates += [(f"{headline} – {s}", False) for s in post.sections if _phrase(s)]
    if post.date is not None:
        # Tells apart posts that share a title (weekly notes, release posts) and nothing else.
        candidates.append((f"{headline} – {post.date.isoformat()}", False))
    # Clipped last: a sentence cut short reads worse than any whole one above.
    return [(text, strong) for text, strong in candidates if len(text) <= TITLE_LIMIT] + [
        (_clip(text, TITLE_LIMIT), False) for text, _ in candidates if len(text) > TITLE_LIMIT
    ]


def thin_titles(posts: Iterable[Post], pins_per_post: int) -> list[tuple[Post, int, int]]:
    """Posts whose own texts give fewer strong pin titles than they have pins, as
    ``(post, strong titles, pins)``: they would gain from ``pinplan.titles``."""
    thin = []
    for post in posts:
        texts = {t for h in post.headlines() for t, strong in _title_candidates(h, post) if strong}
        count = pin_count(post, pins_per_post)
        if not post.draft and len(texts) < count:
            thin.append((post, len(texts), count))
    return thin


def works_without_photo(layout: Layout) -> bool:
    """Whether ``layout`` suits a pin without a photo (it has none, or says where the text goes)."""
    return layout.photo == "none" or layout.text_box_alone is not None


def layouts_for(post: Post, layouts: Sequence[Layout]) -> tuple[Layout, ...]:
    """The layouts rotated over ``post``'s pins: all of them with a photo; without one only
    those designed for that, so no pin shows a stand-in where a photo belongs."""
    if post.image is not None:
        return tuple(layouts)
    # When ``layouts:`` has none that suits, the built-ins that do.
    alone = [layout for layout in layouts if works_without_photo(layout)]
    return tuple(alone or filter(works_without_photo, BUILTIN_LAYOUTS.values()))


def _pin_titles(posts: Sequence[Post], counts: Sequence[int]) -> list[list[str | None]]:
    """A distinct title for every pin of every post (``None`` where the post has no text left),
    handed out in rounds (every post's first pin, then every second ...) so that of two posts
    sharing a title, the one later in the file order is not left without a pin."""
    taken: set[str] = set()
    titles: list[list[str | None]] = [[None] * count for count in counts]
    candidates = functools.cache(_title_candidates)  # worked out once per post and headline
    for i in range(max(counts, default=0)):
        for post, post_titles in zip(posts, titles, strict=True):
            if i >= len(post_titles):
                continue
            headlines = post.headlines()
            headline = headlines[i % len(headlines)]
            if headline not in taken and len(headline) <= TITLE_LIMIT:
                taken.add(headline)  # the first candidate, without working out the rest
                post_titles[i] = headline
                continue
            # The first not taken yet (Pinterest drops duplicate titles in a bulk upload).
            found = candidates(headline, post)
            title = next((t for t, _ in found if t and t not in taken), None)
            if title is not None:
                taken.add(title)
                post_titles[i] = title
    return titles


def make_pin_specs(
    posts: Iterable[Post], settings: PinSettings, extra: Mapping[str, int] | None = None
) -> list[PinSpec]:
    """Every pin of every (non-draft) post, in a stable order, with distinct titles; ``extra``
    asks for evergreen variants by post path, each a headline/layout/palette combination the
    post has not had (fewer when the rotation has none left)."""
    live = sorted((p for p in posts if not p.draft), key=lambda p: p.src_path)
    palettes = settings.palettes or default_palettes(settings.brand.name or "pinplan")
    counts = [pin_count(post, settings.pins_per_post) for post in live]
    for n, post in enumerate(live):
        if extra and post.src_path in extra:
            rotation = layouts_for(post, settings.layouts)
            combinations = math.lcm(len(post.headlines()), len(rotation), len(palettes))
            counts[n] += min(extra[post.src_path], max(combinations - counts[n], 0))
    slugs = Counter(slugify(post.slug) for post in live)
    specs: list[PinSpec] = []
    for post, titles in zip(live, _pin_titles(live, counts), strict=True):
        specs.extend(_post_pins(post, titles, settings, slugs, palettes))
    return specs


def _post_pins(
    post: Post,
    titles: Sequence[str | None],
    settings: PinSettings,
    slugs: Counter[str],
    palettes: Sequence[Palette],
) -> list[PinSpec]:
    """The pins of ``post`` that have a title; ``slugs`` counts the posts of each slug."""
    headlines = post.headlines()
    digest = hashlib.sha1(post.src_path.encode()).hexdigest()
    slug = slugify(post.slug)
    if slugs[slug] > 1:
        slug = f"{slug}-{digest[:6]}"  # image file names stay unique
    # Each post starts the rotations at its own (stable) point, so neighbouring posts'
    # pins do not repeat one design and colour in the feed.
    offset, tint = int(digest[:8], 16), int(digest[8:16], 16)
    rotation = layouts_for(post, settings.layouts)
    ext = "png" if settings.image_format == "png" else "jpg"
    description = post.pin_description or next(
        (t for t in (post.description, post.lead) if meaningful(t)), post.title
    )
    specs: list[PinSpec] = []
    for i, title in enumerate(titles):
        if title is None:
            continue  # fewer pins, never filler (``pinplan check`` names such posts)
        index = i + 1
        headline = headlines[i % len(headlines)]
        image_path = f"{settings.assets_dir.strip('/')}/{slug}-{index}.{ext}"
        alt = post.alt or (f"{headline} – {description}" if description != headline else headline)
        specs.append(
            PinSpec(
                id=f"{post.src_path}#{index}",
                post=post.src_path,
                index=index,
                design=Design(
                    headline=headline,
                    layout=rotation[(offset + i) % len(rotation)],
                    palette=palettes[(tint + i) % len(palettes)],
                    brand=settings.brand,
                    lang=post.lang,
                    image=post.image,
                    image_format=settings.image_format,
                    quality=settings.quality,
                ),
                image=image_path,
                title=title,
                description=_clip(description, DESCRIPTION_LIMIT),
                alt_text=_clip(alt, ALT_LIMIT),
                board=post.board or settings.board,
                keywords=post.keywords,
                link=pin_link(post.link or post.url, index),
                # Absolute when site_url is known, else site-relative.
                media_url=f"{settings.site_url.rstrip('/')}/{image_path}",
                post_date=post.date,
            )
        )
    return specs
