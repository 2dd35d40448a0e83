"""Pin specs → image bytes."""

from __future__ import annotations

from .draw import RenderError, RenderResult, render_pin

__all__ = ["RenderError", "RenderResult", "render_pin"]
