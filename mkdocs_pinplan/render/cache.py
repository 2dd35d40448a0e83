"""Content-addressed store of rendered pins, keyed on the bytes that decide their pixels.

A key is the SHA-256 of a canonical form of the :class:`~mkdocs_pinplan.model.Design` in
which every file path is replaced by the hash of that file's bytes, plus a "render context":
the Pillow version, the bundled default fonts' bytes and the source of the drawing code. So a
renamed background reuses its pins, a changed background re-renders exactly its pins, and an
option that is not part of the design (a board, a schedule) re-renders nothing.

Entries are immutable files ``<cache_dir>/pins/<k[:2]>/<k>.<ext>``, written by rename so a
reader never sees half an image, with the render's warnings beside them in ``<k>.json`` (only
when there are any). Concurrent builds may write the same entry: both write identical bytes,
and the last rename wins.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import importlib.metadata
import json
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..filememo import FileMemo
from ..fs import write_bytes_atomic
from ..model import Design

CACHE_SCHEMA = 2
"""Bump when the entry layout or the key's canonical form changes."""

_NOT_PIXELS = frozenset({"__init__.py", "pipeline.py", "cache.py", "pool.py", "progress.py"})
"""Modules of the render package that move pins around but never change their pixels."""

PRUNE_AFTER_DAYS = 30
"""Entries no build has needed for this long are deleted (by the first build of a day)."""


