"""Progress of a long render: a live counter on a terminal, a log line now and then elsewhere."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

SHOW_FROM = 48  # fewer pins to render than this finish too soon for progress to be worth it


class ProgressReport:
    """A ``(done, total)`` callback for ``render_pins``: on a terminal one line rewritten in
    place and cleared when done; otherwise a ``log`` line at the start and every ``every`` s."""

    def __init__(
        self,
        log: Callable[[str], None],
        *,
        stream: TextIO | None = None,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log = log
        self.stream = stream if stream is not None else sys.stderr
        self.every = every
        self.clock = clock
        self._last = 0.0
        try:
            self.live = self.stream.isatty()
        except (AttributeError, ValueError):
            self.live = False

    def __call__(self, done: int, total: int) -> None:
        if total < SHOW_FROM:
            return
        if self.live:
            end = "\r\x1b[K" if done >= total else ""
            self.stream.write(f"\rpinplan: rendering pins {done}/{total}{end}")
            self.stream.flush()
            return
        now = self.clock()
        if done == 1:
            self._last = now
            self.log(f"rendering {total} pins")
        elif done < total and now - self._last >= self.every:
            self._last = now
            self.log(f"rendered {done}/{total} pins")
