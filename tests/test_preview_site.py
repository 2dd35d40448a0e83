"""The preview page in a real build of example_site, and under `mkdocs serve`."""

from __future__ import annotations

import json
import os
import pickle
import re
import shlex
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from preview_dom import parse
from shared_pin_cache import share_pin_cache

import mkdocs_pinplan.preview

from conftest import MKDOCS, Builder, build_env

HOSTILE_POST = """\
---
title: "<script>alert('t')</script> Tom &amp; Jerry \\"quoted\\""
description: "A post whose title tries to break the preview page."
date: 2026-11-02
pinplan:
  titles:
    - "</li><img src=x onerror=alert(1)> Pins & 'quotes'"
    - "Second <b>headline</b> &amp; more"
  pins: 2
---

# Hostile

Body.
"""


HOSTILE_TITLE = "</script><script>alert(1)</script> Tom &amp; \"Jerry\" 'q' \u202e📌"


def add_hostile_post(site: Path) -> None:
    (site / "docs/blog/posts/hostile.md").write_text(HOSTILE_POST, encoding="utf-8")


def add_hostile_published_pin(site: Path) -> None:
    """A calendar whose one published pin (of a post since deleted) has a hostile title.

    Published pins are kept verbatim, so this title reaches the preview unsanitised.
    """
    pin = {
        "id": "blog/posts/old.md#1",
        "post": "blog/posts/old.md",
        "link": "https://feldnotizen.example.com/old/?utm_content=pin1",
        "image": "assets/pinplan/old-1.jpg",
        "media_url": "https://feldnotizen.example.com/assets/pinplan/old-1.jpg",
        "title": HOSTILE_TITLE,
        "description": "<img src=x onerror=alert(2)>",
        "alt_text": "x",
        "board": "<b>Board</b>",
        "keywords": [],
        "publish_at": "2026-11-10T09:00:00+01:00",
        "status": "published",
    }
    calendar = {"version": 1, "timezone": "Europe/Berlin", "start": "2026-11-01", "pins": [pin]}
    (site / "pinplan").mkdir()
    (site / "pinplan/calendar.json").write_text(json.dumps(calendar), encoding="utf-8")


@pytest.fixture
def blog(site_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of example_site that reuses pins rendered by earlier builds."""
    share_pin_cache(site_copy, tmp_path_factory)
    return site_copy


def test_built_site_has_a_preview_of_every_pin_outside_nav_and_sitemap(
    blog: Path, mkdocs_build: Builder
) -> None:
    add_hostile_post(blog)
    add_hostile_published_pin(blog)
    result = mkdocs_build(blog)
    assert result.returncode == 0, result.stderr

    built = blog / "site"
    page_path = built / "pinplan/index.html"
    page = parse(page_path.read_text(encoding="utf-8"))
    calendar = json.loads((blog / "pinplan/calendar.json").read_text(encoding="utf-8"))
    days = [s for s in page.find_all("section", "day") if "queue" not in s.classes]
    items = [item for day in days for item in day.find_all("li", "pin")]
    assert [i.find("code").text for i in items] == [p["id"] for p in calendar["pins"]]
    assert len(items) == len(calendar["pins"]) > 5
    # The rest of the pins wait in the queue, listed after the days as projected.
    queued = page.find("section", "queue").find_all("li", "pin")
    assert queued and {i.attrs.get("data-status") for i in queued} == {"projected"}
    assert len(items) + len(queued) == 1 + 16 + 2  # the published pin, the blog's, hostile.md's
    old, *new = [*items, *queued]
    for item in new:
        src = item.find("img").attrs["src"]
        assert (page_path.parent / src).resolve().is_file(), src
        # The pin id to copy into `pinplan mark-published`, then the layout's name.
        assert re.fullmatch(r"blog/posts/[\w-]+\.md#\d+ · [\w-]+", item.find("p", "id").text)
    metas = {m.attrs.get("name"): m.attrs.get("content") for m in page.find_all("meta")}
    assert metas["robots"] == "noindex"

    # Whatever the titles became on the calendar, the page shows exactly that text.
    assert [i.find("h3").text for i in items] == [
        " ".join(p["title"].split()) for p in calendar["pins"]
    ]
    assert old.find("h3").text == HOSTILE_TITLE
    assert "Image not in this build" in old.text
    assert old.find("p", "board").text == "Board <b>Board</b>"
    assert len(page.find_all("script")) == 1
    assert not page.find_all("b")
    assert not [e for e in page.iter() if "onerror" in e.attrs]

    assert "pinplan" not in (built / "sitemap.xml").read_text(encoding="utf-8")
    assert "pinplan/" not in (built / "index.html").read_text(encoding="utf-8")
    search = built / "search/search_index.json"
    if search.exists():
        assert '"location":"pinplan' not in search.read_text(encoding="utf-8").replace(" ", "")


def test_preview_false_writes_no_page(blog: Path, mkdocs_build: Builder) -> None:
    config = blog / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - pinplan:\n" in text
    config.write_text(text.replace("  - pinplan:\n", "  - pinplan:\n      preview: false\n"))

    result = mkdocs_build(blog)

    assert result.returncode == 0, result.stderr
    assert (blog / "site/assets/pinplan").is_dir()
    assert not (blog / "site/pinplan").exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch_when_up(url: str, proc: subprocess.Popen[str], limit: float = 120.0) -> bytes:
    """GET ``url`` once `mkdocs serve` has built; fail with its output if it dies first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"mkdocs serve exited: {proc.communicate()[1]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return bytes(response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    pytest.fail(f"mkdocs serve never answered {url}")


class _Payload:
    """Unpickling this runs a shell command (what a crafted cache file would carry)."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (self.command,)


def test_a_crafted_template_cache_file_does_not_run(blog: Path, mkdocs_build: Builder) -> None:
    # Jinja's compiled-template cache unpickles what it finds; CI caches come from other
    # branches. Plant a crafted file under every name Jinja would have looked for.
    from jinja2.bccache import BytecodeCache, bc_magic

    marker = blog / "ran"
    payload = bc_magic + pickle.dumps(_Payload(f"touch {shlex.quote(os.fspath(marker))}"))
    templates = Path(mkdocs_pinplan.preview.__file__).parent / "templates"
    folder = blog / ".cache/plugin/pinplan/templates"
    folder.mkdir(parents=True)
    try:
        for template in templates.iterdir():
            for filename in (os.fspath(template), None):
                key = BytecodeCache().get_cache_key(template.name, filename)
                (folder / f"{key}.jinja").write_bytes(payload)
        result = mkdocs_build(blog)
        assert result.returncode == 0, result.stderr
    finally:
        shutil.rmtree(folder)  # inside the cache this session's builds share
    assert (blog / "site/pinplan/index.html").is_file()
    assert not marker.exists()


def test_serve_shows_the_live_plan_without_writing_the_calendar(blog: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [str(MKDOCS), "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"],
        cwd=blog,
        env=build_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        html = fetch_when_up(f"http://127.0.0.1:{port}/pinplan/", proc)
        image = fetch_when_up(f"http://127.0.0.1:{port}/assets/pinplan/slow-pinning-1.jpg", proc)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)

    page = parse(html.decode("utf-8"))
    assert page.find_all("p", "live"), "the serve page should say it is the unsaved plan"
    ids = [i.find("code").text for i in page.find_all("li", "pin")]
    assert "blog/posts/slow-pinning.md#1" in ids
    assert len(ids) > 10
    assert image.startswith(b"\xff\xd8"), "the pin image should be a JPEG"
    assert not (blog / "pinplan/calendar.json").exists()
