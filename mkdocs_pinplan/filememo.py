"""One fact per file (its bytes' hash, an image's size), remembered while the file is unchanged:
keyed on its path and ``(size, mtime, ctime, inode)``, so a warm build only stats. A memo
written by other code (another release, a local edit) is ignored."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from . import code_version
from .fs import read_regular, write_bytes_atomic

MEMO_SCHEMA = 5
"""Bump when the file's layout changes (an older memo is then ignored, never misread)."""

RACY_SECONDS = 2.0
"""A file changed this recently may change again within its mtime's resolution: its facts are
not remembered (the "racy git" problem), so a same-size edit in the same tick is never missed."""


def stat_key(st: os.stat_result) -> list[int]:
    """What says a file is unchanged: size, modification and change times, inode."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


class FileMemo:
    """Per path: the stat it had and the one fact learnt about it then, as ``[*stat, fact]``;
    with ``path``, read from and saved to that JSON file (a broken or foreign one is ignored and
    later replaced). Facts are read as stored: their users check them."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._entries: dict[str, object] = _load(path) if path is not None else {}
        self._dirty = False

    def get(self, name: str, st: os.stat_result) -> object:
        """The remembered fact about ``name`` if the file still has stat ``st``, else ``None``."""
        entry = self._entries.get(name)
        if isinstance(entry, list) and len(entry) == 5 and entry[:4] == stat_key(st):
            return entry[4]
        return None

    def put(self, name: str, st: os.stat_result, value: object) -> None:
        """Remember ``value`` about ``name`` as it was with stat ``st`` (unless just written)."""
        if time.time_ns() - st.st_mtime_ns <= RACY_SECONDS * 1e9:
            return
        entry = [*stat_key(st), value]
        if self._entries.get(name) != entry:
            self._entries[name] = entry
            self._dirty = True

    def save(self) -> None:
        """Write the memo back when it learnt something; facts about files that are gone or
        changed are left out, every other fact is kept (whether or not this build read it)."""
        if self.path is None or not self._dirty:
            return
        files = {name: entry for name, entry in self._entries.items() if _unchanged(name, entry)}
        data = {"schema": MEMO_SCHEMA, "code": code_version(), "files": files}
        text = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
        try:
            write_bytes_atomic(self.path, text, durable=False)  # only a cache
        except OSError:
            return
        self._dirty = False


def _unchanged(name: str, entry: object) -> bool:
    try:
        return isinstance(entry, list) and entry[:4] == stat_key(os.stat(name))
    except OSError:
        return False


def _load(path: Path) -> dict[str, object]:
    try:
        raw = json.loads(read_regular(path).decode("utf-8"))  # a FIFO here must not block
    except (OSError, ValueError, RecursionError):
        return {}
    stamp = (raw.get("schema"), raw.get("code")) if isinstance(raw, dict) else None
    files = raw.get("files") if stamp == (MEMO_SCHEMA, code_version()) else None
    return files if isinstance(files, dict) else {}
