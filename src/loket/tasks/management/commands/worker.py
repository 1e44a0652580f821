"""``loket worker``: run background tasks until stopped (or ``--once`` until the queue is empty)."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from loket.tasks.queue import enqueue_due_periodic, run_one, run_until_empty


class Command(BaseCommand):
    help = "Run queued background tasks (e-mails, exports, publications)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="stop when the queue is empty")
        parser.add_argument("--idle", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            enqueue_due_periodic()
            self.stdout.write(f"{run_until_empty()} tasks run")
            return
        stopping = {"now": False}

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping["now"] = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        last_schedule = 0.0
        while not stopping["now"]:
            close_old_connections()
            if time.monotonic() - last_schedule >= 30:
                enqueue_due_periodic()
                last_schedule = time.monotonic()
            if not run_one():
                time.sleep(options["idle"])
