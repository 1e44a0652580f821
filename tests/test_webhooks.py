"""Webhooks: signed events about an administration's cases, delivered by the worker through a
real HTTP receiver on 127.0.0.1, retried while it is down, exactly once per delivery id."""

from __future__ import annotations

import base64
import importlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import standardwebhooks
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from loket.api import webhooks
from loket.api.clients import do_create_api_client
from loket.api.models import WebhookDelivery, WebhookEndpoint
from loket.api.webhooks import deliver
from loket.cases.actions import do_change_status, do_post_message
from loket.core.models import Administration
from loket.tasks.models import Task
from loket.tasks.queue import run_until_empty
from tests.conftest import client_for, demo_user
from tests.test_cases import apply_for_parking_card

SECRET = "whsec_" + base64.b64encode(b"a-shared-secret-of-enough-length").decode()


def verified(request: dict[str, Any], secret: str = SECRET) -> Any:
    """The payload, once the Standard Webhooks library has checked the request's signature."""
    return standardwebhooks.Webhook(secret).verify(request["body"], request["headers"])


def no_content(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(204)
    handler.end_headers()


def trickling(handler: BaseHTTPRequestHandler) -> None:
    """An answer sent one byte every 50 ms: its status line alone takes longer than a deadline."""
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.05)


class Receiver:
    """A real HTTP server that records what it receives; it can be down (not started)."""

    def __init__(self, answer: Callable[[BaseHTTPRequestHandler], None] | None = None) -> None:
        self.answer = answer or no_content
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
        answer = self.answer

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                received.append({"headers": headers, "body": body})
                answer(self)

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
    assert request["headers"]["webhook-id"] == str(delivery.id)
    sent = verified(request)
    assert sent["type"] == "case.submitted"
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
    ids = [r["headers"]["webhook-id"] for r in receiver.received]
    assert ids == [str(delivery.id), str(delivery.id)]
    assert [verified(r)["type"] for r in receiver.received] == ["case.submitted"] * 2


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
    events = [json.loads(r["body"])["type"] for r in receiver.received]
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
    assert webhooks.secret_problem(secret) is None
    call_command("webhooks", "list")
    assert "https://hooks.example.be/loket" in capsys.readouterr().out
    call_command("webhooks", "remove", str(endpoint.pk))
    assert not WebhookEndpoint.objects.exists()
    with pytest.raises(CommandError):
        call_command(
            "webhooks", "add", "--administration", "parking-brussels", "--url", "file:///etc"
        )


# -- Standard Webhooks -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_deliveries_verify_with_the_standard_webhooks_library_and_a_tampered_one_fails(
    receiver: Receiver,
) -> None:
    receiver.start()
    register(receiver)
    case = apply_for_parking_card(client_for("resident"))
    run_until_empty()
    (request,) = receiver.received
    assert request["headers"]["webhook-signature"].startswith("v1,")
    assert int(request["headers"]["webhook-timestamp"]) == pytest.approx(time.time(), abs=60)
    assert verified(request)["data"]["case"]["reference"] == case.reference
    tampered = request["body"].replace(case.reference.encode(), b"BXL-0000-000000")
    assert tampered != request["body"]
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(SECRET).verify(tampered, request["headers"])
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        verified(request, other)
    # The id is signed: the same body and signature under another id do not verify.
    moved = {**request["headers"], "webhook-id": "another-delivery"}
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(SECRET).verify(request["body"], moved)


@pytest.mark.django_db
def test_a_made_secret_is_a_whsec_secret_and_a_secret_of_another_form_is_refused(
    receiver: Receiver,
) -> None:
    _client, token = do_create_api_client(
        Administration.objects.get(id="parking-brussels"), "Back-end", ["webhooks"]
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    made = api.post("/api/v1/webhooks/", {"url": receiver.url}, content_type="application/json")
    assert made.status_code == 201
    secret = made.json()["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    too_short = "whsec_" + base64.b64encode(b"x" * 16).decode()
    too_long = "whsec_" + base64.b64encode(b"x" * 65).decode()
    for wrong in ("a-shared-secret-of-enough-length", "whsec_not base64!", too_short, too_long):
        refused = api.post(
            "/api/v1/webhooks/",
            {"url": receiver.url, "secret": wrong},
            content_type="application/json",
        )
        assert refused.status_code == 422, wrong
        assert refused.json()["errors"][0]["field"] == "secret"


@pytest.mark.django_db
def test_a_receiver_that_trickles_its_answer_is_cut_at_the_deadline_and_retried_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.5)
    slow = Receiver(answer=trickling)
    slow.start()
    try:
        register(slow)
        apply_for_parking_card(client_for("resident"))
        delivery = WebhookDelivery.objects.get()
        started = time.monotonic()
        with pytest.raises(webhooks.DeliveryFailed, match="timeout"):
            deliver({"delivery": str(delivery.id)})
        assert time.monotonic() - started < 0.5 + 0.5
    finally:
        slow.stop()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "timeout")
    assert delivery.last_response_code is None
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > timezone.now()
    assert len(slow.received) == 1


@pytest.mark.django_db
def test_through_the_worker_a_trickling_receiver_leaves_the_task_queued_for_a_retry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.5)
    slow = Receiver(answer=trickling)
    slow.start()
    try:
        register(slow)
        apply_for_parking_card(client_for("resident"))
        started = time.monotonic()
        run_until_empty()
        # The e-mail and the cut delivery; nothing waits for the 2 s the receiver would take.
        assert time.monotonic() - started < 2.0
    finally:
        slow.stop()
    task = Task.objects.get(name=webhooks.TASK)
    assert (task.state, task.attempts) == (Task.State.QUEUED, 1)
    assert WebhookDelivery.objects.get().last_error == "timeout"


# -- the secret at rest ----------------------------------------------------------------------------


def stored_secret(endpoint_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM api_webhookendpoint WHERE id = %s", [endpoint_id])
        (value,) = cursor.fetchone()
    return str(value)


@pytest.mark.django_db
def test_the_secret_is_stored_encrypted_and_read_back_whole(receiver: Receiver) -> None:
    _api, endpoint_id = register(receiver)
    stored = stored_secret(endpoint_id)
    assert stored.startswith("v1:demo-1:")
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    for plain in (SECRET, SECRET.removeprefix("whsec_"), key.decode()):
        assert plain not in stored
    assert WebhookEndpoint.objects.get(pk=endpoint_id).secret == SECRET


@pytest.mark.django_db
def test_the_migration_encrypts_an_older_plain_secret_keeping_its_hmac_key() -> None:
    migration = importlib.import_module("loket.api.migrations.0002_encrypt_webhook_secrets")
    endpoint = WebhookEndpoint.objects.create(
        administration_id="parking-brussels", url="https://hooks.example.be/", secret=SECRET
    )
    legacy = "an-old-hex-or-typed-secret-0123456789"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE api_webhookendpoint SET secret = %s WHERE id = %s", [legacy, endpoint.pk]
        )
    migration.encrypt(django_apps, None)
    migration.encrypt(django_apps, None)  # a second run changes nothing
    assert stored_secret(endpoint.pk).startswith("v1:")
    assert legacy not in stored_secret(endpoint.pk)
    secret = WebhookEndpoint.objects.get(pk=endpoint.pk).secret
    assert secret == "whsec_" + base64.b64encode(legacy.encode()).decode()
    assert webhooks.signing_key(secret) == legacy.encode()  # receivers keep the same key
    migration.decrypt(django_apps, None)
    assert stored_secret(endpoint.pk) == legacy
