"""The render cache: keys follow the bytes that decide pixels, entries are whole or absent."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from pathlib import Path

import pytest

from mkdocs_pinplan.filememo import RACY_SECONDS
from mkdocs_pinplan.model import Brand, Design, Palette
from mkdocs_pinplan.render import cache as cache_mod
from mkdocs_pinplan.render.cache import (
    FileHasher,
    PinCache,
    design_key,
    place,
    render_context,
)

PALETTE = Palette(background="#102030", text="#f0f0f0", accent="#ff8800")


def age(path: Path, seconds: float = 3600) -> None:
    """Make ``path`` look untouched for a while (older than the racy window)."""
    past = time.time() - seconds
    os.utime(path, (past, past))


def design(image: Path | None = None, **changes: object) -> Design:
    base = Design(headline="Slow pinning", layout="photo", palette=PALETTE, brand=Brand("x"))
    return dataclasses.replace(base, image=image, **changes)  # type: ignore[arg-type]


def key(d: Design, hasher: FileHasher | None = None) -> str:
    hasher = hasher or FileHasher()
    return design_key(d, hasher, render_context(hasher))


def test_key_follows_image_bytes_not_its_path(tmp_path: Path) -> None:
    a = tmp_path / "a.jpg"
    b = tmp_path / "sub" / "b.jpg"
    b.parent.mkdir()
    a.write_bytes(b"same bytes")
    b.write_bytes(b"same bytes")
    assert key(design(a)) == key(design(b))
    b.write_bytes(b"other bytes")
    assert key(design(a)) != key(design(b))


def test_key_changes_with_every_pixel_field(tmp_path: Path) -> None:
    font = tmp_path / "font.ttf"
    font.write_bytes(b"font one")
    base = key(design())
    variants = [
        design(headline="Fast pinning"),
        design(layout="block"),
        design(palette=dataclasses.replace(PALETTE, accent="#00ff00")),
        design(brand=Brand("x", font_bold=font)),
        design(image_format="png"),
        design(quality=90),
        design(lang="de"),
    ]
    keys = {key(v) for v in variants}
    assert base not in keys
    assert len(keys) == len(variants)
    with_font = key(design(brand=Brand("x", font_bold=font)))
    font.write_bytes(b"font two")
    assert key(design(brand=Brand("x", font_bold=font))) != with_font


def test_key_changes_with_render_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "draw.py"
    source.write_text("LAYOUT = 1\n")
    monkeypatch.setattr(cache_mod, "render_sources", lambda: [source])
    cache_mod.code_version.cache_clear()
    before = key(design())
    source.write_text("LAYOUT = 2\n")
    # The running process still draws with the code it loaded: same key until a new process.
    assert key(design()) == before
    cache_mod.code_version.cache_clear()
    assert key(design()) != before
    cache_mod.code_version.cache_clear()


def test_default_fonts_are_part_of_the_context() -> None:
    names = {p.name for p in cache_mod.default_font_files()}
    assert "Manrope-Bold.ttf" in names


def test_hasher_reads_each_file_once_per_build(tmp_path: Path) -> None:
    image = tmp_path / "bg.jpg"
    image.write_bytes(b"x" * 1000)
    hasher = FileHasher()
    for _ in range(5):
        hasher.digest(image)
    assert hasher.hashed == 1


def test_memo_on_disk_spares_rehashing_unchanged_files(tmp_path: Path) -> None:
    image = tmp_path / "bg.jpg"
    image.write_bytes(b"a" * 1000)
    age(image)
    memo = tmp_path / "files.json"
    first = FileHasher(memo)
    digest = first.digest(image)
    first.save()

    second = FileHasher(memo)
    assert second.digest(image) == digest
    assert second.hashed == 0

    image.write_bytes(b"b" * 1000)  # same size, new bytes
    third = FileHasher(memo)
    assert third.digest(image) != digest
    assert third.hashed == 1


def test_freshly_written_files_are_not_trusted_on_disk(tmp_path: Path) -> None:
    image = tmp_path / "bg.jpg"
    image.write_bytes(b"a" * 10)
    memo = tmp_path / "files.json"
    first = FileHasher(memo)
    first.digest(image)
    first.save()
    # Written "now": a same-size edit within the mtime's resolution could go unseen.
    assert time.time() - image.stat().st_mtime < RACY_SECONDS
    second = FileHasher(memo)
    second.digest(image)
    assert second.hashed == 1


def test_corrupt_memo_is_ignored(tmp_path: Path) -> None:
    memo = tmp_path / "files.json"
    memo.write_text("{not json")
    image = tmp_path / "bg.jpg"
    image.write_bytes(b"abc")
    assert len(FileHasher(memo).digest(image)) == 64


def test_missing_file_gets_a_key_of_its_own(tmp_path: Path) -> None:
    assert key(design(tmp_path / "gone.jpg")) != key(design(tmp_path / "other.jpg"))


def test_store_and_lookup_keep_warnings(tmp_path: Path) -> None:
    store = PinCache(tmp_path / "cache")
    assert store.lookup("ab" * 32, "jpg") is None
    path = store.store("ab" * 32, "jpg", b"JPEGDATA", ["headline shortened"])
    assert store.lookup("ab" * 32, "jpg") == (path, ("headline shortened",))
    assert Path(path).read_bytes() == b"JPEGDATA"
    quiet = store.store("cd" * 32, "jpg", b"OTHER", [])
    assert store.lookup("cd" * 32, "jpg") == (quiet, ())
    assert store.lookup("cd" * 32, "png") is None


def test_empty_entry_counts_as_missing(tmp_path: Path) -> None:
    store = PinCache(tmp_path / "cache")
    entry = Path(store.entry("cd" * 32, "png"))
    entry.parent.mkdir(parents=True)
    entry.write_bytes(b"")
    assert store.lookup("cd" * 32, "png") is None


def test_store_leaves_no_temp_files(tmp_path: Path) -> None:
    store = PinCache(tmp_path / "cache")
    path = Path(store.store("ef" * 32, "jpg", b"data", ["w"]))
    assert sorted(p.name for p in path.parent.iterdir()) == [
        f"{'ef' * 32}.json",
        f"{'ef' * 32}.w.jpg",
    ]


def test_place_links_and_replaces(tmp_path: Path) -> None:
    source = tmp_path / "entry.jpg"
    source.write_bytes(b"new")
    target = tmp_path / "site" / "assets" / "pin.jpg"
    place(source, target)
    assert target.read_bytes() == b"new"
    place(source, target)  # already there: nothing to do
    target.unlink()
    target.write_bytes(b"stale from a --dirty build")
    place(source, target)
    assert target.read_bytes() == b"new"
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def test_prune_drops_old_unused_entries_once_a_day(tmp_path: Path) -> None:
    store = PinCache(tmp_path / "cache")
    used = Path(store.store("aa" * 32, "jpg", b"used", []))
    old = Path(store.store("ab" * 32, "jpg", b"old", ["w"]))
    side = Path(store.entry("ab" * 32, "json"))
    fresh = Path(store.store("ac" * 32, "jpg", b"fresh", []))
    for path in (used, old, side):
        age(path, 40 * 86400)
    now = time.time()
    assert store.prune(["aa" * 32], now=now) == 2
    assert used.exists() and fresh.exists()
    assert not old.exists() and not side.exists()
    age(fresh, 40 * 86400)
    assert store.prune(["aa" * 32], now=now + 3600) == 0  # already pruned today
    assert store.prune(["aa" * 32], now=now + 2 * 86400) == 1


def test_memo_forgets_files_the_build_did_not_use(tmp_path: Path) -> None:
    memo = tmp_path / "files.json"
    a, b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    for path in (a, b):
        path.write_bytes(path.name.encode())
        age(path)
    first = FileHasher(memo)
    first.digest(a)
    first.digest(b)
    first.save()
    c = tmp_path / "c.jpg"
    c.write_bytes(b"c")
    age(c)
    second = FileHasher(memo)
    second.digest(a)
    second.digest(c)
    second.save()
    third = FileHasher(memo)
    third.digest(b)
    assert third.hashed == 1


def test_a_build_hasher_gives_the_same_keys_as_a_fresh_one(tmp_path: Path) -> None:
    # One hasher per build remembers the text of shared parts (brand, layout, photo); the
    # keys must be exactly those of the plain definition, whatever order designs come in.
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"photo")
    layout, brand = design().layout, Brand("x")
    designs = [
        design(photo, headline=h, layout=layout, brand=brand, quality=q)
        for h in ("One", "Two", "One")
        for q in (80, 85)
    ] + [design(headline="One", layout="block"), design(headline="One", subtitle="s")]
    shared = FileHasher()
    context = render_context(shared)
    for d in designs:
        fresh = FileHasher()
        parts = [context, "Design"]
        parts += [f"{f.name}={fresh.form(getattr(d, f.name))}" for f in dataclasses.fields(d)]
        plain = hashlib.sha256("\0".join(parts).encode()).hexdigest()
        assert design_key(d, shared, context) == plain == key(d)
    assert len({design_key(d, shared, context) for d in designs}) == len(designs) - 2
