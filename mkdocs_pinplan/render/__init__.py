"""Pin specs → image bytes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .draw import RenderError, RenderResult, render_pin

__all__ = ["RenderError", "RenderResult", "render_pin"]


def __getattr__(name: str) -> Any:
    # Lazy: importing the drawing code pulls in Pillow's drawing and font modules, which a
    # warm build (every pin cached) never needs; the plugin imports this package regardless.
    if name in __all__:
        from . import draw

        return getattr(draw, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
