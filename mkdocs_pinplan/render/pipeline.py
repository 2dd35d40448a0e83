"""Render many pins into the site: de-duplicated work, streamed to disk."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..calendar_file import write_bytes_atomic
from ..model import PinSpec
from .draw import render_pin


@dataclass(frozen=True)
class RenderStats:
    """What a render pass did."""

    rendered: int
    cached: int
    seconds: float


def render_pins(specs: Sequence[PinSpec], site_dir: Path) -> RenderStats:
    """Write every spec's image under ``site_dir`` (one render per distinct design)."""
    started = time.perf_counter()
    done: dict[object, bytes] = {}
    for spec in specs:
        data = done.get(spec.design)
        if data is None:
            data = render_pin(spec.design)
            done[spec.design] = data
        write_bytes_atomic(site_dir / spec.image_path, data)
    return RenderStats(rendered=len(done), cached=0, seconds=time.perf_counter() - started)
