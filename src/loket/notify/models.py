"""Notifications: the in-app inbox, and the record that makes each e-mail go out once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Application received")
        INFORMATION_REQUESTED = "information_requested", _("Information requested")
        DECIDED = "decided", _("Decision")
        MESSAGE = "message", _("New message")

    class Mail(models.TextChoices):
        PENDING = "pending", _("To send")
        SENT = "sent", _("Sent")
        NO_ADDRESS = "no_address", _("No e-mail address")

    event_key = models.CharField(max_length=120, unique=True, help_text="One notice per event.")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey("cases.Case", null=True, on_delete=models.CASCADE)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    language = models.CharField(max_length=2)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    mail = models.CharField(max_length=20, choices=Mail.choices, default=Mail.PENDING)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject
