"""The one error rendering raises: an input file (image, logo, font) cannot be used."""

from __future__ import annotations


class RenderError(Exception):
    """A pin cannot be rendered from its inputs (bad image or font); the message says why."""
