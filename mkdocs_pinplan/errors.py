"""Errors the core raises for user mistakes: always with the file and the field."""

from __future__ import annotations

import reprlib


class PinplanError(Exception):
    """A problem with user input, reported as one line: ``file: field: what is wrong``."""

    def __init__(self, file: str, field: str | None, message: str) -> None:
        self.file = file
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        text = ": ".join(part for part in (self.file, self.field, self.message) if part)
        # One line always: keys and values come from user files and may hold line breaks.
        return text.replace("\r", "\\r").replace("\n", "\\n")


class Problem(PinplanError):
    """A non-fatal content problem: a warning normally, an error under ``--strict``."""


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 3, 60, 60
_SHORT.maxlist = _SHORT.maxdict = _SHORT.maxtuple = _SHORT.maxset = 4


def shown(value: object) -> str:
    """``repr(value)`` kept short: a YAML alias bomb or a number of 5,000 digits is never
    expanded in full (Python refuses to print such a number at all)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a number of about {int(value.bit_length() * 0.30103)} digits"
    try:
        return _SHORT.repr(value)
    except (ValueError, RecursionError):
        return f"a {type(value).__name__} that cannot be shown"
