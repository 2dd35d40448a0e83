"""Setting a headline into a box: measured wrapping, balanced lines, hyphenation, shrink-to-fit.

Widths are measured once at a reference size and scaled; chosen lines are re-measured.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import pyphen
from PIL import ImageDraw

from .fonts import FontChain, clusters, cover, needs_shaping, right_to_left

REFERENCE_SIZE = 100
LEADING = 1.08  # line height as a multiple of the size
STEP = 2  # sizes are tried this many px apart
ELLIPSIS = "…"
# Break after these without adding a hyphen (the character already shows the break).
_EXPLICIT_BREAKS = frozenset("-‐‑/–—")
_LETTERS = re.compile(r"\w+")


@lru_cache(maxsize=8192)
def exact_width(chain: FontChain, text: str, size: int) -> float:
    """Advance width of ``text`` set at ``size`` px, run by run in the fonts that draw it."""
    return sum(
        chain.font(index, size, run).getlength(run) for run, index in cover(text, chain).runs
    )


class Breaks(NamedTuple):
    """Where a word may be broken, as ``(position, needs a hyphen)`` pairs: ``explicit`` after
    its own hyphens, dashes and slashes; ``natural`` those plus the dictionary's points;
    ``forced`` between any two characters (the last resort)."""

    explicit: tuple[tuple[int, bool], ...]
    natural: tuple[tuple[int, bool], ...]
    forced: tuple[tuple[int, bool], ...]


@lru_cache(maxsize=4096)
def word_breaks(word: str, lang: str) -> Breaks:
    explicit = tuple(
        (i + 1, False) for i, ch in enumerate(word[:-1]) if ch in _EXPLICIT_BREAKS and i > 0
    )
    natural = dict(explicit)
    code = pyphen.language_fallback(lang)  # pyphen keeps each dictionary it loads
    if code is not None:
        dictionary = pyphen.Pyphen(lang=code, left=2, right=3)
        for match in _LETTERS.finditer(word):
            for pos in dictionary.positions(match.group()):
                natural.setdefault(match.start() + int(pos), True)
    forced: dict[int, bool] = {}
    pos = 0
    for cluster in clusters(word)[:-1]:
        pos += len(cluster)
        # East Asian wide characters break without a hyphen, as in their own typography; so
        # do shaped scripts (Arabic, Indic), where a Latin hyphen would be a foreign mark.
        wide = unicodedata.east_asian_width(cluster[0]) in ("W", "F") or needs_shaping(cluster)
        hyphen = not wide and cluster[-1] not in _EXPLICIT_BREAKS and word[pos].isalnum()
        forced[pos] = hyphen and cluster[-1].isalnum()
    return Breaks(explicit, tuple(sorted(natural.items())), tuple(sorted(forced.items())))


class Wrap(NamedTuple):
    """Lines of one wrapping pass and how many words had to be broken."""

    lines: tuple[str, ...]
    breaks: int


@dataclass(frozen=True)
class TextBlock:
    """A headline set into lines at one size, ready to draw."""

    lines: tuple[str, ...]
    size: int
    line_height: int
    ascent: int
    descent: int
    truncated: bool = False

    @property
    def height(self) -> int:
        return self.ascent + (len(self.lines) - 1) * self.line_height + self.descent


def _block(chain: FontChain, lines: Sequence[str], size: int, truncated: bool = False) -> TextBlock:
    # A fallback font (CJK, Arabic) may reach higher or lower than the first font.
    fonts = sorted({0, *(index for line in lines for _, index in cover(line, chain).runs)})
    metrics = [chain.font(index, size).getmetrics() for index in fonts]
    ascent, descent = max(a for a, _ in metrics), max(d for _, d in metrics)
    return TextBlock(tuple(lines), size, round(size * LEADING), ascent, descent, truncated)


@lru_cache(maxsize=512)
def fit_text(
    text: str,
    chain: FontChain,
    *,
    width: int,
    height: int,
    max_size: int,
    min_size: int,
    lang: str = "en",
    max_lines: int = 4,
) -> TextBlock:
    """The largest setting of ``text`` that fits ``width`` × ``height``, never below ``min_size``.

    Words are broken (at hyphens, dictionary points, anywhere) only when wider than the box,
    and only for a much larger size; over ``max_lines`` lines only when nothing else fits.
    When even ``min_size`` does not fit, the last line that fits ends in an ellipsis.
    """
    sizes = sorted({*range(max(max_size, min_size), min_size, -STEP), min_size}, reverse=True)
    fitter = _Fitter(text.split(), chain, lang, width, height, tuple(sizes), max_lines)
    choice = fitter.best(max_size)
    if choice is None:
        return fitter.truncated(min_size)
    size, wrap = choice
    # The estimate may be a pixel off at the real size: check and step down if so.
    while size > min_size and any(exact_width(chain, line, size) > width for line in wrap.lines):
        size -= STEP
        wrap = fitter.fits(max(size, min_size), 2) or wrap
    return _block(chain, wrap.lines, max(size, min_size))


@dataclass
class _Fitter:
    """One text to set into one box, tried at ``sizes`` (largest first)."""

    words: list[str]
    chain: FontChain
    lang: str
    width: int
    height: int
    sizes: tuple[int, ...]
    max_lines: int
    # Reference widths by text: wrapping asks for the same words hundreds of times.
    _widths: dict[str, float] = field(default_factory=dict)

    def measure(self, text: str, size: int) -> float:
        known = self._widths.get(text)
        if known is None:
            known = self._widths[text] = exact_width(self.chain, text, REFERENCE_SIZE)
        return known * size / REFERENCE_SIZE

    def split(
        self, word: str, room: float, width: float, size: int, hyphenate: bool
    ) -> list[str] | None:
        """Pieces of ``word``: the first fits ``room``, the others ``width`` each (without
        ``hyphenate`` only at its own hyphens and slashes); ``None`` when that is not enough."""
        breaks = word_breaks(word, self.lang)
        pieces: list[str] = []
        start = 0
        limit = room
        while self.measure(word[start:], size) > limit:
            best = None
            # The word's own hyphens win; a partly full line only takes a piece up to one
            # of them, else the word starts on a new line.
            partial = not pieces and limit < width
            for kind in (breaks.explicit,) if partial or not hyphenate else breaks:
                for pos, hyphen in kind:
                    if pos <= start:
                        continue
                    piece = word[start:pos] + ("-" if hyphen else "")
                    if self.measure(piece, size) <= limit:
                        best = (pos, piece)
                    else:
                        break
                if best:
                    break
            if best is None:
                if partial or not hyphenate:
                    return None
                # A single character wider than the box: take it anyway, the size will drop.
                step = len(clusters(word[start:])[0])
                best = (start + step, word[start : start + step])
            start, piece = best
            pieces.append(piece)
            limit = width
        pieces.append(word[start:])
        return pieces

    def wrap(self, width: float, size: int, breaks: int) -> Wrap | None:
        """Greedy lines no wider than ``width``; a word wider than a line breaks (``breaks``) not
        at all (0), at its own hyphens (1), also at dictionary points or anywhere (2)."""
        space = self.measure(" ", size)
        lines: list[str] = []
        line = ""
        used = 0.0
        broken = 0
        for word in self.words:
            w = self.measure(word, size)
            if line and used + space + w <= width:
                line, used = f"{line} {word}", used + space + w
                continue
            if w <= width:
                if line:
                    lines.append(line)
                line, used = word, w
                continue
            if breaks == 0:
                return None
            broken += 1
            pieces = None
            if line:
                pieces = self.split(word, width - used - space, width, size, breaks >= 2)
            if pieces is None:
                pieces = self.split(word, width, width, size, breaks >= 2)
                if pieces is None:
                    return None
                if line:
                    lines.append(line)
                line = ""
            head, *rest = pieces
            *done, line = [f"{line} {head}" if line else head, *rest]
            lines.extend(done)
            used = self.measure(line, size)
        if line:
            lines.append(line)
        return Wrap(tuple(lines), broken)

    def balanced(self, size: int, breaks: int) -> Wrap | None:
        """Like :meth:`wrap` at the box's width, with the evenest lines of the same count
        (narrower trial widths, scored by how far each line falls short of the longest)."""
        best = self.wrap(self.width, size, breaks)
        if best is None or len(best.lines) < 2:
            return best

        def raggedness(wrap: Wrap) -> float:
            widths = [self.measure(line, size) for line in wrap.lines]
            return sum((max(widths) - w) ** 2 for w in widths)

        score = raggedness(best)
        for step in range(1, 11):
            trial = self.wrap(self.width * (1 - step * 0.05), size, breaks)
            if trial is None or len(trial.lines) != len(best.lines) or trial.breaks > best.breaks:
                break
            trial_score = raggedness(trial)
            if trial_score < score:
                best, score = trial, trial_score
        return best

    def fits(self, size: int, breaks: int, lines: int | None = None) -> Wrap | None:
        """The wrap at ``size`` (breaking words up to level ``breaks``), if it fits."""
        wrap = self.balanced(size, breaks)
        if wrap is None or (lines is not None and len(wrap.lines) > lines):
            return None
        block = _block(self.chain, wrap.lines, size)
        return wrap if block.height <= self.height else None

    def largest(self, breaks: int) -> tuple[int, Wrap] | None:
        """The largest size that fits, within ``max_lines`` lines if any size does."""
        # Fitting is monotone in the size (smaller text never needs more room): bisect.
        for lines in (self.max_lines, None):
            lo, hi = 0, len(self.sizes) - 1
            found: tuple[int, Wrap] | None = None
            while lo <= hi:
                mid = (lo + hi) // 2
                wrap = self.fits(self.sizes[mid], breaks, lines)
                if wrap is not None:
                    found, hi = (self.sizes[mid], wrap), mid - 1
                else:
                    lo = mid + 1
            if found:
                return found
        return None

    def best(self, max_size: int) -> tuple[int, Wrap] | None:
        """The size and wrap to use, or ``None`` when nothing fits."""
        whole, own, broken = self.largest(0), self.largest(1), self.largest(2)
        # Unbroken words win unless keeping them costs a lot of size; a word's own hyphen is
        # a gentler break than a dictionary one, so it needs less of a gain.
        choice = whole
        if own and (whole is None or whole[0] < own[0] * 0.85):
            choice = own
        good_enough = min(broken[0] * 0.75, max_size * 0.65) if broken else 0
        if not broken or (choice is not None and choice[0] >= good_enough):
            return choice
        # Every extra hyphen costs readability: a slightly smaller size with fewer breaks
        # ("Kontosperrungs-/benachrichtigungs-") beats the biggest one with many.
        choice = broken
        for size in self.sizes:
            if size > broken[0] or size < broken[0] * 0.8:
                continue
            wrap = self.fits(size, 2, max(self.max_lines, len(broken[1].lines)))
            if wrap is not None and _hyphens(wrap) < _hyphens(choice[1]):
                choice = (size, wrap)
        return choice

    def truncated(self, size: int) -> TextBlock:
        """The lines that fit at ``size``, the last one cut short with an ellipsis."""
        wrap = self.wrap(self.width, size, 2) or Wrap((" ".join(self.words),), 0)
        probe = _block(self.chain, ["x"], size)
        room = max(1, 1 + (self.height - probe.height) // probe.line_height)
        kept = list(wrap.lines[:room])
        last = kept[-1].rstrip("-")
        while last and exact_width(self.chain, last.rstrip(" ,;:-–") + ELLIPSIS, size) > self.width:
            last = last[:-1]
        kept[-1] = last.rstrip(" ,;:-–") + ELLIPSIS
        return _block(self.chain, kept, size, truncated=True)


def _hyphens(wrap: Wrap) -> int:
    return sum(line.endswith("-") for line in wrap.lines)


def draw_line(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    chain: FontChain,
    size: int,
    fill: str | int | tuple[int, int, int],
) -> tuple[int, int, int, int]:
    """Draw ``text`` with its left end of baseline at ``xy``, each run in its own font (runs
    right to left in a right-to-left line; raqm orders letters within a run). Returns the
    line's box: its advance by the fonts' ascent and descent."""
    x, y = xy
    left = right = x
    top = bottom = y
    runs = cover(text, chain).runs
    for run, index in reversed(runs) if right_to_left(text) else runs:
        font = chain.font(index, size, run)
        # Colour glyphs (emoji fonts) only from fallbacks: plain text renders faster without.
        draw.text((x, y), run, font=font, fill=fill, anchor="ls", embedded_color=index > 0)
        advance = font.getlength(run)
        if run.strip():
            ascent, descent = font.getmetrics()
            top, bottom = min(top, y - ascent), max(bottom, y + descent)
            right = x + advance
        x += advance
    return (math.floor(left), math.floor(top), math.ceil(right), math.ceil(bottom))
