"""Benchmark pin rendering against a plain build, the Pillow floor and Material's social plugin.

``make bench`` runs ``python bench/run.py``. It generates a blog (``--posts``, default 240,
``--pins-per-post``, default 3) under ``bench/out/`` and times whole processes, each the
median of several runs:

* ``mkdocs build`` with neither pinplan nor social cards (the baseline),
* pinplan cold (no render cache, no calendar) with the default workers and with ``workers: 1``,
* pinplan warm (nothing changed since the last build),
* the Pillow floor: ``bench/floor.py`` draws and encodes the same pins in one process,
* mkdocs-material's social plugin, cold, with a 1000×1500 card layout on the same pages
  (its fonts seeded from local files, so it never downloads).

Then the peak memory of cold pinplan builds of the same posts with 240 and with 1,000 pins.
Results are printed as a Markdown table and written to ``bench/out/results.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
MKDOCS = Path(sys.executable).parent / "mkdocs"
EPOCH = "1795000000"


@dataclass
class Sample:
    """One whole-process run."""

    seconds: float
    max_rss_kib: int
    """``ru_maxrss`` of the process itself (the largest single process it waited for)."""
    cpu: float = 0.0
    """User + system CPU seconds of the process and the children it waited for (not the
    render workers, whose parent is the fork server): steadier than wall time on a busy box."""
    tree_kib: int | None = None
    """Peak of the summed proportional set size of the process and all its descendants."""


@dataclass
class Series:
    """Several runs of one measurement."""

    name: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss_mib(self) -> float:
        return max(s.max_rss_kib for s in self.samples) / 1024


def env() -> dict[str, str]:
    out = dict(os.environ)
    # Byte code as an installed package has it: without .pyc files every build would compile
    # each edited module again, a cost no user's build pays.
    out.pop("PYTHONDONTWRITEBYTECODE", None)
    out.update(SOURCE_DATE_EPOCH=EPOCH, NO_MKDOCS_2_WARNING="1", PYTHONHASHSEED="0")
    return out


def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents[int(entry.name)] = ppid
    found = [root]
    for pid in parents:
        walk, depth = pid, 0
        while walk in parents and walk != root and depth < 8:
            walk, depth = parents[walk], depth + 1
        if walk == root and pid != root:
            found.append(pid)
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run(cmd: Sequence[str], cwd: Path, *, tree: bool = False) -> Sample:
    """Run ``cmd`` to the end; its wall time and peak memory. Fails loudly on a non-zero exit."""
    log = cwd / "last-run.log"
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env(), stdout=out, stderr=subprocess.STDOUT)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                peak[0] = max(peak[0], sum(_pss_kib(pid) for pid in _tree(proc.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        if tree:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        proc.returncode = os.waitstatus_to_exitcode(status)
    if tree:
        sampler.join()
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{log.read_text()[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(seconds, usage.ru_maxrss, cpu, peak[0] if tree else None)


@dataclass(frozen=True)
class Blog:
    """A generated benchmark site (made by ``bench/blog.py``)."""

    root: Path

    def config(self, name: str) -> Path:
        return self.root / f"{name}.yml"


def generate(
    root: Path, posts: int, pins: int, *, workers: int = 0, extra: Sequence[str] = ()
) -> Blog:
    """Generate (or reuse) a blog in a child process.

    Kept out of this process on purpose: a child's ``ru_maxrss`` starts from its parent's
    peak at exec, so this process must stay small for the memory numbers to mean anything.
    """
    cmd = [sys.executable, str(HERE / "blog.py"), str(root), str(posts), str(pins)]
    subprocess.run([*cmd, "--workers", str(workers), *extra], check=True)
    return Blog(root)


def mkdocs(blog: Blog, config: str) -> list[str]:
    return [str(MKDOCS), "build", "-f", str(blog.config(config))]


def forget_pinplan(blog: Blog) -> None:
    """Cold start for pinplan: no render cache, no calendar."""
    shutil.rmtree(blog.root / ".cache" / "plugin" / "pinplan", ignore_errors=True)
    shutil.rmtree(blog.root / "pinplan", ignore_errors=True)


def forget_social(blog: Blog) -> None:
    """Cold start for the social plugin: keep only the seeded fonts."""
    social = blog.root / ".cache" / "plugin" / "social"
    if social.exists():
        for entry in social.iterdir():
            if entry.name != "fonts":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def count_files(folder: Path, suffixes: tuple[str, ...]) -> int:
    return sum(1 for p in folder.rglob("*") if p.suffix in suffixes) if folder.exists() else 0


SUMMARY = re.compile(r"(\d+) rendered, (\d+) cached")


def repeat(
    series: Series,
    times: int,
    before: Callable[[], None],
    cmd: list[str],
    cwd: Path,
    *,
    all_cached: bool = False,
) -> None:
    for _ in range(times):
        for _attempt in range(3):
            before()
            sample = run(cmd, cwd)
            found = SUMMARY.search((cwd / "last-run.log").read_text(encoding="utf-8"))
            # A warm build that drew pins was not warm (e.g. the render code changed meanwhile).
            if not all_cached or (found and found.group(1) == "0"):
                break
            print(f"  {series.name}: drew pins, not warm; again", flush=True)
        series.samples.append(sample)
        print(f"  {series.name}: {sample.seconds:.2f}s", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=240)
    parser.add_argument("--pins-per-post", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3, help="runs of each cold measurement")
    parser.add_argument("--warm-runs", type=int, default=9, help="runs of plain and warm builds")
    parser.add_argument("--rss-pins", default="240,1000", help="pin counts for the memory runs")
    parser.add_argument("--skip-social", action="store_true")
    parser.add_argument("--skip-single", action="store_true", help="skip the workers: 1 runs")
    parser.add_argument(
        "--skip-counts",
        action="store_true",
        help="skip counting a plain and a warm build's instructions under valgrind (~7 min)",
    )
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)

    pins = args.posts * args.pins_per_post
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    jobs = out / "floor-jobs.json"
    blog = generate(
        out / f"blog-{args.posts}-{pins}",
        args.posts,
        pins,
        extra=["--seed-social", "--floor-jobs", str(jobs)],
    )
    single = generate(out / f"blog-{args.posts}-{pins}-w1", args.posts, pins, workers=1)
    cpus = os.cpu_count() or 1
    print(f"blog: {args.posts} posts, {pins} pins, {cpus} CPUs, Python {sys.version.split()[0]}")

    plain, warm = Series("plain build"), Series("pinplan warm")
    cold, cold1 = Series(f"pinplan cold (workers: {cpus})"), Series("pinplan cold (workers: 1)")
    floor, social = Series("Pillow floor (1 process)"), Series("social plugin cold")

    def nothing() -> None:
        return None

    # An installed wheel comes with its bytecode; an editable install does not, and under
    # PYTHONDONTWRITEBYTECODE every build would compile pinplan's modules again. Compile them
    # once, as pip does for a wheel, so the warm rows time the plugin, not the compiler.
    spec = importlib.util.find_spec("mkdocs_pinplan")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        subprocess.run([sys.executable, "-m", "compileall", "-q", folder], check=True)

    # Warm-up: fill the OS page cache and Python's bytecode caches before timing anything.
    run(mkdocs(blog, "plain"), blog.root)
    forget_pinplan(blog)
    run(mkdocs(blog, "pinplan"), blog.root)
    for _ in range(args.warm_runs):
        # Interleaved, so drift in the machine's load hits both alike.
        repeat(plain, 1, nothing, mkdocs(blog, "plain"), blog.root)
        repeat(warm, 1, nothing, mkdocs(blog, "pinplan"), blog.root, all_cached=True)
    floor_cmd = [sys.executable, str(HERE / "floor.py"), str(jobs), str(out / "floor-out")]
    for _ in range(args.runs):
        # One round of each cold measurement at a time, so load changes hit them alike.
        repeat(cold, 1, lambda: forget_pinplan(blog), mkdocs(blog, "pinplan"), blog.root)
        if not args.skip_single:
            repeat(cold1, 1, lambda: forget_pinplan(single), mkdocs(single, "pinplan"), single.root)
        repeat(floor, 1, nothing, floor_cmd, out)
        if not args.skip_social:
            repeat(social, 1, lambda: forget_social(blog), mkdocs(blog, "social"), blog.root)
    rendered = count_files(blog.root / "site-pinplan" / "assets" / "pinplan", (".jpg", ".png"))
    cards = count_files(blog.root / "site-social" / "assets" / "images" / "social", (".png",))

    memory: list[dict[str, float]] = []
    for count in (int(x) for x in args.rss_pins.split(",") if x):
        sized = generate(out / f"blog-{args.posts}-{count}", args.posts, count)
        forget_pinplan(sized)
        sample = run(mkdocs(sized, "pinplan"), sized.root, tree=True)
        base = run(mkdocs(sized, "plain"), sized.root, tree=True)
        memory.append(
            {
                "pins": count,
                "mkdocs_rss_mib": sample.max_rss_kib / 1024,
                "tree_pss_mib": (sample.tree_kib or 0) / 1024,
                "plain_rss_mib": base.max_rss_kib / 1024,
            }
        )
        print(f"  memory at {count} pins: {memory[-1]}", flush=True)

    share_cmd = [sys.executable, str(HERE / "warm_share.py"), str(blog.root)]
    shared = subprocess.run(share_cmd, env=env(), capture_output=True, text=True, check=True)
    share: dict[str, float] = json.loads(shared.stdout.strip().splitlines()[-1])
    print(f"  warm share: {share}", flush=True)

    counted: dict[str, float] | None = None
    if not args.skip_counts and shutil.which("valgrind"):
        from instructions import measure

        counted = measure(blog.root)
        print(f"  cachegrind counts: {counted}", flush=True)

    report = summarise(
        pins, rendered, cards, plain, warm, cold, cold1, floor, social, memory, share, counted
    )
    print("\n" + report)
    (out / "results.md").write_text(report + "\n", encoding="utf-8")
    raw = {
        s.name: [vars(x) for x in s.samples]
        for s in (plain, warm, cold, cold1, floor, social)
        if s.samples
    }
    (out / "results.json").write_text(
        json.dumps({"pins": pins, "cards": cards, "runs": raw, "memory": memory}, indent=1),
        encoding="utf-8",
    )
    return 0


def summarise(
    pins: int,
    rendered: int,
    cards: int,
    plain: Series,
    warm: Series,
    cold: Series,
    cold1: Series,
    floor: Series,
    social: Series,
    memory: list[dict[str, float]],
    share: dict[str, float],
    counted: dict[str, float] | None = None,
) -> str:
    """The Markdown table and the targets, from the medians."""
    base = plain.median
    floor_ms = floor.median / pins * 1000

    def per_pin(series: Series, count: int) -> float:
        return (series.median - base) / count * 1000

    rows = [
        ("plain `mkdocs build`", plain, "", ""),
        ("pinplan warm (nothing changed)", warm, "", f"{(warm.median / base - 1) * 100:+.1f} %"),
        (
            cold.name,
            cold,
            f"{per_pin(cold, pins):.1f}",
            f"{per_pin(cold, pins) / floor_ms:.2f}× floor",
        ),
    ]
    if cold1.samples:
        ms = per_pin(cold1, pins)
        rows.append((cold1.name, cold1, f"{ms:.1f}", f"{ms / floor_ms:.2f}× floor"))
    rows.append((floor.name, floor, f"{floor_ms:.1f}", "1.00× floor"))
    if social.samples and cards:
        ms = per_pin(social, cards)
        rows.append(
            (
                f"social plugin cold ({cards} cards)",
                social,
                f"{ms:.1f}",
                f"{ms / floor_ms:.2f}× floor",
            )
        )
    lines = [
        f"{pins} pins ({rendered} files), median of {len(cold.samples)} cold / "
        f"{len(warm.samples)} warm runs, whole processes",
        "",
        "| measurement | median wall s | median CPU s¹ | ms per pin (wall, over plain) | ratio "
        "| peak RSS MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, series, ms, ratio in rows:
        lines.append(
            f"| {name} | {series.median:.2f} | {series.cpu:.2f} | {ms} | {ratio} "
            f"| {series.rss_mib:.0f} |"
        )
    lines += [
        "",
        "¹ CPU of the build process and the children it reaps; render workers (children of",
        "the fork server) are not in it, so it is complete only for workers: 1 and warm builds.",
    ]
    lines += ["", "Targets:"]
    cold_ms = per_pin(cold, pins)
    lines.append(
        f"- cold per pin ≤ 1.3× floor: {cold_ms:.1f} ms vs {floor_ms:.1f} ms = "
        f"{cold_ms / floor_ms:.2f}× → {'met' if cold_ms <= 1.3 * floor_ms else 'NOT met'}"
    )
    if social.samples and cards:
        ratio = per_pin(social, cards) / cold_ms
        lines.append(
            f"- ≥ 5× faster per pin than the social plugin: {ratio:.1f}× → "
            f"{'met' if ratio >= 5 else 'NOT met'}"
        )
    over = (warm.median / base - 1) * 100
    over_cpu = (warm.cpu / plain.cpu - 1) * 100
    walls = [sample.seconds for sample in plain.samples]
    spread = (max(walls) / min(walls) - 1) * 100
    clock = (
        f"wall {over:+.1f} %, CPU {over_cpu:+.1f} % (the plain builds alone spread over "
        f"{spread:.0f} % in this run)"
    )
    if counted is None:
        lines.append(
            f"- warm ≤ 5 % over plain: {clock} → {'met' if over <= 5 else 'NOT met'} (by wall time)"
        )
    else:
        instr = counted["warm_over_plain_instructions_percent"]
        cycles = counted["warm_over_plain_estimated_cycles_percent"]
        lines.append(
            f"- warm ≤ 5 % more instructions than plain (issue 15): {instr:+.2f} % → "
            f"{'met' if instr <= 5 else 'NOT met'}; estimated cycles {cycles:+.2f} % "
            f"(cachegrind, whole processes); {clock}"
        )
    if cold1.samples:
        one = (cold1.cpu - plain.cpu) / pins * 1000
        floor_cpu = floor.cpu / pins * 1000
        lines.append(
            f"- CPU per pin, workers: 1 vs the floor (load-independent): {one:.1f} ms vs "
            f"{floor_cpu:.1f} ms = {one / floor_cpu:.2f}×"
        )
    own = share["import_s"] + share["hooks_s"]
    lines.append(
        f"- pinplan's own time in a warm build, timed inside the process: imports "
        f"{share['import_s'] * 1000:.0f} ms + hooks {share['hooks_s'] * 1000:.0f} ms = "
        f"{own / share['plain_s'] * 100:.1f} % of that process's plain build "
        f"({share['plain_s']:.2f} s) → {'met' if own <= 0.03 * share['plain_s'] else 'NOT met'}"
    )
    if len(memory) >= 2:
        lines += [
            "",
            "| pins (same posts) | mkdocs process peak RSS MiB | whole tree peak PSS MiB "
            "| plain build RSS MiB |",
            "| ---: | ---: | ---: | ---: |",
        ]
        for m in memory:
            lines.append(
                f"| {m['pins']:.0f} | {m['mkdocs_rss_mib']:.0f} | {m['tree_pss_mib']:.0f} "
                f"| {m['plain_rss_mib']:.0f} |"
            )
        grow = memory[-1]["mkdocs_rss_mib"] - memory[0]["mkdocs_rss_mib"]
        tree = memory[-1]["tree_pss_mib"] - memory[0]["tree_pss_mib"]
        lines.append(
            f"- peak RSS growth {memory[0]['pins']:.0f} → {memory[-1]['pins']:.0f} pins ≤ 40 MiB: "
            f"mkdocs process {grow:+.0f} MiB, whole tree {tree:+.0f} MiB → "
            f"{'met' if max(grow, tree) <= 40 else 'NOT met'}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
