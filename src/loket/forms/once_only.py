"""The once-only check: does any form ask the applicant for data a register already gives?

For each attribute a procedure needs, the fields that would ask for the same data again are
recognised by type or name. A field that offers the register's values as choices (for example
the plate among the registered vehicles) is a question, not a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from loket.catalog.models import Procedure
from loket.forms.definitions import FieldDefinition, FormDefinition, get_definition

# attribute -> (field types, field names) that would ask for it again
DUPLICATES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # Another person's number or another address (the new one, the works') is a real question:
    # only the applicant's own identity and address are recognised, by name.
    "population.identity": (
        frozenset(),
        frozenset({"first_name", "last_name", "name", "birth_date", "national_number"}),
    ),
    "population.address": (
        frozenset(),
        frozenset(
            {"address", "home_address", "current_address", "street", "house_number", "postcode"}
        ),
    ),
    "population.address_history": (frozenset(), frozenset({"previous_addresses"})),
    "population.household": (frozenset(), frozenset({"household", "household_members"})),
    "population.nationality": (frozenset(), frozenset({"nationality"})),
    "population.civil_status": (frozenset(), frozenset({"civil_status"})),
    "vehicle.registrations": (frozenset({"licence_plate"}), frozenset({"vehicles"})),
    "enterprise.identity": (
        frozenset(),
        frozenset({"enterprise_number", "enterprise_name", "legal_form"}),
    ),
    "enterprise.establishments": (frozenset(), frozenset({"establishment", "establishments"})),
    "social.increased_allowance": (frozenset(), frozenset({"increased_allowance", "bim"})),
}


@dataclass
class OnceOnlyRow:
    procedure_id: str
    has_form: bool
    prefilled: int = 0
    typed: int = 0
    duplicates: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        total = self.prefilled + self.typed
        return self.prefilled / total if total else 0.0


def asks_again(attribute: str, form_field: FieldDefinition) -> bool:
    types, names = DUPLICATES.get(attribute, (frozenset(), frozenset()))
    if form_field.options.get("options_from") == attribute:
        return False
    return form_field.type in types or form_field.name in names


def check(procedure: Procedure, definition: FormDefinition) -> OnceOnlyRow:
    fields = [f for page in definition.pages for f in page.fields]
    row = OnceOnlyRow(procedure.id, True, prefilled=len(definition.facts), typed=len(fields))
    for need in procedure.needs:
        for form_field in fields:
            if asks_again(need["attribute"], form_field):
                row.duplicates.append(f"{form_field.name} repeats {need['attribute']}")
    undeclared = [fact for fact in definition.facts if procedure.need(fact) is None]
    row.duplicates.extend(f"fact {fact} is not a declared need" for fact in undeclared)
    return row


def once_only_report() -> list[OnceOnlyRow]:
    rows = []
    for procedure in Procedure.objects.all():
        definition = get_definition(procedure.id)
        rows.append(
            check(procedure, definition) if definition else OnceOnlyRow(procedure.id, False)
        )
    return rows
