"""``loket report once-only``: per procedure, fields typed by the applicant versus prefilled."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.forms.once_only import once_only_report


class Command(BaseCommand):
    help = "Reports on the platform. once-only: what applicants type versus what is prefilled."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("report", choices=["once-only"])

    def handle(self, *args: Any, **options: Any) -> None:
        rows = once_only_report()
        self.stdout.write(f"{'procedure':<34} {'prefilled':>9} {'typed':>6} {'rate':>6}  problems")
        for row in rows:
            if not row.has_form:
                self.stdout.write(
                    f"{row.procedure_id:<34} {'-':>9} {'-':>6} {'-':>6}  no online form yet"
                )
                continue
            self.stdout.write(
                f"{row.procedure_id:<34} {row.prefilled:>9} {row.typed:>6} {row.rate:>6.0%}  "
                + ("; ".join(row.duplicates) or "none")
            )
        if any(row.duplicates for row in rows):
            raise CommandError("a form asks for data that a register already holds")
