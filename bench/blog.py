"""Generate a benchmark blog: N mkdocs-material blog posts with cover photos.

One folder holds the docs and three configs sharing them, so every measurement builds the
same pages: ``plain.yml`` (no pin rendering at all), ``pinplan.yml`` and ``social.yml``
(mkdocs-material's social cards in a 1000×1500 layout, the anchor we compare against).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFilter

WORDS = [
    "pinterest",
    "konto",
    "blog",
    "beitrag",
    "überschrift",
    "planung",
    "entwurf",
    "zeitplan",
    "board",
    "bilder",
    "photo",
    "garden",
    "recette",
    "café",
    "œuvre",
    "głos",
    "łódź",
    "yeni",
    "başlık",
    "ngày",
    "viết",
    "slow",
    "pinning",
    "layout",
    "headline",
    "calendar",
    "spacing",
    "window",
    "article",
    "reader",
    "search",
    "traffic",
    "season",
]

HEADLINES = (
    "Pinterest-Konto gesperrt? So bekommst du es zurück",
    "Slow pinning: why five pins a day beat fifty",
    "Überschriften, die geklickt werden – ohne Clickbait",
    "Recettes d'hiver : le café crème parfait",
    "Jak pisać nagłówki, które ktoś przeczyta",
    "Blog yazılarınız için 7 başlık fikri",
    "Cách viết tiêu đề cho bài blog của bạn",
    "The calendar file is the source of truth",
)

PIN_LAYOUT = """\
size: { width: 1000, height: 1500 }
layers:
  - background:
      color: "#1f3a4d"
  - size: { width: 872, height: 48 }
    offset: { x: 64, y: 64 }
    typography:
      content: "{{ config.site_name }}"
      color: "#f4efe6"
      font:
        family: Roboto
        style: Bold
  - size: { width: 872, height: 760 }
    offset: { x: 64, y: 360 }
    typography:
      content: "{{ page.meta.get('title', page.title) }}"
      align: start
      color: "#f4efe6"
      line:
        amount: 5
        height: 1.2
      font:
        family: Roboto
        style: Bold
  - size: { width: 872, height: 160 }
    offset: { x: 64, y: 1240 }
    typography:
      content: "{{ page.meta.get('description', '') }}"
      align: start
      color: "#f4efe6"
      line:
        amount: 3
        height: 1.4
      font:
        family: Roboto
        style: Regular
