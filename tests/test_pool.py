"""The worker pool never hangs: a crashed, failing or stuck job is reported, by index."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mkdocs_pinplan.render.pool import JobFailed, Pool

from conftest import MKDOCS, build_env

GUARD = 60.0
"""A run that takes longer than this is taken as hung (it normally takes well under a second)."""


def square(n: int) -> int:
    return n * n


def die_on_seven(n: int) -> int:
    if n == 7:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def raise_on_five(n: int) -> int:
    if n == 5:
        raise ValueError("five is not allowed")
    return n


def sleep_on_three(n: int) -> int:
    if n == 3:
        time.sleep(30)
    return n


def run_guarded(action: Callable[[], object]) -> object:
    """Run ``action`` in a thread and fail the test instead of hanging the suite."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = action()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(GUARD)
    assert not thread.is_alive(), "the pool hung"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


def collect(fn: Callable[[int], int], jobs: list[int], workers: int, **kw: float) -> dict[int, int]:
    def action() -> dict[int, int]:
        with Pool(fn, workers, **kw) as pool:
            return dict(pool.run(jobs))

    result = run_guarded(action)
    assert isinstance(result, dict)
    return result


@pytest.mark.parametrize("workers", [1, 2, 5])
def test_every_job_answers_once(workers: int) -> None:
    jobs = list(range(20))
    assert collect(square, jobs, workers) == {i: n * n for i, n in enumerate(jobs)}


def test_killed_worker_names_its_job() -> None:
    jobs = list(range(12))
    with pytest.raises(JobFailed) as caught:
        collect(die_on_seven, jobs, 2)
    assert caught.value.index == 7
    assert "signal 9" in caught.value.message


def test_exception_in_job_names_its_job() -> None:
    with pytest.raises(JobFailed) as caught:
        collect(raise_on_five, list(range(10)), 3)
    assert caught.value.index == 5
    assert "ValueError: five is not allowed" in caught.value.message


def test_stuck_job_is_stopped() -> None:
    with pytest.raises(JobFailed) as caught:
        collect(sleep_on_three, list(range(6)), 2, job_timeout=1.0)
    assert caught.value.index == 3
    assert "longer than" in caught.value.message


def test_leaving_the_pool_stops_its_workers() -> None:
    with Pool(square, 3) as pool:
        dict(pool.run([1, 2, 3]))
        pids = [worker.process.pid for worker in pool.workers]
    assert len(pids) == 3
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _descendants(root: int) -> Iterator[tuple[int, int]]:
    """(pid, depth below ``root``) of every process under ``root``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            parents[int(entry.name)] = int(fields[1])
    for pid in parents:
        depth, walk = 0, pid
        while walk in parents and walk != root and depth < 10:
            walk, depth = parents[walk], depth + 1
        if walk == root and pid != root:
            yield pid, depth


def write_posts(docs: Path, count: int) -> None:
    posts = docs / "blog" / "posts"
    for n in range(count):
        (posts / f"bulk-{n}.md").write_text(
            f"---\ntitle: Bulk post {n} about pin spacing\ndate: 2026-10-{n % 28 + 1:02d}\n"
            f"pinplan:\n  pins: 3\n---\n\nBody {n}.\n",
            encoding="utf-8",
        )


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find workers")
def test_worker_killed_mid_build_fails_the_build_clearly(site_copy: Path) -> None:
    write_posts(site_copy / "docs", 30)
    # Two workers even on a one-CPU runner, so there is a worker to kill.
    config = site_copy / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "pins_per_post: 3", "pins_per_post: 3\n      workers: 2"
        ),
        encoding="utf-8",
    )
    assert "workers: 2" in config.read_text(encoding="utf-8")
    pins = site_copy / ".cache" / "plugin" / "pinplan" / "pins"
    build = subprocess.Popen(
        [str(MKDOCS), "build"],
        cwd=site_copy,
        env=build_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    killed = None
    try:
        deadline = time.monotonic() + GUARD
        while killed is None and build.poll() is None and time.monotonic() < deadline:
            # Workers are the fork server's children: two levels below mkdocs.
            if pins.exists() and sum(1 for _ in pins.rglob("*.jpg")) >= 2:
                workers = [pid for pid, depth in _descendants(build.pid) if depth == 2]
                if workers:
                    killed = workers[0]
                    os.kill(killed, signal.SIGKILL)
            time.sleep(0.02)
        output, _ = build.communicate(timeout=GUARD)
    finally:
        if build.poll() is None:
            build.kill()
    assert killed is not None, "the build finished before a worker could be killed"
    assert build.returncode != 0
    match = re.search(
        r"pinplan: (blog/posts/[\w-]+\.md): pinplan: cannot render pin \d+: (.*)", output
    )
    assert match, output
    assert "killed by signal 9" in match.group(2)
    assert "Traceback" not in output
