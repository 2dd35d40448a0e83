"""Fonts, and which one draws each character: the brand's (Manrope by default), its fallbacks,
then fontconfig's; coverage read exactly from each ``cmap``. A headline with characters no font
draws is refused before planning; pictographs no font has are only left out of the image."""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import re
import shutil
import struct
import subprocess
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..errors import Problem
from ..model import Brand, Design, PinSpec

# Pillow is imported where a font is opened: a warm build reads character maps, opens no font.
if TYPE_CHECKING:
    from PIL import ImageFont


class RenderError(Exception):
    """A pin cannot be rendered from its inputs (bad image or font); the message says why."""


def default_font(weight: str) -> Path:
    """Path of a bundled Manrope weight (``Regular``, ``Medium``, ``SemiBold``, ``Bold``...)."""
    import font_manrope

    name = "Manrope" if weight == "Regular" else f"Manrope{weight}"
    return Path(font_manrope.font_files[name])


def headline_chain(brand: Brand) -> tuple[Path, ...]:
    """Fonts tried in order for the headline: the bold font, then the fallbacks."""
    return (brand.font_bold or default_font("ExtraBold"), *brand.fallback_fonts)


def stamp(path: Path, what: str = "font file") -> tuple[int, int]:
    """``path``'s mtime and size, for per-process cache keys (a file may change under serve)."""
    try:
        st = path.stat()
    except OSError:
        raise RenderError(f"{what} not found: {path}") from None
    return (st.st_mtime_ns, st.st_size)


def shaping_available() -> bool:
    """Whether Pillow has raqm, which complex and right-to-left scripts need."""
    from PIL import features

    return bool(features.check("raqm"))


# Scripts whose letters join, reorder or stack (Hebrew to Mongolian, Arabic presentation
# forms, and the Brahmic and South-East Asian scripts of the supplementary planes). A string:
# compiled (and cached by `re`) when a pin is drawn; a warm build never needs it.
_COMPLEX = (
    "[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f\u1780-\u18af"
    "\u1900-\u1aff\u1b00-\u1c4f\ua800-\uaaff\ufb1d-\ufdff\ufe70-\ufeff"
    "\U00010800-\U00010fff\U00011000-\U000115ff\U0001e800-\U0001efff]"
)


def needs_shaping(text: str) -> bool:
    """Whether ``text`` has letters of a script that must be shaped (joined, reordered)."""
    return re.search(_COMPLEX, text) is not None


@lru_cache(maxsize=256)
def load_font(path: Path, size: int, shaped: bool = False) -> ImageFont.FreeTypeFont:
    """A FreeType font at ``size`` px, cached per process; ``shaped`` lays text out with raqm
    where Pillow has it (text that needs no shaping is laid out faster without)."""
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
    n = _u16(data, at + 6) // 2
    ends = struct.unpack_from(f">{n}H", data, at + 14)
    starts, deltas, offsets = (
        struct.unpack_from(f">{n}H", data, at + 16 + 2 * n * k) for k in (1, 2, 3)
    )
    offsets_at = at + 16 + 6 * n
    for i, (start, end, delta, offset) in enumerate(
        zip(starts, ends, deltas, offsets, strict=True)
    ):
        for code in range(start, min(end, 0xFFFE) + 1):
            glyph = (code + delta) & 0xFFFF
            if offset:
                glyph = _u16(data, offsets_at + 2 * i + offset + 2 * (code - start))
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                out.add(code)


def parse_cmap(data: bytes) -> frozenset[int]:
    """The code points ``data`` (TTF/OTF/TTC) maps to a glyph; ``ValueError`` if not a font."""
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
        # Full-Unicode tables first; the BMP ones add nothing when a full one exists.
        for key in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0)):
            at = subtables.get(key)
            if at is None:
                continue
            kind = _u16(data, at)
            if kind == 4:
                _format4(data, at, covered)
            elif kind == 12:
                (groups,) = struct.unpack_from(">I", data, at + 12)
                for i in range(groups):
                    start, end, first_glyph = struct.unpack_from(">III", data, at + 16 + 12 * i)
                    first = start if first_glyph else start + 1  # glyph 0 is .notdef, no glyph
                    covered.update(range(first, end + 1))
            elif kind == 6:
                first, count = struct.unpack_from(">HH", data, at + 6)
                glyphs = struct.unpack_from(f">{count}H", data, at + 10)
                covered.update(first + i for i, glyph in enumerate(glyphs) if glyph)
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
    """The code points ``path`` draws (per file version); :class:`RenderError` if unusable."""
    return _charset(path, stamp(path))


