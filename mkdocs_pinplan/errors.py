"""Errors the core raises for user mistakes: always with the file and the field."""

from __future__ import annotations


class PinplanError(Exception):
    """A problem with user input, reported as one line: ``file: field: what is wrong``."""

    def __init__(self, file: str, field: str | None, message: str) -> None:
        self.file = file
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.file]
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        # One line always: keys and values come from user files and may hold line breaks.
        return ": ".join(parts).replace("\r", "\\r").replace("\n", "\\n")


class Problem(PinplanError):
    """A non-fatal content problem: a warning normally, an error under ``--strict``."""
