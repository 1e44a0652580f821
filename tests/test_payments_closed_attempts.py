"""Once a fee is paid, no other attempt takes money: the others are closed (and cancelled at
their provider where it can), their pages say the fee is already paid, and money that still
arrives on one (a provider that cannot be stopped) is recorded, told and to be paid back."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from loket.cases.models import Case
from loket.notify.models import Notification
from loket.payments.actions import do_handle_notification, do_refresh
from loket.payments.models import CaseFee, DemoCheckout, Payment
from loket.payments.refunds import do_refund
from tests.conftest import client_for, demo_user
from tests.payments_helpers import pay_with_demo, start_payment
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[Any]]


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _paid_with_a_first_attempt_left_open(
    capture: Capture,
) -> tuple[Client, Case, Payment, Payment]:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    abandoned = start_payment(client, case)  # the applicant left the demo page unfinished
    with capture(execute=True):
        paid = pay_with_demo(client, case)
    abandoned.refresh_from_db()
    return client, case, abandoned, paid


def test_paying_closes_the_other_open_attempts_and_cancels_them_at_the_provider(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client, case, abandoned, paid = _paid_with_a_first_attempt_left_open(
        django_capture_on_commit_callbacks
    )
    assert paid.status == Payment.Status.PAID and case.status == Case.Status.SUBMITTED
    assert abandoned.status == Payment.Status.CANCELLED
    assert DemoCheckout.objects.get(token=abandoned.provider_id).status == "canceled"
    page = _page(client, f"/en/my-cases/{case.reference}/")
    assert "Closed: not needed, the fee is paid" in page
    assert page.count("Awaiting payment") <= 1  # the status in the history, not the attempt


def test_the_demo_page_of_a_closed_attempt_refuses_to_take_money(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client, case, abandoned, paid = _paid_with_a_first_attempt_left_open(
        django_capture_on_commit_callbacks
    )
    url = f"/en/payments/demo/{abandoned.provider_id}/"
    shown = client.get(url)
    assert shown.status_code == 409
    assert "This fee is already paid" in shown.content.decode()
    assert 'value="paid"' not in shown.content.decode()
    pressed = client.post(url, {"outcome": "paid"})
    assert pressed.status_code == 409 and "This fee is already paid" in pressed.content.decode()
    abandoned.refresh_from_db()
    assert abandoned.status == Payment.Status.CANCELLED
    assert list(case.payments.filter(status=Payment.Status.PAID)) == [paid]


def test_the_return_address_of_a_closed_attempt_says_the_fee_is_already_paid(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client, case, abandoned, _paid = _paid_with_a_first_attempt_left_open(
        django_capture_on_commit_callbacks
    )
    _page(client, f"/en/my-cases/{case.reference}/")  # the paying attempt's thanks, read
    back = client.get(f"/en/payments/{abandoned.idempotency_key}/return/", follow=True)
    page = back.content.decode()
    assert "This fee is already paid" in page
    assert "Thank you: your payment is received." not in page
    assert "You can try again" not in page


def test_money_taken_anyway_on_a_closed_attempt_is_told_to_applicant_and_agent(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client, case, abandoned, paid = _paid_with_a_first_attempt_left_open(
        django_capture_on_commit_callbacks
    )
    # a real provider that could not be stopped took the money on the closed attempt
    DemoCheckout.objects.filter(token=abandoned.provider_id).update(status="paid")
    do_handle_notification("demo", {"id": abandoned.provider_id}, {})
    abandoned.refresh_from_db()
    assert abandoned.status == Payment.Status.PAID
    assert CaseFee.objects.get(case=case).paid_by == paid
    assert any("A second payment of €10.00" in e.note for e in case.events.all())
    mail = Notification.objects.get(recipient=case.applicant, subject__contains="paid twice")
    assert abandoned.shown_reference in mail.body and "pay it back" in mail.body
    applicant_page = _page(client, f"/en/my-cases/{case.reference}/")
    assert 'id="paid-twice"' in applicant_page
    assert "Paid a second time: will be paid back" in applicant_page
    back = client.get(f"/en/payments/{abandoned.idempotency_key}/return/", follow=True)
    assert "this second payment of €10.00 will be paid back" in back.content.decode()
    agent = client_for("agent-parking")
    agent_page = _page(agent, f"/en/back-office/cases/{case.reference}/")
    assert 'id="paid-twice-signal"' in agent_page and "Paid twice" in agent_page
    refunds = _page(agent, f"/en/payments/back-office/{case.reference}/refunds/")
    assert "Received twice" in refunds


def test_two_attempts_the_same_way_are_told_apart_in_the_history() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    first = start_payment(client, case)
    second = start_payment(client, case)
    started = [e.note for e in case.events.all() if "started" in e.note]
    assert len(started) == 2 and started[0] != started[1]
    assert first.shown_reference in started[0] and second.shown_reference in started[1]


def test_the_agent_sees_each_open_attempt_with_the_reference_the_applicant_sees() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    online = start_payment(client, case)
    transfer = start_payment(client, case, provider="transfer")
    applicant_page = _page(client, f"/en/my-cases/{case.reference}/")
    agent_page = _page(client_for("agent-parking"), f"/en/back-office/cases/{case.reference}/")
    assert 'id="open-attempts"' in agent_page
    for attempt in (online, transfer):
        assert attempt.shown_reference in applicant_page
        assert attempt.shown_reference in agent_page
    assert "structured communication" in agent_page and transfer.reference.startswith("+++")
    assert f"/payments/back-office/{case.reference}/refunds/" in agent_page


def test_the_refunds_page_keeps_paid_refunded_refundable_and_owed_in_their_own_columns() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    paid = pay_with_demo(client, case)
    agent_user = demo_user("agent-parking")
    do_refund(paid, agent_user, 400, "Part of the card was not used.")
    page = _page(client_for("agent-parking"), f"/en/payments/back-office/{case.reference}/refunds/")
    headers = re.findall(r'<th scope="col">([^<]+)</th>', page)
    assert headers[-4:] == [
        "Paid",
        "Refunded",
        "Can still be refunded",
        "Owed back to the applicant",
    ]
    cells = dict(re.findall(r'<td data-label="([^"]+)">(?:<strong>)?([^<]*)', page))
    assert cells["Paid"] == "€10.00" and cells["Refunded"] == "€4.00"
    assert cells["Can still be refunded"] == "€6.00"
    assert cells["Owed back to the applicant"] == "nothing"


@pytest.mark.django_db(transaction=True)
def test_two_attempts_paid_at_once_pay_the_fee_once_and_the_other_is_to_pay_back(
    seeded_transactional: None,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    attempts = [start_payment(client, case) for _ in range(2)]
    for attempt in attempts:
        DemoCheckout.objects.filter(token=attempt.provider_id).update(status="paid")
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def settle(attempt: Payment) -> None:
        barrier.wait()
        try:
            do_refresh(Payment.objects.get(pk=attempt.pk))
        except BaseException as failure:  # a deadlock would surface here
            failures.append(failure)
        finally:
            connection.close()

    threads = [threading.Thread(target=settle, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    statuses = sorted(Payment.objects.filter(case=case).values_list("status", flat=True))
    assert statuses == ["paid", "paid"]  # both took money: neither is hidden
    notes = [e.note for e in Case.objects.get(pk=case.pk).events.all()]
    assert sum(note.startswith("Paid:") for note in notes) == 1
    assert sum(note.startswith("A second payment of") for note in notes) == 1
