"""Stress: many cold builds with 1 to 16 workers, none may hang; optionally kill workers.

Run ``python bench/stress.py`` (default: 100 builds of a 24-post blog, 72 pins). Each build
starts with an empty render cache and must finish within ``--timeout`` seconds. With
``--kill N`` every N-th build has one render worker killed mid-build: that build must fail
with a message naming a post, and still finish in time. Exits 1 when any build hangs or
fails unexpectedly. Not part of ``make test``: it takes several minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from blog import generate  # noqa: E402

MKDOCS = Path(sys.executable).parent / "mkdocs"
NAMED = re.compile(r"blog/posts/post-\d+\.md: pinplan: cannot render pin \d+: render worker")


def grandchildren(root: int) -> list[int]:
    """Processes two levels below ``root`` (the fork server's workers)."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    parents[int(entry.name)] = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return [pid for pid, ppid in parents.items() if parents.get(ppid) == root]


def build(root: Path, workers: int, timeout: float, kill: bool) -> tuple[str, float]:
    """One cold build; returns its outcome (``ok``, ``killed``, or what went wrong)."""
    config = root / "pinplan.yml"
    text = re.sub(r"workers: \d+", f"workers: {workers}", config.read_text(encoding="utf-8"))
    config.write_text(text, encoding="utf-8")
    shutil.rmtree(root / ".cache" / "plugin" / "pinplan", ignore_errors=True)
    shutil.rmtree(root / "pinplan", ignore_errors=True)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1795000000", NO_MKDOCS_2_WARNING="1")
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(MKDOCS), "build", "-f", str(config)],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    killed = False
    pins = root / ".cache" / "plugin" / "pinplan" / "pins"
    while kill and not killed and proc.poll() is None and time.monotonic() - started < timeout:
        if pins.exists() and any(pins.rglob("*.jpg")):
            for pid in grandchildren(proc.pid)[:1]:
                os.kill(pid, signal.SIGKILL)
                killed = True
        time.sleep(0.01)
    try:
        output, _ = proc.communicate(timeout=max(1.0, timeout - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return "HUNG", time.monotonic() - started
    seconds = time.monotonic() - started
    if killed:
        if proc.returncode != 0 and NAMED.search(output):
            return "killed", seconds
        return f"killed worker not reported (exit {proc.returncode}):\n{output[-2000:]}", seconds
    if proc.returncode != 0:
        return f"failed (exit {proc.returncode}):\n{output[-2000:]}", seconds
    return "ok", seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=100)
    parser.add_argument("--posts", type=int, default=24)
    parser.add_argument("--max-workers", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--kill", type=int, default=0, help="kill a worker in every N-th build")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()

    blog = generate(args.out.resolve() / f"stress-{args.posts}", args.posts, args.posts * 3)
    bad = 0
    counts: dict[str, int] = {}
    for n in range(args.builds):
        workers = 1 + n % args.max_workers
        kill = bool(args.kill) and n % args.kill == args.kill - 1 and workers > 1
        outcome, seconds = build(blog.root, workers, args.timeout, kill)
        head = outcome.splitlines()[0]
        counts[head] = counts.get(head, 0) + 1
        print(f"build {n + 1:3d} workers={workers:2d} {seconds:6.1f}s {head}", flush=True)
        if outcome not in ("ok", "killed"):
            bad += 1
            print(outcome, flush=True)
    print(f"{args.builds} builds: {counts}; problems: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
