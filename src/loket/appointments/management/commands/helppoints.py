"""``loket helppoints import FILE.csv [--replace]``: load places of help from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.appointments.importer import COLUMNS, import_help_points


class Command(BaseCommand):
    help = (
        "Import help points from CSV (columns: " + ",".join(COLUMNS) + "); see docs/help-points.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="import or update help points from a CSV file")
        load.add_argument("file", type=Path)
        load.add_argument(
            "--replace", action="store_true",
            help="deactivate the places of the same origin (demo or not) absent from the file",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as problem:
            raise CommandError(f"cannot read {path}: {problem}") from None
        report = import_help_points(text, replace=options["replace"])
        for line, message in report.errors:
            self.stderr.write(f"{path}:{line}: {message}")
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, "
            f"{report.deactivated} deactivated, {len(report.errors)} lines with errors"
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} lines were not imported")
