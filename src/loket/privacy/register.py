"""The register of processing activities (GDPR Art. 30), generated from what the platform
declares: each procedure's needs (attribute, purpose, legal basis), its form and its retention.

Nothing is typed twice: when a procedure's definition changes, its entry changes with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.catalog.models import Procedure
from loket.core.i18n import pick
from loket.forms.definitions import get_definition
from loket.payments.fees import charged_procedures
from loket.payments.retention import RECORD_YEARS
from loket.sources.catalogue import attribute_label, source_name

SECURITY_MEASURES = (
    gettext_lazy(
        "Register data read only through one audited door, each reading in a tamper-evident log"
    ),
    gettext_lazy("Access limited to the handling administration; refused attempts recorded"),
    gettext_lazy("Pseudonymised access log; encrypted connections; login with eID or itsme"),
)


@dataclass
class Processing:
    procedure_id: str
    name: str
    controller: str
    purposes: list[str] = field(default_factory=list)
    legal_bases: list[str] = field(default_factory=list)
    data_from_registers: list[str] = field(default_factory=list)
    data_from_applicant: list[str] = field(default_factory=list)
    data_subjects: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    retention: str = ""
    security: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _controller(procedure: Procedure) -> str:
    if procedure.administration_id and procedure.administration:
        return procedure.administration.name
    return _("The municipality that handles the application (one of the 19)")


def processing_of(procedure: Procedure) -> Processing:
    entry = Processing(procedure.id, procedure.name, _controller(procedure))
    for need in procedure.needs:
        where = f"{procedure.id}: {need.get('attribute', '?')}"
        purpose, basis = pick(need.get("purpose_text")), pick(need.get("legal_basis"))
        if not purpose:
            entry.problems.append(f"{where} has no purpose")
        if not basis:
            entry.problems.append(f"{where} has no legal basis")
        if purpose and purpose not in entry.purposes:
            entry.purposes.append(purpose)
        if basis and basis not in entry.legal_bases:
            entry.legal_bases.append(basis)
        source = need["attribute"].split(".")[0]
        entry.data_from_registers.append(
            f"{attribute_label(need['attribute'])} ({source_name(source)})"
        )
    entry.purposes.append(_("Handling the application and informing the applicant"))
    definition = get_definition(procedure.id)
    if definition is None:
        entry.problems.append(f"{procedure.id}: no form definition, so no retention rule")
    else:
        entry.data_from_applicant = [pick(f.label) for f in definition.fields()]
        retention = definition.retention
        method = _("anonymised") if retention.method == "anonymise" else _("deleted")
        entry.retention = _(
            "Drafts: %(draft)s days. Decided cases: %(years)s years after the decision, then "
            "%(method)s."
        ) % {"draft": retention.draft_days, "years": retention.decided_years, "method": method}
    if procedure.id in charged_procedures():
        _add_payment_records(entry)
    entry.data_subjects = [_("Applicants")]
    if any(n["attribute"] == "population.household" for n in procedure.needs):
        entry.data_subjects.append(_("Members of the applicant's household"))
    entry.recipients = [entry.controller, _("The applicant (receipt and decision)")]
    entry.security = [str(measure) for measure in SECURITY_MEASURES]
    return entry


def _add_payment_records(entry: Processing) -> None:
    """A procedure with a fee keeps payment records, under accounting law, longer than cases."""
    entry.purposes.append(_("Collecting the fee, refunding it and keeping the accounts"))
    entry.legal_bases.append(
        _("Legal obligation (GDPR art. 6(1)(c)): accounting law (Code of economic law, art. "
          "III.86 and III.88) and tax law (Income Tax Code 1992, art. 315)")
    )  # fmt: skip
    entry.retention = (
        entry.retention
        + " "
        + _(
            "Payment records (amount, date, structured communication, refunds, the bank statement "
            "line with the payer's name and account): %(years)s years from 1 January after the "
            "year of payment, then deleted. Accounting law asks for seven years (Code of economic "
            "law, art. III.86 for supporting documents, art. III.88 for the books); tax law asks "
            "for ten since 2023 (Income Tax Code 1992, art. 315, as amended by the law of 20 "
            "November 2022): the longer applies. They outlive a case deleted earlier."
        )
        % {"years": RECORD_YEARS}
    )
    entry.retention = entry.retention.strip()


ProcessingSource = Callable[[], Processing]
_OTHER_PROCESSINGS: list[ProcessingSource] = []


def register_processing(source: ProcessingSource) -> None:
    """A processing that is not a procedure (an algorithm that suggests, say), declared by the
    app that does it at start-up, so this register needs not import it."""
    if source not in _OTHER_PROCESSINGS:
        _OTHER_PROCESSINGS.append(source)


def processing_register() -> list[Processing]:
    entries = [processing_of(p) for p in Procedure.objects.select_related("administration")]
    return entries + [source() for source in _OTHER_PROCESSINGS]


def register_problems() -> list[str]:
    """Every need without purpose or legal basis, every procedure without retention."""
    return [problem for entry in processing_register() for problem in entry.problems]
