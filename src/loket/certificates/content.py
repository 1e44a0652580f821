"""What each kind of certificate says, read from the registers through the one door.

Every read is made at issue time under the purpose ``issue-certificate``, which each certificate
procedure declares beside its needs (``also_for`` in the catalogue), and is logged like every
consultation. When the registers cannot support a certificate (the person is unknown, a register
is down, the act is not held), ``CannotIssue`` says why, and the case goes to a civil servant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.cases.models import Case
from loket.core.identifiers import format_national_number
from loket.core.models import Administration
from loket.core.reference import municipality_name
from loket.geo.text import box_text
from loket.sources.base import Actor, ConsultationRefused, Purpose, Subject
from loket.sources.door import consult

PURPOSE = "issue-certificate"

LAW_1991 = gettext_lazy(
    "Act of 19 July 1991 on population registers, identity cards, foreigners' cards and "
    "residence documents; Royal Decree of 16 July 1992 on the communication of information "
    "held in the population registers and the register of foreigners"
)
CIVIL_CODE = gettext_lazy("Civil Code, Book 2, Title 2 (civil-status acts), Art. 2.2.1 to 2.2.9")
NATIONALITY_CODE = gettext_lazy("Code of Belgian nationality of 28 June 1984")


@dataclass(frozen=True)
class CertificateKind:
    procedure_id: str
    attributes: tuple[str, ...]
    title: Promise
    statement: Promise
    legal_basis: Promise


KINDS: dict[str, CertificateKind] = {
    kind.procedure_id: kind
    for kind in (
        CertificateKind(
            "population-extract",
            ("population.identity", "population.address"),
            gettext_lazy("Extract from the population register"),
            gettext_lazy(
                "The mayor and aldermen certify that, according to the population register, "
                "the person below is registered with these details."
            ),
            LAW_1991,
        ),
        CertificateKind(
            "household-composition",
            ("population.identity", "population.address", "population.household"),
            gettext_lazy("Certificate of household composition"),
            gettext_lazy(
                "The mayor and aldermen certify that, according to the population register, the "
                "household of the person below is made up of the following members."
            ),
            LAW_1991,
        ),
        CertificateKind(
            "residence-certificate",
            ("population.identity", "population.address", "population.address_history"),
            gettext_lazy("Certificate of residence with address history"),
            gettext_lazy(
                "The mayor and aldermen certify that, according to the population register, the "
                "person below has their main residence at the address below and was registered "
                "at the previous addresses listed."
            ),
            LAW_1991,
        ),
        CertificateKind(
            "life-certificate",
            ("population.identity",),
            gettext_lazy("Certificate of life"),
            gettext_lazy(
                "The mayor and aldermen certify that, according to the population register, the "
                "person below is alive on the date of this certificate."
            ),
            LAW_1991,
        ),
        CertificateKind(
            "nationality-certificate",
            ("population.identity", "population.nationality"),
            gettext_lazy("Certificate of Belgian nationality"),
            gettext_lazy(
                "The mayor and aldermen certify that, according to the National Register, the "
                "person below holds Belgian nationality."
            ),
            NATIONALITY_CODE,
        ),
        CertificateKind(
            "birth-certificate-copy",
            ("population.identity",),
            gettext_lazy("Extract of a birth record"),
            gettext_lazy(
                "The civil registrar certifies that the National Register records the birth of "
                "the person below as follows."
            ),
            CIVIL_CODE,
        ),
        CertificateKind(
            "marriage-certificate-copy",
            ("population.identity", "population.civil_status"),
            gettext_lazy("Extract of a marriage record"),
            gettext_lazy(
                "The civil registrar certifies that the National Register records the person "
                "below as married."
            ),
            CIVIL_CODE,
        ),
    )
}


class CannotIssue(Exception):
    """The registers cannot support this certificate now; ``reason`` says why, in words."""

    REASONS = {
        "person-unknown": gettext_lazy("The population register does not know the applicant."),
        "register-unavailable": gettext_lazy("The population register did not answer."),
        "act-not-held": gettext_lazy(
            "The register holds no record that this certificate could be drawn from."
        ),
        "not-belgian": gettext_lazy("The National Register does not show Belgian nationality."),
        "refused": gettext_lazy("The registers may not be read for this application."),
        "not-a-certificate": gettext_lazy("This procedure does not deliver a certificate."),
        "registered-elsewhere": gettext_lazy(
            "The population register records the applicant's main residence in "
            "%(municipality)s, which issues this certificate."
        ),
    }

    def __init__(self, code: str, municipality: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.municipality = municipality  # NIS code, for ``registered-elsewhere``

    @property
    def reason(self) -> str:
        text = str(self.REASONS[self.code])
        if self.code == "registered-elsewhere":
            name = municipality_name(self.municipality) or self.municipality
            return text % {"municipality": name}
        return text


def kind_of(case: Case) -> CertificateKind:
    kind = KINDS.get(case.procedure_id)
    if kind is None:
        raise CannotIssue("not-a-certificate")
    return kind


def read_facts(case: Case, actor: Actor) -> dict[str, Any]:
    """Read what the certificate states, logged under ``issue-certificate`` for the case."""
    kind = kind_of(case)
    subject = Subject("person", case.applicant.national_number or "")
    try:
        answers = consult(
            subject, kind.attributes, Purpose(case.procedure_id, PURPOSE, case.reference), actor
        )
    except ConsultationRefused:
        raise CannotIssue("refused") from None
    facts: dict[str, Any] = {}
    for attribute in kind.attributes:
        source, name = attribute.split(".", 1)
        answer = answers[source]
        if answer.unavailable:
            raise CannotIssue("register-unavailable")
        if name not in answer.attributes:
            raise CannotIssue("person-unknown")
        facts[attribute] = answer.attributes[name]
    _check_supports(case.procedure_id, facts)
    _check_issuer(case, facts)
    return facts


def _check_issuer(case: Case, facts: dict[str, Any]) -> None:
    """A population certificate is issued by the municipality whose register holds the person's
    main residence, not by the one the applicant named (who may have declined the registers and
    typed another municipality of a shared postcode)."""
    address = facts.get("population.address")
    if (
        not isinstance(address, dict)
        or case.administration.kind != Administration.Kind.MUNICIPALITY
    ):
        return
    registered = str(address.get("nis_code") or "")
    if registered and registered != case.administration_id:
        raise CannotIssue("registered-elsewhere", registered)


def _check_supports(procedure_id: str, facts: dict[str, Any]) -> None:
    if procedure_id == "nationality-certificate" and facts["population.nationality"] != "BE":
        raise CannotIssue("not-belgian")
    if procedure_id == "marriage-certificate-copy" and facts["population.civil_status"] != (
        "married"
    ):
        raise CannotIssue("act-not-held")


def unsupported_by_known_facts(procedure_id: str, case_facts: dict[str, Any]) -> str | None:
    """Why the registers' data already read for the case (its prefill, by source) cannot
    support the certificate, as a :class:`CannotIssue` code; None when it could, or when the
    case holds too little to tell (issuing reads the registers again anyway)."""
    kind = KINDS.get(procedure_id)
    if kind is None:
        return "not-a-certificate"
    facts: dict[str, Any] = {}
    for attribute in kind.attributes:
        source, name = attribute.split(".", 1)
        if name not in case_facts.get(source, {}):
            return None
        facts[attribute] = case_facts[source][name]
    try:
        _check_supports(procedure_id, facts)
    except CannotIssue as cannot:
        return cannot.code
    return None


def _date(value: str) -> str:
    return str(formats.date_format(date.fromisoformat(value), "DATE_FORMAT"))


def _address(address: dict[str, Any], language: str) -> str:
    street = address.get("street_nl") if language == "nl" else address.get("street_fr")
    box = box_text(str(address.get("box") or ""), str(_("box")))
    place = municipality_name(address.get("nis_code", ""))
    return f"{street} {address.get('house_number', '')}{box}, {address.get('postcode', '')} {place}"


def _until(value: str) -> str:
    if not value:
        return ""
    until = _("until %(date)s") % {"date": _date(value)}
    return f" ({until})"


HOUSEHOLD_ROLES = {
    "reference": gettext_lazy("reference person"),
    "partner": gettext_lazy("partner"),
    "child": gettext_lazy("child"),
}


def certified_lines(
    procedure_id: str, facts: dict[str, Any], language: str, since: str = ""
) -> list[dict[str, Any]]:
    """What the certificate states, as (label, lines) rows in the active language: the same
    rows go on the document and on the verification page. ``since`` (ISO date) leaves out
    previous addresses left before it."""
    identity = facts["population.identity"]
    rows: list[dict[str, Any]] = [
        {"label": _("Name"), "lines": [f"{identity['first_name']} {identity['last_name']}"]},
        {"label": _("Date of birth"), "lines": [_date(identity["birth_date"])]},
        {
            "label": _("National number"),
            "lines": [format_national_number(identity["national_number"])],
        },
    ]
    if procedure_id == "birth-certificate-copy":
        sex = _("female") if identity.get("gender") == "F" else _("male")
        rows.append({"label": _("Sex"), "lines": [sex]})
    if "population.address" in facts:
        address = facts["population.address"]
        lines = [_address(address, language)]
        if address.get("since"):
            lines.append(_("since %(date)s") % {"date": _date(address["since"])})
        rows.append({"label": _("Main residence"), "lines": lines})
    if "population.household" in facts:
        rows.append(
            {
                "label": _("Members of the household"),
                "lines": [
                    f"{m['first_name']} {m['last_name']}, {_date(m['birth_date'])} "
                    f"({HOUSEHOLD_ROLES.get(m.get('role', ''), m.get('role', ''))})"
                    for m in facts["population.household"]
                ],
            }
        )
    if "population.address_history" in facts:
        history = [
            a
            for a in facts["population.address_history"]
            if not since or a.get("until", "") >= since
        ]
        if since:  # the period asked for is stated: what is left out is then visible
            period = _("From %(date)s to the date of issue") % {"date": _date(since)}
            rows.append({"label": _("Period covered"), "lines": [period]})
        nothing = (
            _("No previous address is registered for this period.")
            if since
            else _("No previous address is registered.")
        )
        rows.append(
            {
                "label": _("Previous addresses"),
                "lines": [_address(a, language) + _until(a.get("until", "")) for a in history]
                or [nothing],
            }
        )
    if "population.nationality" in facts:
        rows.append({"label": _("Nationality"), "lines": [_("Belgian")]})
    if "population.civil_status" in facts:
        rows.append({"label": _("Civil status"), "lines": [_("married")]})
    return rows
