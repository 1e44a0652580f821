"""Fees as data: what a procedure costs at an administration, and why, from data/fees.yaml.

The amount is always computed here, on the server, from the case's answers and the facts read
through ``sources.consult()``; a browser never sends an amount that is believed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from loket.core.i18n import current_language, pick
from loket.core.reference import read_yaml

CURRENCY = "EUR"


@dataclass(frozen=True)
class Fee:
    """What is due for one application: the amount in cents, why and where the amount comes
    from (each in every language), and whether it was set for the demo."""

    amount_cents: int
    label: Mapping[str, str]
    source: Mapping[str, str]
    demo: bool
    currency: str = CURRENCY
    exempt: bool = False
    base_label: Mapping[str, str] = field(default_factory=dict)

    @property
    def why(self) -> str:
        return pick(self.label)

    @property
    def source_text(self) -> str:
        return pick(self.source)

    @property
    def display(self) -> str:
        return format_amount(self.amount_cents)


def format_amount(cents: int, language: str | None = None) -> str:
    """``10,00 €`` in French, ``€ 10,00`` in Dutch, ``€10.00`` in English."""
    language = language or current_language()
    number = formats.number_format(Decimal(cents) / 100, 2, use_l10n=True)
    if language == "fr":
        return f"{number}\u00a0€"
    if language == "nl":
        return f"€\u00a0{number}"
    return f"€{number}"


@cache
def _table() -> dict[str, dict[str, dict[str, Any]]]:
    table: dict[str, dict[str, dict[str, Any]]] = read_yaml("fees.yaml") or {}
    return table


def _texts(value: Any) -> dict[str, str]:
    """A text of fees.yaml by language ({fr, nl, en})."""
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"fees.yaml: {value!r} is not a text by language (fr, nl, en)")
    return {str(language): str(text) for language, text in value.items()}


def _cents(text: str) -> int:
    amount = Decimal(str(text))
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"fees.yaml: {text!r} is not an amount in euro and cents")
    return int(amount * 100)


def _dig(facts: Mapping[str, Any], path: str) -> Any:
    value: Any = facts
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _matches(
    when: Mapping[str, Any], answers: Mapping[str, Any], facts: Mapping[str, Any],
    other_cases: int,
) -> bool:  # fmt: skip
    if "other_cases" in when and other_cases < int(when["other_cases"]):
        return False
    if "fact" in when and _dig(facts, str(when["fact"])) is not True:
        return False
    answer = when.get("answer")
    return not (answer and str(answers.get(answer["field"], "")) != str(answer["equals"]))


def fee_for(
    procedure_id: str, administration_id: str, answers: Mapping[str, Any],
    facts: Mapping[str, Any], other_cases: int = 0,
) -> Fee | None:  # fmt: skip
    """The fee of an application, or None when the procedure costs nothing there.

    ``other_cases``: how many running cases of this procedure the household already has (open,
    or granted and still valid; a second vehicle's card costs more)."""
    per_administration = _table().get(procedure_id) or {}
    entry = per_administration.get(administration_id) or per_administration.get("*")
    if entry is None:
        return None
    amount, label = _cents(entry["amount"]), entry["label"]
    for rule in entry.get("rules", []):
        if _matches(rule["when"], answers, facts, other_cases):
            amount, label = _cents(rule["amount"]), rule["label"]
            break
    fee = Fee(amount, label, _texts(entry["source"]), bool(entry.get("demo")), base_label=label)
    for exemption in entry.get("exemptions", []):
        if _matches(exemption["when"], answers, facts, other_cases):
            return Fee(0, exemption["label"], fee.source, fee.demo, exempt=True, base_label=label)
    return fee


def charged_procedures() -> set[str]:
    return set(_table())


def charged_administrations() -> set[str]:
    """The administrations that fees.yaml names for some procedure (not ``*``)."""
    return {
        administration_id
        for per_administration in _table().values()
        for administration_id in per_administration
        if administration_id != "*"
    }


@dataclass(frozen=True)
class FeeLine:
    """One amount a procedure may cost (the base amount, a rule's or an exemption's), with why,
    where the amount comes from, and whether it was set for the demo."""

    amount_cents: int
    label: Mapping[str, str]
    source: Mapping[str, str]
    demo: bool
    administration_id: str
    currency: str = CURRENCY


def fee_lines(procedure_id: str, administration_id: str | None = None) -> list[FeeLine]:
    """Every amount of a procedure at ``administration_id`` (its entry, or ``*``), or at every
    administration that fees.yaml names when it is None; empty when the procedure is free."""
    per_administration = _table().get(procedure_id) or {}
    if administration_id is not None:
        key = administration_id if administration_id in per_administration else "*"
        per_administration = {key: per_administration[key]} if key in per_administration else {}
    lines: list[FeeLine] = []
    for where, entry in per_administration.items():
        source, demo = _texts(entry["source"]), bool(entry.get("demo"))
        amounts = [(entry["amount"], entry["label"])]
        amounts += [(rule["amount"], rule["label"]) for rule in entry.get("rules", [])]
        amounts += [("0.00", exemption["label"]) for exemption in entry.get("exemptions", [])]
        lines += [
            FeeLine(_cents(amount), _texts(label), source, demo, str(where))
            for amount, label in amounts
        ]
    return lines


def amount_range(lines: list[FeeLine]) -> str:
    """``€10.00``, or ``€0.00 to €50.00`` when the amounts differ; empty without a line."""
    if not lines:
        return ""
    low = min(line.amount_cents for line in lines)
    high = max(line.amount_cents for line in lines)
    if low == high:
        return format_amount(low)
    return _("%(low)s to %(high)s") % {"low": format_amount(low), "high": format_amount(high)}


def published_fees(procedure_id: str) -> list[dict[str, Any]]:
    """Every amount of a procedure, with why and where (the procedure page): base amounts,
    the rules' amounts and the exemptions, per administration."""
    from loket.core.administrations import administration_names

    per_administration = _table().get(procedure_id) or {}
    names = administration_names(per_administration)
    lines: list[dict[str, Any]] = []
    for administration_id, entry in per_administration.items():
        where = (
            names.get(administration_id, "")
            if len(per_administration) > 1
            or (administration_id in names and administration_id.isdigit())
            else ""
        )
        common = {"administration": where, "demo": bool(entry.get("demo"))}
        source = pick(_texts(entry["source"]))
        lines.append({**common, "amount": format_amount(_cents(entry["amount"])),
                      "why": pick(entry["label"]), "source": source})  # fmt: skip
        for rule in entry.get("rules", []):
            lines.append({**common, "amount": format_amount(_cents(rule["amount"])),
                          "why": pick(rule["label"])})  # fmt: skip
        for exemption in entry.get("exemptions", []):
            lines.append({**common, "amount": format_amount(0), "why": pick(exemption["label"])})
    return lines


def providers_of(procedure_id: str, administration_id: str) -> list[str] | None:
    """The providers the fee's entry names (``providers:``), or None: every offered one."""
    per_administration = _table().get(procedure_id) or {}
    entry = per_administration.get(administration_id) or per_administration.get("*") or {}
    names = entry.get("providers")
    return [str(name) for name in names] if names else None


def payment_terms(procedure_id: str, administration_id: str) -> tuple[int, int]:
    """Days after sending when an unpaid application is reminded, and when it lapses."""
    per_administration = _table().get(procedure_id) or {}
    entry = per_administration.get(administration_id) or per_administration.get("*") or {}
    return int(entry.get("remind_after_days", 7)), int(entry.get("lapse_after_days", 30))


def pay_by(procedure_id: str, administration_id: str, charged_at: datetime) -> date:
    """The last day to pay a fee charged at ``charged_at``: the next day's run lapses it."""
    _remind_days, lapse_days = payment_terms(procedure_id, administration_id)
    return timezone.localdate(charged_at + timedelta(days=lapse_days)) - timedelta(days=1)
