"""The simulation of ``bench/simulate.py``: 60 posts, 90 days of daily builds and uploads,
held to the bounds of issue 13 (fresh posts, rhythm, evergreen, the window)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest


def _load() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "bench" / "simulate.py"
    spec = importlib.util.spec_from_file_location("simulate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["simulate"] = module
    spec.loader.exec_module(module)
    return module


sim = _load()


@pytest.fixture(scope="module")
def figures() -> object:
    return sim.simulate()


def test_fresh_posts_get_their_first_pin_within_two_days(figures: object) -> None:
    hours = figures.fresh_hours  # type: ignore[attr-defined]
    assert set(hours) == {"blog/posts/fresh-20.md", "blog/posts/fresh-50.md"}
    assert all(0 <= h <= 48 for h in hours.values()), hours
    # ... though the backlog waited in the queue when they came.
    queue = figures.queue  # type: ignore[attr-defined]
    assert queue[20] > 30 and queue[50] > 0


def test_windows_get_pins_in_proportion_and_minutes_spread_evenly(figures: object) -> None:
    pins = sim.after_warmup(figures.published)  # type: ignore[attr-defined]
    assert len(pins) > 150
    for window, (share, time_share, ks) in sim.window_figures(pins).items():
        assert abs(share - time_share) <= 0.25 * time_share, window
        assert ks <= 0.25, window


def test_the_calendar_never_reaches_beyond_the_window(figures: object) -> None:
    assert figures.most_ahead <= sim.RULES.horizon_days  # type: ignore[attr-defined]


def test_evergreen_variants_come_after_evergreen_after_and_look_new(figures: object) -> None:
    evergreen = figures.evergreen  # type: ignore[attr-defined]
    published = figures.published  # type: ignore[attr-defined]
    specs = figures.specs  # type: ignore[attr-defined]
    assert evergreen
    for pin in evergreen:
        earlier = [p for p in published if p.post == pin.post and p.publish_at < pin.publish_at]
        assert pin.publish_at - max(p.publish_at for p in earlier) >= timedelta(days=30)
        design = specs[pin.id].design
        # A layout and palette the post has not had, a new image file and link.
        for other in earlier:
            old = specs[other.id].design
            assert (design.layout, design.palette) != (old.layout, old.palette)
            assert pin.image != other.image and pin.link != other.link
    # And visibly so: the first evergreen image against its post's earlier images (mean
    # difference per channel, of 255; two renders of one design differ by 0).
    differences = sim.pixel_differences(figures, evergreen[0])
    assert len(differences) == 3 and min(differences) > 20, differences
