"""Core's rate limiter and the client address it counts by, shared by the API, the address API,
the login lockout and the website's submission limit."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from loket.audit.models import SecurityEvent
from loket.core.client import client_address
from loket.core.problems import Problem
from loket.core.ratelimit import hit, limit

PROXY = "10.0.0.5"


def request_from(peer: str, forwarded: str = "") -> HttpRequest:
    request = RequestFactory().get("/", REMOTE_ADDR=peer)
    if forwarded:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


@override_settings(LOKET_TRUSTED_PROXIES=(PROXY,))
def test_the_address_is_the_peer_unless_the_peer_is_a_trusted_proxy() -> None:
    # Anyone can send X-Forwarded-For: only a trusted proxy's is believed.
    assert client_address(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"
    # Behind the proxy, the last address it added (earlier ones the client could forge).
    behind = request_from(PROXY, "203.0.113.66, 203.0.113.9")
    assert client_address(behind) == "203.0.113.9"
    assert client_address(request_from(PROXY)) == PROXY


@pytest.mark.django_db
@pytest.mark.usefixtures("steady_rate_window")
@override_settings(LOKET_API_ANONYMOUS_RATE_LIMIT=(2, 60))
def test_over_the_limit_waits_are_given_and_only_the_first_refusal_is_recorded() -> None:
    assert hit("test:key", "LOKET_API_ANONYMOUS_RATE_LIMIT") is None
    assert hit("test:key", "LOKET_API_ANONYMOUS_RATE_LIMIT") is None
    wait = hit("test:key", "LOKET_API_ANONYMOUS_RATE_LIMIT")
    assert wait is not None and 1 <= wait <= 61
    with pytest.raises(Problem) as refused:
        limit("test:key", "LOKET_API_ANONYMOUS_RATE_LIMIT")
    assert refused.value.status == 429
    assert refused.value.headers["Retry-After"].isdigit()
    events = SecurityEvent.objects.filter(kind="rate-limited")
    assert [event.detail["key"] for event in events] == ["test:key"]
    # Another key has its own count.
    assert hit("test:other", "LOKET_API_ANONYMOUS_RATE_LIMIT") is None
