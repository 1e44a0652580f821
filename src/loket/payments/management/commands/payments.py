"""``loket payments import-statement FILE``: reconcile a bank statement (camt.053 or CODA).
``loket payments demo-statement CASE``: outside production, a camt.053 that pays a demo case's
fee by transfer, to import as its administration's agent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from loket.cases.models import Case
from loket.payments.demo_statement import NoTransferToPay, demo_camt053
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
        demo = actions.add_parser(
            "demo-statement", help="write a camt.053 paying a demo case's fee by transfer"
        )
        demo.add_argument("case", help="the case's reference (BRU-...)")
        demo.add_argument("--output", "-o", type=Path, help="the file to write (else stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "demo-statement":
            self.demo_statement(options["case"], options.get("output"))
            return
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

    def demo_statement(self, reference: str, output: Path | None) -> None:
        if settings.LOKET_ENV == "production":
            raise CommandError("a demo statement is never made in production")
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            raise CommandError(f"no case {reference}")
        try:
            data = demo_camt053(case, timezone.localdate())
        except NoTransferToPay as problem:
            raise CommandError(str(problem)) from None
        if output is None:
            self.stdout.write(data.decode(), ending="")
            return
        output.write_bytes(data)
        self.stdout.write(f"{output}: pays {case.reference} by transfer; import it as its agent")
