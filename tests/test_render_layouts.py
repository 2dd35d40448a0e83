"""Layouts as data: the ``layouts:`` option names built-ins and derives layouts of your own."""

from __future__ import annotations

from typing import Any

import pytest

from mkdocs_pinplan.config import PinplanConfig
from mkdocs_pinplan.layouts import BUILTIN_LAYOUTS, DEFAULT_LAYOUTS, resolve_layouts
from mkdocs_pinplan.model import Layout


def load(layouts: Any = None) -> PinplanConfig:
    cfg = PinplanConfig()
    cfg.load_dict({} if layouts is None else {"layouts": layouts})
    errors, _warnings = cfg.validate()
    if errors:
        raise ValueError(str(errors[0][1]))
    return cfg


def test_there_are_at_least_four_distinct_built_in_layouts() -> None:
    assert len(BUILTIN_LAYOUTS) >= 4
    photos = {layout.photo for layout in BUILTIN_LAYOUTS.values()}
    assert {"full", "box", "card", "none"} <= photos
    assert tuple(load().layouts) == tuple(BUILTIN_LAYOUTS[n] for n in DEFAULT_LAYOUTS)


def test_layouts_are_picked_and_ordered_by_name() -> None:
    cfg = load(["type", "photo"])
    assert [layout.name for layout in cfg.layouts] == ["type", "photo"]


def test_a_layout_of_your_own_derives_from_a_built_in() -> None:
    cfg = load(
        [
            {"name": "poster", "base": "type", "uppercase": True, "decorations": ["frame"]},
            "poster",
            {"name": "low photo", "base": "photo", "text_box": [0.1, 0.6, 0.9, 0.88]},
        ]
    )
    poster, again, low = cfg.layouts
    assert poster == again
    assert isinstance(poster, Layout)
    assert poster.uppercase and poster.decorations == ("frame",)
    assert poster.align == BUILTIN_LAYOUTS["type"].align
    assert low.photo == "full" and low.text_box == (0.1, 0.6, 0.9, 0.88)


@pytest.mark.parametrize(
    ("layouts", "message"),
    [
        (["nope"], "unknown layout 'nope'"),
        ([{"base": "type"}], "needs a name"),
        ([{"name": "x", "base": "nope"}], "base: expected one of"),
        ([{"name": "x", "align": "right"}], "align: expected one of left, center"),
        ([{"name": "x", "text_box": [0.1, 0.2, 0.15, 0.3]}], "too small"),
        ([{"name": "x", "text_box": [0.5, 0.2, 0.1, 0.9]}], "left < right"),
        ([{"name": "x", "max_size": 20}], "max_size"),
        ([{"name": "x", "colour": "red"}], "unknown key 'colour'"),
        ([], "at least one"),
        ("photo", "expected a list"),
    ],
)
def test_bad_layouts_are_reported_with_what_was_expected(layouts: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load(layouts)


def test_resolve_layouts_is_usable_without_mkdocs() -> None:
    assert resolve_layouts(["split"]) == (BUILTIN_LAYOUTS["split"],)
