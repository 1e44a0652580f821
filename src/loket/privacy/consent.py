"""Consent for what is optional: each purpose has a versioned wording in plain words; giving or
withdrawing records the time and the exact version shown (its hash), so we can prove what the
person agreed to.

Defaults, for people never asked (every account made before consent was asked, the demo users):
e-mail notifications stay on, as before, until the person says no on My data; reusing an uploaded
document needs a yes. A restriction of processing (Art. 18) turns every optional use off.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from loket.core.models import User
from loket.privacy.models import ConsentRecord, DataSubjectRequest


@dataclass(frozen=True)
class Purpose:
    key: str
    version: int
    title: Promise
    wording: Promise
    default: bool  # the answer assumed for someone never asked

    @property
    def text_hash(self) -> str:
        with override("en"):
            return hashlib.sha256(str(self.wording).encode()).hexdigest()


EMAIL = "email-notifications"
DOCUMENT_REUSE = "document-reuse"

PURPOSES: dict[str, Purpose] = {
    EMAIL: Purpose(
        EMAIL, 1, _("E-mails about your applications"),
        _("We send you an e-mail when something happens to one of your applications (received, "
          "question, decision, message). Without it, you find the same news in Loket only."),
        default=True,
    ),
    DOCUMENT_REUSE: Purpose(
        DOCUMENT_REUSE, 1, _("Reusing documents you uploaded"),
        _("When you apply again, we may offer the documents you uploaded in an earlier application "
          "so that you do not upload them twice. They are only shown to you."),
        default=False,
    ),
}  # fmt: skip


def current_record(person: User, purpose: str) -> ConsentRecord | None:
    return ConsentRecord.objects.filter(person=person, purpose=purpose).first()


def is_restricted(person: User) -> bool:
    """Whether the person asked to restrict processing (Art. 18) and the restriction holds."""
    return DataSubjectRequest.objects.filter(
        person=person,
        kind=DataSubjectRequest.Kind.RESTRICTION,
        status__in=[DataSubjectRequest.Status.RECEIVED, DataSubjectRequest.Status.IN_PROGRESS,
                    DataSubjectRequest.Status.DONE],
    ).exists()  # fmt: skip


def has_consent(person: User, purpose: str) -> bool:
    """Whether an optional use of the person's data may happen now."""
    if is_restricted(person):
        return False
    record = current_record(person, purpose)
    if record is None:
        return PURPOSES[purpose].default
    return record.given and record.withdrawn_at is None


def email_allowed(person: User) -> bool:
    """The gate this app registers with notify: no e-mail to someone who said no (or restricted
    processing)."""
    return has_consent(person, EMAIL)


@transaction.atomic
def do_answer_consent(person: User, purpose: str, given: bool) -> ConsentRecord:
    """Record a yes or a no to the current wording; an earlier yes is withdrawn by a no."""
    definition = PURPOSES[purpose]
    now = timezone.now()
    ConsentRecord.objects.filter(
        person=person, purpose=purpose, withdrawn_at__isnull=True, given=True
    ).update(withdrawn_at=now)
    return ConsentRecord.objects.create(
        person=person, purpose=purpose, text_version=definition.version,
        text_hash=definition.text_hash, given=given, given_at=now,
        withdrawn_at=None if given else now,
    )  # fmt: skip


def consents_of(person: User) -> list[dict[str, Any]]:
    """Each optional purpose with the person's current answer, for My data: the same answers as
    ``current_record`` and ``has_consent``, in two queries for all the purposes."""
    restricted = is_restricted(person)
    latest: dict[str, ConsentRecord] = {}
    for answer in ConsentRecord.objects.filter(person=person, purpose__in=PURPOSES):
        latest.setdefault(answer.purpose, answer)  # newest first (the model's ordering)
    rows = []
    for purpose in PURPOSES.values():
        record = latest.get(purpose.key)
        if restricted:
            on = False
        elif record is None:
            on = purpose.default
        else:
            on = record.given and record.withdrawn_at is None
        rows.append({"purpose": purpose, "record": record, "on": on, "restricted": restricted})
    return rows


def do_withdraw_all(person: User) -> int:
    """Erasure: every consent still given is withdrawn (the records stay, as proof)."""
    count = 0
    for purpose in PURPOSES:
        if has_consent(person, purpose):
            do_answer_consent(person, purpose, given=False)
            count += 1
    return count
