"""Which font of a chain draws each character of a headline, decided before anything is planned.

The brand's font and ``fallback_fonts`` come first, then fonts installed on the system. A post
whose headline has characters no font draws is refused, so no empty or mangled pin ever
reaches the calendar; emoji and other pictographs that no font has are only left out of the
image.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from ..errors import Problem
from ..model import Brand, Design, PinSpec
from .fonts import FontChain, RenderError, fonts_for, headline_chain

# Invisible characters that belong to the previous character (emoji presentation, joiners);
# a font does not need them for the text to look right.
_JOINERS = frozenset({0x200C, 0x200D, 0xFE0E, 0xFE0F})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u2060\ufeff]")
"""Soft hyphens and zero-width spaces: removed, never turned into a visible gap."""


def clean_headline(text: str) -> str:
    """Headline text as drawn: NFC, no control or zero-width characters, single spaces."""
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text)))
    return " ".join(text.split())


def upper(text: str, lang: str) -> str:
    """``text`` in capitals, with the Turkish/Azeri dotted i kept dotted."""
    if lang.split("-")[0].split("_")[0].lower() in ("tr", "az"):
        text = text.replace("i", "İ")
    return text.upper()


def drawn_headline(design: Design) -> str:
    """The headline as the design draws it (cleaned, in capitals where the layout says)."""
    text = clean_headline(design.headline)
    return upper(text, design.lang) if design.layout.uppercase else text


def pictograph(cluster: str) -> bool:
    """Whether ``cluster`` is an emoji or another pictograph (a symbol, not a letter of any
    script), which a pin may go without."""
    code = ord(cluster[0])
    return (
        unicodedata.category(cluster[0]) == "So"
        or 0x1F000 <= code <= 0x1FAFF
        or "\u20e3" in cluster  # keycap: digit + enclosing keycap
    )


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


class FontCheck(NamedTuple):
    """The pins whose headlines can be drawn, each design naming the fonts it needs."""

    specs: tuple[PinSpec, ...]
    refused: tuple[Problem, ...] = ()
    """One per post left out: the characters no font has (a content problem)."""
    notes: tuple[str, ...] = ()
    """Pictographs left out of the image (for the build's info lines)."""


def check_fonts(specs: Sequence[PinSpec], *, system_fonts: bool = True) -> FontCheck:
    """Give every pin the fonts its headline needs; leave out every pin of a post whose
    headline has characters no font draws (brand fonts, then, with ``system_fonts``, the
    ones fontconfig lists). A pin whose configured fonts cannot be read is kept as it is,
    for the renderer to report."""
    chain_of = cache(FontChain.of)  # per call: a font file may change between builds

    @cache
    def check(text: str, brand: Brand, lang: str) -> tuple[Brand, list[str], list[str]]:
        """(brand to draw with, characters no font has, pictographs left out)"""
        chain = chain_of(headline_chain(brand))
        if set(map(ord, text)) <= chain.charsets()[0]:
            return brand, [], []  # the usual case, cheaply: the first font has every character
        coverage = cover(text, chain)
        if coverage.missing and system_fonts:
            found = fonts_for(coverage.missing, lang)
            extra = tuple(p for p in found if p not in brand.fallback_fonts)
            if extra:
                brand = dataclasses.replace(brand, fallback_fonts=(*brand.fallback_fonts, *extra))
                coverage = cover(text, chain_of(headline_chain(brand)))
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
