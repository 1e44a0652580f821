"""``loket definitions check``: load every shipped definition and every published version, and
name each problem (useful after an upgrade that checks definitions more strictly).
``loket definitions types``: print the table of field types of docs/forms.md from the registry.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.forms.definitions import (
    DEFINITIONS_DIR,
    DefinitionError,
    available_definitions,
    load_file,
    load_text,
)
from loket.forms.fields import types_table
from loket.forms.models import DefinitionVersion


class Command(BaseCommand):
    help = "Form definitions. check: load them all; types: the table of field types (Markdown)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "types"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "types":
            self.stdout.write(types_table(), ending="")
            return
        problems: list[str] = []
        for procedure_id in available_definitions():
            try:
                load_file(DEFINITIONS_DIR / f"{procedure_id}.yaml")
            except DefinitionError as error:
                problems.extend(error.problems)
        for stored in DefinitionVersion.objects.order_by("procedure_id", "version"):
            name = f"{stored.procedure_id} version {stored.version}"
            try:
                load_text(stored.source, name, stored.procedure_id)
            except DefinitionError as error:
                problems.extend(error.problems)
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problems in form definitions")
        self.stdout.write("Every form definition loads.")
