"""Shared fixtures: a fixed "now", temp copies of example_site, and a build runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SITE = ROOT / "example_site"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# 2026-11-30 20:26:40 UTC: a fixed build time the evening before the example calendar's
# start, so its 7-day window covers the first days of the plan.
FIXED_EPOCH = 1796070400
FIXED_NOW = datetime.fromtimestamp(FIXED_EPOCH, tz=timezone.utc)
MKDOCS = Path(sys.executable).parent / "mkdocs"


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A fresh copy of example_site (without any built site, cache or calendar)."""
    target = tmp_path / "site_src"
    shutil.copytree(
        EXAMPLE_SITE, target, ignore=shutil.ignore_patterns("site", ".cache", "pinplan")
    )
    return target


def build_env(**extra: str) -> dict[str, str]:
    """Environment for a reproducible `mkdocs build` subprocess."""
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = str(FIXED_EPOCH)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env.update(extra)
    return env


Builder = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture
def mkdocs_build() -> Builder:
    """Run `mkdocs build [--strict]` in a site directory, capturing output."""

    def run(
        site: Path, *args: str, strict: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        cmd = [str(MKDOCS), "build", *(["--strict"] if strict else []), *args]
        return subprocess.run(
            cmd, cwd=site, env=env or build_env(), capture_output=True, text=True, timeout=300
        )

    return run
