"""Applying each procedure's retention rule: drafts deleted after ``draft_days``; decided and
withdrawn cases anonymised or deleted ``decided_years`` after the decision; payment records
removed after the accounting period (``payments.retention``).

Anonymising keeps the case's procedure, administration, dates and status (they feed the open
data) and removes everything that says who the person was or what they wrote. Each run leaves a
metadata-only record; after a restore from backup, ``loket retention replay`` applies the rules
again as of now, which removes again whatever had been removed after the backup was taken.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from loket.cases.models import Case, DecisionDocument
from loket.cases.notices import notices_about
from loket.catalog.models import Procedure
from loket.core.models import User
from loket.forms.definitions import get_definition
from loket.forms.models import Attachment, Draft
from loket.payments.retention import RECORD_YEARS, do_remove_old_payment_records
from loket.privacy.models import RetentionRun

ANONYMOUS_USERNAME = "anonymised"


def anonymous_user() -> User:
    user, _created = User.objects.get_or_create(
        username=ANONYMOUS_USERNAME, defaults={"first_name": "—", "is_active": False}
    )
    return user


def _delete_files(attachments: list[Attachment]) -> None:
    for attachment in attachments:
        default_storage.delete(attachment.storage_name)


def _delete_decision_document(case: Case) -> None:
    """The sealed decision names the person and what they asked: it goes with the rest."""
    for document in DecisionDocument.objects.filter(case=case):
        document.file.delete(save=False)
        document.delete()


def anonymise_case(case: Case, nobody: User) -> None:
    attachments = list(case.attachments.all())
    _delete_files(attachments)
    _delete_decision_document(case)
    Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    case.messages.update(body="")
    case.events.update(note="")
    case.facts, case.answers, case.declared_instead = {}, {}, []
    case.applicant, case.submitted_by, case.assigned_to = nobody, None, None
    case.anonymised_at = timezone.now()
    case.version += 1  # a back-office page or API client that read it before is now stale
    case.save()
    notices_about(case).update(subject="", body="")


def delete_case(case: Case) -> None:
    attachments = list(case.attachments.all())
    _delete_files(attachments)
    _delete_decision_document(case)
    Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    notices_about(case).delete()
    case.delete()


def apply_retention(as_of: datetime | None = None, replay: bool = False) -> RetentionRun:
    now = as_of or timezone.now()
    counts: dict[str, dict[str, int]] = {}
    nobody = anonymous_user()
    for procedure in Procedure.objects.all():
        definition = get_definition(procedure.id)
        if definition is None:
            continue
        rule = definition.retention
        with transaction.atomic():
            drafts = Draft.objects.filter(
                procedure=procedure, updated_at__lt=now - timedelta(days=rule.draft_days)
            )
            removed_drafts = drafts.delete()[0]
            expired = Case.objects.filter(
                Q(decided_at__lt=now - timedelta(days=365 * rule.decided_years))
                | Q(status=Case.Status.WITHDRAWN,
                    updated_at__lt=now - timedelta(days=365 * rule.decided_years)),
                procedure=procedure, anonymised_at__isnull=True,
            )  # fmt: skip
            handled = 0
            for case in expired.select_for_update():
                if rule.method == "delete":
                    delete_case(case)
                else:
                    anonymise_case(case, nobody)
                handled += 1
        if removed_drafts or handled:
            counts[procedure.id] = {
                "drafts_deleted": removed_drafts,
                f"cases_{'deleted' if rule.method == 'delete' else 'anonymised'}": handled,
                "rule_draft_days": rule.draft_days,
                "rule_decided_years": rule.decided_years,
            }
    payments = do_remove_old_payment_records(now)
    if payments:
        counts["payment-records"] = {**payments, "rule_record_years": RECORD_YEARS}
    return RetentionRun.objects.create(as_of=now, replay=replay, counts=counts)
