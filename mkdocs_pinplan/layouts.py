"""Pin designs as data: the built-in layouts, and the ``layouts:`` option, where a blogger
derives designs of their own from them in ``mkdocs.yml`` instead of code."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Box = tuple[float, float, float, float]
"""A rectangle as fractions of the canvas: ``(left, top, right, bottom)``."""


@dataclass(frozen=True)
class Layout:
    """Where the photo, the headline and the brand go. Every field is part of the design:
    changing one re-renders exactly the pins that use it."""

    name: str
    photo: str = "none"
    """``full`` (whole canvas), ``box`` (a rectangle), ``card`` (a framed inset) or ``none``."""
    photo_box: Box = (0.0, 0.0, 1.0, 1.0)
    text_box: Box = (0.08, 0.1, 0.92, 0.86)
    text_box_alone: Box | None = None
    """Where the headline goes when the post has no photo (default: ``text_box``)."""
    ground: str = "background"
    """Canvas colour from the palette: ``background`` or ``accent``."""
    panel: bool = False
    """A solid panel in the background colour behind the headline (for text over photos)."""
    align: str = "left"
    valign: str = "center"
    uppercase: bool = False
    decorations: tuple[str, ...] = ("bar",)
    """Accent shapes: ``bar`` (above the headline), ``rule`` (below it), ``frame``, and
    ``stripe`` (down the left edge)."""
    max_size: int = 132
    """Largest headline size in px on a 1000 px wide pin (it shrinks to fit)."""
    max_lines: int = 4
    """Lines the headline prefers to stay within (more only when it would not fit)."""
    scrim: float = 0.35
    """Least darkening of a full-bleed photo under text; raised as needed for contrast."""
    footer: str = "left"
    """Site name (and logo) at the bottom: ``left``, ``center`` or ``none``."""


BUILTIN_LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        # Full-bleed photo, darkened towards the bottom, big headline over it.
        Layout(
            name="photo",
            photo="full",
            text_box=(0.08, 0.46, 0.92, 0.88),
            valign="bottom",
            max_size=128,
            scrim=0.45,
        ),
        # A bold colour block with the headline and a small framed photo.
        Layout(
            name="block",
            photo="card",
            photo_box=(0.08, 0.55, 0.92, 0.86),
            text_box=(0.08, 0.08, 0.92, 0.51),
            text_box_alone=(0.08, 0.12, 0.92, 0.84),
            ground="accent",
            valign="bottom",
            max_size=124,
        ),
        # Headline only, large and centred inside a frame, in the brand colours.
        Layout(
            name="type",
            text_box=(0.12, 0.12, 0.88, 0.82),
            align="center",
            decorations=("frame", "rule"),
            max_size=140,
            max_lines=5,
            footer="center",
        ),
        # Photo on top, text panel below.
        Layout(
            name="split",
            photo="box",
            photo_box=(0.0, 0.0, 1.0, 0.5),
            text_box=(0.08, 0.55, 0.92, 0.88),
            max_size=112,
        ),
        # Full-bleed photo with the headline on a solid band across the middle.
        Layout(
            name="band",
            photo="full",
            panel=True,
            text_box=(0.14, 0.3, 0.86, 0.7),
            align="center",
            decorations=("rule",),
            max_size=108,
            scrim=0.0,
        ),
        # Headline only, set high on the page beside a stripe of the accent colour.
        Layout(
            name="stripe",
            text_box=(0.12, 0.12, 0.9, 0.84),
            valign="top",
            decorations=("stripe", "bar"),
            max_size=136,
            max_lines=5,
        ),
    )
}

DEFAULT_LAYOUTS = tuple(BUILTIN_LAYOUTS)
"""The rotation when ``layouts:`` is not set: every built-in, photo first. A post without
a photo rotates only those made for that (``block``, ``type``, ``stripe``)."""

_CHOICES: dict[str, tuple[str, ...]] = {
    "photo": ("full", "box", "card", "none"),
    "ground": ("background", "accent"),
    "align": ("left", "center"),
    "valign": ("top", "center", "bottom"),
    "footer": ("left", "center", "none"),
}
_DECORATIONS = ("bar", "rule", "frame", "stripe")
_BOXES = ("photo_box", "text_box", "text_box_alone")
_NUMBERS: dict[str, tuple[type[int] | type[float], float, float, str]] = {
    "max_size": (int, 48, 220, "a whole number of px from 48 to 220"),
    "max_lines": (int, 1, 12, "a whole number from 1 to 12"),
    "scrim": (float, 0, 0.9, "a number from 0 to 0.9"),
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
    if key in _CHOICES:
        if value not in _CHOICES[key]:
            raise ValueError(f"{key}: expected one of {', '.join(_CHOICES[key])}, got {value!r}")
        return value
    if key in _BOXES:
        return None if value is None and key == "text_box_alone" else _box(value, key)
    if key in ("panel", "uppercase"):
        if not isinstance(value, bool):
            raise ValueError(f"{key}: expected true or false, got {value!r}")
        return value
    if key == "decorations":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or any(item not in _DECORATIONS for item in items):
            raise ValueError(f"{key}: expected a list of {', '.join(_DECORATIONS)}, got {value!r}")
        return tuple(dict.fromkeys(items))
    if key in _NUMBERS:
        kind, low, high, expected = _NUMBERS[key]
        if isinstance(value, (int, kind)) and not isinstance(value, bool) and low <= value <= high:
            return kind(value)
        raise ValueError(f"{key}: expected {expected}, got {value!r}")
    fields = ", ".join(f.name for f in dataclasses.fields(Layout) if f.name != "name")
    raise ValueError(f"unknown key {key!r} (layout keys: base, {fields})")


def layout_from_mapping(data: Mapping[str, object], known: Mapping[str, Layout]) -> Layout:
    """A user layout: ``name``, an optional ``base`` (default ``type``) and fields to change.

    ``known`` holds the layouts a ``base`` may name. Raises ``ValueError`` saying which key
    is wrong and what was expected.
    """
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name: every layout of your own needs a name")
    base_name = data.get("base", "type")
    if not isinstance(base_name, str) or base_name not in known:
        choices = ", ".join(known)
        raise ValueError(f"base: expected one of {choices}, got {base_name!r}")
    changes = {
        str(key): _field(str(key), value)
        for key, value in data.items()
        if key not in ("name", "base")
    }
    return dataclasses.replace(known[base_name], name=name.strip(), **changes)  # type: ignore[arg-type]


def resolve_layouts(items: Sequence[object]) -> tuple[Layout, ...]:
    """The ``layouts:`` option as layouts, in order: names of built-ins or earlier own layouts,
    and mappings that define (and use) a layout of your own.

    Raises ``ValueError`` prefixed with the item's position.
    """
    known: dict[str, Layout] = dict(BUILTIN_LAYOUTS)
    out: list[Layout] = []
    for i, item in enumerate(items):
        try:
            if isinstance(item, Layout):
                layout = item
            elif isinstance(item, str):
                if item not in known:
                    choices = ", ".join(known)
                    raise ValueError(f"unknown layout {item!r} (known layouts: {choices})")
                layout = known[item]
            elif isinstance(item, Mapping):
                layout = layout_from_mapping(item, known)
            else:
                raise ValueError(f"expected a layout name or mapping, got {item!r}")
        except ValueError as exc:
            raise ValueError(f"[{i}] {exc}") from None
        known[layout.name] = layout
        out.append(layout)
    if not out:
        raise ValueError("needs at least one layout")
    return tuple(out)
