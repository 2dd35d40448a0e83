"""Instructions, not seconds: a warm pinplan build against a plain build, under cachegrind.

``python bench/instructions.py [BLOG_DIR]`` runs ``mkdocs build`` of the blog's ``plain.yml``
and ``pinplan.yml`` (made by ``bench/blog.py``; by default the one ``bench/run.py`` made)
once each under valgrind's cachegrind, side by side, after ordinary builds (pinplan twice) so the
pinplan cache is warm, and prints one JSON line with both instruction counts, the
difference in percent, and the same for an estimate of cycles.

On a shared machine the wall time of the very same build moves by ±20 % from one minute to
the next, far more than the few per cent a warm build adds; the instruction count of a
build moves by well under 0.1 %. Instructions alone undercount code that misses the caches
more than MkDocs does, so cachegrind also simulates the caches, and the estimate weighs each
first-level miss as 10 instructions and each last-level miss as 100 (cachegrind's own rule
of thumb). Neither counts the kernel's side of system calls, so the ~720 copies that put
cached pins into the site weigh less here than on a clock. Takes about seven minutes (a
build runs some 60× slower under valgrind with the cache simulation).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from run import HERE, MKDOCS, env

COUNTS = {
    name: re.compile(rf"{label}:\s+([\d,]+)")
    for name, label in (
        ("instructions", r"I\s+refs"),
        ("i1_misses", r"I1\s+misses"),
        ("d1_misses", r"D1\s+misses"),
        ("ll_misses", r"LL misses"),
    )
}


def count(blog: Path, config: str) -> subprocess.Popen[str]:
    """Start one build under cachegrind; its stderr ends with the instruction and miss counts."""
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=yes", "--cachegrind-out-file=/dev/null"]
    cmd += [str(MKDOCS), "build", "-q", "-f", str(blog / config)]
    return subprocess.Popen(
        cmd, cwd=blog, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def counts(proc: subprocess.Popen[str]) -> dict[str, int]:
    """The run's instruction and cache-miss counts, and the estimate of its cycles."""
    _, err = proc.communicate()
    found = {name: pattern.findall(err) for name, pattern in COUNTS.items()}
    if proc.returncode != 0 or not all(found.values()):
        sys.exit(f"cachegrind run failed ({proc.returncode}):\n{err[-2000:]}")
    got = {name: int(values[-1].replace(",", "")) for name, values in found.items()}
    l1 = got["i1_misses"] + got["d1_misses"]
    got["estimated_cycles"] = got["instructions"] + 10 * l1 + 100 * got["ll_misses"]
    return got


def measure(blog: Path) -> dict[str, float]:
    """Counts of a plain and a warm build of ``blog`` (both built first), and the ratios."""
    # As pip does for a wheel: an editable install under PYTHONDONTWRITEBYTECODE would
    # otherwise count compiling pinplan's modules (~0.3 G instructions) in every build.
    spec = importlib.util.find_spec("mkdocs_pinplan")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        subprocess.run([sys.executable, "-m", "compileall", "-q", folder], check=True)
    # pinplan twice: the first build after drawing checks each new cache entry's hash once
    # (a file written moments ago is not remembered); a warm build is the one after that.
    for config in ("plain.yml", "pinplan.yml", "pinplan.yml"):
        subprocess.run(
            [str(MKDOCS), "build", "-q", "-f", str(blog / config)], cwd=blog, env=env(), check=True
        )
    plain, warm = count(blog, "plain.yml"), count(blog, "pinplan.yml")
    plain_counts, warm_counts = counts(plain), counts(warm)
    result: dict[str, float] = {}
    for name in ("instructions", "estimated_cycles"):
        result[f"plain_{name}"] = plain_counts[name]
        result[f"warm_{name}"] = warm_counts[name]
        result[f"warm_over_plain_{name}_percent"] = round(
            (warm_counts[name] / plain_counts[name] - 1) * 100, 2
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("blog", type=Path, nargs="?", default=HERE / "out" / "blog-240-720")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    print(json.dumps(measure(args.blog.resolve())))


if __name__ == "__main__":
    main()
