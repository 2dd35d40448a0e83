"""Render cache keys: the bytes that decide a pin's pixels, hashed (see :class:`DesignKeys`).

A key covers the design, each file by its bytes, and a "render context": every file of the
package's code, the versions of the libraries that draw and the default fonts' bytes. So a
renamed background reuses its pins, a changed one re-renders exactly its pins, an option outside
the design (a board) re-renders nothing, and any other release or edit re-renders everything."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
import os
from contextlib import suppress
from pathlib import Path

from .. import code_version
from ..filememo import FileMemo
from ..model import Design


def file_digest(name: str, memo: FileMemo) -> str:
    """Hex SHA-256 of file ``name``'s bytes, remembered in ``memo`` while the file is unchanged;
    an unreadable file gets a marker naming it (its render fails and is never cached)."""
    try:
        st = os.stat(name)
    except OSError:
        return f"missing:{name}"
    known = memo.get(name, st)
    if isinstance(known, str):
        return known
    try:
        with open(name, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return f"missing:{name}"
    memo.put(name, st, digest)
    return digest


def default_font_files() -> list[Path]:
    """Every bundled Manrope file: ``None`` fonts in a design mean these bytes."""
    try:
        import font_manrope
    except ImportError:
        return []
    return sorted(Path(p) for p in font_manrope.font_files.values())


class DesignKeys:
    """The cache keys of one build's designs: equal exactly when the rendered bytes would be.

    A key is the SHA-256 of the render context and a canonical JSON form of the design: a record
    (a dataclass) as its type name and its fields' values in order (the code, in the context,
    fixes what they are), a record inside it (layout, palette, brand) as the hash of that form,
    worked out once per build, and a file as the hash of its bytes."""

    def __init__(self, memo: FileMemo | None = None) -> None:
        self.memo = memo if memo is not None else FileMemo()
        import PIL

        # Everything outside a design that changes pixels: the code, the libraries that draw
        # (pyphen's version from its metadata: importing it lists ~150 dictionaries), the fonts.
        versions = {"pillow": PIL.__version__}
        with suppress(importlib.metadata.PackageNotFoundError):
            versions["pyphen"] = importlib.metadata.version("pyphen")
        fonts = {p.name: file_digest(os.fspath(p), self.memo) for p in default_font_files()}
        context = {"code": code_version(), "versions": versions, "fonts": fonts}
        self.context = hashlib.sha256(json.dumps(context, sort_keys=True).encode()).hexdigest()
        self._forms: dict[object, object] = {}  # each record and file worked out once a build
        self._encode = json.JSONEncoder(default=self._form, ensure_ascii=False).encode

    def key(self, design: Design) -> str:
        """The cache key of ``design``."""
        return hashlib.sha256(f"{self.context}\0{self._text(design)}".encode()).hexdigest()

    def _text(self, record: object) -> str:
        return self._encode([type(record).__name__, *vars(record).values()])

    def _form(self, value: object) -> object:
        """What JSON cannot say itself: a record by its hash, a file by its bytes' hash."""
        form = self._forms.get(value)
        if form is not None:
            return form
        if isinstance(value, os.PathLike):
            form = {"file": file_digest(os.fspath(value), self.memo)}
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            form = {"record": hashlib.sha256(self._text(value).encode()).hexdigest()}
        else:
            raise TypeError(f"no cache key form for {type(value).__name__}")
        self._forms[value] = form
        return form
