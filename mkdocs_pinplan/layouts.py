"""Pin designs as data: the built-in layouts, and the ``layouts:`` option, where a blogger
derives designs of their own from them in ``mkdocs.yml`` instead of code."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Box = tuple[float, float, float, float]
"""A rectangle as fractions of the canvas: ``(left, top, right, bottom)``."""


@dataclass(frozen=True)
class Layout:
    """Where the photo, the headline and the brand go. Every field is part of the design:
    changing one re-renders exactly the pins that use it."""

    name: str
    photo: Literal["full", "box", "card", "none"] = "none"
    """The whole canvas, ``photo_box``, a framed inset in ``photo_box``, or no photo."""
    photo_box: Box = (0.0, 0.0, 1.0, 1.0)
    text_box: Box = (0.08, 0.1, 0.92, 0.86)
    text_box_alone: Box | None = None
    """Where the headline goes when the post has no photo (default: ``text_box``)."""
    ground: Literal["background", "accent"] = "background"
    panel: bool = False
    """A solid panel in the background colour behind the headline (for text over photos)."""
    align: Literal["left", "center"] = "left"
    valign: Literal["top", "center", "bottom"] = "center"
    uppercase: bool = False
    decorations: tuple[Literal["bar", "rule", "frame", "stripe"], ...] = ("bar",)
    """Accent shapes: a bar above the headline, a rule below it, a frame, a left-edge stripe."""
    max_size: int = 132
    """Largest headline size in px on a 1000 px wide pin (it shrinks to fit)."""
    max_lines: int = 4
    """Lines the headline prefers to stay within (more only when it would not fit)."""
    scrim: float = 0.35
    """Least darkening of a full-bleed photo under text; raised as needed for contrast."""
    footer: Literal["left", "center", "none"] = "left"
    """Where the site name (and logo) goes at the bottom."""


BUILTIN_LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        # Full-bleed photo, darkened towards the bottom, big headline over it.
        Layout(
            name="photo",
            max_size=128,
            photo="full",
            scrim=0.45,
            text_box=(0.08, 0.46, 0.92, 0.88),
            valign="bottom",
        ),
        # A bold colour block with the headline and a small framed photo.
        Layout(
            name="block",
            ground="accent",
            max_size=124,
            photo="card",
            photo_box=(0.08, 0.55, 0.92, 0.86),
            text_box=(0.08, 0.08, 0.92, 0.51),
            text_box_alone=(0.08, 0.12, 0.92, 0.84),
            valign="bottom",
        ),
        # Headline only, large and centred inside a frame, in the brand colours.
        Layout(
            name="type",
            align="center",
            decorations=("frame", "rule"),
            footer="center",
            max_lines=5,
            max_size=140,
            text_box=(0.12, 0.12, 0.88, 0.82),
        ),
        # Photo on top, text panel below.
        Layout(
            name="split",
            max_size=112,
            photo="box",
            photo_box=(0.0, 0.0, 1.0, 0.5),
            text_box=(0.08, 0.55, 0.92, 0.88),
        ),
        # Full-bleed photo with the headline on a solid band across the middle.
        Layout(
            name="band",
            align="center",
            decorations=("rule",),
            max_size=108,
            panel=True,
            photo="full",
            scrim=0.0,
            text_box=(0.14, 0.3, 0.86, 0.7),
        ),
        # Headline only, set high on the page beside a stripe of the accent colour.
        Layout(
            name="stripe",
            decorations=("stripe", "bar"),
            max_lines=5,
            max_size=136,
            text_box=(0.12, 0.12, 0.9, 0.84),
            valign="top",
        ),
    )
}

DEFAULT_LAYOUTS = tuple(BUILTIN_LAYOUTS)
"""The rotation when ``layouts:`` is not set: every built-in, photo first."""

_NUMBERS: dict[str, tuple[float, float, str]] = {
    "max_size": (48, 220, "a whole number of px from 48 to 220"),
    "max_lines": (1, 12, "a whole number from 1 to 12"),
    "scrim": (0, 0.9, "a number from 0 to 0.9"),
}


def _box(value: object, key: str) -> Box:
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 4
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        raise ValueError(f"{key}: expected [left, top, right, bottom] as fractions, got {value!r}")
    left, top, right, bottom = (float(v) for v in value)
    if not (0 <= left < right <= 1 and 0 <= top < bottom <= 1):
        raise ValueError(
            f"{key}: expected 0 ≤ left < right ≤ 1 and 0 ≤ top < bottom ≤ 1, got {value!r}"
        )
    if key != "photo_box" and (right - left < 0.3 or bottom - top < 0.1):
        raise ValueError(f"{key}: too small for a headline (at least 0.3 wide, 0.1 high)")
    return (left, top, right, bottom)


def _field(key: str, value: object) -> object:
    hint = typing.get_type_hints(Layout).get(key) if key != "name" else None
    if hint is None:
        fields = ", ".join(f.name for f in dataclasses.fields(Layout) if f.name != "name")
        raise ValueError(f"unknown key {key!r} (layout keys: base, {fields})")
    if typing.get_origin(hint) is Literal:
        if value not in typing.get_args(hint):
            expected = ", ".join(typing.get_args(hint))
            raise ValueError(f"{key}: expected one of {expected}, got {value!r}")
        return value
    if key == "decorations":
        choices = typing.get_args(typing.get_args(hint)[0])
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or any(item not in choices for item in items):
            raise ValueError(f"{key}: expected a list of {', '.join(choices)}, got {value!r}")
        return tuple(dict.fromkeys(items))
    if hint is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{key}: expected true or false, got {value!r}")
        return value
    if key in _NUMBERS:
        low, high, expected = _NUMBERS[key]
        if isinstance(value, (int, hint)) and not isinstance(value, bool) and low <= value <= high:
            return hint(value)
        raise ValueError(f"{key}: expected {expected}, got {value!r}")
    return None if value is None and key == "text_box_alone" else _box(value, key)


def resolve_layouts(items: Sequence[object]) -> tuple[Layout, ...]:
    """The ``layouts:`` option as layouts, in order: names of built-ins or earlier own layouts,
    and mappings that define (and use) a layout of your own: a ``name``, an optional ``base``
    (default ``type``) and the fields to change. ``ValueError`` names the item and key."""
    known: dict[str, Layout] = dict(BUILTIN_LAYOUTS)
    out: list[Layout] = []
    for i, item in enumerate(items):
        try:
            if isinstance(item, str):
                if item not in known:
                    choices = ", ".join(known)
                    raise ValueError(f"unknown layout {item!r} (known layouts: {choices})")
                layout = known[item]
            elif isinstance(item, Mapping):
                name, base = item.get("name"), item.get("base", "type")
                if not isinstance(name, str) or not name.strip():
                    raise ValueError("name: every layout of your own needs a name")
                if not isinstance(base, str) or base not in known:
                    raise ValueError(f"base: expected one of {', '.join(known)}, got {base!r}")
                changes: dict[str, Any] = {
                    str(key): _field(str(key), value)
                    for key, value in item.items()
                    if key not in ("name", "base")
                }
                layout = dataclasses.replace(known[base], name=name.strip(), **changes)
            else:
                raise ValueError(f"expected a layout name or mapping, got {item!r}")
        except ValueError as exc:
            raise ValueError(f"[{i}] {exc}") from None
        known[layout.name] = layout
        out.append(layout)
    if not out:
        raise ValueError("needs at least one layout")
    return tuple(out)
