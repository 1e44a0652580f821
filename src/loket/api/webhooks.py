"""Webhook deliveries, following the Standard Webhooks specification (standardwebhooks.com).

Each delivery is a POST of ``{"type": <event>, "timestamp": <when it happened>, "data": {...}}``
with the headers

- ``webhook-id``: the delivery's id, the same on every retry and replay (the receiver's
  idempotency key);
- ``webhook-timestamp``: this attempt's time, in Unix seconds;
- ``webhook-signature``: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, keyed with the
  bytes of the endpoint's secret, shown to the integrator once as ``whsec_<base64>``.

Receivers verify with the ``standardwebhooks`` library of their language (see docs/api.md). The
worker sends through ``loket.core.http``: a receiver that trickles its answer is cut at
``TIMEOUT_SECONDS`` and the delivery is retried with the task queue's backoff.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from loket.api.models import WebhookDelivery, WebhookEndpoint
from loket.core.http import HttpClient, HttpFailure
from loket.observe import metrics
from loket.tasks.queue import backoff, enqueue, handler

TASK = "api.deliver-webhook"
TIMEOUT_SECONDS = 10.0  # for the whole exchange: connect, send, the answer's status and headers
MAX_ATTEMPTS = 8  # the task queue's default: after that the delivery is marked failed
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32
# The specification's bounds for a signing secret: at least 192 bits; 64 bytes is its maximum.
SECRET_MIN_BYTES, SECRET_MAX_BYTES = 24, 64
USER_AGENT = "Loket-Webhooks/2"


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx; the task queue tries again later."""


def new_secret() -> str:
    """A fresh signing secret in the specification's form, ``whsec_<base64 of 32 bytes>``."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def signing_key(secret: str) -> bytes:
    """The HMAC key behind ``whsec_<base64>``; ``ValueError`` for anything else."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error:
        raise ValueError("a webhook secret is whsec_ followed by base64") from None


def secret_problem(secret: str) -> str | None:
    """Why an integrator's own ``secret`` cannot sign webhooks, or None."""
    try:
        key = signing_key(secret)
    except ValueError as problem:
        return str(problem)
    if not SECRET_MIN_BYTES <= len(key) <= SECRET_MAX_BYTES:
        return f"a webhook secret holds {SECRET_MIN_BYTES} to {SECRET_MAX_BYTES} bytes"
    return None


def sign(secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``."""
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    mac = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode("ascii")


def url_problem(url: str) -> str | None:
    """Why ``url`` may not receive webhooks, or None. Only http(s); in production only https
    to a public address (no loopback, private or link-local networks: no request forgery)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "scheme"
    if getattr(settings, "LOKET_ENV", "") != "production":
        return None
    if parts.scheme != "https":
        return "not-https"
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (OSError, UnicodeError):
        return "unresolvable"
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if not ip.is_global:
            return "private-address"
    return None


def do_add_endpoint(
    administration_id: str, url: str, events: Iterable[str], secret: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint (its address already checked with ``url_problem``, the caller's
    secret with ``secret_problem``); return it and its secret, made here when the caller brings
    none. The secret is shown once and stored encrypted; then only the signatures show it was
    known."""
    secret = secret or new_secret()
    endpoint = WebhookEndpoint.objects.create(
        administration_id=administration_id, url=url, secret=secret, events=sorted(set(events))
    )
    return endpoint, secret


def queue_event(endpoint: WebhookEndpoint, event: str, data: dict[str, Any]) -> WebhookDelivery:
    """Record a delivery and queue its sending, in the caller's transaction."""
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, payload=data, next_attempt_at=timezone.now()
    )
    enqueue(TASK, {"delivery": str(delivery.id)}, dedupe_key=f"webhook:{delivery.id}")
    return delivery


@transaction.atomic
def do_replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again, with the same id (receivers that have it already drop it)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now()
    )
    enqueue(TASK, {"delivery": str(delivery.id), "replay": True})
    delivery.refresh_from_db()
    return delivery


def body_of(delivery: WebhookDelivery) -> bytes:
    """The payload in the specification's recommended shape, minified, sent exactly as signed."""
    return json.dumps(
        {
            "type": delivery.event,
            "timestamp": delivery.created_at.isoformat(),
            "data": delivery.payload,
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def headers_of(delivery: WebhookDelivery, body: bytes, timestamp: int) -> dict[str, str]:
    delivery_id = str(delivery.id)
    return {
        "Content-Type": "application/json",
        "webhook-id": delivery_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(delivery.endpoint.secret, delivery_id, timestamp, body),
    }


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    endpoint = delivery.endpoint
    refused = url_problem(endpoint.url)
    if refused:
        return None, f"refused URL: {refused}"
    body = body_of(delivery)
    # No proxy from the environment: the address was checked above, and is the one called. No
    # redirect (a 3xx is a failed attempt), and the receiver's body is never read.
    client = HttpClient(timeout=TIMEOUT_SECONDS, user_agent=USER_AGENT, trust_env=False)
    try:
        response = client.post(
            endpoint.url,
            data=body,
            headers=headers_of(delivery, body, int(time.time())),
            read_body=False,
        )
    except HttpFailure as failure:
        return None, str(failure)
    return response.status, "" if response.ok else f"HTTP {response.status}"


@handler(TASK)
def deliver(payload: dict[str, Any]) -> None:
    """Send one delivery; a failure raises so that the task queue retries with its backoff."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint").filter(pk=payload["delivery"]).first()
    )
    if delivery is None or not delivery.endpoint.active:
        return
    if delivery.status == WebhookDelivery.Status.DELIVERED and not payload.get("replay"):
        return  # already delivered (a task run twice after a lost lease): never send twice
    code, error = _send(delivery)
    now = timezone.now()
    attempts = delivery.attempts + 1
    delivered = code is not None and 200 <= code < 300
    metrics.webhook_delivery("delivered" if delivered else "failed")
    if delivered:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.DELIVERED, attempts=attempts, delivered_at=now,
            last_response_code=code, last_error="", next_attempt_at=None,
        )  # fmt: skip
        return
    final = attempts >= MAX_ATTEMPTS
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED if final else WebhookDelivery.Status.PENDING,
        attempts=attempts, last_response_code=code, last_error=error[:500],
        next_attempt_at=None if final else now + backoff(attempts),
    )  # fmt: skip
    raise DeliveryFailed(error or f"HTTP {code}")