class FontChain(NamedTuple):
    """Font files tried in order for every character, pinned to the files' versions (so
    caches keyed on it never go stale under ``mkdocs serve``)."""

    paths: tuple[Path, ...]
    stamps: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, paths: Sequence[Path]) -> FontChain:
        """The chain of ``paths``; raises :class:`RenderError` for a missing or bad font."""
        chain = cls(tuple(paths), tuple(stamp(p) for p in paths))
        chain.charsets()
        return chain

    def charsets(self) -> list[frozenset[int]]:
        return [_charset(p, s) for p, s in zip(self.paths, self.stamps, strict=True)]

    def font(self, index: int, size: int, run: str = "") -> ImageFont.FreeTypeFont:
        """Font ``index`` at ``size`` px, shaping when ``run`` (the text it is for) needs it."""
        return load_font(self.paths[index], size, needs_shaping(run))


FC_LIST_TIMEOUT = 30.0  # seconds: fc-list builds its cache on a first run
BOLD = 200  # fontconfig's weight of a bold face: headlines are set bold


class InstalledFont(NamedTuple):
    """One font file fontconfig lists, with the languages and code point ranges it claims."""

    path: Path
    weight: int
    langs: frozenset[str]
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def has(self, code: int) -> bool:
        at = bisect.bisect_right(self.starts, code) - 1
        return at >= 0 and code <= self.ends[at]


@lru_cache(maxsize=1)
def installed_fonts() -> tuple[InstalledFont, ...]:
    """The outline fonts fontconfig lists, sorted by path; empty without fontconfig (asked only
    when a headline has characters the brand's fonts lack)."""
    command = shutil.which("fc-list")
    if command is None:
        return ()
    keys = ("file", "index", "outline", "color", "weight", "fontformat", "lang", "charset")
    try:
        listing = subprocess.run(
            [command, "--format", "\\t".join(f"%{{{key}}}" for key in keys) + "\\n"],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=FC_LIST_TIMEOUT,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    fonts: dict[Path, InstalledFont] = {}
    for line in listing.splitlines():
        parts = line.split("\t")
        if len(parts) != 8:
            continue
        file, index, outline, color, weight, kind, langs, ranges = parts
        # Outline fonts Pillow draws at any size, the first face of a collection (as the cmap).
        if index != "0" or outline != "True" or color == "True" or kind not in ("TrueType", "CFF"):
            continue
        pairs = [item.partition("-") for item in ranges.split()]
        with contextlib.suppress(ValueError):
            starts = tuple(int(first, 16) for first, _, _ in pairs)
            ends = tuple(int(last or first, 16) for first, _, last in pairs)
            languages = frozenset(langs.split("|"))
            font = InstalledFont(Path(file), round(float(weight)), languages, starts, ends)
            fonts[font.path] = font
    return tuple(fonts[path] for path in sorted(fonts))


def fonts_for(chars: Iterable[str], lang: str) -> tuple[Path, ...]:
    """Installed fonts that together draw as many of ``chars`` as any can, fewest first: each
    round the one whose own cmap draws most of what is missing (fontconfig picks candidates);
    ties go to a font that claims ``lang``, then to the one nearest bold, then by path."""
    tag = lang.lower().replace("_", "-")
    speaks = {tag, tag.split("-")[0]}
    needed = {ord(ch) for ch in "".join(chars) if not ch.isspace()}
    pool = list(installed_fonts())
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
            rank = (len(drawn), bool(speaks & font.langs), -abs(font.weight - BOLD))
            if drawn and (best is None or rank > best[0]):
                best = (rank, font, drawn)
        if best is None:
            break
        _rank, font, drawn = best
        chosen.append(font.path)
        needed -= drawn
        pool.remove(font)
    return tuple(chosen)


# Invisible characters that belong to the previous character (emoji presentation, joiners);
# a font does not need them for the text to look right.
_JOINERS = frozenset({0x200C, 0x200D, 0xFE0E, 0xFE0F})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Soft hyphens and zero-width spaces: removed, never turned into a visible gap.
_INVISIBLE = re.compile(r"[\u00ad\u200b\u2060\ufeff]")


def clean_headline(text: str) -> str:
    """Headline text as drawn: NFC, no control or zero-width characters, single spaces."""
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text)))
    return " ".join(text.split())


def drawn_headline(design: Design) -> str:
    """The headline as the design draws it: cleaned, in capitals where the layout says (with
    the Turkish/Azeri dotted i kept dotted)."""
    text = clean_headline(design.headline)
    if not design.layout.uppercase:
        return text
    if design.lang.split("-")[0].split("_")[0].lower() in ("tr", "az"):
        text = text.replace("i", "İ")
    return text.upper()


def pictograph(cluster: str) -> bool:
    """Whether ``cluster`` is an emoji or another pictograph, which a pin may go without."""
    code = ord(cluster[0])
    return (
        unicodedata.category(cluster[0]) == "So"
        or 0x1F000 <= code <= 0x1FAFF
        or "\u20e3" in cluster  # keycap: digit + enclosing keycap
    )


