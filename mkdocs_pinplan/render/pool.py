"""A small process pool that always knows which job each worker holds.

Why not :class:`concurrent.futures.ProcessPoolExecutor`: when one of its workers dies it
breaks every pending future at once and cannot say which job killed it, and
``multiprocessing.Pool`` waits forever for a job whose worker died. Here each worker has its
own pipe and at most :data:`DEPTH` jobs queued, processed in order, so when a worker dies the
oldest job it was sent is the one that killed it, and the parent notices through the
process's sentinel instead of waiting on a result that will never come.

Workers start from the ``forkserver`` (POSIX) or by ``spawn``: never a plain ``fork`` of the
build process, which under ``mkdocs serve`` has live threads whose locks a forked child could
inherit held. Entry points are module-level functions, so every start method can import them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from typing import Any, Generic, TypeVar

J = TypeVar("J")
R = TypeVar("R")

DEPTH = 2
"""Jobs queued per worker: one running, one waiting, so a worker never idles on a round trip."""

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


def start_method() -> str:
    """``forkserver`` where the platform has it (cheap workers, safe with threads), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def _context(preload: Sequence[str]) -> BaseContext:
    ctx = multiprocessing.get_context(start_method())
    if start_method() == "forkserver":
        # Imported once in the fork server, so each worker starts with Pillow already loaded;
        # ignored when the server is already running (e.g. the second build under serve).
        ctx.set_forkserver_preload(["__main__", __name__, *preload])
    return ctx


def _worker_main(conn: Connection, fn: Callable[[Any], Any]) -> None:
    """Run jobs from ``conn`` until it sends ``None`` or closes; reply ``(ok, value)`` each."""
    # Ctrl-C reaches the whole process group; the parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply: tuple[bool, Any] = (True, fn(job))
        except BaseException as exc:
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            reply = (False, detail)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        except Exception as exc:  # an unpicklable result: say so instead of dying silently
            conn.send((False, f"result could not be sent back: {exc}"))


class _Runs:
    """Job indices grouped into runs of equal affinity, each run handed to one worker.

    A worker keeps taking from its own run, in order, so what it loaded for one job (a
    decoded photo) is still at hand for the next. When no run is left to start, an idle
    worker takes from the far end of the longest run another worker holds, so none idles
    while work remains.
    """

    def __init__(self, count: int, affinity: Sequence[Hashable] | None) -> None:
        runs: dict[Hashable, deque[int]] = {}
        for index in range(count):
            key = affinity[index] if affinity is not None else index
            runs.setdefault(key, deque()).append(index)
        self.waiting: deque[deque[int]] = deque(runs.values())
        self.owned: dict[int, deque[int]] = {}

    def __bool__(self) -> bool:
        return bool(self.waiting) or any(self.owned.values())

    def first(self) -> int:
        """Some job not handed out yet (there must be one)."""
        run = next(r for r in (*self.owned.values(), *self.waiting) if r)
        return run[0]

    def take(self, worker: int) -> int | None:
        """The next job for ``worker``, or ``None`` when every job has been handed out."""
        run = self.owned.get(worker)
        if run:
            return run.popleft()
        if self.waiting:
            run = self.owned[worker] = self.waiting.popleft()
            return run.popleft()
        longest = max(self.owned.values(), key=len, default=None)
        return longest.pop() if longest else None

    def put_back(self, worker: int, index: int) -> None:
        """``index`` could not be sent to ``worker``: it goes first again."""
        self.owned.setdefault(worker, deque()).appendleft(index)

    def release(self, worker: int) -> None:
        """``worker`` is gone: the rest of its run waits for another one."""
        run = self.owned.pop(worker, None)
        if run:
            self.waiting.appendleft(run)


class _Worker:
    def __init__(self, ctx: BaseContext, fn: Callable[[Any], Any], number: int) -> None:
        parent, child = ctx.Pipe(duplex=True)
        self.number = number
        self.conn = parent
        self.process = ctx.Process(  # type: ignore[attr-defined]
            target=_worker_main, args=(child, fn), name=f"pinplan-render-{number}", daemon=True
        )
        self.process.start()
        child.close()
        self.held: deque[tuple[int, float]] = deque()
        """(job index, time sent) of the jobs sent and not yet answered, oldest first."""


