"""The journey counters, kept as drafts start and go: a draft is deleted when it is sent (the
case takes over), thrown away by the person, or removed under its retention rule, and these
counters are what remains of it (no user, no case, no answer: a page id and whole minutes)."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone

from loket.cases.selectors import sent_at
from loket.forms.definitions import get_definition
from loket.forms.models import Draft
from loket.performance.models import JourneyDay

MAX_MINUTES = 60 * 24 * 365  # a journey longer than a year counts as a year


def count(draft: Draft, event: str, page: str = "", minutes: int | None = None) -> None:
    """Add one to the day's counter (a second row made by a concurrent first count is summed
    with it by every reader)."""
    key = {
        "procedure_id": draft.procedure_id, "door_id": draft.door_id,
        "day": timezone.localdate(), "event": event, "page": page, "minutes": minutes,
    }  # fmt: skip
    if not JourneyDay.objects.filter(**key).update(count=F("count") + 1):
        JourneyDay.objects.create(**key, count=1)


def last_page_answered(draft: Draft) -> str:
    """The id of the last page of the form (in its order) with an answer in the draft; '' when
    the person stopped before answering any page."""
    definition = get_definition(draft.procedure_id, draft.definition_version)
    if definition is None:
        return ""
    answered = [
        page.id
        for page in definition.pages
        if any(field.name in draft.answers for field in page.fields)
    ]
    return answered[-1] if answered else ""


def on_draft_saved(sender: type[Draft], instance: Draft, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        count(instance, JourneyDay.Event.STARTED)


def on_draft_deleted(sender: type[Draft], instance: Draft, **kwargs: Any) -> None:
    """Sent when a case carries the draft's idempotency key (the case is made in the same
    transaction, just before), else stopped at its last answered page."""
    sent = sent_at(instance.user_id, instance.idempotency_key)
    if sent is None:
        count(instance, JourneyDay.Event.STOPPED, page=last_page_answered(instance))
        return
    minutes = max(0, int((sent - instance.created_at).total_seconds() // 60))
    count(instance, JourneyDay.Event.SENT, minutes=min(minutes, MAX_MINUTES))
