"""gunicorn's hooks for the metrics (``loket serve`` passes ``-c python:loket.observe.gunicorn``).

In multiprocess mode each worker writes its numbers into ``PROMETHEUS_MULTIPROC_DIR``; when a
worker exits, its live gauges are dropped (its counters stay, added into the totals).
"""

from __future__ import annotations

from typing import Any

from loket.observe.metrics import multiprocess_dir


def child_exit(server: Any, worker: Any) -> None:
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
