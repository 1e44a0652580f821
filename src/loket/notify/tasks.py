"""Sending the e-mail of a notification, through the SMTP server named by ``LOKET_EMAIL_URL``."""

from __future__ import annotations

from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from loket.config import parse_mail_url
from loket.notify.gates import may_email
from loket.notify.models import Notification
from loket.observe import metrics
from loket.tasks.queue import handler

SENDER_NAME = "Loket Brussels"
SENDER_ADDRESS = "no-reply@loket.brussels"
SENDER = formataddr((SENDER_NAME, SENDER_ADDRESS))


def mail_connection() -> BaseEmailBackend:
    """smtp://user:password@host:port?tls=1, smtps://…, console:// or locmem:// (tests)."""
    server = parse_mail_url(settings.LOKET_EMAIL_URL)
    if not server.uses_smtp:
        return get_connection(f"django.core.mail.backends.{server.scheme}.EmailBackend")
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=server.host, port=server.port, username=server.username, password=server.password,
        use_tls=server.starttls, use_ssl=server.scheme == "smtps", timeout=10,
    )  # fmt: skip


@handler("notify.mail")
def send_mail(payload: dict[str, Any]) -> None:
    """Send a notification's e-mail once: at least once, and a second time only if the worker
    dies in the instant between the SMTP server's acceptance and the commit below. Nothing is
    sent without an address, or without a yes from every gate (the person's consent).

    The row lock makes concurrent runs wait; the "sent" mark is committed right after the
    server accepted the message, before the connection is closed (QUIT can be slow), so that
    instant is as short as it can be. The Message-ID is stable, so a receiver that deduplicates
    shows even that rare second copy once.
    """
    connection = mail_connection()
    try:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(of=("self",))
                .select_related("recipient")
                .get(pk=payload["notification"])
            )
            if notification.mail != Notification.Mail.PENDING:
                return  # sent already (a retried task) or nowhere to send
            address = notification.recipient.email
            if not address or not may_email(notification.recipient):  # consent: see gates.py
                notification.mail = Notification.Mail.NO_ADDRESS
                notification.save(update_fields=["mail"])
                return
            message = EmailMessage(
                notification.subject, notification.body,
                formataddr((notification.sender_name or SENDER_NAME, SENDER_ADDRESS)), [address],
                connection=connection,
                headers={"Message-ID": f"<notification-{notification.pk}@loket.brussels>"},
            )  # fmt: skip
            connection.open()  # kept open past the commit: send() does not close it then
            try:
                message.send()
            except Exception:
                metrics.mail("failed")  # the task queue retries it
                raise
            metrics.mail("sent")
            notification.mail = Notification.Mail.SENT
            notification.mailed_at = timezone.now()
            notification.save(update_fields=["mail", "mailed_at"])
    finally:
        connection.close()