class FileHasher:
    """SHA-256 of files' bytes, each file read at most once while it stays unchanged.

    Memoised by path and (size, mtime, ctime, inode) in a :class:`FileMemo`; with a memo file
    it also survives between processes, so a warm ``mkdocs build`` only stats its images and
    fonts.
    """

    def __init__(self, memo: FileMemo | Path | None = None) -> None:
        self.memo = memo if isinstance(memo, FileMemo) else FileMemo(memo)
        self._this_build: dict[str, str] = {}
        self._forms: dict[object, str] = {}
        self._by_id: dict[int, tuple[object, str]] = {}
        self._paths: dict[str, str] = {}
        self.hashed = 0
        """How many files this hasher actually read (for tests and the benchmark)."""

    def digest(self, path: str | os.PathLike[str]) -> str:
        """Hex SHA-256 of ``path``'s bytes, or a marker naming the path when it is unreadable.

        A hasher stands for one build: each path is looked at once, later calls reuse that.
        An unreadable file gets a key of its own; rendering it fails and is never cached.
        """
        name = os.fspath(path)
        seen = self._this_build.get(name)
        if seen is None:
            seen = self._this_build[name] = self._digest(name)
        return seen

    def form(self, value: object) -> str:
        """Canonical text of ``value`` (JSON, or ``repr`` for a plain scalar), files replaced
        by their bytes' hash.

        Shared parts of many designs (brand, palette, layout) are worked out once per build.
        """
        if value is None or type(value) in (str, int, float, bool):
            # repr tells "1", 1, 1.0 and True apart, and is cheaper than a JSON dump.
            return repr(value)
        # Designs share the very same brand/palette/layout objects, and a post's pins its
        # photo's path: look them up by identity first (kept alive in the memo, so an id is
        # never reused while it is there).
        known = self._by_id.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        if isinstance(value, os.PathLike):
            # Equal paths are one file: hashed (and dumped) once.
            path_text = self._path_form(value)
            self._by_id[id(value)] = (value, path_text)
            return path_text
        if not (dataclasses.is_dataclass(value) and not isinstance(value, type)):
            return _dumps(_canonical(value, self))
        try:
            text = self._forms.get(value)
        except TypeError:  # an unhashable dataclass
            return _dumps(_canonical(value, self))
        if text is None:
            text = self._forms[value] = _dumps(_canonical(value, self))
        self._by_id[id(value)] = (value, text)
        return text

    def _path_form(self, path: os.PathLike[str]) -> str:
        name = os.fspath(path)
        text = self._paths.get(name)
        if text is None:
            text = self._paths[name] = _dumps(_canonical(path, self))
        return text

    def _digest(self, name: str) -> str:
        try:
            st = os.stat(name)
        except OSError:
            return f"missing:{name}"
        known = self.memo.get(name, st, "sha256")
        if isinstance(known, str):
            return known
        sha = hashlib.sha256()
        try:
            with open(name, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    sha.update(chunk)
        except OSError:
            return f"missing:{name}"
        self.hashed += 1
        value = sha.hexdigest()
        self.memo.put(name, st, "sha256", value)
        return value

    def save(self) -> None:
        """Write the memo back to its file (best effort: it is only a cache)."""
        self.memo.save()


def _dumps(form: Any) -> str:
    return json.dumps(form, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _canonical(value: Any, hasher: FileHasher) -> Any:
    """A JSON-able form of ``value`` in which file paths are replaced by their bytes' hash."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, os.PathLike):
        return {"file": hasher.digest(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Field names are part of the form so a reordered dataclass cannot collide.
        fields = {
            f.name: _canonical(getattr(value, f.name), hasher) for f in dataclasses.fields(value)
        }
        return {"type": type(value).__name__, "fields": fields}
    if isinstance(value, enum.Enum):
        return {"enum": type(value).__name__, "value": _canonical(value.value, hasher)}
    if isinstance(value, (tuple, list)):
        return [_canonical(v, hasher) for v in value]
    if isinstance(value, (frozenset, set)):
        return sorted((_canonical(v, hasher) for v in value), key=json.dumps)
    if isinstance(value, dict):
        return {"map": sorted([str(k), _canonical(v, hasher)] for k, v in value.items())}
    return {"repr": repr(value)}


def render_sources() -> list[Path]:
    """Files whose content decides how a design is drawn: the render package, image loading
    and colour contrast."""
    package = Path(__file__).resolve().parent
    files = [package.parent / "images.py", package.parent / "color.py"]
    # os.walk rather than Path.rglob: a third of the time, and this runs in every build.
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        files.extend(
            Path(folder, name)
            for name in names
            if name not in _NOT_PIXELS and not name.endswith((".pyc", ".pyo"))
        )
    return sorted(files)


@lru_cache(maxsize=1)
def _package_versions() -> dict[str, str]:
    """Versions of the libraries that shape pixels (read once per process)."""
    import PIL

    versions = {"pillow": PIL.__version__}
    # From its metadata: importing pyphen lists its ~150 dictionaries (several ms), and a
    # warm build draws nothing.
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        versions["pyphen"] = importlib.metadata.version("pyphen")
    return versions


def default_font_files() -> list[Path]:
    """Every bundled Manrope file: ``None`` fonts in a design mean these bytes."""
    try:
        import font_manrope
    except ImportError:
        return []
    return sorted(Path(p) for p in font_manrope.font_files.values())


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the drawing code as this process loaded it (read once per process).

    Once per process on purpose: under ``mkdocs serve`` an edited module is not reloaded,
    so keying on the edited file would file old-code images under the new code's keys.
    """
    package = Path(__file__).resolve().parent.parent
    sha = hashlib.sha256()
    for path in render_sources():
        sha.update(Path(os.path.relpath(path, package)).as_posix().encode() + b"\0")
        try:
            sha.update(path.read_bytes())
        except OSError:
            sha.update(b"missing")
        sha.update(b"\0")
    return sha.hexdigest()


def render_context(hasher: FileHasher) -> str:
    """Hash of everything outside a design that changes pixels (code, libraries, default fonts)."""
    context = {
        "schema": CACHE_SCHEMA,
        "versions": _package_versions(),
        "code": code_version(),
        "fonts": {p.name: hasher.digest(p) for p in default_font_files()},
    }
    return hashlib.sha256(json.dumps(context, sort_keys=True).encode()).hexdigest()


def design_key(design: Design, hasher: FileHasher, context: str) -> str:
    """The cache key of ``design``: equal exactly when the rendered bytes would be equal."""
    names = _DESIGN_FIELDS if type(design) is Design else _field_names(design)
    form = hasher.form
    parts = [context, type(design).__name__]
    parts += [f"{name}={form(getattr(design, name))}" for name in names]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _field_names(value: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(value))


_DESIGN_FIELDS = _field_names(Design)


def extension(design: Design) -> str:
    """File extension of a design's encoded image."""
    return "png" if design.image_format == "png" else "jpg"


def place(source: str | Path, target: str | Path) -> None:
    """Put a copy of ``source``'s bytes at ``target`` (replaced atomically when it exists)."""
    write_bytes_atomic(Path(target), Path(source).read_bytes(), durable=False)


class PinCache:
    """The on-disk store under ``root`` (the plugin's ``cache_dir``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pins = root / "pins"

    def entry(self, key: str, ext: str, *, warned: bool = False) -> str:
        """Where the image of ``key`` lives (whether or not it exists yet).

        An image that came with warnings is named ``<key>.w.<ext>``, its warnings beside it in
        ``<key>.json``; so the common hit, without warnings, costs a single ``stat``.
        """
        return os.path.join(self.pins, key[:2], f"{key}.w.{ext}" if warned else f"{key}.{ext}")

    def lookup(self, key: str, ext: str) -> tuple[str, tuple[str, ...]] | None:
        """The entry's path and stored warnings, or ``None`` when it is missing or torn."""
        for warned in (False, True):
            path = self.entry(key, ext, warned=warned)
            try:
                size = os.stat(path).st_size
            except OSError:
                continue
            if size == 0:
                return None
            return path, (self._read_warnings(key) if warned else ())
        return None

    def _read_warnings(self, key: str) -> tuple[str, ...]:
        try:
            raw = json.loads(Path(self.entry(key, "json")).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return ()
        if isinstance(raw, list) and all(isinstance(w, str) for w in raw):
            return tuple(raw)
        return ()

    def store(self, key: str, ext: str, data: bytes, warnings: Iterable[str]) -> str:
        """Write an entry; warnings first, so a visible image always has its warnings beside it."""
        notes = list(warnings)
        if notes:
            warned = json.dumps(notes, ensure_ascii=False).encode()
            write_bytes_atomic(Path(self.entry(key, "json")), warned, durable=False)
        path = self.entry(key, ext, warned=bool(notes))
        # No fsync: a torn entry (empty after a power cut) is treated as missing by lookup.
        write_bytes_atomic(Path(path), data, durable=False)
        return path

    def prune(
        self, keep: Iterable[str], *, now: float, max_age_days: float = PRUNE_AFTER_DAYS
    ) -> int:
        """Delete entries not in ``keep`` and older than ``max_age_days``, at most once a day.

        Returns how many files were deleted. Leftover temp files of killed writers go too.
        Another build may still want a deleted entry: it then simply renders it again.
        """
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
                    if key in wanted or item.stat().st_mtime >= oldest:
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

    def memo(self) -> FileMemo:
        """The memo of file facts (hashes, image sizes) kept in this cache between builds."""
        return FileMemo(self.root / "files.json")
