"""Webhooks: signed events about an administration's cases, delivered by the worker through a
real HTTP receiver on 127.0.0.1, retried while it is down, exactly once per delivery id."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from loket.api.clients import do_create_api_client
from loket.api.models import WebhookDelivery, WebhookEndpoint
from loket.api.webhooks import deliver, sign, verify_signature
from loket.cases.actions import do_change_status, do_post_message
from loket.core.models import Administration
from loket.tasks.models import Task
from loket.tasks.queue import run_until_empty
from tests.conftest import client_for, demo_user
from tests.test_cases import apply_for_parking_card

SECRET = "a-shared-secret-of-enough-length"


def test_a_signature_verifies_and_fails_when_tampered_or_too_old() -> None:
    body = b'{"event": "case.submitted"}'
    now = int(time.time())
    header = sign(SECRET, body, now)
    assert verify_signature(SECRET, header, body)
    assert not verify_signature(SECRET, header, body.replace(b"submitted", b"withdrawn"))
    assert not verify_signature("another-secret-entirely", header, body)
    assert not verify_signature(SECRET, sign(SECRET, body, now - 600), body, tolerance=300)
    assert not verify_signature(SECRET, "t=abc,v1=00", body)
    assert not verify_signature(SECRET, "", body)


class Receiver:
    """A real HTTP server that records what it receives; it can be down (not started)."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.received: list[dict[str, Any]] = []
        self.server: HTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> None:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append({"headers": dict(self.headers), "body": body})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


def make_due() -> None:
    """Let the backoff pass now instead of waiting for it."""
    Task.objects.filter(state=Task.State.QUEUED).update(run_after=timezone.now())


def register(receiver: Receiver, events: list[str] | None = None) -> tuple[Client, int]:
    _client, token = do_create_api_client(
        Administration.objects.get(id="parking-brussels"), "Back-end", ["webhooks", "cases:read"]
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    created = api.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "secret": SECRET, **({"events": events} if events else {})},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["secret"] == SECRET
    return api, created.json()["id"]


@pytest.mark.django_db
def test_a_receiver_that_is_down_gets_the_event_later_exactly_once(receiver: Receiver) -> None:
    api, endpoint_id = register(receiver)
    case = apply_for_parking_card(client_for("resident"))
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "case.submitted"

    run_until_empty()  # the receiver is down: connection refused (the e-mail goes out)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > timezone.now()
    assert run_until_empty() == 0  # nothing is due before the backoff

    receiver.start()
    make_due()
    assert run_until_empty() == 1
    make_due()
    assert run_until_empty() == 0
    # A worker that ran the finished task again (a lost lease) sends nothing twice.
    deliver({"delivery": str(delivery.id)})
    assert len(receiver.received) == 1
    request = receiver.received[0]
    assert request["headers"]["Loket-Delivery"] == str(delivery.id)
    assert request["headers"]["Loket-Event"] == "case.submitted"
    assert verify_signature(SECRET, request["headers"]["Loket-Signature"], request["body"])
    sent = json.loads(request["body"])
    assert sent["data"]["case"]["reference"] == case.reference
    log = api.get(f"/api/v1/webhooks/{endpoint_id}/deliveries/").json()
    assert log["results"][0]["status"] == "delivered"
    assert log["results"][0]["attempts"] == 2


@pytest.mark.django_db
def test_a_replay_sends_the_same_delivery_id(receiver: Receiver) -> None:
    receiver.start()
    api, endpoint_id = register(receiver)
    apply_for_parking_card(client_for("resident"))
    run_until_empty()
    delivery = WebhookDelivery.objects.get()
    replayed = api.post(f"/api/v1/webhooks/{endpoint_id}/deliveries/{delivery.id}/replay/")
    assert replayed.status_code == 202
    run_until_empty()
    ids = [r["headers"]["Loket-Delivery"] for r in receiver.received]
    assert ids == [str(delivery.id), str(delivery.id)]


@pytest.mark.django_db
def test_status_changes_and_applicant_messages_are_events_agent_messages_are_not(
    receiver: Receiver,
) -> None:
    receiver.start()
    register(receiver, ["case.status_changed", "case.message_received"])
    case = apply_for_parking_card(client_for("resident"))
    agent = demo_user("agent-parking")
    do_change_status(case, agent, "in_progress")
    do_post_message(case, agent, "A question from the agent")
    do_post_message(case, case.applicant, "An answer from the applicant")
    run_until_empty()
    events = [r["headers"]["Loket-Event"] for r in receiver.received]
    assert events == ["case.status_changed", "case.message_received"]


@pytest.mark.django_db
def test_endpoints_are_listed_deleted_and_scoped_to_the_administration(receiver: Receiver) -> None:
    api, endpoint_id = register(receiver)
    assert api.get("/api/v1/webhooks/").json()["count"] == 1
    _other, other_token = do_create_api_client(
        Administration.objects.exclude(id="parking-brussels").first(),  # type: ignore[arg-type]
        "Other",
        ["webhooks"],
    )
    other = Client(HTTP_AUTHORIZATION=f"Bearer {other_token}")
    assert other.get(f"/api/v1/webhooks/{endpoint_id}/").status_code == 404
    assert other.delete(f"/api/v1/webhooks/{endpoint_id}/").status_code == 404
    bad = api.post(
        "/api/v1/webhooks/", {"url": "ftp://example.be/"}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "url"
    assert api.delete(f"/api/v1/webhooks/{endpoint_id}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_the_command_adds_lists_and_removes_endpoints(capsys: pytest.CaptureFixture[str]) -> None:
    call_command(
        "webhooks", "add", "--administration", "parking-brussels",
        "--url", "https://hooks.example.be/loket", "--event", "case.submitted",
    )  # fmt: skip
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == secret and endpoint.events == ["case.submitted"]
    call_command("webhooks", "list")
    assert "https://hooks.example.be/loket" in capsys.readouterr().out
    call_command("webhooks", "remove", str(endpoint.pk))
    assert not WebhookEndpoint.objects.exists()
    with pytest.raises(CommandError):
        call_command(
            "webhooks", "add", "--administration", "parking-brussels", "--url", "file:///etc"
        )
