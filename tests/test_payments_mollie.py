"""The Mollie adapter against a local server answering as Mollie's API v2 does, through Loket's
own pages and actions: the "Pay" button, Mollie's notification, the return, and refunds."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from loket.audit.models import SecurityEvent
from loket.cases.models import Case
from loket.config.payments import MollieSettings, ProviderSettings, WorldlineSettings
from loket.payments.models import MerchantAccount, Payment
from tests.conftest import client_for
from tests.payment_provider_stubs import MollieStub
from tests.payments_helpers import pay_with_demo, start_payment
from tests.test_all_procedures import submit

PARKING = "residents-parking-card"
TIMEOUT = 1.0
BOUND = TIMEOUT + 1.0  # any failure answers within the deadline and a second of slack

pytestmark = pytest.mark.django_db


@pytest.fixture
def mollie() -> Iterator[MollieStub]:
    with MollieStub() as stub:
        providers = ProviderSettings(
            mollie=MollieSettings(api_url=stub.base, api_key=stub.api_key),
            worldline=WorldlineSettings(api_url="https://payment.invalid"),
            timeout=TIMEOUT,
        )
        config = replace(
            settings.CONFIG,
            payment_providers=("mollie", "transfer", "demo"),
            payment_settings=providers,
        )
        with override_settings(CONFIG=config):
            yield stub


def _notes(case: Case) -> list[str]:
    return [event.note for event in case.events.all() if event.note]


def _awaiting() -> tuple[Case, Payment]:
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    return case, start_payment(client, case, provider="mollie")


def test_pay_creates_a_mollie_payment_and_sends_the_applicant_to_its_checkout(
    mollie: MollieStub,
) -> None:
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    response = client.post(
        f"/en/payments/cases/{case.reference}/pay/",
        {"provider": "mollie", "idempotency_key": "6f1c1d2e-0b7a-4d0e-9b9e-3c1f0a2b4c5d"},
    )
    payment = Payment.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"].startswith("https://www.mollie.com/checkout/select-method/")
    assert payment.provider_id.startswith("tr_") and payment.status == Payment.Status.OPEN
    [sent] = mollie.requests_to("POST", "/v2/payments")
    assert sent.body["amount"] == {"currency": "EUR", "value": f"{payment.amount_cents / 100:.2f}"}
    assert sent.body["metadata"]["reference"] == payment.reference
    assert sent.body["redirectUrl"] == (
        f"http://testserver/en/payments/{payment.idempotency_key}/return/"
    )
    assert sent.body["webhookUrl"] == "http://testserver/payments/notify/mollie/"
    assert sent.headers["Idempotency-Key"] == str(payment.idempotency_key)
    assert sent.headers["Authorization"] == f"Bearer {mollie.api_key}"
    # A double click sends the same key: the same payment, and Mollie is not asked again.
    again = client.post(
        f"/en/payments/cases/{case.reference}/pay/",
        {"provider": "mollie", "idempotency_key": str(payment.idempotency_key)},
    )
    assert again["Location"] == response["Location"]
    assert len(mollie.requests_to("POST", "/v2/payments")) == 1


def test_a_notification_before_the_return_pays_the_case_once(mollie: MollieStub) -> None:
    case, payment = _awaiting()
    mollie.set_status(payment.provider_id, "paid")
    client = client_for("resident")
    notified = client.post("/payments/notify/mollie/", {"id": payment.provider_id})
    assert notified.status_code == 200
    back = client.get(f"/en/payments/{payment.idempotency_key}/return/")
    assert back.status_code == 302
    replay = client.post("/payments/notify/mollie/", {"id": payment.provider_id})
    assert replay.status_code == 200
    payment.refresh_from_db()
    case.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert case.status == Case.Status.SUBMITTED
    assert case.fee.paid_by == payment
    assert sum(note.startswith("Paid:") for note in _notes(case)) == 1
    assert len(mollie.requests_to("GET", f"/v2/payments/{payment.provider_id}")) == 3


def test_the_notification_body_is_never_believed(mollie: MollieStub) -> None:
    case, payment = _awaiting()
    lying = client_for("resident").post(
        "/payments/notify/mollie/", {"id": payment.provider_id, "status": "paid"}
    )
    assert lying.status_code == 200  # handled: Mollie says the payment is still open
    payment.refresh_from_db()
    case.refresh_from_db()
    assert payment.status == Payment.Status.OPEN
    assert case.status == Case.Status.AWAITING_PAYMENT


@pytest.mark.parametrize(
    ("mollie_status", "ours"),
    [
        ("failed", Payment.Status.FAILED),
        ("canceled", Payment.Status.CANCELLED),
        ("expired", Payment.Status.EXPIRED),
        ("pending", Payment.Status.OPEN),
        ("authorized", Payment.Status.OPEN),
    ],
)
def test_mollie_statuses_that_are_not_paid_leave_the_case_waiting(
    mollie: MollieStub, mollie_status: str, ours: str
) -> None:
    case, payment = _awaiting()
    mollie.set_status(payment.provider_id, mollie_status)
    client = client_for("resident")
    page = client.get(f"/en/payments/{payment.idempotency_key}/return/", follow=True)
    payment.refresh_from_db()
    case.refresh_from_db()
    assert payment.status == ours
    assert case.status == Case.Status.AWAITING_PAYMENT
    if ours != Payment.Status.OPEN:
        assert "The payment was not made" in page.content.decode()
        # Another attempt, in another way, belongs to the same case.
        retry = start_payment(client, case, provider="transfer")
        assert retry.case == case and retry.pk != payment.pk


def test_a_notification_for_an_unknown_id_is_refused_and_logged(mollie: MollieStub) -> None:
    client = client_for("resident")
    unknown = client.post("/payments/notify/mollie/", {"id": "tr_doesnotexist"})
    malformed = client.post("/payments/notify/mollie/", {"id": "../v2/refunds"})
    assert (unknown.status_code, malformed.status_code) == (404, 404)
    events = SecurityEvent.objects.filter(kind="payment-notification-refused")
    assert events.count() == 2
    assert mollie.requests_to("GET", "/v2/payments") == []  # nothing was asked for them


def test_a_slow_mollie_is_cut_at_the_deadline_and_the_attempt_fails(mollie: MollieStub) -> None:
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    mollie.behaviour.delay = TIMEOUT + 2
    started = time.monotonic()
    response = client.post(
        f"/en/payments/cases/{case.reference}/pay/",
        {"provider": "mollie", "idempotency_key": "0d4f6a3e-64c5-4a55-9d4f-2a0e7f1c9b11"},
        follow=True,
    )
    assert time.monotonic() - started < BOUND
    assert "The payment service did not answer" in response.content.decode()
    payment = Payment.objects.get(case=case)
    assert payment.status == Payment.Status.FAILED


def test_a_trickling_answer_on_return_is_cut_and_the_payment_stays_open(
    mollie: MollieStub,
) -> None:
    _case, payment = _awaiting()
    mollie.set_status(payment.provider_id, "paid")
    mollie.behaviour.trickle = True  # one byte every 0.2 s: no read ever times out
    started = time.monotonic()
    page = client_for("resident").get(
        f"/en/payments/{payment.idempotency_key}/return/", follow=True
    )
    assert time.monotonic() - started < BOUND
    assert "could not yet confirm your payment" in page.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.OPEN
    # The notification that follows, once Mollie answers again, applies it.
    mollie.behaviour.trickle = False
    client_for("resident").post("/payments/notify/mollie/", {"id": payment.provider_id})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID


def test_an_amount_changed_at_mollie_is_refused_and_logged(mollie: MollieStub) -> None:
    case, payment = _awaiting()
    mollie.set_status(payment.provider_id, "paid")
    mollie.payments[payment.provider_id]["amount"] = {"currency": "EUR", "value": "0.01"}
    client_for("resident").post("/payments/notify/mollie/", {"id": payment.provider_id})
    payment.refresh_from_db()
    case.refresh_from_db()
    assert payment.status == Payment.Status.OPEN
    assert case.status == Case.Status.AWAITING_PAYMENT
    assert SecurityEvent.objects.filter(kind="payment-tampered").exists()


def test_an_agent_refunds_part_then_the_rest_through_mollie(mollie: MollieStub) -> None:
    case, payment = _awaiting()
    mollie.set_status(payment.provider_id, "paid")
    client_for("resident").get(f"/en/payments/{payment.idempotency_key}/return/")
    agent = client_for("agent-parking")
    url = f"/en/payments/back-office/{case.reference}/refunds/"
    part = agent.post(
        url, {"payment": payment.reference, "amount": "2,50", "reason": "Half", "action": "confirm"}
    )
    assert part.status_code == 302
    rest = f"{(payment.amount_cents - 250) / 100:.2f}"
    full = agent.post(
        url,
        {"payment": payment.reference, "amount": rest, "reason": "Withdrawn", "action": "confirm"},
    )
    assert full.status_code == 302
    sent = mollie.requests_to("POST", f"/v2/payments/{payment.provider_id}/refunds")
    assert [s.body["amount"]["value"] for s in sent] == ["2.50", rest]
    assert len({s.headers["Idempotency-Key"] for s in sent}) == 2
    refunds = list(payment.refunds.all())
    assert [r.amount_cents for r in refunds] == [250, payment.amount_cents - 250]
    assert all(r.provider_refund_id.startswith("re_") for r in refunds)
    nothing_left = agent.post(
        url, {"payment": payment.reference, "amount": "1", "reason": "x", "action": "confirm"}
    )
    assert nothing_left.status_code == 422


def test_a_refund_mollie_does_not_confirm_is_not_recorded_and_a_retry_is_idempotent(
    mollie: MollieStub,
) -> None:
    case, payment = _awaiting()
    mollie.set_status(payment.provider_id, "paid")
    client_for("resident").get(f"/en/payments/{payment.idempotency_key}/return/")
    agent = client_for("agent-parking")
    url = f"/en/payments/back-office/{case.reference}/refunds/"
    typed = {
        "payment": payment.reference,
        "amount": "3.00",
        "reason": "Too much",
        "action": "confirm",
    }
    mollie.behaviour.delay, mollie.behaviour.slow_path = TIMEOUT + 2, "/refunds"
    refused = agent.post(url, typed)
    assert refused.status_code == 422
    assert "did not confirm the refund" in refused.content.decode()
    assert "Too much" in refused.content.decode()  # what the agent typed is kept
    assert not payment.refunds.exists()
    mollie.behaviour.delay = 0
    assert agent.post(url, typed).status_code == 302
    sent = mollie.requests_to("POST", f"/v2/payments/{payment.provider_id}/refunds")
    assert len({s.headers["Idempotency-Key"] for s in sent}) == 1  # the same refund, twice asked
    assert len(mollie.payments[payment.provider_id]["refunds"]) == 1
    assert payment.refunds.count() == 1


def test_a_refused_key_fails_the_attempt_and_no_key_is_ever_logged(
    mollie: MollieStub, caplog: pytest.LogCaptureFixture
) -> None:
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    wrong = replace(settings.CONFIG.payment_settings.mollie, api_key="test_wrongkeyofsomeone")
    config = replace(
        settings.CONFIG, payment_settings=replace(settings.CONFIG.payment_settings, mollie=wrong)
    )
    caplog.set_level(logging.DEBUG)
    with override_settings(CONFIG=config):
        page = client.post(
            f"/en/payments/cases/{case.reference}/pay/",
            {"provider": "mollie", "idempotency_key": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"},
            follow=True,
        )
    assert "The payment service did not answer" in page.content.decode()
    assert Payment.objects.get(case=case).status == Payment.Status.FAILED
    assert "test_wrongkeyofsomeone" not in caplog.text
    assert mollie.api_key not in caplog.text


def test_an_administration_with_its_own_mollie_profile_is_paid_with_its_key(
    mollie: MollieStub,
) -> None:
    platform_key = mollie.api_key
    own_key = "test_parkingProfileKey0123456789abc"
    MerchantAccount.objects.create(
        administration_id="parking-brussels", mollie_profile_id="pfl_parking",
        mollie_api_key=own_key,
    )  # fmt: skip
    mollie.api_key = own_key  # this stub answers to the administration's profile only
    _case, payment = _awaiting()
    [sent] = mollie.requests_to("POST", "/v2/payments")
    assert sent.headers["Authorization"] == f"Bearer {own_key}" != f"Bearer {platform_key}"
    mollie.set_status(payment.provider_id, "paid")
    # The notification names the payment only: it is fetched with the administration's key.
    assert (
        client_for("resident")
        .post("/payments/notify/mollie/", {"id": payment.provider_id})
        .status_code
        == 200
    )
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID


def test_paying_another_way_cancels_the_open_mollie_payment_at_mollie(
    mollie: MollieStub, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    case, at_mollie = _awaiting()  # the applicant left Mollie's page unfinished
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_demo(client_for("resident"), case)
    assert [seen.path for seen in mollie.requests_to("DELETE", "/v2/payments/")] == [
        f"/v2/payments/{at_mollie.provider_id}"
    ]
    assert mollie.payments[at_mollie.provider_id]["status"] == "canceled"
    at_mollie.refresh_from_db()
    assert at_mollie.status == Payment.Status.CANCELLED


def test_a_mollie_payment_paid_before_it_could_be_cancelled_is_to_be_paid_back(
    mollie: MollieStub, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    case, at_mollie = _awaiting()
    mollie.set_status(at_mollie.provider_id, "paid")  # paid at Mollie, not yet told to Loket
    with django_capture_on_commit_callbacks(execute=True):
        pay_with_demo(client_for("resident"), case)  # Mollie refuses the cancel (422): logged
    at_mollie.refresh_from_db()
    assert at_mollie.status == Payment.Status.CANCELLED
    assert (
        client_for("resident")
        .post("/payments/notify/mollie/", {"id": at_mollie.provider_id})
        .status_code
        == 200
    )
    at_mollie.refresh_from_db()
    assert at_mollie.status == Payment.Status.PAID
    assert any(note.startswith("A second payment of") for note in _notes(case))
