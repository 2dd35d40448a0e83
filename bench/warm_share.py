"""What a warm build spends inside pinplan, timed from the inside (steady on a busy machine).

``python bench/warm_share.py BLOG_DIR [--runs N]`` builds the blog's ``plain.yml`` once (so
every module a plain build needs is loaded), times importing the plugin, then builds
``pinplan.yml`` warm ``N`` times with every ``on_*`` hook of the plugin wrapped in a timer,
and prints one JSON line: the import time, the median time inside the hooks, and the median
plain build time. Wall-clock comparisons of whole builds are at the mercy of other processes
on a shared box; the hooks' own time is not.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import logging
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def build(config_file: Path) -> float:
    """One ``mkdocs build`` in this process; its wall time."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    started = time.perf_counter()
    config = load_config(str(config_file))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        mkdocs_build(config)
    finally:
        config.plugins.on_shutdown()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("blog", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1795000000")
    logging.disable(logging.INFO)
    root = args.blog.resolve()
    os.chdir(root)

    build(root / "plain.yml")  # loads everything a build without pinplan needs
    started = time.perf_counter()
    plugin_module = importlib.import_module("mkdocs_pinplan.plugin")
    import_seconds = time.perf_counter() - started

    spent = [0.0]
    cls = plugin_module.PinplanPlugin
    for name in [n for n in vars(cls) if n.startswith("on_")]:
        original: Callable[..., Any] = getattr(cls, name)

        def timed(*a: Any, _f: Callable[..., Any] = original, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return _f(*a, **k)
            finally:
                spent[0] += time.perf_counter() - t

        setattr(cls, name, functools.wraps(original)(timed))

    build(root / "pinplan.yml")  # make sure the cache is warm
    hooks, plain = [], []
    for _ in range(args.runs):
        spent[0] = 0.0
        build(root / "pinplan.yml")
        hooks.append(spent[0])
        plain.append(build(root / "plain.yml"))
    print(
        json.dumps(
            {
                "import_s": import_seconds,
                "hooks_s": statistics.median(hooks),
                "plain_s": statistics.median(plain),
            }
        )
    )


if __name__ == "__main__":
    main()
