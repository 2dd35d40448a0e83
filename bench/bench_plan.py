"""Benchmark: plan 1,000 posts x 3 pins over a 14-day window, timed as whole processes.

Run ``python bench/bench_plan.py``. The parent starts ``--once`` child processes several
times and prints each wall time (interpreter start, imports, building the pin specs,
planning the window and projecting the queue), their median, and the child's own split.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

PINS = 3_000
RUNS = 5


def make_specs(count: int) -> list[object]:
    """``count`` pin specs, three per post, posts dated over the last years.

    One design is shared by all specs: the planner never looks at it.
    """
    from mkdocs_pinplan.layouts import BUILTIN_LAYOUTS
    from mkdocs_pinplan.model import Brand, Design, Palette, PinSpec

    brand = Brand(name="bench.example.com")
    palette = Palette(background="#112233", text="#f0f0f0", accent="#ff8800")
    design = Design("Bench", BUILTIN_LAYOUTS["block"], palette, brand)
    specs = []
    for n in range(count):
        post_no, index = divmod(n, 3)
        post = f"blog/posts/post-{post_no:06d}.md"
        title = f"Headline {index + 1} of post {post_no}"
        specs.append(
            PinSpec(
                id=f"{post}#{index + 1}",
                post=post,
                index=index + 1,
                design=design,
                image=f"assets/pinplan/post-{post_no:06d}-{index + 1}.jpg",
                title=title,
                description="A description.",
                alt_text=title,
                board="Blog",
                keywords=("bench",),
                link=f"https://bench.example.com/{post_no}/?utm_content=pin{index + 1}",
                media_url=f"https://bench.example.com/assets/pinplan/{post_no}-{index + 1}.jpg",
                post_date=date(2020, 1, 1) + timedelta(days=post_no % 2000),
            )
        )
    return specs


def once(count: int) -> None:
    """One child run: build specs, plan them; print seconds: specs, plan() wall, plan() CPU."""
    t0 = time.perf_counter()
    from mkdocs_pinplan.model import Rules
    from mkdocs_pinplan.schedule import plan

    specs = make_specs(count)
    t1 = time.perf_counter()
    c1 = time.process_time()
    rules = Rules(timezone="Europe/Berlin", start=date(2026, 1, 1), horizon_days=14)
    now = datetime(2026, 11, 18, 20, 26, 40, tzinfo=timezone.utc)
    planned = plan(specs, rules, None, now)  # type: ignore[arg-type]
    t2 = time.perf_counter()
    c2 = time.process_time()
    assert len(planned.calendar.pins) + len(planned.queue) == count
    print(f"{t1 - t0:.3f} {t2 - t1:.3f} {c2 - c1:.3f}")


def rebuild(count: int) -> None:
    """What a build does with a calendar of ``count`` pins and nothing new: read, plan, write."""
    from mkdocs_pinplan.calendar_file import dumps, loads
    from mkdocs_pinplan.model import Rules
    from mkdocs_pinplan.schedule import plan

    specs = make_specs(count)
    rules = Rules(timezone="Europe/Berlin", start=date(2026, 1, 1), horizon_days=14)
    now = datetime(2026, 11, 18, 20, 26, 40, tzinfo=timezone.utc)
    text = dumps(plan(specs, rules, None, now).calendar)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    existing = loads(text, "calendar.json")
    t1 = time.perf_counter()
    again = plan(specs, rules, existing, now).calendar  # type: ignore[arg-type]
    t2 = time.perf_counter()
    assert dumps(again) == text
    t3 = time.perf_counter()
    print(
        f"rebuild of a {count}-pin calendar: read {t1 - t0:.3f}s, plan {t2 - t1:.3f}s, "
        f"write {t3 - t2:.3f}s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pins", type=int, default=PINS)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--rebuild", action="store_true", help="also time read, re-plan and write of a calendar"
    )
    args = parser.parse_args()
    if args.once:
        once(args.pins)
        return 0
    script = str(Path(__file__).resolve())
    walls, cpus, plans, plan_cpus, builds = [], [], [], [], []
    for run in range(args.runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, script, "--once", "--pins", str(args.pins)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        build, planned, plan_cpu = (float(x) for x in out.split())
        plan_cpus.append(plan_cpu)
        walls.append(wall)
        cpus.append(cpu)
        plans.append(planned)
        builds.append(build)
        print(
            f"run {run + 1}: whole process {wall:.3f}s wall, {cpu:.3f}s CPU "
            f"(interpreter and imports {wall - build - planned:.3f}s, "
            f"building specs {build:.3f}s, plan() {planned:.3f}s wall {plan_cpu:.3f}s CPU)"
        )
    median = statistics.median(walls)
    print(
        f"{args.pins} pins, median of {args.runs}: whole process {median:.3f}s wall, "
        f"{statistics.median(cpus):.3f}s CPU; plan() alone {statistics.median(plans):.3f}s wall, "
        f"{statistics.median(plan_cpus):.3f}s CPU (load average now "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    if args.rebuild:
        rebuild(args.pins)
    return 0


if __name__ == "__main__":
    sys.exit(main())
