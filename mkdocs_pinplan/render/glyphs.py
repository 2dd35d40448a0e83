"""Glyph coverage: which font of a fallback chain draws each character, and which none can.

The character map is read straight from the font file's ``cmap`` table (TrueType and
OpenType, also the first face of a collection), so no font library beyond Pillow is needed
and the answer is exact: a character is covered when the font maps it to a real glyph.
"""

from __future__ import annotations

import re
import struct
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .fonts import load_font
from .problems import RenderError

if TYPE_CHECKING:
    from PIL import ImageFont

# Invisible characters that belong to the previous character (emoji presentation, joiners);
# a font does not need them for the text to look right.
_JOINERS = frozenset({0x200C, 0x200D, 0xFE0E, 0xFE0F})


def _u16(data: bytes, at: int) -> int:
    value: int = struct.unpack_from(">H", data, at)[0]
    return value


def _u32(data: bytes, at: int) -> int:
    value: int = struct.unpack_from(">I", data, at)[0]
    return value


def _format4(data: bytes, at: int, out: set[int]) -> None:
    segments = _u16(data, at + 6) // 2
    ends = at + 14
    starts = ends + 2 * segments + 2
    deltas = starts + 2 * segments
    offsets = deltas + 2 * segments
    for i in range(segments):
        end = _u16(data, ends + 2 * i)
        start = _u16(data, starts + 2 * i)
        delta = _u16(data, deltas + 2 * i)
        range_offset = _u16(data, offsets + 2 * i)
        for code in range(start, min(end, 0xFFFE) + 1):
            if range_offset == 0:
                glyph = (code + delta) & 0xFFFF
            else:
                where = offsets + 2 * i + range_offset + 2 * (code - start)
                glyph = _u16(data, where)
                if glyph:
                    glyph = (glyph + delta) & 0xFFFF
            if glyph:
                out.add(code)


def _format12(data: bytes, at: int, out: set[int]) -> None:
    groups = _u32(data, at + 12)
    for i in range(groups):
        start, end, first_glyph = struct.unpack_from(">III", data, at + 16 + 12 * i)
        first = start if first_glyph else start + 1  # glyph 0 is .notdef: not a real glyph
        out.update(range(first, end + 1))


def _format6(data: bytes, at: int, out: set[int]) -> None:
    first = _u16(data, at + 6)
    count = _u16(data, at + 8)
    for i in range(count):
        if _u16(data, at + 10 + 2 * i):
            out.add(first + i)


def parse_cmap(data: bytes) -> frozenset[int]:
    """The code points that ``data`` (a TTF/OTF/TTC file) maps to a glyph.

    Raises ``ValueError`` when the data is not a font with a Unicode character map.
    """
    try:
        base = _u32(data, 12) if data[:4] == b"ttcf" else 0
        tables = {}
        for i in range(_u16(data, base + 4)):
            tag, _checksum, offset, _length = struct.unpack_from(">4sIII", data, base + 12 + 16 * i)
            tables[tag] = offset
        cmap = tables[b"cmap"]
        subtables: dict[tuple[int, int], int] = {}
        for i in range(_u16(data, cmap + 2)):
            platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
            subtables[(platform, encoding)] = cmap + offset
        covered: set[int] = set()
        # Full-Unicode tables first; the BMP ones add nothing when a full one exists.
        for key in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0)):
            at = subtables.get(key)
            if at is None:
                continue
            kind = _u16(data, at)
            if kind == 12:
                _format12(data, at, covered)
            elif kind == 4:
                _format4(data, at, covered)
            elif kind == 6:
                _format6(data, at, covered)
        if not covered:
            raise ValueError("the font has no Unicode character map")
        return frozenset(covered)
    except (struct.error, KeyError, IndexError):
        raise ValueError("not a TrueType/OpenType font (no readable character map)") from None


@lru_cache(maxsize=32)
def _charset_cached(path: Path, stamp: tuple[int, int]) -> frozenset[int]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RenderError(f"cannot read font file {path.name}: {exc.strerror}") from None
    try:
        return parse_cmap(data)
    except ValueError as exc:
        raise RenderError(f"font file {path.name}: {exc}") from None


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        raise RenderError(f"font file not found: {path}") from None
    return (stat.st_mtime_ns, stat.st_size)


def charset(path: Path) -> frozenset[int]:
    """The code points ``path`` can draw, cached per process and per file version.

    Raises :class:`RenderError` when the file is missing or not a usable font.
    """
    return _charset_cached(path, _stamp(path))