def right_to_left(text: str) -> bool:
    """Whether ``text`` reads right to left: the Unicode bidi rule for a paragraph (its first
    strong character decides)."""
    strong = (kind for kind in map(unicodedata.bidirectional, text) if kind in ("L", "R", "AL"))
    return next(strong, "L") != "L"


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


class Coverage(NamedTuple):
    """``text`` cut into runs of one font each, plus what no font could draw."""

    runs: tuple[tuple[str, int], ...]  # (text, index of its font in the chain)
    missing: tuple[str, ...]  # in first-seen order

    @property
    def text(self) -> str:
        return "".join(run for run, _ in self.runs)


@lru_cache(maxsize=8192)
def cover(text: str, chain: FontChain) -> Coverage:
    """Assign every character of ``text`` to the first font of ``chain`` that has it; a word
    goes to the first font that has all of it, if any (no typeface change mid-word). What no
    font has is dropped and reported, never drawn as an empty box."""
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

    def first(text: str, default: int = -1) -> int:
        return next((i for i in range(len(sets)) if has(i, text)), default)

    for word in re.split(r"(\s+)", unicodedata.normalize("NFC", text)):
        if word.isspace():
            previous = runs[-1][1] if runs else 0
            emit(word, previous if has(previous, word) else first(word, previous))
            continue
        whole = first(word)
        for cluster in clusters(word):
            index = whole if whole >= 0 else first(cluster)
            if index >= 0:
                emit(cluster, index)
            elif cluster not in missing:
                missing.append(cluster)
    return Coverage(tuple(runs), tuple(missing))


def describe(chars: Sequence[str]) -> str:
    """``'😀' (U+1F600), 'ấ' (U+1EA5)`` for a warning."""
    return ", ".join(f"'{c}' (" + " ".join(f"U+{ord(ch):04X}" for ch in c) + ")" for c in chars)


class FontCheck(NamedTuple):
    """The pins whose headlines can be drawn, each design naming the fonts it needs."""

    specs: tuple[PinSpec, ...]
    refused: tuple[Problem, ...] = ()  # one per post left out: the characters no font has
    notes: tuple[str, ...] = ()  # pictographs left out of the image (the build's info lines)


def check_fonts(specs: Sequence[PinSpec], *, system_fonts: bool = True) -> FontCheck:
    """Give every pin the fonts its headline needs; leave out every pin of a post whose
    headline has characters no font draws (brand fonts, then, with ``system_fonts``, the
    ones fontconfig lists). A pin whose configured fonts cannot be read is kept as it is,
    for the renderer to report."""
    chain_of = cache(lambda brand: FontChain.of(headline_chain(brand)))  # per call and brand
    first_font_has = cache(lambda brand: chain_of(brand).charsets()[0])

    @cache
    def check(text: str, brand: Brand, lang: str) -> tuple[Brand, list[str], list[str]]:
        """(brand to draw with, characters no font has, pictographs left out)"""
        if set(map(ord, text)) <= first_font_has(brand):
            return brand, [], []  # the usual case, cheaply: the first font has every character
        coverage = cover(text, chain_of(brand))
        if coverage.missing and system_fonts:
            found = fonts_for(coverage.missing, lang)
            extra = tuple(p for p in found if p not in brand.fallback_fonts)
            if extra:
                brand = dataclasses.replace(brand, fallback_fonts=(*brand.fallback_fonts, *extra))
                coverage = cover(text, chain_of(brand))
        lost = [c for c in coverage.missing if not pictograph(c)]
        dropped = [c for c in coverage.missing if pictograph(c)]
        if dropped and not lost and not coverage.text.strip():
            lost = dropped  # nothing but pictographs no font has: the pin would be empty
        return brand, lost, dropped

    kept: list[PinSpec] = []
    refused: dict[str, Problem] = {}
    notes: dict[str, str] = {}
    for spec in specs:
        design = spec.design
        try:
            brand, lost, dropped = check(drawn_headline(design), design.brand, design.lang)
        except RenderError:
            # A configured font that cannot be used: rendering reports it, naming the post.
            kept.append(spec)
            continue
        if lost and spec.post not in refused:
            refused[spec.post] = Problem(
                spec.post,
                "headline",
                f"no font has {describe(lost)} of “{design.headline}”; its pins are left out "
                "(install a font that has them, or name one in brand.fallback_fonts)",
            )
        if dropped:
            notes.setdefault(
                spec.post,
                f"{spec.post}: headline: {describe(dropped)} left out of the image, no font "
                "draws it (the Pinterest title keeps it)",
            )
        if brand is not design.brand:
            spec = dataclasses.replace(spec, design=dataclasses.replace(design, brand=brand))
        kept.append(spec)
    return FontCheck(
        tuple(spec for spec in kept if spec.post not in refused),
        tuple(refused.values()),
        tuple(note for post, note in notes.items() if post not in refused),
    )