"""


@dataclass(frozen=True)
class Blog:
    """A generated benchmark site."""

    root: Path
    posts: int
    pins: int
    """Pins the posts ask for in total."""

    def config(self, name: str) -> Path:
        """``plain``, ``pinplan`` or ``social``."""
        return self.root / f"{name}.yml"


def _base_photo(seed: int) -> Image.Image:
    """A 1200×800 photo-like image: a tinted gradient under blurred noise."""
    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((1200, 800))
    tint = (rng.randrange(40, 220), rng.randrange(40, 220), rng.randrange(40, 220))
    color = Image.merge("RGB", [base.point(lambda v, c=c: (v * c) // 255) for c in tint])
    noise = Image.effect_noise((1200, 800), 48).filter(ImageFilter.GaussianBlur(1.2))
    return Image.blend(color, Image.merge("RGB", [noise] * 3), 0.35)


def _photo(path: Path, n: int, bases: dict[int, Image.Image]) -> None:
    """A distinct cover JPEG for post ``n`` (one of 16 bases, marked so its bytes differ)."""
    key = n % 16
    if key not in bases:
        bases[key] = _base_photo(key)
    photo = bases[key].copy()
    ImageDraw.Draw(photo).rectangle(
        (40 + n % 700, 40, 140 + n % 700, 90), fill=(n % 256, (n * 7) % 256, (n * 13) % 256)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    photo.save(path, "JPEG", quality=85)


def _paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _pins_for(posts: int, pins: int) -> list[int]:
    base, extra = divmod(pins, posts)
    return [base + (1 if n < extra else 0) for n in range(posts)]


def generate(root: Path, posts: int, pins: int, *, workers: int = 0) -> Blog:
    """Write (or reuse) a blog of ``posts`` posts asking for ``pins`` pins in all."""
    stamp = {"posts": posts, "pins": pins, "workers": workers, "format": 3}
    marker = root / "blog.json"
    if marker.exists() and json.loads(marker.read_text()) == stamp:
        return Blog(root, posts, pins)
    if root.exists():
        shutil.rmtree(root)
    docs = root / "docs"
    post_dir = docs / "blog" / "posts"
    post_dir.mkdir(parents=True)
    (docs / "index.md").write_text("# Bench blog\n\nA generated blog.\n", encoding="utf-8")
    (docs / "blog" / "index.md").write_text("# Blog\n", encoding="utf-8")
    rng = random.Random(1234)
    bases: dict[int, Image.Image] = {}
    meta: list[dict[str, object]] = []
    for n, count in enumerate(_pins_for(posts, pins)):
        headline = HEADLINES[n % len(HEADLINES)]
        titles = [f"{HEADLINES[(n + k) % len(HEADLINES)]} ({n}.{k})" for k in range(max(count, 1))]
        image = f"images/cover-{n:04d}.jpg"
        _photo(post_dir / image, n, bases)
        front = {
            "title": f"{headline} #{n}",
            "description": _paragraph(rng, 18),
            "date": date(2024 + n % 3, n % 12 + 1, n % 28 + 1),
            "categories": [rng.choice(["Pinterest", "Bloggen", "Recettes", "Design"])],
            "pinplan": {"titles": titles, "pins": count, "image": image},
        }
        body = "\n\n".join(_paragraph(rng, rng.randrange(40, 90)) for _ in range(6))
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n"
        text += f"{body}\n\n<!-- more -->\n\n## Details\n\n{_paragraph(rng, 60)}\n"
        (post_dir / f"post-{n:04d}.md").write_text(text, encoding="utf-8")
        meta.append(
            {
                "src": f"blog/posts/post-{n:04d}.md",
                "title": front["title"],
                "titles": titles,
                "pins": count,
                "image": str((post_dir / image).resolve()),
            }
        )
    (root / "posts.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    common = (
        "site_name: Bench Blog\n"
        "site_url: https://bench.example.com/\n"
        "docs_dir: docs\n"
        "theme:\n  name: material\n"
        "nav:\n  - Home: index.md\n  - Blog:\n      - blog/index.md\n"
    )
    (root / "plain.yml").write_text(
        common + "site_dir: site-plain\nplugins:\n  - blog\n", encoding="utf-8"
    )
    (root / "pinplan.yml").write_text(
        common + "site_dir: site-pinplan\nplugins:\n  - blog\n  - pinplan:\n"
        f"      workers: {workers}\n"
        "      schedule:\n        start: 2026-12-01\n",
        encoding="utf-8",
    )
    (root / "social.yml").write_text(
        common + "site_dir: site-social\nplugins:\n  - blog\n  - social:\n"
        "      cards_layout_dir: layouts\n      cards_layout: pin\n",
        encoding="utf-8",
    )
    (root / "layouts").mkdir()
    (root / "layouts" / "pin.yml").write_text(PIN_LAYOUT, encoding="utf-8")
    marker.write_text(json.dumps(stamp), encoding="utf-8")
    return Blog(root, posts, pins)


def seed_social_fonts(root: Path) -> None:
    """Give the social plugin its Roboto from local files so it never downloads (Manrope)."""
    from mkdocs_pinplan.render.fonts import default_font

    fonts = root / ".cache" / "plugin" / "social" / "fonts" / "Roboto"
    fonts.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(default_font("Regular"), fonts / "Regular.ttf")
    shutil.copyfile(default_font("Bold"), fonts / "Bold.ttf")


def floor_jobs(blog: Blog, path: Path) -> Path:
    """The pins the plugin would draw for this blog, as jobs for ``floor.py``."""
    from mkdocs_pinplan.model import Brand, Post
    from mkdocs_pinplan.pins import PinSettings, make_pin_specs
    from mkdocs_pinplan.render.fonts import default_font

    meta = json.loads((blog.root / "posts.json").read_text(encoding="utf-8"))
    posts = [
        Post(
            src_path=m["src"],
            title=m["title"],
            url=f"https://bench.example.com/{m['src']}",
            slug=Path(m["src"]).stem,
            titles=tuple(m["titles"]),
            pins=m["pins"],
            image=Path(m["image"]),
        )
        for m in meta
    ]
    specs = make_pin_specs(posts, PinSettings(brand=Brand("bench.example.com")))
    jobs = []
    for spec in specs:
        d = spec.design
        shows_photo = d.image is not None and getattr(d.layout, "photo", "full") != "none"
        jobs.append(
            {
                "headline": d.headline,
                "photo": str(d.image) if shows_photo else None,
                "format": d.image_format,
                "quality": d.quality,
            }
        )
    path.write_text(
        json.dumps(
            {
                "bold": str(default_font("Bold")),
                "regular": str(default_font("Regular")),
                "jobs": jobs,
            }
        ),
        encoding="utf-8",
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("posts", type=int)
    parser.add_argument("pins", type=int)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--seed-social", action="store_true")
    parser.add_argument("--floor-jobs", type=Path)
    args = parser.parse_args()
    blog = generate(args.root.resolve(), args.posts, args.pins, workers=args.workers)
    if args.seed_social:
        seed_social_fonts(blog.root)
    if args.floor_jobs:
        floor_jobs(blog, args.floor_jobs)


if __name__ == "__main__":
    main()