class Pool(Generic[J, R]):
    """``workers`` processes running ``fn`` (a module-level function) over jobs.

    Use as a context manager: leaving it stops every worker, whatever happened.
    """

    def __init__(
        self,
        fn: Callable[[J], R],
        workers: int,
        *,
        preload: Sequence[str] = (),
        job_timeout: float = JOB_TIMEOUT,
    ) -> None:
        self.fn = fn
        self.size = max(1, workers)
        self.preload = tuple(preload)
        self.job_timeout = job_timeout
        self.workers: list[_Worker] = []

    def __enter__(self) -> Pool[J, R]:
        try:
            ctx = _context(self.preload)
            for number in range(self.size):
                self.workers.append(_Worker(ctx, self.fn, number + 1))
        except (OSError, EOFError, ValueError, RuntimeError) as exc:
            self.close()
            raise PoolUnavailable(f"cannot start render workers: {exc}") from exc
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        # After a failure nothing the workers still do is wanted: stop them at once.
        self.close(graceful=exc_type is None)

    @property
    def pids(self) -> list[int]:
        """Process ids of the running workers."""
        return [w.process.pid for w in self.workers if w.process.pid is not None]

    def run(
        self, jobs: Sequence[J], affinity: Sequence[Hashable] | None = None
    ) -> Iterator[tuple[int, R]]:
        """Yield ``(index, result)`` for every job as it finishes (in no particular order).

        Jobs with equal ``affinity`` (one per job) go to the same worker one after the other
        as far as that keeps every worker busy. Raises :class:`JobFailed` for the first job
        that raised, whose worker died, or that ran longer than ``job_timeout``; the pool is
        unusable afterwards.
        """
        pending = _Runs(len(jobs), affinity)

        def feed(worker: _Worker) -> None:
            while len(worker.held) < DEPTH:
                index = pending.take(worker.number)
                if index is None:
                    return
                try:
                    worker.conn.send(jobs[index])
                except (OSError, ValueError):
                    # The worker is gone; its sentinel reports it on the next wait.
                    pending.put_back(worker.number, index)
                    return
                worker.held.append((index, time.monotonic()))

        for worker in self.workers:
            feed(worker)
        while any(w.held for w in self.workers) or pending:
            alive = [w for w in self.workers if w.process.is_alive() or w.held]
            if not alive:
                raise JobFailed(pending.first(), "every render worker exited before this pin")
            handles: list[Any] = [w.conn for w in alive] + [w.process.sentinel for w in alive]
            ready = set(wait(handles, timeout=1.0))
            for worker in alive:
                if worker.conn in ready or worker.process.sentinel in ready:
                    yield from self._collect(worker)
                    if worker.process.sentinel in ready and not worker.process.is_alive():
                        self._buried(worker)
                        pending.release(worker.number)
                        continue
                    feed(worker)
            now = time.monotonic()
            for worker in self.workers:
                if worker.held and now - worker.held[0][1] > self.job_timeout:
                    raise JobFailed(
                        worker.held[0][0],
                        f"render worker took longer than {self.job_timeout:.0f}s; stopped",
                    )

    def _collect(self, worker: _Worker) -> Iterator[tuple[int, Any]]:
        """Every reply already in ``worker``'s pipe; the next held job starts its clock."""
        while worker.held:
            try:
                if not worker.conn.poll():
                    return
                ok, value = worker.conn.recv()
            except (EOFError, OSError):
                return  # died mid-reply: its sentinel reports it
            index, _ = worker.held.popleft()
            if worker.held:
                worker.held[0] = (worker.held[0][0], time.monotonic())
            if not ok:
                raise JobFailed(index, str(value))
            yield index, value

    def _buried(self, worker: _Worker) -> None:
        """A worker died: the oldest job it held killed it (a worker idle at death is dropped)."""
        self.workers.remove(worker)
        worker.conn.close()
        if not worker.held:
            return
        code = worker.process.exitcode
        how = (
            f"was killed by signal {-code}"
            if code is not None and code < 0
            else f"exited with code {code}"
        )
        raise JobFailed(worker.held[0][0], f"render worker {how} while rendering this pin")

    def close(self, *, graceful: bool = True) -> None:
        """Stop every worker: ask politely (when ``graceful``), then terminate, then kill."""
        for worker in self.workers:
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        deadline = time.monotonic() + (2.0 if graceful else 0.0)
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(1.0)
            if worker.process.is_alive() and sys.platform != "win32":
                os.kill(worker.process.pid, signal.SIGKILL)
                worker.process.join(1.0)
            worker.conn.close()
        self.workers = []
