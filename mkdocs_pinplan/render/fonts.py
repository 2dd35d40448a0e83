"""Font files: which ones a pin uses, and which characters each one draws.

The brand's fonts come first (Manrope from the ``font-manrope`` package by default, never
downloaded), then its ``fallback_fonts``, then fonts fontconfig lists on the system. What a
font covers is read straight from its ``cmap`` table (TrueType and OpenType, also the first
face of a collection), so no font library beyond Pillow is needed and the answer is exact.
"""

from __future__ import annotations

import bisect
import re
import shutil
import struct
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Brand

if TYPE_CHECKING:
    from PIL import ImageFont

# Pillow is imported where a font is opened: a warm build checks its headlines' characters
# against the fonts' character maps, but never opens a font to draw.

HEADLINE_WEIGHT = "ExtraBold"
BODY_WEIGHT = "SemiBold"


class RenderError(Exception):
    """A pin cannot be rendered from its inputs (bad image or font); the message says why."""


def default_font(weight: str = "Bold") -> Path:
    """Path of a bundled Manrope weight (``Regular``, ``Medium``, ``SemiBold``, ``Bold``...)."""
    import font_manrope

    name = "Manrope" if weight == "Regular" else f"Manrope{weight}"
    return Path(font_manrope.font_files[name])


def headline_chain(brand: Brand) -> tuple[Path, ...]:
    """Fonts tried in order for the headline: the bold font, then the fallbacks."""
    return (brand.font_bold or default_font(HEADLINE_WEIGHT), *brand.fallback_fonts)


def body_chain(brand: Brand) -> tuple[Path, ...]:
    """Fonts tried in order for small text (the footer): the regular font, then fallbacks."""
    return (brand.font or default_font(BODY_WEIGHT), *brand.fallback_fonts)


def stamp(path: Path, what: str = "font file") -> tuple[int, int]:
    """``path``'s modification time and size: part of every per-process cache key, so a file
    changed under ``mkdocs serve`` is read again."""
    try:
        st = path.stat()
    except OSError:
        raise RenderError(f"{what} not found: {path}") from None
    return (st.st_mtime_ns, st.st_size)


def shaping_available() -> bool:
    """Whether Pillow has raqm (HarfBuzz and FriBiDi): complex and right-to-left scripts
    need it to join and order their letters."""
    from PIL import features

    return bool(features.check("raqm"))


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


@lru_cache(maxsize=256)
def load_font(path: Path, size: int, shaped: bool = False) -> ImageFont.FreeTypeFont:
    """A FreeType font at ``size`` px, cached per process (fonts are reused across pins).

    ``shaped`` lays text out with raqm where Pillow has it; plain Latin, Greek, Cyrillic and
    CJK text needs no shaping and is laid out faster without. Raises :class:`RenderError`
    when the file is missing or FreeType cannot use it at that size.
    """
    from PIL import ImageFont

    engine = ImageFont.Layout.RAQM if shaped and shaping_available() else ImageFont.Layout.BASIC
    try:
        return ImageFont.truetype(str(path), size, layout_engine=engine)
    except FileNotFoundError:
        raise RenderError(f"font file not found: {path}") from None
    except OSError as exc:
        # Typically a bitmap-only colour emoji font, which FreeType draws at one size only.
        raise RenderError(
            f"cannot use font file {path.name} at {size} px ({exc}); bitmap-only fonts "
            "such as Noto Color Emoji are not supported, use an outline font"
        ) from None


def _u16(data: bytes, at: int) -> int:
    value: int = struct.unpack_from(">H", data, at)[0]
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
    (groups,) = struct.unpack_from(">I", data, at + 12)
    for i in range(groups):
        start, end, first_glyph = struct.unpack_from(">III", data, at + 16 + 12 * i)
        first = start if first_glyph else start + 1  # glyph 0 is .notdef: not a real glyph
        out.update(range(first, end + 1))


def _format6(data: bytes, at: int, out: set[int]) -> None:
    first = _u16(data, at + 6)
    for i in range(_u16(data, at + 8)):
        if _u16(data, at + 10 + 2 * i):
            out.add(first + i)


def parse_cmap(data: bytes) -> frozenset[int]:
    """The code points that ``data`` (a TTF/OTF/TTC file) maps to a glyph.

    Raises ``ValueError`` when the data is not a font with a Unicode character map.
    """
    try:
        (base,) = struct.unpack_from(">I", data, 12) if data[:4] == b"ttcf" else (0,)
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
        readers = {12: _format12, 4: _format4, 6: _format6}
        # Full-Unicode tables first; the BMP ones add nothing when a full one exists.
        for key in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0)):
            at = subtables.get(key)
            if at is not None and _u16(data, at) in readers:
                readers[_u16(data, at)](data, at, covered)
        if not covered:
            raise ValueError("the font has no Unicode character map")
        return frozenset(covered)
    except (struct.error, KeyError, IndexError):
        raise ValueError("not a TrueType/OpenType font (no readable character map)") from None


