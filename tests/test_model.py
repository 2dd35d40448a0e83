"""The records are frozen values that survive the trip to a worker process."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from mkdocs_pinplan.model import (
    Brand,
    Calendar,
    CalendarPin,
    Design,
    Layout,
    Palette,
    PinSpec,
    Post,
    Rules,
)

PALETTE = Palette("#ffffff", "#111111", "#cc3300")
BRAND = Brand("Feldnotizen", fallback_fonts=(Path("/fonts/a.ttf"),))
LAYOUT = Layout("poster", photo="full", decorations=("frame", "rule"))
DESIGN = Design("Slow pinning", LAYOUT, PALETTE, BRAND, image=Path("/docs/a.jpg"))
PIN = CalendarPin(
    "a.md#1", "a.md", "https://e.x/a/?utm_content=pin1", "assets/pinplan/a-1.jpg",
    "https://e.x/assets/pinplan/a-1.jpg", "Title", "Description", "Alt", "Board", ("k",),
    datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc),
)  # fmt: skip
SAMPLES: list[Any] = [
    Post("a.md", "Slow pinning", "https://e.x/a/", "a", titles=("One", "Two")),
    PALETTE,
    BRAND,
    LAYOUT,
    DESIGN,
    PinSpec(
        "a.md#1", "a.md", "https://e.x/a/?utm_content=pin1", "assets/pinplan/a-1.jpg",
        "https://e.x/a-1.jpg", "Title", "Description", "Alt", "Board", ("k",), 1, DESIGN,
        date(2026, 1, 2),
    ),
    Rules(start=date(2026, 12, 1), min_gap=timedelta(minutes=5)),
    PIN,
    Calendar("Europe/Berlin", date(2026, 12, 1), (PIN,)),
]  # fmt: skip


@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: type(r).__name__)
def test_records_stay_frozen_and_cross_process_boundaries(record: Any) -> None:
    field = dataclasses.fields(record)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, field, "changed")
    copy = pickle.loads(pickle.dumps(record))
    assert copy == record and hash(copy) == hash(record) and repr(copy) == repr(record)
