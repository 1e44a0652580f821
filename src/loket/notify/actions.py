"""Telling a person what happened: an inbox entry and an e-mail, once per event.

Notify knows people, texts, links and event keys, not what the notice is about: the app that
sends (cases, appointments, privacy) writes the subject and body in the recipient's language.
"""

from __future__ import annotations

from django.utils import timezone

from loket.core.models import User
from loket.db.inserts import insert_unless_taken
from loket.notify.models import Notification
from loket.tasks.queue import enqueue


def do_notify(
    recipient: User, event_key: str, subject: str, body: str, *, kind: str = "message",
    topic: str = "", link: str = "", sender_name: str = "",
) -> Notification | None:  # fmt: skip
    """Record the notice and queue its e-mail, once per ``event_key``: an event already notified
    is not notified again (None). Call inside the transaction that made the event.

    ``kind`` and ``topic`` are the sender's words for what happened and what it is about, so the
    sender can find its notices again; ``link`` is where the inbox entry leads (a path);
    ``sender_name`` names the e-mail's sender (the door the case came in by; Loket's by default)."""
    notification = Notification(
        event_key=event_key[:120], recipient=recipient, kind=kind[:30], topic=topic[:60],
        link=link[:200], language=recipient.preferred_language or "fr",
        subject=subject[:200], body=body, sender_name=sender_name[:100],
    )  # fmt: skip
    if not insert_unless_taken(notification, "event_key"):
        return None
    enqueue("notify.mail", {"notification": notification.pk}, dedupe_key=f"mail:{notification.pk}")
    return notification


def do_mark_read(recipient: User, notification_ids: list[int]) -> int:
    """Mark these notices of ``recipient`` read (others' notices are left alone); how many."""
    return Notification.objects.filter(
        recipient=recipient, pk__in=notification_ids, read_at__isnull=True
    ).update(read_at=timezone.now())


def do_mark_topic_read(recipient: User, topic: str, kind: str = "") -> int:
    """``recipient`` has just seen, on the sender's own page, what the notices on ``topic`` tell
    (a case page shows its messages, status and decision), or what they asked for is done
    (``kind``: only those, e.g. a fee's "pay" notices once it is paid): they are read, wherever
    they were seen. Notices to anyone else are left alone. How many were marked."""
    notices = Notification.objects.filter(recipient=recipient, topic=topic, read_at__isnull=True)
    if kind:
        notices = notices.filter(kind=kind)
    return notices.update(read_at=timezone.now())


def do_open(recipient: User, notification_id: int) -> Notification | None:
    """``recipient`` opens one of their notices: it is read from now on. None when it is not
    theirs (or does not exist): nobody learns of others' notices."""
    notification = Notification.objects.filter(recipient=recipient, pk=notification_id).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
