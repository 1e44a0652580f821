"""``loket urbis_feedback list | mark ID accepted|rejected [--note …]``: the owner's answers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.geo.feedback import UnknownVerdict, do_set_verdict
from loket.geo.models import RegisterFeedback


class Command(BaseCommand):
    help = "List the feedback sent to the address register's owner, or record its answer."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="list open feedback")
        mark = actions.add_parser("mark", help="record the register owner's answer")
        mark.add_argument("id", type=int)
        mark.add_argument("status", choices=["accepted", "rejected", "open"])
        mark.add_argument("--note", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for item in RegisterFeedback.objects.filter(status=RegisterFeedback.Verdict.OPEN):
                self.stdout.write(f"{item.pk}\t{item.kind}\t{item.register_id}\t{item}")
            return
        try:
            item = do_set_verdict(options["id"], options["status"], options["note"])
        except (RegisterFeedback.DoesNotExist, UnknownVerdict) as problem:
            raise CommandError(f"cannot mark {options['id']}: {problem}") from None
        self.stdout.write(f"{item.pk}: {item.status}")
