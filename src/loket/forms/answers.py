"""Answers as the applicant would say them: labels of choices, dates, addresses, files.

The pages show them in summary lists and the case documents (receipt, decision) print them,
so they live below both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from loket.core.i18n import current_language, format_file_size, pick
from loket.core.reference import municipality_name
from loket.forms.definitions import FieldDefinition, FormDefinition
from loket.forms.fields import choices_for
from loket.geo.text import box_text


def short_date(value: str) -> str:
    return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")


def long_date(value: str) -> str:
    """A date written out in the page's language; French writes the first of a month "1er"."""
    day = date.fromisoformat(value)
    text = formats.date_format(day, "DATE_FORMAT")
    if current_language() == "fr" and day.day == 1 and text.startswith("1 "):
        text = "1er " + text[2:]
    return text


def format_number(value: Any) -> str:
    """A number with the page's decimal separator: 1,5 in French and Dutch, 1.5 in English."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return formats.number_format(value, use_l10n=True)
    return str(value)


def format_address(address: dict[str, Any]) -> str:
    street = address["street_nl"] if current_language() == "nl" else address["street_fr"]
    box = box_text(str(address.get("box") or ""), str(_("box")))
    municipality = municipality_name(address.get("nis_code", ""))
    return f"{street} {address['house_number']}{box}, {address['postcode']} {municipality}".strip()


def format_address_answer(value: dict[str, Any]) -> str:
    """A Brussels address answered on a form: the register's names when the address was found
    there, else the street as typed."""
    typed = value.get("street", "")
    return format_address(
        {**value, "street_fr": value.get("street_fr") or typed,
         "street_nl": value.get("street_nl") or typed,
         "nis_code": value.get("municipality", "")}
    )  # fmt: skip


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
        return long_date(value)
    if kind == "number":
        return format_number(value)
    if kind in ("brussels_address", "location"):
        return format_address_answer(value)
    if kind == "file":
        return f"{value.get('name', '')} ({format_file_size(int(value.get('size', 0)))})"
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


def case_address(facts: dict[str, Any], answers: dict[str, Any]) -> str:
    """The address an application carries, as the page's language writes it: the register's,
    or the one typed in its stead; "" when it carries none. A bulky-waste collection, say,
    takes place there, so its receipt and its page say which."""
    held = (facts.get("population") or {}).get("address")
    if isinstance(held, dict) and held.get("house_number"):
        return format_address(held)
    prefix = "population.address."
    declared = answers.get("declared") or {}
    typed = {k[len(prefix) :]: v for k, v in declared.items() if k.startswith(prefix)}
    if not typed.get("street"):
        return ""
    return format_address(
        {**typed, "street_fr": typed["street"], "street_nl": typed["street"],
         "nis_code": typed.get("municipality", ""), "postcode": typed.get("postcode", "")}
    )  # fmt: skip
