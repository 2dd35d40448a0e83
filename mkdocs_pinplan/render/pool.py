"""A process pool that knows which job each worker holds (one pipe and one job per worker).

``ProcessPoolExecutor`` breaks every pending future when a worker dies, naming no job;
``multiprocessing.Pool`` waits forever for a dead worker's job. Workers start from the
forkserver (or spawn), never a plain fork of a build that may have threads (``mkdocs serve``).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from typing import Any, Generic, TypeVar

J = TypeVar("J")
R = TypeVar("R")

JOB_TIMEOUT = 300.0
"""Seconds a single job may take before its worker is killed and the job reported."""


class PoolUnavailable(Exception):
    """Worker processes could not be started here (the caller may work in-process instead)."""


class JobFailed(Exception):
    """A job could not be finished; ``index`` says which one and the message says why."""

    def __init__(self, index: int, message: str) -> None:
        self.index = index
        self.message = message
        super().__init__(message)


def _worker_main(conn: Connection, fn: Callable[[Any], Any]) -> None:
    """Run jobs from ``conn`` until it sends ``None`` or closes; reply ``(ok, value)`` each."""
    # Ctrl-C reaches the whole process group; the parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(EOFError, OSError, ValueError):  # the parent went away
        for job in iter(conn.recv, None):
            try:
                reply: tuple[bool, Any] = (True, fn(job))
            except BaseException as exc:
                reply = (False, "".join(traceback.format_exception_only(type(exc), exc)).strip())
            conn.send(reply)


class _Worker:
    def __init__(self, ctx: BaseContext, fn: Callable[[Any], Any], number: int) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(  # type: ignore[attr-defined]
            target=_worker_main, args=(child, fn), name=f"pinplan-render-{number}", daemon=True
        )
        self.process.start()
        child.close()
        self.job: int | None = None
        self.since = 0.0

    def death(self) -> str:
        """How the (dead) worker ended, for the message naming its job."""
        self.process.join(1.0)
        code = self.process.exitcode
        if code is not None and code < 0:
            return f"render worker was killed by signal {-code}"
        return f"render worker exited with code {code}"


class Pool(Generic[J, R]):
    """``workers`` processes running ``fn`` (a module-level function) over jobs, started at
    once. Use as a context manager: leaving it stops every worker, whatever happened."""

    def __init__(
        self,
        fn: Callable[[J], R],
        workers: int,
        *,
        preload: Sequence[str] = (),
        job_timeout: float = JOB_TIMEOUT,
    ) -> None:
        self.job_timeout = job_timeout
        self.workers: list[_Worker] = []
        try:
            ctx: BaseContext
            if "forkserver" in multiprocessing.get_all_start_methods():
                ctx = multiprocessing.get_context("forkserver")
                # Imported once in the fork server, so each worker starts with Pillow loaded;
                # ignored when the server is already running (the next build under serve).
                ctx.set_forkserver_preload(["__main__", __name__, *preload])
            else:
                ctx = multiprocessing.get_context("spawn")
            for number in range(max(1, workers)):
                self.workers.append(_Worker(ctx, fn, number + 1))
        except (OSError, EOFError, ValueError, RuntimeError) as exc:
            self.close()
            raise PoolUnavailable(f"cannot start render workers: {exc}") from exc

    def __enter__(self) -> Pool[J, R]:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        # After a failure nothing the workers still do is wanted: stop them at once.
        self.close(graceful=exc_type is None)

    def run(self, jobs: Sequence[J]) -> Iterator[tuple[int, R]]:
        """Yield ``(index, result)`` for every job as it finishes, in no particular order;
        :class:`JobFailed` for the first job that raised, whose worker died, or that outran
        ``job_timeout``."""
        waiting = iter(range(len(jobs)))
        for worker in self.workers:
            self._feed(worker, jobs, waiting)
        while busy := [(w, w.job) for w in self.workers if w.job is not None]:
            ready = set(wait([h for w, _ in busy for h in (w.conn, w.process.sentinel)], 1.0))
            for worker, index in busy:
                if worker.conn in ready:
                    try:
                        ok, value = worker.conn.recv()
                    except (EOFError, OSError):
                        raise JobFailed(index, worker.death()) from None
                    if not ok:
                        raise JobFailed(index, str(value))
                    # Its next job goes out before the caller writes this result: the worker
                    # draws meanwhile instead of idling (and a kill always hits a job).
                    self._feed(worker, jobs, waiting)
                    yield index, value
                elif worker.process.sentinel in ready:
                    raise JobFailed(index, worker.death())
                elif time.monotonic() - worker.since > self.job_timeout:
                    message = f"render worker took longer than {self.job_timeout:.0f}s; stopped"
                    raise JobFailed(index, message)

    def _feed(self, worker: _Worker, jobs: Sequence[J], waiting: Iterator[int]) -> None:
        """Send ``worker`` its next job, if any is left; a worker found dead fails that job."""
        worker.job = None
        index = next(waiting, None)
        if index is None:
            return
        try:
            worker.conn.send(jobs[index])
        except (OSError, ValueError):
            raise JobFailed(index, worker.death()) from None
        worker.job, worker.since = index, time.monotonic()

    def close(self, *, graceful: bool = True) -> None:
        """Stop every worker: ask politely (when ``graceful``), then terminate, then kill."""
        for worker in self.workers:
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        deadline = time.monotonic() + (2.0 if graceful else 0.0)
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            for stop in (worker.process.terminate, worker.process.kill):
                if worker.process.is_alive():
                    stop()
                    worker.process.join(1.0)
            worker.conn.close()
        self.workers = []
