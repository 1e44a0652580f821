"""Progress of a long command: a live line on a terminal, one summary line when piped.

On a terminal the line is rewritten in place (at most ten times a second): how far, how fast,
and the time left when the total is known. Piped (cron, CI, a log file) nothing is written while
it runs, and :meth:`Progress.finish` writes one line with the counts done, skipped and refused
and the time taken, which is also the last line a terminal keeps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

OUTCOMES = ("done", "skipped", "refused")


class Stream(Protocol):
    def write(self, text: str, /) -> Any: ...
    def flush(self) -> Any: ...
    def isatty(self) -> bool: ...


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    """Counts what a command did, by outcome, and shows it as it goes on a terminal."""

    def __init__(
        self,
        label: str,
        total: int | None,
        stream: Stream,
        unit: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.total, self.unit = label, total, unit
        self.stream, self.clock = stream, clock
        self.tty = bool(stream.isatty())
        self.counts = dict.fromkeys(OUTCOMES, 0)
        self.started = clock()
        self._shown = 0.0

    @property
    def handled(self) -> int:
        return sum(self.counts.values())

    def advance(self, count: int = 1, outcome: str = "done") -> None:
        self.counts[outcome] += count
        now = self.clock()
        if self.tty and now - self._shown >= 0.1:
            self._shown = now
            self._write("\r" + self.line(now) + "\x1b[K")

    def line(self, now: float) -> str:
        """``residents: 1,200 of 2,000 (60%), 850/s, 1 s left``."""
        elapsed = max(now - self.started, 1e-9)
        rate = self.handled / elapsed
        unit = f" {self.unit}" if self.unit else ""
        text = f"{self.label}: {self.handled:,}"
        if self.total:
            text += f" of {self.total:,}{unit} ({min(100, 100 * self.handled // self.total)}%)"
        else:
            text += unit
        text += f", {rate:,.0f}/s"
        if self.total and rate > 0:
            text += f", {_duration(max(0, self.total - self.handled) / rate)} left"
        return text

    def summary(self) -> str:
        """``residents: 2,000 done, 0 skipped, 0 refused in 3 s (650/s)``."""
        elapsed = max(self.clock() - self.started, 1e-9)
        counts = ", ".join(f"{self.counts[o]:,} {o}" for o in OUTCOMES)
        return f"{self.label}: {counts} in {_duration(elapsed)} ({self.handled / elapsed:,.0f}/s)"

    def finish(self) -> str:
        """Write the summary (over the live line on a terminal) and return it."""
        text = self.summary()
        self._write(("\r" + text + "\x1b[K" if self.tty else text) + "\n")
        return text

    def _write(self, text: str) -> None:
        # Django's command output adds its own line ending unless told not to.
        if hasattr(self.stream, "ending"):
            self.stream.write(text, ending="")  # type: ignore[call-arg]
        else:
            self.stream.write(text)
        self.stream.flush()
