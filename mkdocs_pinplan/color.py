"""Colours: parsing, WCAG relative luminance and contrast, and picking readable text colours."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

RGB = tuple[int, int, int]

WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)
TEXT_CONTRAST = 4.5
"""WCAG AA for normal text; headlines are large, but the footer is not."""


def rgb(value: str | RGB) -> RGB:
    """``#rrggbb`` (as config.py writes every colour) as an RGB triple (triples pass through)."""
    if isinstance(value, tuple):
        return value
    red, green, blue = bytes.fromhex(value.removeprefix("#"))
    return (red, green, blue)


def _linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: str | RGB) -> float:
    """WCAG 2 relative luminance, 0 (black) to 1 (white)."""
    r, g, b = rgb(color)
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast(a: str | RGB, b: str | RGB) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(a: str | RGB, b: str | RGB, t: float) -> RGB:
    """``a`` moved a fraction ``t`` towards ``b``."""
    red, green, blue = (round(x + (y - x) * t) for x, y in zip(rgb(a), rgb(b), strict=True))
    return (red, green, blue)


def readable(ground: str | RGB, preferred: Iterable[str | RGB], minimum: float = 4.6) -> RGB:
    """The first of ``preferred`` that reaches ``minimum`` contrast on ``ground``; else the first
    darkened or lightened until it does (so the brand's hue survives), else white or black,
    whichever contrasts more."""
    choices = [rgb(c) for c in preferred]
    target = WHITE if luminance(ground) < 0.18 else BLACK
    shades = (mix(choices[0], target, step / 20) for step in range(1, 21) if choices)
    best = WHITE if contrast(WHITE, ground) >= contrast(BLACK, ground) else BLACK
    return next((c for c in chain(choices, shades) if contrast(c, ground) >= minimum), best)


def darkest(colors: Iterable[str | RGB]) -> RGB:
    """The colour with the lowest luminance."""
    return min((rgb(c) for c in colors), key=luminance)
