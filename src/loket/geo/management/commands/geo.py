"""``loket geo import-best FILE | import-streets FILE | import-samples``: the address register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.geo.best import FormatError
from loket.geo.importer import ImportResult, import_best, import_shipped_samples, import_streets
from loket.observe.progress import Progress


class Command(BaseCommand):
    help = "Import the Brussels address register (BeST addresses, street lists, shipped samples)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        best = actions.add_parser("import-best", help="import a BeST address CSV or zip")
        best.add_argument("file", type=Path)
        streets = actions.add_parser("import-streets", help="import a street list CSV")
        streets.add_argument("file", type=Path)
        actions.add_parser("import-samples", help="import the samples shipped in loket/data")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import-samples":
            for name, rows in import_shipped_samples().items():
                self.stdout.write(f"{name}: {rows} rows")
            return
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        progress = Progress(path.name, None, self.stdout, unit="rows")

        def advance(imported: int, skipped: int) -> None:
            progress.advance(imported)
            progress.advance(skipped, "skipped")  # outside the region or without a street

        try:
            if action == "import-best":
                result = import_best(path, progress=advance)
            else:
                result = import_streets(path)
        except FormatError as problem:
            raise CommandError(str(problem)) from None
        if action == "import-best":
            progress.finish()
        self.stdout.write(self._summary(path, result))

    @staticmethod
    def _summary(path: Path, result: ImportResult) -> str:
        return (
            f"{path.name}: {result.rows} rows imported, {result.retired} addresses retired, "
            f"{result.skipped} rows skipped (outside the region or without a street)"
        )
