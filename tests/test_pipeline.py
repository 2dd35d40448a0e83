"""The render pass: each distinct pin drawn once, reused from the cache, same bytes in a pool."""

from __future__ import annotations

import dataclasses
import io
import os
import stat
from pathlib import Path

import pytest
from PIL import Image

from mkdocs_pinplan.errors import PinplanError
from mkdocs_pinplan.model import Brand, PinSpec, Post
from mkdocs_pinplan.pins import PinSettings, make_pin_specs
from mkdocs_pinplan.render import draw as render
from mkdocs_pinplan.render.draw import RenderResult
from mkdocs_pinplan.render.pipeline import MIN_POOL_JOBS, render_pins
from mkdocs_pinplan.render.progress import ProgressReport


def photo(path: Path, color: tuple[int, int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (320, 240), color).save(path, "JPEG")
    return path


def make_posts(docs: Path, count: int) -> list[Post]:
    return [
        Post(
            src_path=f"blog/posts/post-{n}.md",
            title=f"Post number {n} about slow pinning",
            url=f"https://example.com/post-{n}/",
            slug=f"post-{n}",
            titles=(f"Headline A of post {n}", f"Headline B of post {n}"),
            image=photo(docs / f"img-{n}.jpg", (20 * n % 255, 90, 160)),
        )
        for n in range(count)
    ]


def specs_for(posts: list[Post], **settings: object) -> list[PinSpec]:
    base = PinSettings(site_url="https://example.com/", brand=Brand("example.com"))
    specs = make_pin_specs(posts, base._replace(**settings))  # type: ignore[arg-type]
    # Quarter-size pins: the pipeline treats every size alike, and the suite stays quick.
    return [
        dataclasses.replace(s, design=dataclasses.replace(s.design, width=250, height=375))
        for s in specs
    ]


def site_bytes(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.fixture
def posts(tmp_path: Path) -> list[Post]:
    return make_posts(tmp_path / "docs", 3)


def test_second_build_renders_nothing_and_writes_the_same_site(
    tmp_path: Path, posts: list[Post]
) -> None:
    specs = specs_for(posts)
    cache = tmp_path / "cache"
    first = render_pins(specs, tmp_path / "site1", cache_dir=cache)
    assert (first.rendered, first.cached) == (len(specs), 0)
    second = render_pins(specs, tmp_path / "site2", cache_dir=cache)
    assert (second.rendered, second.cached) == (0, len(specs))
    assert site_bytes(tmp_path / "site1") == site_bytes(tmp_path / "site2")
    assert len(site_bytes(tmp_path / "site2")) == len(specs)


def test_changed_background_rerenders_exactly_its_pins(tmp_path: Path, posts: list[Post]) -> None:
    specs = specs_for(posts)
    cache = tmp_path / "cache"
    render_pins(specs, tmp_path / "site", cache_dir=cache)
    assert posts[1].image is not None
    photo(posts[1].image, (250, 10, 10))
    again = render_pins(specs, tmp_path / "site", cache_dir=cache)
    mine = [s for s in specs if s.post == posts[1].src_path]
    assert again.rendered == len(mine) == 3
    assert again.cached == len(specs) - len(mine)


def test_unrelated_options_rerender_nothing(tmp_path: Path, posts: list[Post]) -> None:
    cache = tmp_path / "cache"
    render_pins(specs_for(posts), tmp_path / "site", cache_dir=cache)
    changed = specs_for(posts, board="Another board", site_url="https://other.example/")
    again = render_pins(changed, tmp_path / "site", cache_dir=cache)
    assert again.rendered == 0


def test_pixel_options_rerender_everything(tmp_path: Path, posts: list[Post]) -> None:
    cache = tmp_path / "cache"
    render_pins(specs_for(posts), tmp_path / "site", cache_dir=cache)
    again = render_pins(specs_for(posts, quality=70), tmp_path / "site", cache_dir=cache)
    assert again.cached == 0


def test_equal_designs_are_drawn_once(tmp_path: Path, posts: list[Post]) -> None:
    specs = specs_for(posts[:1])
    twins = [dataclasses.replace(s, image=s.image.replace(".jpg", "-twin.jpg")) for s in specs]
    stats = render_pins(specs + twins, tmp_path / "site")
    assert stats.rendered == len(specs)
    out = site_bytes(tmp_path / "site")
    assert len(out) == 2 * len(specs)
    for spec, twin in zip(specs, twins, strict=True):
        assert out[spec.image] == out[twin.image]


def test_one_and_two_workers_give_identical_bytes(tmp_path: Path) -> None:
    specs = specs_for(make_posts(tmp_path / "docs", 8))
    assert len(specs) >= MIN_POOL_JOBS
    one = render_pins(specs, tmp_path / "one", workers=1)
    two = render_pins(specs, tmp_path / "two", workers=2)
    assert (one.workers, two.workers) == (1, 2)
    assert site_bytes(tmp_path / "one") == site_bytes(tmp_path / "two")


@pytest.mark.parametrize("workers", [1, 2])
def test_bad_background_names_the_post(tmp_path: Path, workers: int) -> None:
    posts = make_posts(tmp_path / "docs", 8)
    assert posts[2].image is not None
    posts[2].image.write_bytes(b"this is not a JPEG")
    specs = specs_for(posts)
    # A pin of that post whose layout shows the photo: drawing it must read the broken file.
    shown = [s for s in specs if s.post == posts[2].src_path and s.design.layout.photo != "none"]
    assert shown, "no layout of post 2 shows its photo"
    with pytest.raises(render.RenderError):
        render.render_pin(shown[0].design)
    with pytest.raises(PinplanError) as caught:
        render_pins(specs, tmp_path / "site", cache_dir=tmp_path / "c", workers=workers)
    assert caught.value.file == posts[2].src_path
    assert not (tmp_path / "c" / "pins").exists() or all(
        p.stat().st_size > 0 for p in (tmp_path / "c" / "pins").rglob("*.jpg")
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_unusable_font_is_an_error_naming_a_post(tmp_path: Path, workers: int) -> None:
    posts = make_posts(tmp_path / "docs", 8)
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    specs = specs_for(posts, brand=Brand("example.com", font_bold=broken))
    with pytest.raises(PinplanError) as caught:
        render_pins(specs, tmp_path / "site", cache_dir=tmp_path / "c", workers=workers)
    assert caught.value.file in {p.src_path for p in posts}
    assert "broken.ttf" in caught.value.message


def test_renderer_bug_is_an_error_naming_the_pin(
    tmp_path: Path, posts: list[Post], monkeypatch: pytest.MonkeyPatch
) -> None:
    def buggy(design: object) -> RenderResult:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(render, "render_pin", buggy)
    with pytest.raises(PinplanError) as caught:
        render_pins(specs_for(posts), tmp_path / "site")
    assert str(caught.value) == (
        f"{posts[0].src_path}: pinplan: cannot render pin 1: ZeroDivisionError: division by zero"
    )


def test_progress_counts_every_render(tmp_path: Path, posts: list[Post]) -> None:
    seen: list[tuple[int, int]] = []
    specs = specs_for(posts)
    render_pins(specs, tmp_path / "site", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(n, len(specs)) for n in range(1, len(specs) + 1)]


def test_cached_pins_keep_their_warnings(
    tmp_path: Path, posts: list[Post], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = render.render_pin

    def noisy(design: object) -> RenderResult:
        result = real(design)  # type: ignore[arg-type]
        return RenderResult(result.data, ("headline was shortened",))

    monkeypatch.setattr(render, "render_pin", noisy)
    specs = specs_for(posts[:1])
    cache = tmp_path / "cache"
    first = render_pins(specs, tmp_path / "site", cache_dir=cache)
    second = render_pins(specs, tmp_path / "site", cache_dir=cache)
    assert second.rendered == 0
    assert first.warnings == second.warnings
    assert second.warnings[0] == f"{posts[0].src_path}: headline was shortened"


def test_unwritable_cache_dir_is_a_clear_error(tmp_path: Path, posts: list[Post]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(PinplanError, match="cache_dir"):
        render_pins(specs_for(posts), tmp_path / "site", cache_dir=blocker / "cache")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_quiet_for_a_few_pins() -> None:
    lines: list[str] = []
    report = ProgressReport(lines.append, stream=io.StringIO())
    for done in range(1, 11):
        report(done, 10)
    assert lines == []


def test_progress_logs_now_and_then_without_a_terminal() -> None:
    lines: list[str] = []
    ticks = iter(float(t) for t in range(1000))
    report = ProgressReport(
        lines.append, stream=io.StringIO(), every=10.0, clock=lambda: next(ticks)
    )
    for done in range(1, 101):
        report(done, 100)
    assert lines[0] == "rendering 100 pins"
    assert lines[1] == "rendered 11/100 pins"
    assert 8 <= len(lines) <= 11


def test_progress_counts_live_on_a_terminal_and_clears_its_line() -> None:
    lines: list[str] = []
    screen = FakeTerminal()
    report = ProgressReport(lines.append, stream=screen)
    for done in range(1, 61):
        report(done, 60)
    assert lines == []
    assert "\rpinplan: rendering pins 30/60" in screen.getvalue()
    assert screen.getvalue().endswith("\r\x1b[K")


def cache_entries(cache: Path) -> list[Path]:
    return sorted(p for p in (cache / "pins").rglob("*.jpg"))


def test_a_symlinked_cache_entry_never_reaches_the_site(tmp_path: Path, posts: list[Post]) -> None:
    # CI caches come from other branches: an entry turned into a link must not put the link
    # (or what it points at) into the site.
    specs = specs_for(posts[:1])
    cache = tmp_path / "cache"
    render_pins(specs, tmp_path / "site1", cache_dir=cache)
    secret = tmp_path / "secret.txt"
    secret.write_text("deploy key")
    for entry in cache_entries(cache):
        entry.unlink()
        entry.symlink_to(secret)
    again = render_pins(specs, tmp_path / "site2", cache_dir=cache)
    assert again.rendered == len(specs)
    for spec in specs:
        pin = tmp_path / "site2" / spec.image
        assert not pin.is_symlink() and pin.is_file()
    assert site_bytes(tmp_path / "site1") == site_bytes(tmp_path / "site2")
    assert not any(entry.is_symlink() for entry in cache_entries(cache))  # replaced


def test_a_truncated_cache_entry_is_drawn_again(tmp_path: Path, posts: list[Post]) -> None:
    specs = specs_for(posts[:1])
    cache = tmp_path / "cache"
    render_pins(specs, tmp_path / "site1", cache_dir=cache)
    for entry in cache_entries(cache):
        entry.write_bytes(entry.read_bytes()[:1000])
    again = render_pins(specs, tmp_path / "site2", cache_dir=cache)
    assert again.rendered == len(specs)
    assert site_bytes(tmp_path / "site1") == site_bytes(tmp_path / "site2")


def test_editing_a_site_pin_leaves_the_cache_alone(tmp_path: Path, posts: list[Post]) -> None:
    specs = specs_for(posts[:1])
    cache = tmp_path / "cache"
    render_pins(specs, tmp_path / "site1", cache_dir=cache)
    render_pins(specs, tmp_path / "site2", cache_dir=cache)  # from the cache
    for spec in specs:
        with open(tmp_path / "site2" / spec.image, "r+b") as pin:
            pin.write(b"scribbled over in place")
    third = render_pins(specs, tmp_path / "site3", cache_dir=cache)
    assert third.rendered == 0
    assert site_bytes(tmp_path / "site1") == site_bytes(tmp_path / "site3")


@pytest.mark.parametrize("cached", [False, True])
def test_pins_are_world_readable_as_the_umask_allows(
    tmp_path: Path, posts: list[Post], cached: bool
) -> None:
    specs = specs_for(posts[:1])
    cache = tmp_path / "cache"
    if cached:
        render_pins(specs, tmp_path / "first", cache_dir=cache)
    old = os.umask(0o022)
    try:
        stats = render_pins(specs, tmp_path / "site", cache_dir=cache)
    finally:
        os.umask(old)
    assert stats.cached == (len(specs) if cached else 0)
    for spec in specs:
        assert stat.S_IMODE((tmp_path / "site" / spec.image).stat().st_mode) == 0o644
