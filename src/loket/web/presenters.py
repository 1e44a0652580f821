"""Turning facts, needs and answers into rows that templates show as summary lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from loket.catalog.models import Procedure
from loket.core.i18n import current_language, pick
from loket.core.identifiers import format_national_number
from loket.core.models import Administration
from loket.forms.definitions import FormDefinition
from loket.forms.fallback import declaration_form
from loket.forms.fields import build_field
from loket.sources.catalogue import attribute_label, source_name


def need_rows(procedure: Procedure, attributes: tuple[str, ...]) -> list[dict[str, Any]]:
    """Per source: which data will be read, why, and under which law."""
    groups: dict[str, dict[str, Any]] = {}
    for attribute in attributes:
        need = procedure.need(attribute) or {}
        source_id = attribute.split(".")[0]
        group = groups.setdefault(source_id, {"source": source_name(source_id), "items": []})
        group["items"].append(
            {
                "label": attribute_label(attribute),
                "purpose": pick(need.get("purpose_text")),
                "legal_basis": pick(need.get("legal_basis")),
            }
        )
    return list(groups.values())


def _date(value: str) -> str:
    return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")


def _municipality(nis_code: str) -> str:
    administration = Administration.objects.filter(id=nis_code).first()
    return administration.name if administration else ""


def format_address(address: dict[str, Any]) -> str:
    street = address["street_nl"] if current_language() == "nl" else address["street_fr"]
    box = f" {_('box')} {address['box']}" if address.get("box") else ""
    municipality = _municipality(address.get("nis_code", ""))
    return f"{street} {address['house_number']}{box}, {address['postcode']} {municipality}".strip()


def format_fact(attribute: str, value: Any) -> list[str]:
    """One or more lines of plain text for a fact read from a register."""
    if value in (None, "", [], {}):
        return [_("Nothing is registered.")]
    if attribute == "population.identity":
        return [
            f"{value['first_name']} {value['last_name']}",
            _("Born on %(date)s") % {"date": _date(value["birth_date"])},
            _("National number %(number)s")
            % {"number": format_national_number(value["national_number"])},
        ]
    if attribute == "population.address":
        return [format_address(value)]
    if attribute == "vehicle.registrations":
        return [f"{v['plate']} · {v['make']} {v['model']}" for v in value]
    if attribute == "population.household":
        return [f"{m['first_name']} {m['last_name']} ({_date(m['birth_date'])})" for m in value]
    if attribute == "population.address_history":
        return [format_address(a) for a in value]
    if isinstance(value, bool):
        return [_("Yes") if value else _("No")]
    if isinstance(value, dict):
        return [", ".join(str(v) for v in value.values() if not isinstance(v, dict))]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def fact_rows(facts: dict[str, Any], attributes: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for attribute in attributes:
        source_id, name = attribute.split(".", 1)
        if name not in facts.get(source_id, {}):
            continue
        rows.append(
            {
                "label": attribute_label(attribute),
                "lines": format_fact(attribute, facts[source_id][name]),
                "source": source_name(source_id),
                "source_id": source_id,
            }
        )
    return rows


def declared_rows(declared: dict[str, Any]) -> list[dict[str, str]]:
    attributes = sorted({key.rsplit(".", 1)[0] for key in declared})
    form = declaration_form(attributes)
    return [
        {"label": str(form.fields[key].label), "value": str(value)}
        for key, value in declared.items()
        if key in form.fields
    ]


def answer_rows(
    definition: FormDefinition,
    answers: dict[str, Any],
    facts: dict[str, Any],
    change_url: Callable[[str], str] | None = None,
) -> list[dict[str, str]]:
    rows = []
    for page in definition.pages:
        for field_definition in page.fields:
            value = answers.get(field_definition.name, "")
            field = build_field(field_definition, facts)
            choices = dict(getattr(field, "choices", []))
            shown = choices.get(value, value)
            if field_definition.type == "date" and value:
                shown = _date(value)
            rows.append(
                {
                    "label": str(field.label),
                    "value": str(shown),
                    "change_url": change_url(page.id) if change_url else "",
                }
            )
    return rows
