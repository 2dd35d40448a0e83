"""Render cache keys: the bytes that decide a pin's pixels, hashed.

A key is the SHA-256 of a canonical form of the :class:`~mkdocs_pinplan.model.Design` in which
every file path is replaced by the hash of that file's bytes, plus a "render context": the
package's code (:func:`~mkdocs_pinplan.code_version`, every file of it), the
versions of the libraries that draw, and the bundled default fonts' bytes. So a renamed
background reuses its pins, a changed background re-renders exactly its pins, an option that
is not part of the design (a board, a schedule) re-renders nothing, and any other release or
edit of the code re-renders everything.
"""

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


class FileHasher:
    """SHA-256 of files' bytes, each file read at most once while it stays unchanged.

    Within a build each path is hashed once; with a memo (kept in the cache as
    ``file-hashes.json``) an unchanged file is not read again in later builds either.
    """

    def __init__(self, memo: FileMemo | None = None) -> None:
        self.memo = memo if memo is not None else FileMemo()
        self._this_build: dict[str, str] = {}

    @classmethod
    def in_cache(cls, cache_dir: Path) -> FileHasher:
        """A hasher whose memo lives in ``cache_dir``."""
        return cls(FileMemo(cache_dir / "file-hashes.json"))

    def digest(self, path: str | os.PathLike[str]) -> str:
        """Hex SHA-256 of ``path``'s bytes, or a marker naming the path when it is unreadable.

        An unreadable file gets a key of its own; rendering it fails and is never cached.
        """
        name = os.fspath(path)
        seen = self._this_build.get(name)
        if seen is None:
            seen = self._this_build[name] = self._digest(name)
        return seen

    def _digest(self, name: str) -> str:
        try:
            st = os.stat(name)
        except OSError:
            return f"missing:{name}"
        known = self.memo.get(name, st)
        if isinstance(known, str):
            return known
        sha = hashlib.sha256()
        try:
            with open(name, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    sha.update(chunk)
        except OSError:
            return f"missing:{name}"
        value = sha.hexdigest()
        self.memo.put(name, st, value)
        return value

    def save(self) -> None:
        """Write the memo back to its file (best effort: it is only a cache)."""
        self.memo.save()


def _library_versions() -> dict[str, str]:
    """Versions of the libraries that shape pixels."""
    import PIL

    versions = {"pillow": PIL.__version__}
    # From its metadata: importing pyphen lists its ~150 dictionaries, and a warm build
    # draws nothing.
    with suppress(importlib.metadata.PackageNotFoundError):
        versions["pyphen"] = importlib.metadata.version("pyphen")
    return versions


def default_font_files() -> list[Path]:
    """Every bundled Manrope file: ``None`` fonts in a design mean these bytes."""
    try:
        import font_manrope
    except ImportError:
        return []
    return sorted(Path(p) for p in font_manrope.font_files.values())


def render_context(hasher: FileHasher) -> str:
    """Hash of everything outside a design that changes pixels (code, libraries, default fonts)."""
    context = {
        "code": code_version(),
        "versions": _library_versions(),
        "fonts": {p.name: hasher.digest(p) for p in default_font_files()},
    }
    return hashlib.sha256(json.dumps(context, sort_keys=True).encode()).hexdigest()


def design_key(design: Design, hasher: FileHasher, context: str) -> str:
    """The cache key of ``design``: equal exactly when the rendered bytes would be equal."""

    def form(value: object) -> object:
        # What JSON cannot say itself: a record by its type and fields (named, so a
        # reordered dataclass cannot collide; the model's records keep them in vars()),
        # a file by its bytes' hash.
        if isinstance(value, os.PathLike):
            return {"file": hasher.digest(value)}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {"type": type(value).__name__, "fields": vars(value)}
        raise TypeError(f"no cache key form for {type(value).__name__}")

    text = json.dumps(design, default=form, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{context}\0{text}".encode()).hexdigest()
