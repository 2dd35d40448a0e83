"""`pinplan check` finds first what the build refuses (issue 17, item 12)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import MKDOCS, Builder, build_env

PINPLAN = MKDOCS.parent / "pinplan"
POST = "docs/blog/posts/photo-tips.md"


def _truncated_image(site: Path) -> str:
    image = site / "docs/blog/posts/images/cover-berge.jpg"
    data = image.read_bytes()
    image.write_bytes(data[: len(data) // 3])  # the header still reads: only decoding fails
    return "cover-berge.jpg"


def _binary_title(site: Path) -> str:
    post = site / POST
    text = post.read_text()
    post.write_text(text.replace('title: "Phone', 'title: !!binary aGVsbG8=\nx: "Phone', 1))
    return "title: expected text, got bytes"


def _no_font_title(site: Path) -> str:
    post = site / POST
    text = post.read_text()
    # Egyptian hieroglyphs: a script no bundled or usual system font draws.
    post.write_text(text.replace('title: "Phone', 'title: "\U00013000\U00013001 Phone', 1))
    return "U+13000"


@pytest.mark.parametrize("damage", [_truncated_image, _binary_title, _no_font_title])
def test_check_reports_what_the_strict_build_refuses(
    site_copy: Path, mkdocs_build: Builder, damage: object
) -> None:
    expected = damage(site_copy)  # type: ignore[operator]
    build = mkdocs_build(site_copy)
    assert build.returncode != 0, build.stderr
    assert expected in build.stderr
    check = subprocess.run(
        [str(PINPLAN), "check"], cwd=site_copy, env=build_env(), capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert check.returncode == 1, check.stdout + check.stderr
    lines = [line for line in check.stdout.splitlines() if expected in line]
    assert lines, check.stdout
    assert all("photo-tips.md" in line or "cover-berge.jpg" in line for line in lines)
    assert "Traceback" not in check.stderr
