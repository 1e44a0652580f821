"""Turning facts, needs and answers into rows that templates show as summary lists."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.cases.models import Case
from loket.catalog.models import Procedure
from loket.core.i18n import pick
from loket.core.identifiers import format_enterprise_number, national_number_html
from loket.core.reference import municipality_name, nace_division
from loket.forms.answers import answer_rows, format_address, format_address_answer, short_date
from loket.forms.definitions import get_definition
from loket.forms.fallback import MUNICIPALITY, declaration_form
from loket.sources.catalogue import attribute_label, source_name


def need_rows(
    procedure: Procedure, attributes: tuple[str, ...], principal: str = ""
) -> list[dict[str, Any]]:
    """Per source: which data will be read, why, and under which law; whose it is named when
    someone acts for ``principal``."""
    groups: dict[str, dict[str, Any]] = {}
    for attribute in attributes:
        need = procedure.need(attribute) or {}
        source_id = attribute.split(".")[0]
        group = groups.setdefault(source_id, {"source": source_name(source_id), "items": []})
        group["items"].append(
            {
                "label": attribute_label(attribute, principal=principal),
                "purpose": pick(need.get("purpose_text")),
                "legal_basis": pick(need.get("legal_basis")),
            }
        )
    return list(groups.values())


def legal_bases(needs: list[dict[str, Any]]) -> list[str]:
    """The distinct laws that allow the readings, each cited once, in the order first needed.

    A need's legal basis often cites several texts ("GDPR, Art. 6(1)(c); Act of 8 August
    1983 …"), and the needs of one procedure share most of them: each text is cited once."""
    bases: list[str] = []
    for group in needs:
        for item in group["items"]:
            for citation in (item["legal_basis"] or "").split(";"):
                citation = citation.strip()
                if citation and citation not in bases:
                    bases.append(citation)
    return bases


def _maybe_address(address: Any) -> str:
    return format_address(address) if isinstance(address, dict) and address else "—"


# The legal forms the enterprise register gives (as the Crossroads Bank for Enterprises abbreviates
# them, French/Dutch), in words. A form not listed is shown as the register gives it.
LEGAL_FORMS = {
    "SRL/BV": gettext_lazy("private limited company (SRL/BV)"),
    "SA/NV": gettext_lazy("public limited company (SA/NV)"),
    "SC/CV": gettext_lazy("cooperative company (SC/CV)"),
    "ASBL/VZW": gettext_lazy("non-profit association (ASBL/VZW)"),
    "PP/NP": gettext_lazy("natural person (self-employed)"),
}
# Main activities by NACE-BEL 2008 code (Statbel's nomenclature), for the codes the demo registers
# hold; another code is named by its division (loket/data/nace-bel-2008-divisions.csv, all 88).
NACE_ACTIVITIES = {
    "56101": gettext_lazy("full-service restaurants"),
    "56301": gettext_lazy("cafés and bars"),
    "47111": gettext_lazy("general food shop under 100 m²"),
    "62010": gettext_lazy("computer programming"),
    "69201": gettext_lazy("accountants and tax advisers"),
    "43320": gettext_lazy("joinery"),
    "96021": gettext_lazy("hairdressing"),
    "47710": gettext_lazy("retail sale of clothing"),
    "86210": gettext_lazy("general medical practice"),
    "49320": gettext_lazy("taxi operation"),
}


def nace_activity(code: str) -> str:
    """An activity code as a person reads it: "56.101 — full-service restaurants"; a code with
    no label of its own by its division, "56.102 (division 56: food and beverage service
    activities)"; a code of no division as given."""
    digits = "".join(c for c in str(code) if c.isdigit())
    shown = f"{digits[:2]}.{digits[2:]}" if len(digits) > 2 else digits or str(code)
    if digits in NACE_ACTIVITIES:
        return f"{shown} \u2014 {NACE_ACTIVITIES[digits]}"
    division = nace_division(digits)
    if not division:
        return str(code)
    return _("%(code)s (division %(division)s: %(title)s)") % {
        "code": shown, "division": digits[:2], "title": division[:1].lower() + division[1:],
    }  # fmt: skip


