"""Render many pins into the site: de-duplicated work, streamed to disk."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..calendar_file import write_bytes_atomic
from ..errors import PinplanError
from ..model import Design, PinSpec
from .draw import RenderError, render_pin

Progress = Callable[[int, int], None]
"""Called with (done, total) as pins finish rendering."""


@dataclass(frozen=True)
class RenderStats:
    """What a render pass did, plus content warnings naming the post."""

    rendered: int
    cached: int
    seconds: float
    warnings: tuple[str, ...] = ()


def render_pins(
    specs: Sequence[PinSpec],
    site_dir: Path,
    *,
    cache_dir: Path | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> RenderStats:
    """Write every spec's image under ``site_dir`` (one render per distinct design).

    Raises :class:`PinplanError` naming the post when a pin cannot be rendered.
    """
    started = time.perf_counter()
    owners: dict[Design, list[PinSpec]] = {}
    for spec in specs:
        owners.setdefault(spec.design, []).append(spec)
    notes: list[str] = []
    for done, (design, group) in enumerate(owners.items(), start=1):
        try:
            result = render_pin(design)
        except RenderError as exc:
            raise PinplanError(group[0].post, "pinplan.image", str(exc)) from None
        notes.extend(f"{group[0].post}: {w}" for w in result.warnings)
        for spec in group:
            write_bytes_atomic(site_dir / spec.image_path, result.data)
        if progress:
            progress(done, len(owners))
    return RenderStats(
        rendered=len(owners),
        cached=0,
        seconds=time.perf_counter() - started,
        warnings=tuple(notes),
    )
