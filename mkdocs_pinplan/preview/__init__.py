"""The preview page: the whole plan as one HTML page inside the built site."""

from __future__ import annotations

from .page import PREVIEW_PATH, PinInfo, render_preview, write_preview

__all__ = ["PREVIEW_PATH", "PinInfo", "render_preview", "write_preview"]
