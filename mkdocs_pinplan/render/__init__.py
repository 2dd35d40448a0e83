"""Pin specs → image bytes."""

from __future__ import annotations

from .draw import render_pin

__all__ = ["render_pin"]
