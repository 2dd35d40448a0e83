"""One fact per file (its bytes' hash, an image's size), remembered while the file is unchanged.

A warm ``mkdocs build`` looks at every post's photo twice: to check it is a usable image
(reading its header) and to key the pins drawn from it (hashing its bytes). Both answers only
change when the file does, so each is kept in a memo of its own beside the render cache, keyed
on the file's path and ``(size, mtime, ctime, inode)``; a warm build then only stats. A memo
written by other code (another release, a local edit) is ignored.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from . import code_version
from .fs import read_regular, write_bytes_atomic

MEMO_SCHEMA = 4
"""Bump when the file's layout changes (an older memo is then ignored, never misread)."""

RACY_SECONDS = 2.0
"""A file changed this recently may change again within its mtime's resolution: its facts are
not remembered (the "racy git" problem), so a same-size edit in the same tick is never missed."""

Stat = tuple[int, int, int, int]
Fact = str | list[int]


def stat_key(st: os.stat_result) -> Stat:
    """What says a file is unchanged: size, modification and change times, inode."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


class FileMemo:
    """Per path: the stat it had and the one fact learnt about it then.

    With ``path`` the memo is read from and :meth:`save`\\ d to that JSON file (best effort:
    it is only a cache, a broken or foreign file is ignored and later replaced).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._entries: dict[str, tuple[Stat, Fact]] = {}
        self._dirty = False
        if path is not None:
            self._entries = _load(path)

    def get(self, name: str, st: os.stat_result) -> Fact | None:
        """The remembered fact about ``name`` if the file still has stat ``st``."""
        known = self._entries.get(name)
        if known is None or known[0] != stat_key(st):
            return None
        return known[1]

    def put(self, name: str, st: os.stat_result, value: Fact) -> None:
        """Remember ``value`` about ``name`` as it was with stat ``st`` (unless just written)."""
        if time.time_ns() - st.st_mtime_ns <= RACY_SECONDS * 1e9:
            return
        entry = (stat_key(st), value)
        if self._entries.get(name) != entry:
            self._entries[name] = entry
            self._dirty = True

    def save(self) -> None:
        """Write the memo back when it learnt something; facts about files that are gone or
        changed are left out, every other fact is kept (whether or not this build read it)."""
        if self.path is None or not self._dirty:
            return
        files = {
            name: [*stat, fact]
            for name, (stat, fact) in sorted(self._entries.items())
            if _unchanged(name, stat)
        }
        data = {"schema": MEMO_SCHEMA, "code": code_version(), "files": files}
        text = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
        try:
            write_bytes_atomic(self.path, text, durable=False)  # only a cache
        except OSError:
            return
        self._dirty = False


def _unchanged(name: str, stat: Stat) -> bool:
    try:
        return stat_key(os.stat(name)) == stat
    except OSError:
        return False


def _load(path: Path) -> dict[str, tuple[Stat, Fact]]:
    try:
        raw = json.loads(read_regular(path).decode("utf-8"))  # a FIFO here must not block
    except (OSError, ValueError, RecursionError):
        return {}
    if (
        not isinstance(raw, dict)
        or raw.get("schema") != MEMO_SCHEMA
        or raw.get("code") != code_version()
        or not isinstance(raw.get("files"), dict)
    ):
        return {}
    entries: dict[str, tuple[Stat, Fact]] = {}
    for name, entry in raw["files"].items():
        if (
            isinstance(entry, list)
            and len(entry) == 5
            and all(type(v) is int for v in entry[:4])
            and isinstance(entry[4], (str, list))
        ):
            entries[name] = ((entry[0], entry[1], entry[2], entry[3]), entry[4])
    return entries
