"""Telling people what happened to their case: an inbox entry and an e-mail, once per event."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loket.cases.models import Case
from loket.core.models import User
from loket.notify.models import Notification
from loket.tasks.queue import enqueue


def _subject(kind: str, case: Case) -> str:
    subjects = {
        Notification.Kind.SUBMITTED: _("We received your application %(reference)s"),
        Notification.Kind.INFORMATION_REQUESTED: _(
            "Your application %(reference)s: we need more information"
        ),
        Notification.Kind.DECIDED: _("Decision on your application %(reference)s"),
        Notification.Kind.MESSAGE: _("New message about your application %(reference)s"),
    }
    return subjects[Notification.Kind(kind)] % {"reference": case.reference}


def do_notify(recipient: User, case: Case, kind: str, event: str) -> Notification | None:
    """Record the notice (in the recipient's language) and queue its e-mail; an event already
    notified is not notified again. Call inside the transaction that made the event."""
    language = recipient.preferred_language or "fr"
    with translation.override(language):
        subject = _subject(kind, case)
        body = render_to_string(
            "notify/mail.txt",
            {"recipient": recipient, "case": case, "kind": kind, "subject": subject,
             "status": case.get_status_display(), "procedure": case.procedure.name},
        )  # fmt: skip
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                event_key=f"{case.pk}:{kind}:{event}", recipient=recipient, case=case, kind=kind,
                language=language, subject=subject, body=body,
            )  # fmt: skip
    except IntegrityError:
        return None
    enqueue("notify.mail", {"notification": notification.pk}, dedupe_key=f"mail:{notification.pk}")
    return notification


def do_notify_person(
    recipient: User, event_key: str, subject: str, body: str
) -> Notification | None:
    """A notice that belongs to no case (an appointment, a reminder): inbox entry and e-mail,
    once per ``event_key``. The caller writes subject and body in the recipient's language."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                event_key=event_key[:120], recipient=recipient, kind=Notification.Kind.MESSAGE,
                language=recipient.preferred_language or "fr", subject=subject[:200], body=body,
            )  # fmt: skip
    except IntegrityError:
        return None
    enqueue("notify.mail", {"notification": notification.pk}, dedupe_key=f"mail:{notification.pk}")
    return notification


def do_mark_read(recipient: User, notification_ids: list[int]) -> int:
    """Mark these notices of ``recipient`` read (others' notices are left alone); how many."""
    return Notification.objects.filter(
        recipient=recipient, pk__in=notification_ids, read_at__isnull=True
    ).update(read_at=timezone.now())
