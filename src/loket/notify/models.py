"""Notifications: the in-app inbox, and the record that makes each e-mail go out once.

A notice knows its recipient, its texts, where it leads and what it is about in the sender's
words (``topic``, e.g. ``case:BRU-2026-0473915-62``), never the sender's models: the apps that
send (cases, appointments, privacy) sit above notify and write their own texts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Mail(models.TextChoices):
        PENDING = "pending", _("To send")
        SENT = "sent", _("Sent")
        NO_ADDRESS = "no_address", _("No e-mail address")

    event_key = models.CharField(max_length=120, unique=True, help_text="One notice per event.")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, help_text="What happened, in the sender's words.")
    topic = models.CharField(
        max_length=60, blank=True, db_index=True,
        help_text="What the notice is about, in the sender's words (case:BRU-2026-0473915-62).",
    )  # fmt: skip
    link = models.CharField(
        max_length=200, blank=True, help_text="Where the notice leads on this site (a path)."
    )
    language = models.CharField(max_length=2)
    subject = models.CharField(max_length=200)
    sender_name = models.CharField(
        max_length=100, blank=True, help_text="The e-mail's sender: the door the case came in by."
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    mail = models.CharField(max_length=20, choices=Mail.choices, default=Mail.PENDING)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject
