"""SIGKILL at random moments in 50 builds: the calendar is always the old or the new one.

Slow (50 builds): runs under `make fuzz` (PINPLAN_FUZZ_EXAMPLES set), skipped otherwise.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest

from mkdocs_pinplan.calendar_file import dumps, loads
from mkdocs_pinplan.model import Calendar

from conftest import MKDOCS, Builder, build_env

LONG = int(os.environ.get("PINPLAN_FUZZ_EXAMPLES", "0"))
pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.skipif(not LONG, reason="50 builds: run by `make fuzz`"),
]
BUILDS = 50


def _read(path: Path) -> Calendar:
    return loads(path.read_text(encoding="utf-8"), str(path))


def _kept(old: Calendar, new: Calendar) -> None:
    """Every pin of ``old`` that went out or was scheduled is in ``new``, unchanged."""
    by_id = {pin.id: pin for pin in new.pins}
    for pin in old.pins:
        assert by_id.get(pin.id) == pin, pin.id


def _post_name(n: int) -> str:
    """Build ``n``'s new post. Posts of one day get their first pin in path order, and a killed
    or failed build leaves its post waiting: later builds' posts sort first, so the one a build
    adds is the one it places first."""
    return f"kill-{BUILDS - n:02d}.md"


def _scenario(site: Path, kind: str, n: int) -> list[str]:
    """Prepare the site for one build of ``kind``; the build's arguments."""
    posts = site / "docs" / "blog" / "posts"
    broken = site / "docs" / "links.md"
    broken.unlink(missing_ok=True)
    if kind == "dirty":
        os.utime(posts / "photo-tips.md")
        return ["--dirty"]
    (posts / _post_name(n)).write_text(
        f"---\ntitle: Post number {n} of the kill test\ndate: 2026-11-25\n---\n\n# Post {n}\n"
    )
    if kind == "strict-fails":
        # MkDocs' own warning: --strict aborts after every plugin's on_post_build ran.
        broken.write_text("# Links\n\n[gone](missing-page.md)\n")
    return ["--strict"] if kind != "plain" else []


def test_sigkill_at_random_moments_leaves_the_old_or_the_new_calendar(
    site_copy: Path, mkdocs_build: Builder
) -> None:
    rng = random.Random(17)
    assert mkdocs_build(site_copy).returncode == 0
    # A warm build's length: the kills fall anywhere from its start to just after its end.
    started = time.monotonic()
    assert mkdocs_build(site_copy).returncode == 0
    length = time.monotonic() - started
    path = site_copy / "pinplan" / "calendar.json"
    first = _read(path)
    # Three pins went out: no build, killed or not, may lose or move them.
    pins = [replace(p, status="published") if i < 3 else p for i, p in enumerate(first.pins)]
    path.write_text(dumps(replace(first, pins=tuple(pins))), encoding="utf-8")
    published = [p for p in _read(path).pins if p.published]
    outcomes: dict[str, int] = {}
    for n in range(BUILDS):
        kind = rng.choice(["plain", "strict", "strict-fails", "dirty"])
        args = _scenario(site_copy, kind, n)
        before_bytes = path.read_bytes()
        before = _read(path)
        child = subprocess.Popen(
            [str(MKDOCS), "build", *args], cwd=site_copy, env=build_env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(rng.uniform(0.3, 2.5) * length)
        child.send_signal(signal.SIGKILL)
        code = child.wait(timeout=120)
        after_bytes = path.read_bytes()
        after = _read(path)  # always a whole calendar
        changed = after_bytes != before_bytes
        outcome = f"{kind}:{'killed' if code == -signal.SIGKILL else code}:{changed}"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if kind in ("dirty", "strict-fails"):
            assert not changed, outcome
        elif changed:
            _kept(before, after)
            assert any(p.post == f"blog/posts/{_post_name(n)}" for p in after.pins), outcome
        assert set(published) <= set(after.pins)
    print(sorted(outcomes.items()))
    (site_copy / "docs" / "links.md").unlink(missing_ok=True)
    assert mkdocs_build(site_copy).returncode == 0
    assert set(published) <= set(_read(path).pins)
