"""Turning facts, needs and answers into rows that templates show as summary lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.catalog.models import Procedure
from loket.core.i18n import current_language, pick
from loket.core.identifiers import format_enterprise_number, format_national_number
from loket.core.reference import municipality_name
from loket.forms.definitions import FieldDefinition, FormDefinition
from loket.forms.fallback import MUNICIPALITY, declaration_form
from loket.forms.fields import choices_for
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


def format_address(address: dict[str, Any]) -> str:
    street = address["street_nl"] if current_language() == "nl" else address["street_fr"]
    box = f" {_('box')} {address['box']}" if address.get("box") else ""
    municipality = municipality_name(address.get("nis_code", ""))
    return f"{street} {address['house_number']}{box}, {address['postcode']} {municipality}".strip()


def _maybe_address(address: Any) -> str:
    return format_address(address) if isinstance(address, dict) and address else "—"


def _enterprise_lines(identity: dict[str, Any]) -> list[str]:
    """An enterprise as a person reads it, not as the register stores it."""
    lines = [str(identity.get("name", ""))]
    if identity.get("number"):
        lines.append(
            _("Enterprise number %(number)s")
            % {"number": format_enterprise_number(identity["number"])}
        )
    if identity.get("legal_form"):
        lines.append(_("Legal form: %(form)s") % {"form": identity["legal_form"]})
    if identity.get("start_date"):
        lines.append(_("Active since %(date)s") % {"date": _date(identity["start_date"])})
    if identity.get("nace_code"):
        lines.append(_("Main activity (NACE-BEL code) %(code)s") % {"code": identity["nace_code"]})
    if identity.get("address"):
        lines.append(
            _("Registered office: %(address)s") % {"address": _maybe_address(identity["address"])}
        )
    return lines


CIVIL_STATUSES = {
    "single": gettext_lazy("single"),
    "married": gettext_lazy("married"),
    "cohabiting": gettext_lazy("legally cohabiting"),
    "divorced": gettext_lazy("divorced"),
    "widowed": gettext_lazy("widowed"),
}


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
    if attribute == "population.civil_status":
        return [str(CIVIL_STATUSES.get(str(value), value))]
    if attribute == "population.nationality" and value == "BE":
        return [_("Belgian")]
    if attribute == "vehicle.registrations":
        return [f"{v['plate']} · {v['make']} {v['model']}" for v in value]
    if attribute == "population.household":
        return [f"{m['first_name']} {m['last_name']} ({_date(m['birth_date'])})" for m in value]
    if attribute == "population.address_history":
        return [format_address(a) for a in value]
    if attribute == "enterprise.identity":
        return _enterprise_lines(value)
    if attribute == "enterprise.establishments":
        return [
            _("%(name)s, %(address)s (establishment unit %(unit)s)")
            % {
                "name": unit.get("name", ""),
                "address": _maybe_address(unit.get("address")),
                "unit": unit.get("unit_number", ""),
            }
            for unit in value
        ]
    if attribute == "enterprise.mandataries":
        return [str(m.get("function", "")) for m in value]
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
    form = declaration_form(attributes, initial=declared)
    return [
        {
            "label": str(form.fields[key].label),
            "value": municipality_name(value) if key == MUNICIPALITY else str(value),
        }
        for key, value in declared.items()
        if key in form.fields
    ]


def format_answer(definition: FieldDefinition, value: Any, facts: dict[str, Any]) -> str:
    """An answer as the applicant would say it: labels of choices, dates, addresses, files."""
    if value in (None, "", [], {}):
        return "—"
    kind = definition.type
    if kind in ("choice", "licence_plate"):
        labels = dict(choices_for(definition, facts))
        values = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(str(v), v)) for v in values)
    if kind == "yes_no":
        return str(_("Yes") if value == "yes" else _("No"))
    if kind == "date":
        return _date(value)
    if kind in ("brussels_address", "location"):
        return format_address(
            {**value, "street_fr": value.get("street", ""), "street_nl": value.get("street", ""),
             "nis_code": value.get("municipality", "")}
        )  # fmt: skip
    if kind == "file":
        return f"{value.get('name', '')} ({int(value.get('size', 0)) // 1024 + 1} KB)"
    if kind == "group":
        items = [
            "; ".join(format_answer(sub, item.get(sub.name), facts) for sub in definition.fields)
            for item in value
        ]
        return " | ".join(items)
    return str(value)


def answer_rows(
    definition: FormDefinition,
    answers: dict[str, Any],
    facts: dict[str, Any],
    change_url: Callable[[str], str] | None = None,
) -> list[dict[str, str]]:
    """The answers of the visible pages and fields, in order, each with its change link."""
    rows = []
    for page in definition.visible_pages(answers):
        for field_definition in page.fields:
            condition = field_definition.show_if
            if condition is not None and not condition.holds(answers):
                continue
            rows.append(
                {
                    "label": pick(field_definition.label),
                    "value": format_answer(
                        field_definition, answers.get(field_definition.name), facts
                    ),
                    "change_url": change_url(page.id) if change_url else "",
                }
            )
    return rows
