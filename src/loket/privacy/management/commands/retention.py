"""``loket retention run`` applies the retention rules; ``loket retention replay`` does it again
after a restore from backup (and says so in the run record)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from loket.privacy.retention import apply_retention


class Command(BaseCommand):
    help = "Apply the procedures' retention rules (drafts, decided cases)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run", "replay"])

    def handle(self, *args: Any, **options: Any) -> None:
        run = apply_retention(replay=options["action"] == "replay")
        total = sum(
            sum(v for k, v in c.items() if not k.startswith("rule")) for c in run.counts.values()
        )
        self.stdout.write(f"retention applied as of {run.as_of:%Y-%m-%d %H:%M}: {total} records")
