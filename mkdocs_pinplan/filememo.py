"""Facts about files (their bytes' hash, an image's size) remembered while a file is unchanged.

A warm ``mkdocs build`` looks at every post's photo twice: to check it is a usable image
(reading its header) and to key the pins drawn from it (hashing its bytes). Both answers
only change when the file does, so one memo, kept beside the render cache, holds them keyed
on the file's path and ``(size, mtime, ctime, inode)``; a warm build then only stats.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from .fs import write_bytes_atomic

MEMO_SCHEMA = 3
"""Bump when the file's layout changes (an older memo is then ignored, never misread)."""

RACY_SECONDS = 2.0
"""A file changed this recently may change again within its mtime's resolution: its facts are
not remembered (the "racy git" problem), so a same-size edit in the same tick is never missed."""

Stat = tuple[int, int, int, int]
Fact = str | int | list[int] | list[str]


def stat_key(st: os.stat_result) -> Stat:
    """What says a file is unchanged: size, modification and change times, inode."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


class FileMemo:
    """Per path: the stat it had and the facts learnt about it then.

    With ``path`` the memo is read from and :meth:`save`\\ d to that JSON file (best effort:
    it is only a cache, a broken or foreign file is ignored and later replaced).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._entries: dict[str, tuple[Stat, dict[str, Fact]]] = {}
        self._used: set[str] = set()
        self._dirty = False
        if path is not None:
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(raw, dict) or raw.get("schema") != MEMO_SCHEMA:
            return
        files = raw.get("files")
        if not isinstance(files, dict):
            return
        for name, entry in files.items():
            if (
                isinstance(entry, list)
                and len(entry) == 5
                and all(type(v) is int for v in entry[:4])
                and isinstance(entry[4], dict)
            ):
                self._entries[name] = ((entry[0], entry[1], entry[2], entry[3]), entry[4])

    def get(self, name: str, st: os.stat_result, fact: str) -> Fact | None:
        """The remembered ``fact`` about ``name`` if the file still has stat ``st``."""
        self._used.add(name)
        known = self._entries.get(name)
        if known is None or known[0] != stat_key(st):
            return None
        return known[1].get(fact)

    def put(self, name: str, st: os.stat_result, fact: str, value: Fact) -> None:
        """Remember ``fact`` about ``name`` as it was with stat ``st`` (unless just written)."""
        self._used.add(name)
        if time.time_ns() - st.st_mtime_ns <= RACY_SECONDS * 1e9:
            return
        stat = stat_key(st)
        known = self._entries.get(name)
        if known is None or known[0] != stat:
            self._entries[name] = (stat, {fact: value})
        elif known[1].get(fact) != value:
            known[1][fact] = value
        else:
            return
        self._dirty = True

    def save(self) -> None:
        """Write the memo back, keeping only files this build looked at (renamed ones drop)."""
        dropped = self._entries.keys() - self._used
        if self.path is None or not (self._dirty or dropped):
            return
        data = {
            "schema": MEMO_SCHEMA,
            "files": {
                name: [*stat, facts]
                for name, (stat, facts) in sorted(self._entries.items())
                if name in self._used
            },
        }
        text = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
        try:
            write_bytes_atomic(self.path, text, durable=False)  # only a cache
        except OSError:
            return
        self._dirty = False
