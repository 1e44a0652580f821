"""``loket payments import-statement FILE``: reconcile a bank statement (camt.053 or CODA)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.payments.fees import format_amount
from loket.payments.reconcile import do_import_statement
from loket.payments.statements import StatementError


class Command(BaseCommand):
    help = "Import a bank statement (camt.053 or CODA) and match its lines to payments."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        statement = actions.add_parser(
            "import-statement", help="match a camt.053 or CODA file's lines to transfers"
        )
        statement.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            report = do_import_statement(path.read_bytes())
        except OSError as problem:
            raise CommandError(f"{path}: {problem.strerror}") from None
        except StatementError as problem:
            raise CommandError(f"{path}: {problem}") from None
        counts = report.counts
        self.stdout.write(
            f"{len(report.lines)} lines imported, {report.already_imported} already imported, "
            f"{len(report.conflicts)} in conflict: "
            + ", ".join(f"{outcome} {count}" for outcome, count in sorted(counts.items()))
        )
        for bank_line, former in report.conflicts:
            self.stdout.write(
                f"  CONFLICT     {bank_line.statement}/{bank_line.entry} "
                f"{format_amount(bank_line.amount_cents, 'en')} on {bank_line.booked_on}, "
                f"imported before as {format_amount(former.amount_cents, 'en')} on "
                f"{former.booked_on}: not imported, check it with the bank"
            )
        for line in report.to_check:
            payment = line.payment
            case = (
                f" case {payment.case_reference or '?'} ({payment.administration_id or '?'})"
                if payment is not None
                else ""
            )
            self.stdout.write(
                f"  {line.outcome:<12} {line.statement}/{line.entry} "
                f"{format_amount(line.amount_cents, 'en')} {line.communication!r} "
                f"{line.counterparty}{case}"
            )
