"""What one new post costs on a big blog: a warm build with one post added, against a warm build.

``python bench/one_post.py [BLOG_DIR] [--runs N]`` takes a blog made by ``bench/blog.py`` (by
default the one ``bench/run.py`` made) and alternates whole ``mkdocs build`` processes of its
``pinplan.yml``: a warm build (nothing changed), then a build with one new post (post 0's text
under a new title, with new headlines and a cover of its own bytes, so its pins are drawn),
after which the post is removed again. It also times drawing just that post's pins in a fresh
process (imports, fonts and all, as the build pays them), and does the same pair with the
plain config, since MkDocs itself also renders the new page and the blog's index pages anew.
It prints one JSON line: the medians, the extra time of the pinplan build with the new post,
the plain build's extra time, their difference (pinplan's share) and the drawing time that
share should come close to.
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
from mkdocs_pinplan.render.draw import render_pin
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
    builds = {
        name: [str(MKDOCS), "build", "-q", "-f", f"{name}.yml"] for name in ("pinplan", "plain")
    }
    run(builds["pinplan"], root)  # warm the cache
    times: dict[str, list[float]] = {key: [] for key in ("warm", "added", "plain", "plain_added")}
    drawn: list[float] = []
    for n in range(args.runs):
        times["warm"].append(run(builds["pinplan"], root).seconds)
        times["plain"].append(run(builds["plain"], root).seconds)
        page, cover, asks = add_post(root, n)
        try:
            times["added"].append(run(builds["pinplan"], root).seconds)
            times["plain_added"].append(run(builds["plain"], root).seconds)
            drawn.append(draw_seconds(asks))
        finally:
            page.unlink()
            cover.unlink()
    run(builds["pinplan"], root)  # leave the calendar without the new posts
    pinplan_extra = [a - w for a, w in zip(times["added"], times["warm"], strict=True)]
    mkdocs_extra = [a - p for a, p in zip(times["plain_added"], times["plain"], strict=True)]
    result = {
        "runs": args.runs,
        "warm_s": round(statistics.median(times["warm"]), 3),
        "with_new_post_s": round(statistics.median(times["added"]), 3),
        "extra_s": round(statistics.median(pinplan_extra), 3),
        "plain_extra_s": round(statistics.median(mkdocs_extra), 3),
        "pinplan_share_of_extra_s": round(
            statistics.median(p - m for p, m in zip(pinplan_extra, mkdocs_extra, strict=True)), 3
        ),
        "draw_own_pins_fresh_process_s": round(statistics.median(drawn), 3),
        **{f"{key}_all": [round(s, 2) for s in values] for key, values in times.items()},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
