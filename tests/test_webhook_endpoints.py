"""The rules on webhook endpoints (the address, at most MAX_ENDPOINTS per administration,
removal with the delivery log) live in ``api.actions``: the API and ``loket webhooks`` give the
same answer."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from loket.api.actions import MAX_ENDPOINTS, WebhookRefused, do_register_webhook_endpoint
from loket.api.clients import do_create_api_client
from loket.api.models import WebhookDelivery, WebhookEndpoint
from loket.api.webhooks import do_add_endpoint
from loket.core.models import Administration

pytestmark = pytest.mark.django_db

FULL = f"An administration has at most {MAX_ENDPOINTS} endpoints."
URL = "https://hooks.example.be/loket"


def api_for(administration: str) -> Client:
    _client, token = do_create_api_client(
        Administration.objects.get(id=administration), "Hooks", ["webhooks"]
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


def fill(administration: str) -> None:
    for number in range(MAX_ENDPOINTS):
        do_add_endpoint(administration, f"{URL}/{number}", WebhookEndpoint.EVENTS)


@pytest.mark.parametrize("channel", ["api", "command", "action"])
def test_an_administration_with_the_most_endpoints_gets_no_more_whoever_asks(
    channel: str, in_english: None
) -> None:
    fill("parking-brussels")
    if channel == "api":
        answer = api_for("parking-brussels").post(
            "/api/v1/webhooks/", {"url": URL}, content_type="application/json"
        )
        assert answer.status_code == 422
        assert answer.json()["errors"] == [{"field": "url", "detail": FULL}]
    elif channel == "command":
        with pytest.raises(CommandError, match=FULL):
            call_command("webhooks", "add", "--administration", "parking-brussels", "--url", URL)
    else:
        with pytest.raises(WebhookRefused, match=FULL):
            do_register_webhook_endpoint("parking-brussels", URL, WebhookEndpoint.EVENTS)
    assert WebhookEndpoint.objects.filter(administration_id="parking-brussels").count() == (
        MAX_ENDPOINTS
    )
    # The cap is per administration: another one still registers.
    other = api_for("21004").post(
        "/api/v1/webhooks/", {"url": URL}, content_type="application/json"
    )
    assert other.status_code == 201


@pytest.mark.parametrize("channel", ["api", "command"])
def test_an_address_that_may_not_receive_webhooks_is_refused_the_same_way(
    channel: str, in_english: None
) -> None:
    refused = "Give an https address on the public internet."
    if channel == "api":
        answer = api_for("parking-brussels").post(
            "/api/v1/webhooks/", {"url": "file:///etc/passwd"}, content_type="application/json"
        )
        assert answer.json()["errors"] == [{"field": "url", "detail": refused}]
    else:
        with pytest.raises(CommandError, match=refused):
            call_command(
                "webhooks", "add", "--administration", "parking-brussels", "--url", "file:///etc"
            )
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("channel", ["api", "command"])
def test_removing_an_endpoint_removes_its_delivery_log(channel: str) -> None:
    endpoint, _secret = do_register_webhook_endpoint(
        "parking-brussels", URL, WebhookEndpoint.EVENTS
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint, event="case.submitted", payload={}, next_attempt_at=timezone.now()
    )
    if channel == "api":
        api = api_for("parking-brussels")
        assert api_for("21004").delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404
        assert api.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    else:
        call_command("webhooks", "remove", str(endpoint.pk))
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()
