"""API clients (bearer tokens), webhook endpoints and deliveries, and rate-limit counters."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from loket.core.fields import EncryptedField


class ApiClient(models.Model):
    """A system of one administration calling the API with a bearer token.

    Only the SHA-256 of the token is kept: a stolen database does not give working tokens. The
    client acts through its own service user (an agent of its administration), so everything it
    does goes through the same case actions as a civil servant and shows its name in the history.
    """

    SCOPES = ("cases:read", "cases:write", "webhooks")

    administration = models.ForeignKey(
        "core.Administration", on_delete=models.CASCADE, related_name="api_clients"
    )
    name = models.CharField(max_length=100)
    scopes = models.JSONField(default=list)
    token_sha256 = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.administration_id})"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class WebhookEndpoint(models.Model):
    """Where an administration wants to hear about its cases, signed with ``secret``.

    The secret (``whsec_<base64>``, Standard Webhooks) is kept encrypted at rest like the
    identifiers, under the keys ``loket keys rotate`` rotates: a copy of the database does not
    let anyone forge deliveries."""

    EVENTS = ("case.submitted", "case.status_changed", "case.message_received")

    administration = models.ForeignKey(
        "core.Administration", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    secret = EncryptedField(max_length=400)
    events = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint. Its ``id`` goes out as ``webhook-id`` on every attempt and on
    a replay, so a receiver can drop what it has already processed."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
