"""Pinterest's bulk-upload CSV (header, dates and row limit per PINTEREST.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import timezone

from ..model import CalendarPin

HEADER = (
    "Title",
    "Media URL",
    "Pinterest board",
    "Thumbnail",
    "Description",
    "Link",
    "Publish date",
    "Keywords",
)
MAX_ROWS = 100
"""Pinterest takes at most this many pins per uploaded file (sources say 100 or 200)."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text: a leading ``= + - @``, tab or CR gets a ``'``.

    Spreadsheet apps run such cells as formulas when the file is opened (CSV injection).
    """
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def row(pin: CalendarPin) -> list[str]:
    """The CSV cells of one pin, in :data:`HEADER` order (Thumbnail is for videos only;
    Publish date in UTC as ``YYYY-MM-DDTHH:MM:SS``, the form Pinterest accepts)."""
    cells = [
        pin.title,
        pin.media_url,
        pin.board,
        "",
        pin.description,
        pin.link,
        pin.publish_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
        ", ".join(pin.keywords),
    ]
    return [neutralise(cell) for cell in cells]


def export_csv(pins: Sequence[CalendarPin]) -> list[str]:
    """The pins as one or more CSV texts of at most :data:`MAX_ROWS` rows each, header first.

    RFC 4180 (comma, double quotes, CRLF), UTF-8 without a byte-order mark. No pins give
    one file holding only the header.
    """
    parts: list[str] = []
    for first in range(0, max(len(pins), 1), MAX_ROWS):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(row(pin) for pin in pins[first : first + MAX_ROWS])
        parts.append(buffer.getvalue())
    return parts
