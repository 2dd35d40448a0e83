"""Instructions, not seconds: a warm pinplan build against a plain build, under cachegrind.

``python bench/instructions.py [BLOG_DIR]`` runs ``mkdocs build`` of the blog's ``plain.yml``
and ``pinplan.yml`` (made by ``bench/blog.py``; by default the one ``bench/run.py`` made)
once each under valgrind's cachegrind, side by side, after one ordinary build of each so the
pinplan cache is warm, and prints one JSON line with both instruction counts and the
difference in percent.

On a shared machine the wall time of the very same build moves by ±20 % from one minute to
the next, far more than the few per cent a warm build adds; the instruction count of a
build moves by well under 0.1 %. It does not count the kernel's side of system calls, so the
~720 hard links that put cached pins into the site weigh less here than on a clock. Takes
about five minutes (a build runs some 40× slower under valgrind).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from run import HERE, MKDOCS, env

REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def count(blog: Path, config: str) -> subprocess.Popen[str]:
    """Start one build under cachegrind; its stderr ends with the instruction count."""
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    cmd += [str(MKDOCS), "build", "-q", "-f", str(blog / config)]
    return subprocess.Popen(
        cmd, cwd=blog, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def refs(proc: subprocess.Popen[str]) -> int:
    _, err = proc.communicate()
    found = REFS.findall(err)
    if proc.returncode != 0 or not found:
        sys.exit(f"cachegrind run failed ({proc.returncode}):\n{err[-2000:]}")
    return int(found[-1].replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("blog", type=Path, nargs="?", default=HERE / "out" / "blog-240-720")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    blog = args.blog.resolve()
    for config in ("plain.yml", "pinplan.yml"):
        subprocess.run(
            [str(MKDOCS), "build", "-q", "-f", str(blog / config)], cwd=blog, env=env(), check=True
        )
    plain, warm = count(blog, "plain.yml"), count(blog, "pinplan.yml")
    plain_refs, warm_refs = refs(plain), refs(warm)
    print(
        json.dumps(
            {
                "plain_instructions": plain_refs,
                "warm_instructions": warm_refs,
                "warm_over_plain_percent": round((warm_refs / plain_refs - 1) * 100, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
