"""What one new post costs on a big blog: a warm build with one post added, against a warm build.

``python bench/one_post.py [BLOG_DIR] [--runs N]`` takes a blog made by ``bench/blog.py`` (by
default the one ``bench/run.py`` made) and alternates whole ``mkdocs build`` processes of its
``pinplan.yml``: a warm build (nothing changed), then a build with one new post (post 0's text
under a new title, with new headlines and a cover of its own bytes, so its pins are drawn),
after which the post is removed again. It also times drawing just that post's pins in a fresh
process (imports, fonts and all, as the build pays them) and prints one JSON line: the medians,
the extra time of the build with the new post, and the drawing time it should come close to.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from blog import _photo
from run import HERE, MKDOCS, env, run

DRAW = """
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from mkdocs_pinplan.model import Brand, Post
from mkdocs_pinplan.pins import PinSettings, make_pin_specs
from mkdocs_pinplan.render import render_pin
asks = json.loads(sys.argv[1])
post = Post(**dict(asks, titles=tuple(asks["titles"]), image=Path(asks["image"])))
for spec in make_pin_specs([post], PinSettings(brand=Brand("bench.example.com"))):
    render_pin(spec.design)
print(time.perf_counter() - started)
"""


def add_post(root: Path, n: int) -> tuple[Path, Path, dict[str, object]]:
    """Write new post ``n`` (post 0's text, new title, headlines and cover); its files and
    what it asks for."""
    posts = root / "docs" / "blog" / "posts"
    text = (posts / "post-0000.md").read_text(encoding="utf-8")
    body = text.partition("\n---\n")[2]
    cover = posts / "images" / f"new-{n:04d}.jpg"
    _photo(cover, 5000 + n, {})
    titles = [f"A new post, headline {k} ({n})" for k in range(3)]
    front = (
        f"---\ntitle: A new post number {n}\ndate: 2026-11-30\npinplan:\n"
        f"  titles: {json.dumps(titles)}\n  pins: 3\n  image: images/{cover.name}\n---\n"
    )
    page = posts / f"new-{n:04d}.md"
    page.write_text(front + body, encoding="utf-8")
    asks = {
        "src_path": f"blog/posts/{page.name}",
        "title": f"A new post number {n}",
        "url": f"https://bench.example.com/blog/new-{n}/",
        "slug": page.stem,
        "titles": titles,
        "pins": 3,
        "image": str(cover),
    }
    return page, cover, asks


def draw_seconds(asks: dict[str, object]) -> float:
    """Seconds a fresh process takes to import the drawing code and draw these pins."""
    out = subprocess.run(
        [sys.executable, "-c", DRAW, json.dumps(asks)],
        env=env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("blog", type=Path, nargs="?", default=HERE / "out" / "blog-240-720")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = args.blog.resolve()
    build = [str(MKDOCS), "build", "-q", "-f", "pinplan.yml"]
    run(build, root)  # warm the cache
    warm: list[float] = []
    added: list[float] = []
    drawn: list[float] = []
    for n in range(args.runs):
        warm.append(run(build, root).seconds)
        page, cover, asks = add_post(root, n)
        try:
            added.append(run(build, root).seconds)
            drawn.append(draw_seconds(asks))
        finally:
            page.unlink()
            cover.unlink()
    run(build, root)  # leave the calendar without the new posts
    result = {
        "runs": args.runs,
        "warm_s": round(statistics.median(warm), 3),
        "with_new_post_s": round(statistics.median(added), 3),
        "extra_s": round(statistics.median(a - w for a, w in zip(added, warm, strict=True)), 3),
        "draw_own_pins_fresh_process_s": round(statistics.median(drawn), 3),
        "warm_all": [round(s, 2) for s in warm],
        "with_new_post_all": [round(s, 2) for s in added],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
