"""The Worldline Direct adapter against a local server answering as its v2 API does, through
Loket's own pages and actions: hosted checkout, signed webhooks, the return, and refunds."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from loket.audit.models import SecurityEvent
from loket.cases.models import Case
from loket.config.payments import MollieSettings, ProviderSettings, WorldlineSettings
from loket.payments.models import MerchantAccount, Payment
from tests.conftest import client_for
from tests.payment_provider_stubs import WorldlineStub
from tests.payments_helpers import start_payment
from tests.test_all_procedures import submit

PARKING = "residents-parking-card"
TIMEOUT = 1.0
BOUND = TIMEOUT + 1.0
NOTIFY = "/payments/notify/worldline/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def worldline() -> Iterator[WorldlineStub]:
    with WorldlineStub() as stub:
        providers = ProviderSettings(
            mollie=MollieSettings(api_url="https://api.invalid"),
            worldline=WorldlineSettings(
                api_url=stub.base,
                merchant_id=stub.merchant_id,
                api_key_id=stub.api_key_id,
                api_secret=stub.api_secret,
                webhook_key_id=stub.webhook_key_id,
                webhook_secret=stub.webhook_secret,
            ),
            timeout=TIMEOUT,
        )
        config = replace(
            settings.CONFIG,
            payment_providers=("worldline", "transfer", "demo"),
            payment_settings=providers,
        )
        with override_settings(CONFIG=config):
            yield stub


def _notes(case: Case) -> list[str]:
    return [event.note for event in case.events.all() if event.note]


def _awaiting() -> tuple[Case, Payment]:
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    return case, start_payment(client, case, provider="worldline")


def _webhook(body: bytes, headers: dict[str, str]) -> Any:
    return Client().post(NOTIFY, body, content_type="application/json", headers=headers)


def test_pay_creates_a_hosted_checkout_and_sends_the_applicant_there(
    worldline: WorldlineStub,
) -> None:
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    key = "1b7f0c4e-2d5a-4c1b-8e3f-7a9d0b6c5e42"
    response = client.post(
        f"/en/payments/cases/{case.reference}/pay/",
        {"provider": "worldline", "idempotency_key": key},
    )
    payment = Payment.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == (
        "https://payment.preprod.direct.worldline-solutions.com/hostedcheckout/PaymentMethods/"
        f"Selection/{payment.provider_id}"
    )
    [sent] = worldline.requests_to("POST", f"/v2/{worldline.merchant_id}/hostedcheckouts")
    order = sent.body["order"]
    assert order["amountOfMoney"] == {"amount": payment.amount_cents, "currencyCode": "EUR"}
    assert order["references"]["merchantReference"] == payment.reference
    assert sent.body["hostedCheckoutSpecificInput"]["returnUrl"] == (
        f"http://testserver/en/payments/{key}/return/"
    )
    assert sent.body["cardPaymentMethodSpecificInput"]["authorizationMode"] == "SALE"
    assert sent.headers["X-GCS-Idempotence-Key"] == key
    assert worldline.api_secret not in str(sent.headers)  # the secret signs, never sent


def test_an_answer_with_only_the_partial_redirect_address_is_completed(
    worldline: WorldlineStub,
) -> None:
    worldline.partial_only = True
    _case, payment = _awaiting()
    assert payment.checkout_url == (
        "https://payment.preprod.direct.worldline-solutions.com/hostedcheckout/PaymentMethods/"
        f"Selection/{payment.provider_id}"
    )


def test_a_signed_webhook_before_the_return_pays_the_case_once(worldline: WorldlineStub) -> None:
    case, payment = _awaiting()
    worldline.pay(payment.provider_id)
    body = worldline.event(payment.provider_id)
    assert _webhook(body, worldline.signed(body)).status_code == 200
    back = client_for("resident").get(f"/en/payments/{payment.idempotency_key}/return/")
    assert back.status_code == 302
    assert _webhook(body, worldline.signed(body)).status_code == 200  # a replay
    payment.refresh_from_db()
    case.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert case.status == Case.Status.SUBMITTED and case.fee.paid_by == payment
    assert sum(note.startswith("Paid:") for note in _notes(case)) == 1


@pytest.mark.parametrize("forgery", ["other secret", "other key id", "no signature", "edited"])
def test_a_forged_webhook_is_refused_logged_and_changes_nothing(
    worldline: WorldlineStub, forgery: str
) -> None:
    case, payment = _awaiting()
    worldline.pay(payment.provider_id, status="REJECTED")
    body = worldline.event(payment.provider_id)
    headers = {
        "other secret": worldline.signed(body, secret="guessed"),
        "other key id": worldline.signed(body, key_id="someone-else"),
        "no signature": {},
        "edited": worldline.signed(body),
    }[forgery]
    if forgery == "edited":
        body = body.replace(b'"REJECTED"', b'"CAPTURED"')
    fetched_before = len(worldline.requests_to("GET", payment.provider_id))
    refused = _webhook(body, headers)
    assert refused.status_code == 404
    assert SecurityEvent.objects.filter(kind="payment-notification-forged").count() == 1
    assert len(worldline.requests_to("GET", payment.provider_id)) == fetched_before
    payment.refresh_from_db()
    case.refresh_from_db()
    assert payment.status == Payment.Status.OPEN
    assert case.status == Case.Status.AWAITING_PAYMENT


def test_a_signed_webhook_for_an_unknown_checkout_is_refused_and_logged(
    worldline: WorldlineStub,
) -> None:
    _case, payment = _awaiting()
    worldline.pay(payment.provider_id)
    body = worldline.event(payment.provider_id).replace(payment.provider_id.encode(), b"9999999999")
    assert _webhook(body, worldline.signed(body)).status_code == 404
    event = SecurityEvent.objects.get(kind="payment-notification-refused")
    assert event.detail["named"] == "9999999999"


@pytest.mark.parametrize(
    ("outcome", "ours", "message"),
    [
        ({"status": "REJECTED"}, Payment.Status.FAILED, "The payment was not made"),
        ({"checkout": "CANCELLED_BY_CONSUMER"}, Payment.Status.CANCELLED, "not made"),
        ({"checkout": "IN_PROGRESS"}, Payment.Status.OPEN, "not confirmed yet"),
        ({"status": "PENDING_CAPTURE"}, Payment.Status.OPEN, "not confirmed yet"),
    ],
)
def test_outcomes_other_than_captured_leave_the_case_waiting(
    worldline: WorldlineStub, outcome: dict[str, str], ours: str, message: str
) -> None:
    case, payment = _awaiting()
    if "status" in outcome:
        worldline.pay(payment.provider_id, status=outcome["status"])
    else:
        worldline.set_checkout_status(payment.provider_id, outcome["checkout"])
    page = client_for("resident").get(
        f"/en/payments/{payment.idempotency_key}/return/", follow=True
    )
    assert message in page.content.decode()
    payment.refresh_from_db()
    case.refresh_from_db()
    assert payment.status == ours
    assert case.status == Case.Status.AWAITING_PAYMENT


def test_another_amount_at_worldline_is_refused_as_tampered(worldline: WorldlineStub) -> None:
    _case, payment = _awaiting()
    worldline.pay(payment.provider_id, amount={"amount": 1, "currencyCode": "EUR"})
    client_for("resident").get(f"/en/payments/{payment.idempotency_key}/return/")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.OPEN
    assert SecurityEvent.objects.filter(kind="payment-tampered").exists()


def test_a_slow_worldline_is_cut_at_the_deadline(worldline: WorldlineStub) -> None:
    _case, payment = _awaiting()
    worldline.pay(payment.provider_id)
    worldline.behaviour.trickle = True
    started = time.monotonic()
    page = client_for("resident").get(
        f"/en/payments/{payment.idempotency_key}/return/", follow=True
    )
    assert time.monotonic() - started < BOUND
    assert "could not yet confirm your payment" in page.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.OPEN
    # Worldline retries its webhook; the answer 503 asks it to.
    worldline.behaviour.trickle = False
    worldline.behaviour.down = 1
    body = worldline.event(payment.provider_id)
    assert _webhook(body, worldline.signed(body)).status_code == 503
    assert _webhook(body, worldline.signed(body)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID


def test_a_failing_hosted_checkout_creation_fails_the_attempt(worldline: WorldlineStub) -> None:
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    worldline.behaviour.delay = TIMEOUT + 2
    started = time.monotonic()
    page = client.post(
        f"/en/payments/cases/{case.reference}/pay/",
        {"provider": "worldline", "idempotency_key": "5c0e8a1f-3b2d-4e6f-9a7b-1c2d3e4f5a6b"},
        follow=True,
    )
    assert time.monotonic() - started < BOUND
    assert "The payment service did not answer" in page.content.decode()
    assert Payment.objects.get(case=case).status == Payment.Status.FAILED


def test_an_agent_refunds_part_then_the_rest_through_worldline(worldline: WorldlineStub) -> None:
    case, payment = _awaiting()
    worldline.pay(payment.provider_id)
    client_for("resident").get(f"/en/payments/{payment.idempotency_key}/return/")
    agent = client_for("agent-parking")
    url = f"/en/payments/back-office/{case.reference}/refunds/"
    part = agent.post(
        url, {"payment": payment.reference, "amount": "2.50", "reason": "Half", "action": "confirm"}
    )
    assert part.status_code == 302
    rest = f"{(payment.amount_cents - 250) / 100:.2f}"
    full = agent.post(
        url,
        {"payment": payment.reference, "amount": rest, "reason": "Withdrawn", "action": "confirm"},
    )
    assert full.status_code == 302
    sent = worldline.requests_to("POST", f"/payments/{payment.provider_id}_0/refund")
    assert [s.body["amountOfMoney"]["amount"] for s in sent] == [250, payment.amount_cents - 250]
    assert len({s.headers["X-GCS-Idempotence-Key"] for s in sent}) == 2
    refunds = list(payment.refunds.all())
    assert [r.provider_refund_id for r in refunds] == [
        f"{payment.provider_id}_1",
        f"{payment.provider_id}_2",
    ]
    assert sum(note.startswith("Refunded:") for note in _notes(case)) == 2


def test_a_signed_event_for_another_merchant_is_refused(worldline: WorldlineStub) -> None:
    _case, payment = _awaiting()
    worldline.pay(payment.provider_id)
    body = worldline.event(payment.provider_id).replace(b'"LoketTest"', b'"SomeoneElse"')
    assert _webhook(body, worldline.signed(body)).status_code == 404
    assert SecurityEvent.objects.filter(kind="payment-notification-refused").exists()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.OPEN


def test_an_administration_with_its_own_pspid_is_paid_and_notified_under_it(
    worldline: WorldlineStub,
) -> None:
    """parking.brussels' own merchant (PSPID, keys): the stub answers to it only; the platform's
    merchant and keys are other ones. Its signed webhook is verified with its own key."""
    platform = settings.CONFIG.payment_settings.worldline
    worldline.merchant_id, worldline.api_key_id = "ParkingBrussels", "parking-api-key"
    worldline.api_secret = "parking-api-s3cret"
    worldline.webhook_key_id, worldline.webhook_secret = "parking-hook", "parking-hook-s3cret"
    MerchantAccount.objects.create(
        administration_id="parking-brussels", worldline_merchant_id=worldline.merchant_id,
        worldline_api_key_id=worldline.api_key_id, worldline_api_secret=worldline.api_secret,
        worldline_webhook_key_id=worldline.webhook_key_id,
        worldline_webhook_secret=worldline.webhook_secret,
    )  # fmt: skip
    assert platform.merchant_id != worldline.merchant_id
    _case, payment = _awaiting()
    assert worldline.requests_to("POST", "/v2/ParkingBrussels/hostedcheckouts")
    worldline.pay(payment.provider_id)
    body = worldline.event(payment.provider_id)
    assert _webhook(body, worldline.signed(body)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    # An event signed with the platform's key for this merchant's checkout is not believed.
    forged = worldline.signed(body, secret="webhook-s3cret-for-tests", key_id="parking-hook")
    assert _webhook(body, forged).status_code == 404
