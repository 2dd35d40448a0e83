"""The plugin options: defaults, and a message saying what was expected for bad values."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from mkdocs_pinplan.config import PinplanConfig, rules_from_config
from mkdocs_pinplan.durations import Window


def load_config(**options: Any) -> PinplanConfig:
    """Validate ``options`` as the plugin would; fail the test on any error."""
    cfg = PinplanConfig()
    cfg.load_dict(options)
    errors, _warnings = cfg.validate()
    assert not errors, errors
    return cfg


def expect_error(expected: str, **options: Any) -> None:
    """Validation of ``options`` fails and the message contains ``expected``."""
    cfg = PinplanConfig()
    cfg.load_dict(options)
    errors, _warnings = cfg.validate()
    messages = [f"{key}: {error}" for key, error in errors]
    assert any(expected in m for m in messages), messages


def test_defaults_are_a_safe_new_account_plan() -> None:
    cfg = load_config()
    assert cfg.pins_per_post == 3
    assert cfg.calendar == "pinplan/calendar.json"
    assert cfg.image_format == "jpeg"
    rules = rules_from_config(cfg.schedule)
    assert rules.max_per_day <= 5
    assert rules.cap(0) == 1
    assert rules.min_gap == timedelta(minutes=90)
    assert rules.link_gap == timedelta(days=3)
    assert rules.windows == (Window(480, 660), Window(1140, 1320))
    assert rules.horizon_days == 7


def test_schedule_options_are_parsed() -> None:
    cfg = load_config(
        schedule={
            "timezone": "America/New_York",
            "start": "2026-12-01",
            "max_per_day": 4,
            "min_gap": "2h",
            "link_gap": "7d",
            "windows": ["19:00-22:00", "07:30-09:00"],
            "warmup_days": 0,
            "jitter": "5m",
        }
    )
    rules = rules_from_config(cfg.schedule)
    assert rules.timezone == "America/New_York"
    assert rules.start == date(2026, 12, 1)
    assert rules.min_gap == timedelta(hours=2)
    assert rules.link_gap == timedelta(days=7)
    assert [str(w) for w in rules.windows] == ["07:30-09:00", "19:00-22:00"]
    assert rules.cap(0) == 4


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"schedule": {"timezone": "Europe/Berlinn"}}, "unknown time zone 'Europe/Berlinn'"),
        ({"schedule": {"timezone": 5}}, "expected an IANA time zone"),
        ({"schedule": {"min_gap": "90"}}, "expected a duration such as '90m'"),
        ({"schedule": {"min_gap": 90}}, "expected a duration with a unit"),
        ({"schedule": {"link_gap": "3 weeks"}}, "expected a duration"),
        ({"schedule": {"windows": ["08:00-11:00", "10:00-12:00"]}}, "overlap"),
        ({"schedule": {"windows": ["11:00-08:00"]}}, "is empty or runs past midnight"),
        ({"schedule": {"windows": ["09:00-09:00"]}}, "is empty"),
        ({"schedule": {"windows": []}}, "non-empty list of windows"),
        ({"schedule": {"windows": ["25:00-26:00"]}}, "not a valid time range"),
        ({"schedule": {"max_per_day": 0}}, "must be between 1 and 100, got 0"),
        ({"schedule": {"max_per_day": "5"}}, "expected a whole number"),
        ({"schedule": {"start": "next monday"}}, "expected a date such as 2026-12-01"),
        ({"schedule": {"horizon_days": 30}}, "must be between 1 and 14"),
        ({"pins_per_post": -1}, "must be between 1 and 20"),
        ({"image_format": "gif"}, "gif"),
        ({"layouts": ["photo", "fancy"]}, "unknown layout 'fancy' (known layouts: photo"),
        ({"layouts": []}, "needs at least one layout"),
        ({"schedule": {"jitter": "-5m"}}, "expected a duration"),
        (
            {"brand": {"colors": [{"background": "red", "text": "#fff", "accent": "#000"}]}},
            "expected a colour such as '#1a2b3c', got 'red'",
        ),
    ],
)
def test_bad_options_say_what_was_expected(options: dict[str, Any], expected: str) -> None:
    expect_error(expected, **options)


def test_short_colours_are_expanded() -> None:
    cfg = load_config(brand={"colors": [{"background": "#FFF", "text": "#123", "accent": "#abc"}]})
    palette = cfg.brand.colors[0]
    assert (palette.background, palette.text, palette.accent) == ("#ffffff", "#112233", "#aabbcc")