def _enterprise_lines(identity: dict[str, Any]) -> list[str]:
    """An enterprise as a person reads it, not as the register stores it."""
    lines = [str(identity.get("name", ""))]
    if identity.get("number"):
        lines.append(
            _("Enterprise number %(number)s")
            % {"number": format_enterprise_number(identity["number"])}
        )
    if identity.get("legal_form"):
        form = LEGAL_FORMS.get(identity["legal_form"], identity["legal_form"])
        lines.append(_("Legal form: %(form)s") % {"form": form})
    if identity.get("start_date"):
        lines.append(_("Active since %(date)s") % {"date": short_date(identity["start_date"])})
    if identity.get("nace_code"):
        lines.append(
            _("Main activity: %(activity)s") % {"activity": nace_activity(identity["nace_code"])}
        )
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


def _national_number_line(number: str) -> str:
    """ "National number 85.07.30-033.28", the words escaped, the number kept on one line."""
    before, _placeholder, after = _("National number %(number)s").partition("%(number)s")
    return format_html("{}{}{}", before, national_number_html(number), after)


def format_fact(attribute: str, value: Any) -> list[str]:
    """One or more lines of plain text for a fact read from a register."""
    if value in (None, "", [], {}):
        return [_("Nothing is registered.")]
    if attribute == "population.identity":
        return [
            f"{value['first_name']} {value['last_name']}",
            _("Born on %(date)s") % {"date": short_date(value["birth_date"])},
            _national_number_line(value["national_number"]),
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
        return [
            f"{m['first_name']} {m['last_name']} ({short_date(m['birth_date'])})" for m in value
        ]
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


def fact_rows(
    facts: dict[str, Any],
    attributes: tuple[str, ...],
    procedure: Procedure | None = None,
    about_applicant: bool = False,
    principal: str = "",
) -> list[dict[str, Any]]:
    """Facts as the applicant checks them, or as the agent handling the case reads them
    (``about_applicant``). With the procedure, a fact that the procedure replaces (a change of
    address's old address) says so, with the catalogue's ``before_hint`` (that it is normal for
    it to be out of date), and offers no correction. A helper acting for someone reads whose
    data it is (``principal``, their name), never "your"."""
    rows = []
    for attribute in attributes:
        source_id, name = attribute.split(".", 1)
        if name not in facts.get(source_id, {}):
            continue
        need = (procedure.need(attribute) if procedure else None) or {}
        rows.append(
            {
                "label": pick(need["before_label"])
                if need.get("before_label")
                else attribute_label(attribute, about_applicant, principal),
                "lines": format_fact(attribute, facts[source_id][name]),
                "source": source_name(source_id),
                "source_id": source_id,
                "being_replaced": bool(need.get("before_label")),
                "hint": pick(need.get("before_hint")),
                "attribute": attribute,
            }
        )
    return rows


MOVE = "change-of-address"


def with_pending_move(rows: list[dict[str, Any]], procedure: Procedure, move: Case | None) -> None:
    """A move declared and not yet recorded (``move``, the person's open change of address)
    said on the register's address: the register still gives the old address, and this
    application uses it. The address is then not "wrong": no correction is offered."""
    if move is None or procedure.id == MOVE:
        return
    new_address = move.answers.get("new_address")
    for row in rows:
        if row["attribute"] != "population.address":
            continue
        words = {
            "address": format_address_answer(new_address) if isinstance(new_address, dict) else "",
            "reference": move.reference,
        }
        row["hint"] = (
            _(
                "A move to %(address)s is being registered (application %(reference)s). Until "
                "the municipality records it, the register gives this address, and this "
                "application uses it."
            )
            if words["address"]
            else _(
                "A move is being registered (application %(reference)s). Until the "
                "municipality records it, the register gives this address, and this "
                "application uses it."
            )
        ) % words
        row["being_replaced"] = True


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


def sent_answers(case: Case) -> dict[str, list[dict[str, Any]]]:
    """What the application said, as its check page showed it before sending, in the page's
    language (dates, numbers, addresses): the register's facts, what was typed in their stead,
    and the answers. Empty lists for a case whose form is gone or whose data was anonymised."""
    definition = get_definition(case.procedure_id, case.definition_version)
    if definition is None:
        return {"facts": [], "declared": [], "answers": []}
    answers = case.answers or {}
    return {
        "facts": fact_rows(case.facts or {}, definition.facts, case.procedure),
        "declared": declared_rows(answers.get("declared") or {}),
        "answers": answer_rows(definition, answers, case.facts or {}),
    }
