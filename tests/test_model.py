"""The records' ``==``, ``hash`` and ``repr`` are exactly what ``@dataclass`` would make.

They are shared methods rather than generated ones (generating them was half the plugin's
import time); these tests hold every record to a dataclass generated from its own fields.
"""

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
        "a.md#1", "a.md", 1, DESIGN, "assets/pinplan/a-1.jpg", "Title", "Description", "Alt",
        "Board", ("k",), "https://e.x/a/?utm_content=pin1", "https://e.x/a-1.jpg",
        date(2026, 1, 2),
    ),
    Rules(start=date(2026, 12, 1), jitter=timedelta(minutes=5)),
    PIN,
    Calendar("Europe/Berlin", date(2026, 12, 1), (PIN,)),
]  # fmt: skip


def generated_twin(record: Any) -> Any:
    """The same values in a class that ``@dataclass(frozen=True)`` made whole."""
    cls = type(record)
    names = [f.name for f in dataclasses.fields(cls)]
    twin = type(cls.__name__, (), {"__annotations__": dict.fromkeys(names, "object")})
    twin.__qualname__ = cls.__qualname__
    return dataclasses.dataclass(frozen=True)(twin)(*(getattr(record, n) for n in names))


class Other:
    """A value equal to nothing else."""


@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: type(r).__name__)
def test_records_compare_hash_and_print_like_generated_dataclasses(record: Any) -> None:
    twin = generated_twin(record)
    assert repr(record) == repr(twin)
    assert hash(record) == hash(twin)
    same = dataclasses.replace(record)
    assert same == record and (same != record) is False and hash(same) == hash(record)
    # Not equal to the generated twin: like a dataclass, only to its own class.
    assert record != twin and record.__eq__(twin) is NotImplemented
    for field in dataclasses.fields(record):
        changed = dataclasses.replace(record, **{field.name: Other()})
        assert changed != record, field.name
        assert (changed == record) == (generated_twin(changed) == twin)


@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: type(r).__name__)
def test_records_stay_frozen_and_cross_process_boundaries(record: Any) -> None:
    field = dataclasses.fields(record)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, field, "changed")
    copy = pickle.loads(pickle.dumps(record))
    assert copy == record and hash(copy) == hash(record) and repr(copy) == repr(record)
