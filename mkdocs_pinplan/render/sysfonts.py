"""Fonts installed on the system, found through fontconfig (``fc-list``) where it is present.

Asked only when a headline has characters that neither the brand's font nor its
``fallback_fonts`` have, so a Latin-only blog never runs ``fc-list``. The list is read once
per process; ``fontconfig``'s character sets pick the candidates and each font's own
character map (:func:`~mkdocs_pinplan.render.glyphs.charset`) has the last word.
"""

from __future__ import annotations

import bisect
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .glyphs import charset
from .problems import RenderError

FC_LIST_TIMEOUT = 30.0
"""Seconds ``fc-list`` may take (it builds its cache on a first run)."""
_FORMAT = (
    "\\t".join(
        ("%{file}", "%{index}", "%{outline}", "%{color}", "%{weight}", "%{fontformat}", "%{lang}")
    )
    + "\\t%{charset}\\n"
)
_FORMATS = ("TrueType", "CFF")
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


def _parse(line: str) -> InstalledFont | None:
    parts = line.split("\t")
    if len(parts) != 8:
        return None
    file, index, outline, color, weight, kind, langs, ranges = parts
    if index != "0" or outline != "True" or color == "True" or kind not in _FORMATS:
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
    """The outline fonts fontconfig lists, sorted by path; empty without fontconfig."""
    command = shutil.which("fc-list")
    if command is None:
        return ()
    try:
        listing = subprocess.run(
            [command, "--format", _FORMAT],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=FC_LIST_TIMEOUT,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    fonts = {font.path: font for line in listing.splitlines() if (font := _parse(line))}
    return tuple(fonts[path] for path in sorted(fonts))


def _exact(path: Path) -> frozenset[int]:
    try:
        return charset(path)
    except RenderError:
        return frozenset()


def fonts_for(
    chars: Iterable[str], lang: str, fonts: Sequence[InstalledFont] | None = None
) -> tuple[Path, ...]:
    """Installed fonts that together draw as many of ``chars`` as any can, fewest first.

    Each round takes the font that draws the most characters still missing; ties go to a
    font that claims ``lang``, then to the one nearest bold, then to the path (so the
    choice is stable). ``fonts`` defaults to :func:`installed_fonts`.
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
            drawn = claimed & _exact(font.path)
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
