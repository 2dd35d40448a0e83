"""The preview page in a real browser: headless Debian Chromium driven by Playwright.

Skipped when Chromium or the Playwright driver is missing; `make test-browser` installs both
(Debian's ``chromium`` package and the ``browser`` extra) and runs this file. Playwright is
never allowed to download a browser of its own: it drives ``/usr/bin/chromium``.

Set ``PINPLAN_PREVIEW_SCREENSHOT=docs/images/preview.png`` to refresh the picture in the docs.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from shared_pin_cache import share_pin_cache

from conftest import EXAMPLE_SITE, MKDOCS, ROOT, build_env

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("PINPLAN_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing(reason: str) -> None:
    # `make test-browser` sets PINPLAN_REQUIRE_BROWSER: there a skip would hide a broken setup.
    if os.environ.get("PINPLAN_REQUIRE_BROWSER"):
        pytest.fail(reason)
    pytest.skip(reason)


def playwright_or_skip() -> Any:
    """Playwright's ``sync_playwright``, or a skip saying what is missing."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        missing(f"no Chromium at {CHROMIUM} (apt-get install chromium, or make test-browser)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the Playwright driver is not installed (pip install -e '.[browser]')")
    return sync_playwright


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """example_site built once and served on 127.0.0.1 (an ephemeral port): (base URL, source)."""
    playwright_or_skip()
    source = tmp_path_factory.mktemp("browser") / "site_src"
    shutil.copytree(
        EXAMPLE_SITE, source, ignore=shutil.ignore_patterns("site", ".cache", "pinplan")
    )
    share_pin_cache(source, tmp_path_factory)
    result = subprocess.run(
        [str(MKDOCS), "build", "--strict"],
        cwd=source,
        env=build_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    handler = functools.partial(QuietHandler, directory=str(source / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", source
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module (starting it is the slow part)."""
    sync_playwright = playwright_or_skip()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# Lazy images below the fold would never load in a screenshot: make them all load, then wait.
LOAD_ALL_IMAGES = """
async () => {
  const images = [...document.querySelectorAll("li.pin img")];
  for (const img of images) { img.loading = "eager"; }
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
  return images.map((img) => [img.getAttribute("src"), img.naturalWidth, img.naturalHeight]);
}
"""


def test_preview_loads_every_pin_image_without_errors(
    served_site: tuple[str, Path], browser: Any, tmp_path: Path
) -> None:
    base, source = served_site
    calendar = json.loads((source / "pinplan/calendar.json").read_text(encoding="utf-8"))
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if msg.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
    page.on(
        "response",
        lambda res: problems.append(f"HTTP {res.status}: {res.url}") if res.status >= 400 else None,
    )
    page.goto(base + "pinplan/", wait_until="load")
    images = page.evaluate(LOAD_ALL_IMAGES)
    page.evaluate("window.scrollTo(0, 0)")
    shot = Path(os.environ.get("PINPLAN_PREVIEW_SCREENSHOT") or tmp_path / "preview.png")
    if not shot.is_absolute():
        shot = ROOT / shot
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    page.close()

    assert len(images) == len(calendar["pins"]) > 0
    assert [src for src, width, _ in images if width <= 0] == []
    # Pins are 2:3; a thumbnail of any other shape is a wrong or broken file.
    assert all(h * 2 == w * 3 for _, w, h in images), images
    assert shot.stat().st_size > 10_000
    assert problems == []


def test_filters_narrow_the_plan_and_the_page_fits_a_phone(
    served_site: tuple[str, Path], browser: Any
) -> None:
    base, source = served_site
    calendar = json.loads((source / "pinplan/calendar.json").read_text(encoding="utf-8"))
    post = calendar["pins"][0]["post"]
    expected = sum(1 for p in calendar["pins"] if p["post"] == post)
    page = browser.new_page(viewport={"width": 375, "height": 740}, is_mobile=True)
    page.goto(base + "pinplan/", wait_until="load")
    # Nothing wider than the phone's screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    visible = page.locator("li.pin:visible")
    assert visible.count() == len(calendar["pins"])
    page.select_option("#filter-post", post)
    assert visible.count() == expected
    shown = page.locator("#filter-count").inner_text()
    assert shown == f"{expected} pin{'' if expected == 1 else 's'} shown"
    page.select_option("#filter-status", "published")
    assert visible.count() == 0
    page.select_option("#filter-post", "")
    page.select_option("#filter-status", "scheduled")
    assert visible.count() == len(calendar["pins"])
    page.close()
