"""Webhook deliveries: signed, sent by the worker, retried with exponential backoff.

Each request carries ``Loket-Delivery`` (the delivery's id, the same on every retry and replay),
``Loket-Event`` and ``Loket-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``.
A receiver checks the signature with :func:`verify_signature` (or the same few lines in its own
language), refuses old timestamps, and drops a delivery id it has already processed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from loket.api.models import WebhookDelivery, WebhookEndpoint
from loket.tasks.queue import backoff, enqueue, handler

TASK = "api.deliver-webhook"
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 8  # the task queue's default: after that the delivery is marked failed


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx; the task queue tries again later."""


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str, header: str, body: bytes, tolerance: int = 300, now: float | None = None
) -> bool:
    """Whether ``header`` (the ``Loket-Signature`` value) signs ``body`` with ``secret`` and is
    at most ``tolerance`` seconds old (so a captured request cannot be replayed later)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp = parts.get("t", "")
    if not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False
    expected = sign(secret, body, int(timestamp)).split("v1=", 1)[1]
    return any(
        hmac.compare_digest(expected, value.strip())
        for key, value in (part.split("=", 1) for part in header.split(",") if "=" in part)
        if key.strip() == "v1"
    )


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
    """Register an endpoint (its address already checked with ``url_problem``); return it and
    its secret, made here when the caller brings none. The secret is shown once, then only the
    signatures show it was known."""
    secret = secret or secrets.token_hex(32)
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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer that is not 2xx, never followed


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(
        {
            "id": str(delivery.id),
            "event": delivery.event,
            "created_at": delivery.created_at.isoformat(),
            "data": delivery.payload,
        },
        sort_keys=True,
    ).encode()


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    endpoint = delivery.endpoint
    refused = url_problem(endpoint.url)
    if refused:
        return None, f"refused URL: {refused}"
    body = body_of(delivery)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Loket-Webhooks/1",
            "Loket-Delivery": str(delivery.id),
            "Loket-Event": delivery.event,
            "Loket-Signature": sign(endpoint.secret, body, int(time.time())),
        },
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            return int(response.status), ""
    except urllib.error.HTTPError as error:
        return int(error.code), f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error))[:500]


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
    if code is not None and 200 <= code < 300:
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
