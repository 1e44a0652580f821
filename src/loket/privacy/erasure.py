"""Erasure (Art. 17): per item, what goes and what must stay, and why; then applying it.

The plan is shown to the person before they confirm, and to the DPO, who applies it by approving
the request (one decision by a person accountable for it; nothing is erased automatically).
What stays: cases still being handled, decided cases within their procedure's archival period
(the retention rule in the form definition), the access log (pseudonyms only, append-only,
needed to account for every consultation, Art. 5(2)), and the requests themselves. The account
is anonymised only when nothing kept still points to the person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from loket.audit.models import AccessLogEntry
from loket.audit.subjects import subject_pseudonyms
from loket.cases.models import Case
from loket.core.models import User
from loket.forms.definitions import get_definition
from loket.forms.models import Attachment, Draft
from loket.notify.models import Notification
from loket.privacy.consent import PURPOSES, do_withdraw_all, has_consent
from loket.privacy.models import DataSubjectRequest
from loket.privacy.retention import anonymise_case, anonymous_user, delete_case

DELETE, ANONYMISE, KEEP, WITHDRAW = "delete", "anonymise", "keep", "withdraw"


@dataclass
class PlanItem:
    what: str
    action: str
    reason: str
    case_pk: int | None = None

    @property
    def goes(self) -> bool:
        return self.action != KEEP


@dataclass
class ErasurePlan:
    items: list[PlanItem] = field(default_factory=list)

    @property
    def going(self) -> list[PlanItem]:
        return [i for i in self.items if i.goes]

    @property
    def staying(self) -> list[PlanItem]:
        return [i for i in self.items if not i.goes]

    @property
    def keeps_account(self) -> bool:
        return any(i.case_pk is not None for i in self.staying)


def _case_item(case: Case) -> PlanItem:
    label = _("Application %(reference)s (%(procedure)s)") % {
        "reference": case.reference, "procedure": case.procedure.name}  # fmt: skip
    definition = get_definition(case.procedure_id, case.definition_version)
    years = definition.retention.decided_years if definition else 10
    method = definition.retention.method if definition else ANONYMISE
    if case.is_open:
        return PlanItem(label, KEEP, _("It is still being handled: withdraw it first, or wait for "
                                       "the decision."), case.pk)  # fmt: skip
    if (
        case.status == Case.Status.APPROVED
        and case.decided_at
        and (case.decided_at > timezone.now() - timedelta(days=365 * years))
    ):
        until = (case.decided_at + timedelta(days=365 * years)).date()
        reason = _("%(administration)s must keep its decisions for %(years)s years (archival "
                   "obligation, retention rule of the procedure), until %(until)s; it is then "
                   "anonymised automatically.") % {
            "administration": case.administration.name, "years": years, "until": until}  # fmt: skip
        return PlanItem(label, KEEP, reason, case.pk)
    action = DELETE if method == DELETE else ANONYMISE
    reason = (_("Withdrawn: no decision to keep.") if case.status == Case.Status.WITHDRAWN
              else _("Nothing obliges us to keep it any longer."))  # fmt: skip
    return PlanItem(label, action, reason, case.pk)


def erasure_plan(person: User) -> ErasurePlan:
    plan = ErasurePlan()
    drafts = Draft.objects.filter(user=person).count()
    if drafts:
        unfinished = ngettext(
            "%(count)s unfinished application", "%(count)s unfinished applications", drafts
        )
        plan.items.append(PlanItem(unfinished % {"count": drafts}, DELETE, _("Never submitted.")))
    cases = Case.objects.filter(applicant=person, anonymised_at__isnull=True)
    plan.items += [_case_item(case) for case in cases.select_related("procedure", "administration")]
    notices = Notification.objects.filter(recipient=person).count()
    if notices:
        plan.items.append(PlanItem(ngettext("%(count)s notification", "%(count)s notifications",
                                            notices) % {"count": notices}, DELETE,
                                   _("Copies of news you have already received.")))  # fmt: skip
    given = [p for p in PURPOSES if has_consent(person, p)]
    if given:
        reason = _("Withdrawn; the record of what you agreed to stays as proof.")
        plan.items.append(PlanItem(_("Your consents"), WITHDRAW, reason))
    entries = AccessLogEntry.objects.filter(
        subject_pseudonym__in=subject_pseudonyms(person)).count()  # fmt: skip
    if entries:
        plan.items.append(PlanItem(
            ngettext("%(count)s entry of the access log", "%(count)s entries of the access log",
                     entries) % {"count": entries}, KEEP,
            _("They hold only pseudonyms, cannot be changed and are needed to account for every "
              "consultation of your data (GDPR Art. 5(2) and the access log's legal basis)."),
        ))  # fmt: skip
    plan.items.append(PlanItem(
        _("Your requests under the GDPR"), KEEP,
        _("We must be able to show how we answered them (GDPR Art. 5(2) and 12)."),
    ))  # fmt: skip
    return plan


@transaction.atomic
def apply_erasure(request: DataSubjectRequest, by: User) -> ErasurePlan:
    """Apply the plan as it stands now (the DPO approved), and close the request with it."""
    person = request.person
    plan = erasure_plan(person)
    nobody = anonymous_user()
    Draft.objects.filter(user=person).delete()
    for item in plan.going:
        if item.case_pk is None:
            continue
        case = Case.objects.select_for_update().get(pk=item.case_pk)
        if item.action == DELETE:
            delete_case(case)
        else:
            anonymise_case(case, nobody)
    Notification.objects.filter(recipient=person).delete()
    do_withdraw_all(person)
    if not plan.keeps_account:
        _anonymise_account(person)
    lines = [f"{item.what}: {item.action} — {item.reason}" for item in plan.items]
    request.status = DataSubjectRequest.Status.DONE
    request.outcome = "\n".join(lines)
    request.handled_by = by
    request.closed_at = timezone.now()
    request.save()
    return plan


def _anonymise_account(person: User) -> None:
    """The account stays as an empty shell (the requests and consents point to it)."""
    for attachment in Attachment.objects.filter(owner=person, case__isnull=True):
        attachment.delete()
    person.first_name = person.last_name = person.email = ""
    person.national_number = None
    person.enterprise_number = ""
    person.username = f"erased-{person.pk}"
    person.is_active = False
    person.set_unusable_password()
    person.save()
