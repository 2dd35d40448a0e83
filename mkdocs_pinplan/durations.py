"""Parsing of the durations and time windows used by the schedule options."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from typing import NamedTuple

from .errors import shown

_DURATION = re.compile(r"\s*(\d+)\s*([mhd])\s*")
_UNITS = {"m": 60, "h": 3600, "d": 86400}
MAX_DURATION = timedelta(days=365)
"""Longest gap or jitter: a pin a year apart is no plan, and the planner's sums stay small."""
_WINDOW = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")


def parse_duration(text: object) -> timedelta:
    """Parse ``45m``, ``2h`` or ``3d`` (a whole number and a unit) into a timedelta."""
    if isinstance(text, int) and not isinstance(text, bool):
        raise ValueError(f"expected a duration with a unit such as '{text}m', got {shown(text)}")
    match = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"expected a duration such as '90m', '2h' or '3d', got {shown(text)}")
    number = match.group(1).lstrip("0") or "0"
    # Length first: Python refuses to read a number of thousands of digits at all.
    if len(number) > 12 or int(number) * _UNITS[match.group(2)] > MAX_DURATION.total_seconds():
        raise ValueError(f"at most {MAX_DURATION.days}d, got {shown(text)}")
    return timedelta(seconds=int(number) * _UNITS[match.group(2)])


def format_duration(delta: timedelta) -> str:
    """The shortest ``Nd``/``Nh``/``Nm`` spelling of a whole-minute duration."""
    seconds = int(delta.total_seconds())
    for unit in ("d", "h"):
        if seconds and seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds // 60}m"


class Window(NamedTuple):
    """Local time of day pins may go out: start included, end excluded (minutes since 00:00)."""

    start: int
    end: int

    def __str__(self) -> str:
        return "-".join(f"{minute // 60:02d}:{minute % 60:02d}" for minute in self)


def parse_window(text: object) -> Window:
    """Parse ``"HH:MM-HH:MM"``; the end may be ``24:00``; the window must not be empty."""
    match = _WINDOW.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"expected a window such as '08:00-11:00', got {shown(text)}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        raise ValueError(f"{shown(text)} is not a valid time range")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise ValueError(f"window {shown(text)} is empty or runs past midnight (split it in two)")
    return Window(start, end)


def parse_windows(values: object) -> tuple[Window, ...]:
    """Parse a list of windows; they must not overlap. Returned sorted."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError("expected a non-empty list of windows such as ['08:00-11:00']")
    windows = sorted(parse_window(v) for v in values)
    for a, b in itertools.pairwise(windows):
        if b.start < a.end:
            raise ValueError(f"windows {a} and {b} overlap")
    return tuple(windows)
