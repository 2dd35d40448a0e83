"""Render many pins into the site: de-duplicated work, a content-addressed cache, a process pool.

Pins are grouped by cache key (equal keys mean equal bytes), the cache answers what it can and
only the rest is drawn, each distinct image once. Workers write their image straight to the
site's files and the cache, and send back only warnings."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import NamedTuple

from ..errors import PinplanError
from ..filememo import FileMemo
from ..fs import write_site_file
from ..model import Design, PinSpec
from .keys import DesignKeys
from .store import PinCache, extension

Progress = Callable[[int, int], None]
"""Called with (done, total) as pins finish rendering (total counts only pins to render)."""

MIN_POOL_JOBS = 24
"""Fewer images than this render in-process: starting the fork server and warming each
worker's font caches costs about as much as drawing a dozen pins."""


# Named tuples: a dataclass costs a build over a millisecond to define.
class RenderStats(NamedTuple):
    """What a render pass did: distinct images drawn and taken from the cache, its content
    warnings naming the post, and how many processes drew (1: the build process itself)."""

    rendered: int
    cached: int
    seconds: float
    warnings: tuple[str, ...] = ()
    workers: int = 1


class RenderJob(NamedTuple):
    """One image to draw and where to write it (picklable: it crosses to a worker)."""

    design: Design
    key: str
    targets: tuple[str, ...]
    """The files in the site that show this image."""
    cache_root: str | None = None


class JobOutcome(NamedTuple):
    """What a job reports back: the renderer's warnings, or why the inputs were unusable."""

    warnings: tuple[str, ...] = ()
    error: str | None = None


def render_job(job: RenderJob) -> JobOutcome:
    """Draw ``job.design`` and write it to the site (and the cache); a worker entry point."""
    # Imported here so a warm build, which draws nothing, never loads the drawing code.
    from .draw import RenderError, render_pin

    try:
        result = render_pin(job.design)
    except RenderError as exc:
        return JobOutcome(error=str(exc))
    if job.cache_root is not None:
        store = PinCache(Path(job.cache_root))
        with suppress(OSError):  # a cache that cannot take the entry only costs the next build
            store.store(job.key, extension(job.design), result.data, result.warnings)
    for target in job.targets:
        write_site_file(target, result.data)
    return JobOutcome(warnings=tuple(result.warnings))


def render_pins(
    specs: Sequence[PinSpec],
    site_dir: Path,
    *,
    cache_dir: Path | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> RenderStats:
    """Write every spec's image under ``site_dir``, drawing each distinct image at most once
    (in ``workers`` processes) and copying what ``cache_dir`` holds. Raises
    :class:`PinplanError` naming the post when a pin cannot be rendered (unusable input, or its
    worker crashed); never waits on a dead worker."""
    started = time.perf_counter()
    cache = None
    if cache_dir is not None:
        try:
            # Its pins folder too: a file in its place would fail every pin, blamed on its post.
            (cache_dir / "pins").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PinplanError(str(cache_dir), "cache_dir", f"cannot create it: {exc}") from None
        cache = PinCache(cache_dir, FileMemo(cache_dir / "file-hashes.json"))
    keys = DesignKeys(cache.memo if cache else None)
    groups: dict[str, list[PinSpec]] = {}  # equal keys mean equal bytes: drawn once
    for spec in specs:
        groups.setdefault(keys.key(spec.design), []).append(spec)
    notes: dict[str, tuple[str, ...]] = {}
    jobs: list[RenderJob] = []
    cache_root = os.fspath(cache.root) if cache else None
    for key, group in groups.items():
        design = group[0].design
        targets = tuple(os.path.join(site_dir, spec.image) for spec in group)
        hit = cache.lookup(key, extension(design)) if cache else None
        if hit is not None:
            data, notes[key] = hit
            for target in targets:
                write_site_file(target, data)
            continue
        jobs.append(RenderJob(design=design, key=key, targets=targets, cache_root=cache_root))
    used = _render(jobs, groups, notes, workers=workers, progress=progress)
    if cache is not None:
        cache.memo.save()
        cache.prune(groups, now=time.time())
    warnings: list[str] = []  # each image's, once for every post that shows it
    for key, group in groups.items():
        for post in dict.fromkeys(spec.post for spec in group):
            warnings.extend(f"{post}: {w}" for w in notes.get(key, ()))
    return RenderStats(
        rendered=len(jobs),
        cached=len(groups) - len(jobs),
        seconds=time.perf_counter() - started,
        warnings=tuple(warnings),
        workers=used,
    )


def _failure(job_specs: Sequence[PinSpec], message: str, *, bad_input: bool) -> PinplanError:
    spec = job_specs[0]
    if not bad_input:
        return PinplanError(spec.post, "pinplan", f"cannot render pin {spec.index}: {message}")
    image = spec.design.image
    # The renderer names the file it refused; when that is the post's photo, say which key.
    field = "pinplan.image" if image is not None and image.name in message else "pinplan"
    return PinplanError(spec.post, field, message)


def _render(
    jobs: Sequence[RenderJob],
    groups: dict[str, list[PinSpec]],
    notes: dict[str, tuple[str, ...]],
    *,
    workers: int,
    progress: Progress | None,
) -> int:
    """Draw ``jobs`` in-process or in a pool; returns how many processes drew."""

    def finished(done: int, job: RenderJob, outcome: JobOutcome) -> None:
        if outcome.error is not None:
            raise _failure(groups[job.key], outcome.error, bad_input=True)
        notes[job.key] = outcome.warnings
        if progress is not None:
            progress(done, len(jobs))

    size = min(workers, len(jobs))
    if size > 1 and len(jobs) >= MIN_POOL_JOBS:
        # Imported only when needed: multiprocessing is not free to import on a warm build.
        from .pool import JobFailed, Pool, PoolUnavailable

        # No worker processes on this platform or sandbox (PoolUnavailable): draw here instead.
        preload = (__name__, f"{__package__}.draw")
        with suppress(PoolUnavailable), Pool(render_job, size, preload=preload) as pool:
            try:
                for done, (index, outcome) in enumerate(pool.run(jobs), start=1):
                    finished(done, jobs[index], outcome)
            except JobFailed as exc:
                if exc.index < 0:
                    raise PinplanError("pinplan", "workers", exc.message) from None
                raise _failure(groups[jobs[exc.index].key], exc.message, bad_input=False) from None
            return size
    for done, job in enumerate(jobs, start=1):
        try:
            outcome = render_job(job)
        except Exception as exc:
            raise _failure(
                groups[job.key], f"{type(exc).__name__}: {exc}", bad_input=False
            ) from None
        finished(done, job, outcome)
    return 1
