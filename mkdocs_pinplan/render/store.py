"""The on-disk store of rendered pins, filed under their keys (see :mod:`.keys`).

An entry is the image ``<cache_dir>/pins/<k[:2]>/<k>.<ext>`` and its record ``<k>.json`` (size,
SHA-256, the render's warnings), both written by rename, the image first. Nothing in the cache
is trusted as it is (CI caches come from other branches): an image is used only as a regular
file (no link, no device) of the recorded size and hash, and the site gets a copy of it."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..filememo import FileMemo
from ..fs import write_bytes_atomic
from ..model import Design

PRUNE_AFTER_DAYS = 30
"""Entries no build has needed for this long are deleted (by the first build of a day)."""

MAX_RECORD_BYTES = 1 << 20
"""An index record larger than this is not ours."""
MAX_IMAGE_BYTES = 64 << 20
"""Nor is an image larger than this (a pin is well under a megabyte)."""

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NO_FOLLOW = os.O_RDONLY | _O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)


def extension(design: Design) -> str:
    """File extension of a design's encoded image."""
    return "png" if design.image_format == "png" else "jpg"


class PinCache:
    """The store under ``root`` (the plugin's ``cache_dir``); ``memo`` (the file-hash memo)
    remembers the entries checked, so an unchanged one is not hashed again by every build."""

    def __init__(self, root: Path, memo: FileMemo | None = None) -> None:
        self.root = root
        self.pins = root / "pins"
        self.memo = memo if memo is not None else FileMemo()

    def entry(self, key: str, ext: str) -> Path:
        """Where the image (``ext``) or the index record (``json``) of ``key`` lives."""
        return self.pins / key[:2] / f"{key}.{ext}"

    def lookup(self, key: str, ext: str) -> tuple[bytes, tuple[str, ...]] | None:
        """The entry's image bytes (checked against its record) and warnings, or ``None`` when
        it is missing or unusable."""
        base = f"{os.fspath(self.pins)}/{key[:2]}/{key}"  # str, not Path: this runs for every pin
        record = _record(_read_regular(f"{base}.json", MAX_RECORD_BYTES))
        if record is None:
            return None
        size, sha256, warnings = record
        path = f"{base}.{ext}"
        image = _read_regular(path, min(size, MAX_IMAGE_BYTES))
        if image is None or len(image[0]) != size:
            return None
        data, st = image
        # Hashed again only when the file changed since an earlier build checked it.
        if self.memo.get(path, st) != sha256:
            if hashlib.sha256(data).hexdigest() != sha256:
                return None
            self.memo.put(path, st, sha256)
        return data, warnings

    def store(self, key: str, ext: str, data: bytes, warnings: Sequence[str]) -> None:
        """Write an entry: the image, then its index record."""
        write_bytes_atomic(self.entry(key, ext), data, durable=False)
        sha256 = hashlib.sha256(data).hexdigest()
        record = {"size": len(data), "sha256": sha256, "warnings": list(warnings)}
        text = json.dumps(record, ensure_ascii=False).encode()
        write_bytes_atomic(self.entry(key, "json"), text, durable=False)

    def prune(
        self, keep: Iterable[str], *, now: float, max_age_days: float = PRUNE_AFTER_DAYS
    ) -> int:
        """Delete entries not in ``keep`` and older than ``max_age_days`` (and killed writers'
        temp files), at most once a day; returns how many files went."""
        marker = self.root / "pruned"
        try:
            if now - marker.stat().st_mtime < 86400:
                return 0
        except OSError:
            pass
        limit = now - max_age_days * 86400
        wanted = set(keep)
        removed = 0
        for folder in self.pins.glob("??"):
            for item in folder.iterdir():
                key = item.name.split(".")[0]
                # A temp file (".name.tmp") older than an hour belongs to a killed writer.
                oldest = now - 3600 if not key else limit
                try:
                    if key in wanted or item.lstat().st_mtime >= oldest:
                        continue
                    item.unlink()
                    removed += 1
                except OSError:
                    continue
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            marker.touch()
            os.utime(marker, (now, now))
        except OSError:
            pass
        return removed


def _read_regular(path: str, limit: int) -> tuple[bytes, os.stat_result] | None:
    """The bytes of ``path`` and its stat when it is a regular file (links are not followed)
    of at most ``limit`` bytes; else ``None``."""
    try:
        fd = os.open(path, _NO_FOLLOW)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        if not _O_NOFOLLOW and os.path.islink(path):
            return None  # without O_NOFOLLOW (Windows) the open followed a link
        # One byte more shows a file that grew; a short read only ever makes a miss.
        return os.read(fd, st.st_size + 1), st
    except OSError:
        return None
    finally:
        os.close(fd)


def _record(found: tuple[bytes, os.stat_result] | None) -> tuple[int, str, tuple[str, ...]] | None:
    """An index record's size, hash and warnings, when it is one this store wrote."""
    if found is None:
        return None
    try:
        raw = json.loads(found[0].decode())
        size, sha256, warnings = raw["size"], raw["sha256"], raw["warnings"]
    except (ValueError, RecursionError, TypeError, KeyError):
        return None
    if (
        type(size) is not int
        or size <= 0
        or not isinstance(sha256, str)
        or not isinstance(warnings, list)
        or not all(isinstance(w, str) for w in warnings)
    ):
        return None
    return size, sha256, tuple(warnings)
