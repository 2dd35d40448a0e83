"""The render cache and the file memo: keys follow everything that decides the output (the
bytes of the inputs and of the code), and nothing in the cache is trusted as it is."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mkdocs_pinplan.filememo import FileMemo
from mkdocs_pinplan.layouts import BUILTIN_LAYOUTS
from mkdocs_pinplan.model import Brand, Design, Palette
from mkdocs_pinplan.render.keys import DesignKeys, default_font_files, file_digest
from mkdocs_pinplan.render.store import PinCache

PACKAGE = Path(__file__).resolve().parent.parent / "mkdocs_pinplan"

PALETTE = Palette(background="#102030", text="#f0f0f0", accent="#ff8800")


def age(path: Path, seconds: float = 3600) -> None:
    """Make ``path`` look untouched for a while (older than the racy window)."""
    past = time.time() - seconds
    os.utime(path, (past, past))


def design(image: Path | None = None, **changes: object) -> Design:
    photo = BUILTIN_LAYOUTS["photo"]
    base = Design(headline="Slow pinning", layout=photo, palette=PALETTE, brand=Brand("x"))
    return dataclasses.replace(base, image=image, **changes)  # type: ignore[arg-type]


def key(d: Design) -> str:
    return DesignKeys().key(d)


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
        design(layout=BUILTIN_LAYOUTS["block"]),
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


def test_default_fonts_are_part_of_the_context() -> None:
    names = {p.name for p in default_font_files()}
    assert "Manrope-Bold.ttf" in names


def test_a_changed_file_gets_a_new_digest_even_with_a_memo(tmp_path: Path) -> None:
    image = tmp_path / "bg.jpg"
    image.write_bytes(b"a" * 1000)
    age(image)
    memo = tmp_path / "file-hashes.json"
    first = FileMemo(memo)
    digest = file_digest(str(image), first)
    first.save()
    assert file_digest(str(image), FileMemo(memo)) == digest
    image.write_bytes(b"b" * 1000)  # same size, new bytes, and the same times as before
    age(image)
    assert file_digest(str(image), FileMemo(memo)) != digest


def test_corrupt_memo_is_ignored(tmp_path: Path) -> None:
    memo = tmp_path / "file-hashes.json"
    memo.write_text("{not json")
    image = tmp_path / "bg.jpg"
    image.write_bytes(b"abc")
    assert len(file_digest(str(image), FileMemo(memo))) == 64


def test_memo_keeps_facts_a_build_did_not_read(tmp_path: Path) -> None:
    # `mkdocs serve` rebuilds read only some files: the others' facts must survive its saves.
    a, b, c = (tmp_path / f"{name}.jpg" for name in "abc")
    for path in (a, b, c):
        path.write_bytes(path.name.encode())
        age(path)
    memo_file = tmp_path / "image-sizes.json"
    first = FileMemo(memo_file)
    first.put(os.fspath(a), a.stat(), [1, 1])
    first.put(os.fspath(b), b.stat(), [2, 2])
    first.save()
    second = FileMemo(memo_file)
    second.put(os.fspath(c), c.stat(), [3, 3])
    second.save()
    b.unlink()  # a fact about a file that is gone is dropped at the next save
    third = FileMemo(memo_file)
    assert third.get(os.fspath(a), a.stat()) == [1, 1]
    assert third.get(os.fspath(c), c.stat()) == [3, 3]
    third.put(os.fspath(a), a.stat(), [4, 4])
    third.save()
    stored = json.loads(memo_file.read_text())["files"]
    assert sorted(stored) == [os.fspath(a), os.fspath(c)]


def test_freshly_written_files_are_not_remembered(tmp_path: Path) -> None:
    image = tmp_path / "bg.jpg"
    image.write_bytes(b"a" * 10)
    memo = FileMemo()
    # Written "now": a same-size edit within the mtime's resolution could go unseen.
    memo.put(os.fspath(image), image.stat(), "digest")
    assert memo.get(os.fspath(image), image.stat()) is None


def test_missing_file_gets_a_key_of_its_own(tmp_path: Path) -> None:
    assert key(design(tmp_path / "gone.jpg")) != key(design(tmp_path / "other.jpg"))


def test_store_and_lookup_keep_warnings(tmp_path: Path) -> None:
    store = PinCache(tmp_path / "cache")
    assert store.lookup("ab" * 32, "jpg") is None
    store.store("ab" * 32, "jpg", b"JPEGDATA", ["headline shortened"])
    assert store.lookup("ab" * 32, "jpg") == (b"JPEGDATA", ("headline shortened",))
    store.store("cd" * 32, "jpg", b"OTHER", [])
    assert store.lookup("cd" * 32, "jpg") == (b"OTHER", ())
    assert store.lookup("cd" * 32, "png") is None


def test_store_leaves_no_temp_files(tmp_path: Path) -> None:
    store = PinCache(tmp_path / "cache")
    store.store("ef" * 32, "jpg", b"data", ["w"])
    folder = store.entry("ef" * 32, "jpg").parent
    assert sorted(p.name for p in folder.iterdir()) == [f"{'ef' * 32}.jpg", f"{'ef' * 32}.json"]


@pytest.mark.parametrize(
    "damage",
    ["truncated", "overwritten", "emptied", "symlink", "fifo", "folder", "record", "no record"],
)
def test_a_damaged_entry_is_a_miss(tmp_path: Path, damage: str) -> None:
    store = PinCache(tmp_path / "cache")
    store.store("ab" * 32, "jpg", b"JPEG" * 100, [])
    entry, record = store.entry("ab" * 32, "jpg"), store.entry("ab" * 32, "json")
    age(entry)
    assert store.lookup("ab" * 32, "jpg") is not None
    assert store.lookup("ab" * 32, "jpg") is not None  # checked by the memo this time
    outside = tmp_path / "secret.txt"
    outside.write_bytes(b"JPEG" * 100)
    if damage == "truncated":
        entry.write_bytes(b"JPEG" * 50)
    elif damage == "overwritten":
        entry.write_bytes(b"EVIL" * 100)
    elif damage == "emptied":
        entry.write_bytes(b"")
    elif damage == "symlink":
        entry.unlink()
        entry.symlink_to(outside)  # the very bytes the record names, but not our file
    elif damage == "fifo":
        entry.unlink()
        os.mkfifo(entry)
    elif damage == "folder":
        entry.unlink()
        entry.mkdir()
    elif damage == "record":
        record.write_text('{"size": 400, "sha256": [], "warnings": []}')
    else:
        record.unlink()
    age(entry)
    assert store.lookup("ab" * 32, "jpg") is None


def test_prune_drops_old_unused_entries_once_a_day(tmp_path: Path) -> None:
    store = PinCache(tmp_path / "cache")
    for name in ("aa", "ab", "ac"):
        store.store(name * 32, "jpg", name.encode(), [])
    used, old, fresh = (store.entry(name * 32, "jpg") for name in ("aa", "ab", "ac"))
    side = store.entry("ab" * 32, "json")
    for path in (used, store.entry("aa" * 32, "json"), old, side):
        age(path, 40 * 86400)
    now = time.time()
    assert store.prune(["aa" * 32], now=now) == 2
    assert used.exists() and fresh.exists()
    assert not old.exists() and not side.exists()
    age(fresh, 40 * 86400)
    age(store.entry("ac" * 32, "json"), 40 * 86400)
    assert store.prune(["aa" * 32], now=now + 3600) == 0  # already pruned today
    assert store.prune(["aa" * 32], now=now + 2 * 86400) == 2


def package_copy(root: Path) -> Path:
    """A copy of the package's source under ``root`` (to be edited like a new release)."""
    shutil.copytree(PACKAGE, root / "mkdocs_pinplan", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def run_with(source: Path, script: str) -> str:
    """Run ``script`` in a fresh interpreter that imports the package from ``source``."""
    env = dict(os.environ, PYTHONPATH=os.fspath(source))
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_change_in_the_drawing_code_renders_new_pins(tmp_path: Path) -> None:
    source = package_copy(tmp_path / "src")
    script = """
from pathlib import Path
from mkdocs_pinplan.layouts import BUILTIN_LAYOUTS
from mkdocs_pinplan.model import Brand, Design, Palette, PinSpec
from mkdocs_pinplan.render.pipeline import render_pins
palette = Palette("#102030", "#f0f0f0", "#ff8800")
design = Design("Slow pinning", BUILTIN_LAYOUTS["type"], palette, Brand("x"), width=250, height=375)
spec = PinSpec("a.md#1", "a.md", "l", "pin.jpg", "m", "T", "D", "A", "B", (), 1, design)
print(render_pins([spec], Path(SITE), cache_dir=Path(CACHE)).rendered)
""".replace("CACHE", repr(os.fspath(tmp_path / "cache")))

    def render(site: Path) -> tuple[int, bytes]:
        rendered = run_with(source, script.replace("SITE", repr(os.fspath(site))))
        return int(rendered), (site / "pin.jpg").read_bytes()

    first = render(tmp_path / "site1")
    assert first[0] == 1
    assert render(tmp_path / "site2") == (0, first[1])  # same code: from the cache
    edit(
        source / "mkdocs_pinplan/render/draw.py",
        'image.save(out, "JPEG", quality=design.quality)',
        'image.save(out, "JPEG", quality=design.quality - 40)',
    )
    after = render(tmp_path / "site3")
    assert after[0] == 1 and after[1] != first[1]


def test_a_change_in_the_code_that_reads_images_is_not_answered_from_the_memo(
    tmp_path: Path,
) -> None:
    source = package_copy(tmp_path / "src")
    photo = tmp_path / "photo.png"
    photo.write_bytes((Path(__file__).parent / "fixtures/posts/images/photo.png").read_bytes())
    age(photo)
    script = f"""
from pathlib import Path
from mkdocs_pinplan.images import image_size_memo, probe_image
memo = image_size_memo(Path({os.fspath(tmp_path / "cache")!r}))
print(*probe_image(Path({os.fspath(photo)!r}), memo))
memo.save()
"""
    size = run_with(source, script)
    assert run_with(source, script) == size
    width, height = size.split()
    # A release that reads the size another way (here: turned) must not get the old answer.
    edit(
        source / "mkdocs_pinplan/images.py",
        "return image.size",
        "return image.size[::-1]",
    )
    assert run_with(source, script) == f"{height} {width}"
