"""Which fonts draw each pin's headline, decided before anything is planned.

The brand's font and ``fallback_fonts`` come first, then fonts installed on the system (see
:mod:`~mkdocs_pinplan.render.sysfonts`). A post whose headline has characters no font draws
is refused, so no empty or mangled pin ever reaches the calendar; emoji and other
pictographs that no font has are only left out of the image.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

from ..errors import Problem
from ..model import Brand, Design, PinSpec
from .fonts import headline_chain
from .glyphs import FontChain, cover, describe
from .problems import RenderError

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


class FontCheck(NamedTuple):
    """The pins whose headlines can be drawn, each design naming the fonts it needs."""

    specs: tuple[PinSpec, ...]
    refused: tuple[Problem, ...] = ()
    """One per post left out: the characters no font has (a content problem)."""
    notes: tuple[str, ...] = ()
    """Pictographs left out of the image (for the build's info lines)."""


_Answer = tuple[Brand, tuple[str, ...], tuple[str, ...]]
"""(brand to draw with, characters no font has, pictographs left out)"""


class _Checker:
    """Coverage of each distinct headline, with the brands extended by system fonts."""

    def __init__(self, system_fonts: bool) -> None:
        self.system_fonts = system_fonts
        self._chains: dict[tuple[Brand, tuple[object, ...]], FontChain] = {}
        self._brands: dict[tuple[Brand, tuple[object, ...]], Brand] = {}
        self.answers: dict[tuple[str, Brand, str], _Answer] = {}

    def chain(self, brand: Brand) -> FontChain:
        key = (brand, tuple(brand.fallback_fonts))
        known = self._chains.get(key)
        if known is None:
            known = self._chains[key] = FontChain.of(headline_chain(brand))
        return known

    def check(self, text: str, brand: Brand, lang: str) -> _Answer:
        """``(brand to draw with, characters no font has, pictographs left out)``."""
        key = (text, brand, lang)
        known = self.answers.get(key)
        if known is not None:
            return known
        chain = self.chain(brand)
        if set(map(ord, text)) <= chain.charsets()[0]:
            # The usual case, cheaply: the first font has every character.
            plain: _Answer = (brand, (), ())
            self.answers[key] = plain
            return plain
        missing = cover(text, chain).missing
        if missing and self.system_fonts:
            from .sysfonts import fonts_for

            extra = tuple(p for p in fonts_for(missing, lang) if p not in brand.fallback_fonts)
            if extra:
                grown = (brand, extra)
                if grown not in self._brands:
                    fallbacks = (*brand.fallback_fonts, *extra)
                    self._brands[grown] = dataclasses.replace(brand, fallback_fonts=fallbacks)
                brand = self._brands[grown]
                missing = cover(text, self.chain(brand)).missing
        lost = tuple(c for c in missing if not pictograph(c))
        dropped = tuple(c for c in missing if pictograph(c))
        if dropped and not lost and not cover(text, self.chain(brand)).text.strip():
            lost = dropped  # nothing but pictographs no font has: the pin would be empty
        answer: _Answer = (brand, lost, dropped)
        self.answers[key] = answer
        return answer


def check_fonts(specs: Sequence[PinSpec], *, system_fonts: bool = True) -> FontCheck:
    """Give every pin the fonts its headline needs; leave out every pin of a post whose
    headline has characters no font draws (brand fonts, then, with ``system_fonts``, the
    ones fontconfig lists). A pin whose configured fonts cannot be read is kept as it is,
    for the renderer to report."""
    checker = _Checker(system_fonts)
    kept: list[PinSpec] = []
    refused: dict[str, Problem] = {}
    notes: dict[str, str] = {}
    for spec in specs:
        design = spec.design
        text = drawn_headline(design)
        try:
            brand, lost, dropped = checker.check(text, design.brand, design.lang)
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