@dataclass(frozen=True)
class FontChain:
    """Font files tried in order for every character, pinned to the files' versions.

    Hashable, so coverage and widths can be cached per process without going stale when a
    font file changes under ``mkdocs serve``.
    """

    paths: tuple[Path, ...]
    stamps: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, paths: Sequence[Path]) -> FontChain:
        """The chain of ``paths``; raises :class:`RenderError` for a missing or bad font."""
        chain = cls(tuple(paths), tuple(_stamp(p) for p in paths))
        for path, stamp in zip(chain.paths, chain.stamps, strict=True):
            _charset_cached(path, stamp)
        return chain

    def charsets(self) -> list[frozenset[int]]:
        """Each font's code points, in chain order."""
        return [_charset_cached(p, s) for p, s in zip(self.paths, self.stamps, strict=True)]

    def font(self, index: int, size: int, run: str = "") -> ImageFont.FreeTypeFont:
        """Font ``index`` of the chain at ``size`` px, laid out with shaping when ``run``
        (the text it is for) needs it."""
        return load_font(self.paths[index], size, needs_shaping(run))


# Scripts whose letters join, reorder or stack (Hebrew to Mongolian, Arabic presentation
# forms, and the Brahmic and South-East Asian scripts of the supplementary planes).
_COMPLEX = re.compile(
    "[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f\u1780-\u18af"
    "\u1900-\u1aff\u1b00-\u1c4f\ua800-\uaaff\ufb1d-\ufdff\ufe70-\ufeff"
    "\U00010800-\U00010fff\U00011000-\U000115ff\U0001e800-\U0001efff]"
)


def needs_shaping(text: str) -> bool:
    """Whether ``text`` has letters of a script that must be shaped (joined, reordered)."""
    return _COMPLEX.search(text) is not None


def right_to_left(text: str) -> bool:
    """Whether ``text`` reads right to left: its first strongly directed letter is Hebrew,
    Arabic or another right-to-left script (the Unicode bidi rule for a paragraph)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def clusters(text: str) -> list[str]:
    """``text`` split into user-perceived characters: a base plus its marks and joiners."""
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        attach = unicodedata.combining(ch) or code in _JOINERS or 0x1F3FB <= code <= 0x1F3FF
        joined = bool(out) and out[-1] and ord(out[-1][-1]) == 0x200D
        if out and (attach or joined):
            out[-1] += ch
        else:
            out.append(ch)
    return out


@dataclass(frozen=True)
class Coverage:
    """``text`` cut into runs of one font each, plus what no font could draw."""

    runs: tuple[tuple[str, int], ...]
    """``(text, font index)`` in order; the index points into the font chain."""
    missing: tuple[str, ...]
    """Characters left out because no font in the chain has them, in first-seen order."""

    @property
    def text(self) -> str:
        """The text that will be drawn (without the missing characters)."""
        return "".join(run for run, _ in self.runs)


@lru_cache(maxsize=8192)
def cover(text: str, chain: FontChain) -> Coverage:
    """Assign every character of ``text`` to a font of ``chain`` that has it.

    A word is drawn in one font when some font has all of it (the first such font), so a
    fallback never changes typeface in the middle of a word unless it must; other
    characters go to the first font that has them. Characters no font has are dropped and
    reported, so nothing is ever drawn as an empty box.
    """
    sets = chain.charsets()
    runs: list[tuple[str, int]] = []
    missing: list[str] = []

    def has(index: int, cluster: str) -> bool:
        return all(ord(ch) in sets[index] for ch in cluster if ord(ch) not in _JOINERS)

    def emit(cluster: str, index: int) -> None:
        drawn = "".join(ch for ch in cluster if ord(ch) not in _JOINERS or ord(ch) in sets[index])
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0] + drawn, index)
        else:
            runs.append((drawn, index))

    for word in re.split(r"(\s+)", unicodedata.normalize("NFC", text)):
        if not word:
            continue
        parts = clusters(word)
        if word.isspace():
            previous = runs[-1][1] if runs else 0
            order = [previous, *range(len(sets))]
            emit(word, next((i for i in order if has(i, word)), previous))
            continue
        whole = next((i for i in range(len(sets)) if all(has(i, c) for c in parts)), -1)
        for cluster in parts:
            index = (
                whole if whole >= 0 else next((i for i in range(len(sets)) if has(i, cluster)), -1)
            )
            if index < 0:
                if cluster not in missing:
                    missing.append(cluster)
                continue
            emit(cluster, index)
    return Coverage(tuple(runs), tuple(missing))


def describe(chars: Sequence[str]) -> str:
    """``'😀' (U+1F600), 'ấ' (U+1EA5)`` for a warning."""
    return ", ".join(f"'{c}' (" + " ".join(f"U+{ord(ch):04X}" for ch in c) + ")" for c in chars)
