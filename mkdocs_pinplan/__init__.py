"""mkdocs-pinplan: Pinterest pins and a spam-safe publishing calendar for MkDocs blogs."""

from __future__ import annotations

__version__ = "0.1.0"
