"""``loket opendata publish``: rebuild the open datasets into a new release."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from loket.observe.progress import Progress
from loket.opendata.publish import publish


class Command(BaseCommand):
    help = "Publish the open data: statistics protected against disclosure, and their catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("publish", help="rebuild every dataset into a new, kept release")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "publish":
            progress = Progress("open data", None, self.stdout, unit="rows")

            def advance(rows: int, withheld: int) -> None:
                progress.advance(rows)
                progress.advance(withheld, "refused")  # withheld by disclosure control

            release = publish(progress=advance)
            progress.finish()
            for dataset in release.datasets.all():
                self.stdout.write(
                    f"{dataset.dataset}: {dataset.rows} rows, {dataset.suppressed} withheld"
                )
            self.stdout.write(f"release {release.id} published")