@lru_cache(maxsize=32)
def _charset(path: Path, version: tuple[int, int]) -> frozenset[int]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RenderError(f"cannot read font file {path.name}: {exc.strerror}") from None
    try:
        return parse_cmap(data)
    except ValueError as exc:
        raise RenderError(f"font file {path.name}: {exc}") from None


def charset(path: Path) -> frozenset[int]:
    """The code points ``path`` can draw, cached per process and per file version.

    Raises :class:`RenderError` when the file is missing or not a usable font.
    """
    return _charset(path, stamp(path))


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
        chain = cls(tuple(paths), tuple(stamp(p) for p in paths))
        chain.charsets()
        return chain

    def charsets(self) -> list[frozenset[int]]:
        """Each font's code points, in chain order."""
        return [_charset(p, s) for p, s in zip(self.paths, self.stamps, strict=True)]

    def font(self, index: int, size: int, run: str = "") -> ImageFont.FreeTypeFont:
        """Font ``index`` of the chain at ``size`` px, laid out with shaping when ``run``
        (the text it is for) needs it."""
        return load_font(self.paths[index], size, needs_shaping(run))


FC_LIST_TIMEOUT = 30.0
"""Seconds ``fc-list`` may take (it builds its cache on a first run)."""
_FC_FORMAT = "\\t".join(
    ("%{file}", "%{index}", "%{outline}", "%{color}", "%{weight}", "%{fontformat}", "%{lang}")
)
_FC_FORMATS = ("TrueType", "CFF")
"""What Pillow draws at any size; bitmap and Type 1 fonts are left out."""
BOLD = 200
"""fontconfig's weight of a bold face: headlines are set bold."""


@dataclass(frozen=True)
class InstalledFont:
    """One font file fontconfig knows, with what it says the font covers."""

    path: Path
    weight: int
    langs: frozenset[str]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    """The code point ranges of its character set, as parallel sorted lists."""

    def has(self, code: int) -> bool:
        """Whether fontconfig lists ``code`` in the font's character set."""
        at = bisect.bisect_right(self.starts, code) - 1
        return at >= 0 and code <= self.ends[at]

    def speaks(self, lang: str) -> bool:
        """Whether the font claims the language ``lang`` (``ja``, ``ar``, ``zh-tw``…)."""
        code = lang.lower().replace("_", "-")
        return code in self.langs or code.split("-")[0] in self.langs


def _parse_fc(line: str) -> InstalledFont | None:
    parts = line.split("\t")
    if len(parts) != 8:
        return None
    file, index, outline, color, weight, kind, langs, ranges = parts
    if index != "0" or outline != "True" or color == "True" or kind not in _FC_FORMATS:
        # Only the first face of a collection: Pillow and the character map read that one.
        return None
    starts: list[int] = []
    ends: list[int] = []
    try:
        for item in ranges.split():
            first, _, last = item.partition("-")
            starts.append(int(first, 16))
            ends.append(int(last or first, 16))
        strength = round(float(weight))
    except ValueError:
        return None
    return InstalledFont(
        Path(file), strength, frozenset(langs.split("|")), tuple(starts), tuple(ends)
    )


@lru_cache(maxsize=1)
def installed_fonts() -> tuple[InstalledFont, ...]:
    """The outline fonts fontconfig lists, sorted by path; empty without fontconfig.

    Asked only when a headline has characters the brand's fonts lack, so a Latin-only blog
    never runs ``fc-list``.
    """
    command = shutil.which("fc-list")
    if command is None:
        return ()
    try:
        listing = subprocess.run(
            [command, "--format", _FC_FORMAT + "\\t%{charset}\\n"],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=FC_LIST_TIMEOUT,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    fonts = {font.path: font for line in listing.splitlines() if (font := _parse_fc(line))}
    return tuple(fonts[path] for path in sorted(fonts))


def fonts_for(
    chars: Iterable[str], lang: str, fonts: Sequence[InstalledFont] | None = None
) -> tuple[Path, ...]:
    """Installed fonts that together draw as many of ``chars`` as any can, fewest first.

    fontconfig's character sets pick the candidates; each font's own character map has the
    last word. Each round takes the font that draws the most characters still missing; ties
    go to a font that claims ``lang``, then to the one nearest bold, then to the path (so
    the choice is stable). ``fonts`` defaults to :func:`installed_fonts`.
    """
    needed = {ord(ch) for ch in "".join(chars) if not ch.isspace()}
    pool = list(installed_fonts() if fonts is None else fonts)
    chosen: list[Path] = []
    while needed and pool:
        best: tuple[tuple[int, int, int], InstalledFont, set[int]] | None = None
        for font in pool:
            claimed = {code for code in needed if font.has(code)}
            if not claimed:
                continue
            try:
                drawn = claimed & charset(font.path)
            except RenderError:
                continue
            rank = (len(drawn), font.speaks(lang), -abs(font.weight - BOLD))
            if drawn and (best is None or rank > best[0]):
                best = (rank, font, drawn)
        if best is None:
            break
        _rank, font, drawn = best
        chosen.append(font.path)
        needed -= drawn
        pool.remove(font)
    return tuple(chosen)
