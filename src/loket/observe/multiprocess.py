"""Preparing ``PROMETHEUS_MULTIPROC_DIR`` before prometheus_client is imported.

Only the long-running processes whose counts a scrape adds up use multiprocess mode: ``loket
serve`` (its gunicorn workers), ``loket worker`` and ``loket demo`` (both). Any other command (a
cron ``loket audit verify``, a migration) counts in its own memory, so it leaves no
``counter_<pid>.db`` behind. The directory is made if missing; at start, the live gauges of
processes that are gone are dropped (``mark_process_dead``), and nothing of a running process
is touched: restarting ``loket serve`` leaves the worker's files alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
MULTIPROCESS_COMMANDS = ("serve", "worker", "demo")
_FILE_PID = re.compile(r"_(\d+)\.db$")


def prepare(command: str, environ: MutableMapping[str, str] | None = None) -> str:
    """Set up multiprocess mode for ``command``; returns a one-line problem, or "" when fine."""
    environ = os.environ if environ is None else environ
    directory = environ.get(VARIABLE, "")
    if not directory or command not in MULTIPROCESS_COMMANDS:
        # Set but empty counts as unset: prometheus_client would write into the current directory.
        environ.pop(VARIABLE, None)
        return ""
    try:
        Path(directory).mkdir(parents=True, exist_ok=True)
    except OSError as problem:
        return f"{VARIABLE}={directory}: the directory cannot be made ({problem.strerror})"
    forget_dead_processes(directory)
    return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def forget_dead_processes(directory: str) -> list[int]:
    """Drop the live gauges of the processes that wrote into ``directory`` and are gone; their
    counters stay (they are part of the totals). Returns the pids forgotten."""
    from prometheus_client import multiprocess

    names = (path.name for path in Path(directory).glob("*.db"))
    pids = {int(match.group(1)) for name in names if (match := _FILE_PID.search(name))}
    dead = sorted(pid for pid in pids if not _alive(pid))
    for pid in dead:
        multiprocess.mark_process_dead(pid, directory)
    return dead
