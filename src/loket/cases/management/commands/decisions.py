"""``loket decisions seal``: seal the decisions that have no sealed document yet.

For decisions made before decisions were sealed, and for those whose sealing task gave up while
the seal or the timestamp authority was down. Idempotent: a sealed decision is never sealed again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.cases.decision_documents import seal_pending_decisions


class Command(BaseCommand):
    help = "Seal the decisions that have no sealed PDF yet."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        seal = actions.add_parser("seal", help="seal every decision without a sealed PDF, once")
        seal.add_argument("--limit", type=int, default=None, help="at most this many decisions")

    def handle(self, *args: Any, **options: Any) -> None:
        sealed, failed = seal_pending_decisions(options["limit"])
        self.stdout.write(f"{sealed} decision(s) sealed")
        if failed:
            raise CommandError(
                f"{len(failed)} decision(s) could not be sealed (seal or timestamp authority "
                f"unavailable), run again later: {', '.join(failed[:20])}"
            )
