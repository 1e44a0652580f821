"""Fees and the payment's life: a fee computed on the server, a case that waits for its payment,
an outcome fetched from the provider and applied once, and refusals logged."""

from __future__ import annotations

import importlib
import threading
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape

from loket.audit.models import SecurityEvent
from loket.cases.actions import InvalidTransition, do_change_status
from loket.cases.documents import document_html
from loket.cases.models import Case, CaseEvent
from loket.cases.notices import notices_about
from loket.config import ConfigurationError
from loket.core.reference import read_yaml
from loket.payments.actions import do_refresh, do_start_payment, other_cases
from loket.payments.expiry import do_remind_and_lapse
from loket.payments.fees import charged_procedures, fee_for
from loket.payments.models import CaseFee, DemoCheckout, Payment
from loket.payments.providers import refuse_demo_provider_in_production
from tests.conftest import client_for, demo_user
from tests.payments_helpers import pay_with_demo, start_payment
from tests.test_all_procedures import submit
from tests.test_cases import apply_for_parking_card

PARKING = "residents-parking-card"

pytestmark = pytest.mark.django_db


def _notes(case: Case) -> list[str]:
    return [event.note for event in case.events.all() if event.note]


def test_fee_is_computed_from_answers_and_facts_with_its_source() -> None:
    first = fee_for(PARKING, "parking-brussels", {}, {})
    second = fee_for(PARKING, "parking-brussels", {}, {}, other_cases=1)
    exempt = fee_for(PARKING, "parking-brussels", {}, {"social": {"increased_allowance": True}})
    assert first is not None and second is not None and exempt is not None
    assert (first.amount_cents, second.amount_cents, exempt.amount_cents) == (1000, 5000, 0)
    assert first.demo and set(first.source) == {"fr", "nl", "en"}
    with translation.override("nl"):
        assert first.source_text.startswith("Demobedragen, naar het gewestelijke parkeerbeleid")
    assert exempt.exempt and "increased allowance" in exempt.label["en"]
    assert fee_for(PARKING, "21009", {}, {}) is None  # another administration: no fee there
    assert fee_for("change-of-address", "21009", {}, {}) is None


@pytest.mark.parametrize("procedure_id", sorted(charged_procedures()))
def test_a_demo_amounts_source_never_reads_as_if_there_were_no_fee(procedure_id: str) -> None:
    """ "Geen tarief" ("no tariff") under a fee of €10 made a Dutch reader think the card was
    free: a demo amount's source says where the amount comes from, and that the official
    tariff may differ."""
    for administration_id, entry in read_yaml("fees.yaml")[procedure_id].items():
        texts = entry["source"]
        assert set(texts) == {"fr", "nl", "en"}, administration_id
        for wrong in ("geen tarief", "pas un tarif", "not a tariff", "niet het echte tarief"):
            assert all(wrong not in text for text in texts.values()), (administration_id, wrong)
        if entry.get("demo"):
            assert "official tariff may differ" in texts["en"]
            assert "officiële tarief kan anders zijn" in texts["nl"]
            assert "tarif officiel peut être différent" in texts["fr"]


def test_the_procedure_page_and_the_receipt_say_where_a_demo_amount_comes_from() -> None:
    client = client_for("resident")
    page = client.get(f"/en/procedures/{PARKING}/").content.decode()
    source = "Source of the amount: Demo amounts, modelled on the regional parking policy"
    assert source in page and "demo amount" in page
    case = submit(client, PARKING)
    receipt = document_html(case, "receipt")
    assert "demo amount" in receipt and "Source of the amount: " in receipt


def test_parking_card_waits_for_payment_then_reaches_the_queue_as_paid() -> None:
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    assert case.status == Case.Status.AWAITING_PAYMENT
    fee = CaseFee.objects.get(case=case)
    assert fee.amount_cents in (1000, 5000) and fee.paid_by is None
    page = client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert "Pay €" in page and escape(fee.why) in page
    agent = demo_user("agent-parking")
    with pytest.raises(InvalidTransition):  # seen, not handled until paid
        do_change_status(case, agent, Case.Status.IN_PROGRESS)
    assert case.reference in client_for("agent-parking").get("/en/back-office/").content.decode()

    payment = pay_with_demo(client, case)

    assert payment.status == Payment.Status.PAID
    assert case.status == Case.Status.SUBMITTED
    fee.refresh_from_db()
    assert fee.paid_by == payment
    notes = _notes(case)
    assert any("started" in note for note in notes)
    assert sum(note.startswith("Paid:") for note in notes) == 1
    assert "paid" in client.get("/en/my-cases/").content.decode()
    do_change_status(case, agent, Case.Status.IN_PROGRESS)  # now it is handled


def test_check_page_shows_the_fee_before_sending() -> None:
    client = client_for("resident")
    submit(client, PARKING)  # the household's first card
    base = f"/en/procedures/{PARKING}/apply/"
    client.post(base, {"use_registers": "yes"})
    page = client.get(f"/en/procedures/{PARKING}/").content.decode()
    assert "€10.00" in page and "€50.00" in page and "demo amount" in page


def test_return_address_outcome_is_not_believed() -> None:
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    payment = start_payment(client, case)
    back = client.get(f"/en/payments/{payment.idempotency_key}/return/?status=paid&paid=1")
    assert back.status_code == 302
    payment.refresh_from_db()
    case.refresh_from_db()
    assert payment.status == Payment.Status.OPEN
    assert case.status == Case.Status.AWAITING_PAYMENT


def test_return_address_with_no_payment_behind_it_is_404_and_logged() -> None:
    client = client_for("resident")
    key = uuid.uuid4()
    assert client.get(f"/en/payments/{key}/return/").status_code == 404
    assert SecurityEvent.objects.filter(kind="payment-return-unknown").exists()
    other = submit(client, PARKING, pay=False)
    payment = start_payment(client, other)
    stranger = client_for("resident2")  # someone else's payment: the same 404
    assert stranger.get(f"/en/payments/{payment.idempotency_key}/return/").status_code == 404


def test_tampered_amount_is_refused_and_logged() -> None:
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    payment = start_payment(client, case)
    DemoCheckout.objects.filter(token=payment.provider_id).update(amount_cents=1, status="paid")
    response = client.post("/payments/notify/demo/", {"id": payment.provider_id})
    assert response.status_code == 409
    payment.refresh_from_db()
    case.refresh_from_db()
    assert payment.status == Payment.Status.OPEN
    assert case.status == Case.Status.AWAITING_PAYMENT
    event = SecurityEvent.objects.get(kind="payment-tampered")
    assert event.detail["payment"] == payment.reference


def test_forged_and_replayed_notifications_change_nothing() -> None:
    client = client_for("resident")
    forged = client.post("/payments/notify/demo/", {"id": "demo_forged"})
    assert forged.status_code == 404
    assert SecurityEvent.objects.filter(kind="payment-notification-refused").exists()
    assert client.post("/payments/notify/unknown-provider/", {"id": "x"}).status_code == 404

    case = submit(client, PARKING, pay=False)
    payment = start_payment(client, case)
    # A notification that the payment is paid, while the provider says it is open: nothing.
    assert client.post("/payments/notify/demo/", {"id": payment.provider_id}).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.OPEN
    DemoCheckout.objects.filter(token=payment.provider_id).update(status="paid")
    for _replay in range(3):
        assert client.post("/payments/notify/demo/", {"id": payment.provider_id}).status_code == 200
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert sum(note.startswith("Paid:") for note in _notes(case)) == 1
    # The provider later says "failed": a final state stays.
    DemoCheckout.objects.filter(token=payment.provider_id).update(status="failed")
    payment = do_refresh(payment)
    assert payment.status == Payment.Status.PAID


def test_double_click_on_pay_starts_one_payment() -> None:
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    key = str(uuid.uuid4())
    first = start_payment(client, case, key=key)
    second = start_payment(client, case, key=key)
    assert first == second
    assert Payment.objects.filter(case=case).count() == 1
    assert sum("started" in note for note in _notes(case)) == 1


def test_notification_before_the_return_applies_once() -> None:
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    payment = start_payment(client, case)
    DemoCheckout.objects.filter(token=payment.provider_id).update(status="paid")
    assert client.post("/payments/notify/demo/", {"id": payment.provider_id}).status_code == 200
    assert client.get(f"/en/payments/{payment.idempotency_key}/return/").status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert sum(note.startswith("Paid:") for note in _notes(case)) == 1


def test_failed_payment_is_retried_and_all_attempts_belong_to_the_case() -> None:
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    failed = pay_with_demo(client, case, outcome="canceled")
    assert failed.status == Payment.Status.CANCELLED
    assert case.status == Case.Status.AWAITING_PAYMENT
    paid = pay_with_demo(client, case)
    assert paid.status == Payment.Status.PAID
    assert list(case.payments.values_list("status", flat=True)) == ["cancelled", "paid"]
    page = client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert failed.shown_reference in page and paid.shown_reference in page


def test_paid_case_cannot_be_paid_again() -> None:
    client = client_for("resident")
    case = submit(client, PARKING)
    assert case.status == Case.Status.SUBMITTED
    response = client.post(
        f"/en/payments/cases/{case.reference}/pay/",
        {"provider": "demo", "idempotency_key": str(uuid.uuid4())},
        follow=True,
    )
    assert "already paid" in response.content.decode()
    assert case.payments.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_return_and_notification_apply_the_payment_once(
    seeded_transactional: None,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    payment = start_payment(client, case)
    DemoCheckout.objects.filter(token=payment.provider_id).update(status="paid")
    barrier = threading.Barrier(4)

    def settle() -> None:
        barrier.wait()
        try:
            do_refresh(Payment.objects.get(pk=payment.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=settle) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert sum(note.startswith("Paid:") for note in _notes(case)) == 1
    assert case.events.filter(status=Case.Status.SUBMITTED, kind=CaseEvent.Kind.STATUS).count()


def test_production_refuses_the_demo_provider() -> None:
    config = replace(settings.CONFIG, payment_providers=("transfer", "demo"))
    with (
        override_settings(CONFIG=config, LOKET_ENV="production"),
        pytest.raises(ConfigurationError, match="demo provider"),
    ):
        refuse_demo_provider_in_production()
    safe = replace(settings.CONFIG, payment_providers=("transfer",))
    with override_settings(CONFIG=safe, LOKET_ENV="production"):
        refuse_demo_provider_in_production()


def test_an_agent_refunds_part_of_a_payment_with_a_reason_and_the_applicant_is_told() -> None:
    resident = client_for("resident")
    case = submit(resident, PARKING)
    payment = case.payments.get(status="paid")
    agent = client_for("agent-parking")
    url = f"/en/payments/back-office/{case.reference}/refunds/"
    too_much = {"payment": payment.reference, "amount": "500", "reason": "Card not needed"}
    refused = agent.post(url, too_much)
    page = refused.content.decode()
    assert refused.status_code == 422
    assert f"You asked to refund €500.00, but at most {payment.display} remains" in page
    assert 'value="500"' in page and "Card not needed" in page  # what was typed
    assert agent.post(url, {**too_much, "action": "confirm"}).status_code == 422
    no_reason = agent.post(url, {"payment": payment.reference, "amount": "2,50", "reason": " "})
    assert no_reason.status_code == 422
    typed = {"payment": payment.reference, "amount": "2,50", "reason": "Half year"}

    preview = agent.post(url, typed)  # "Check the refund": nothing is done yet

    assert preview.status_code == 200
    shown = preview.content.decode()
    assert "Check the refund" in shown and not payment.refunds.exists()
    assert "€2.50" in shown and case.applicant.display_name in shown and "Half year" in shown
    assert "Through the payment service (Online, on the demo payment page)" in shown
    assert 'name="action" value="confirm"' in shown

    done = agent.post(url, {**typed, "action": "confirm"})

    assert done.status_code == 302
    refund = payment.refunds.get()
    assert (refund.amount_cents, refund.reason) == (250, "Half year")
    assert any(note.startswith("Refunded: €2.50") for note in _notes(case))
    assert notices_about(case).filter(kind="refunded").count() == 1
    assert "Half year" in resident.get(f"/en/my-cases/{case.reference}/").content.decode()
    # Another administration's agent cannot see the page at all.
    assert client_for("agent-ixelles").get(url).status_code == 404


def test_an_unpaid_application_is_reminded_once_then_lapses() -> None:
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    fee = CaseFee.objects.get(case=case)
    CaseFee.objects.filter(pk=fee.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert do_remind_and_lapse() == (1, 0)
    assert do_remind_and_lapse() == (0, 0)  # reminded once
    reminders = notices_about(case).filter(kind="payment_due", event_key__endswith="reminder")
    assert reminders.count() == 1
    CaseFee.objects.filter(pk=fee.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert do_remind_and_lapse() == (0, 1)
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN
    assert any("lapsed" in note for note in _notes(case))
    refused = client.post(
        f"/en/payments/cases/{case.reference}/pay/",
        {"provider": "demo", "idempotency_key": str(uuid.uuid4())},
        follow=True,
    )
    assert "no longer waits for a payment" in refused.content.decode()


def test_a_payment_confirmed_but_never_notified_is_applied_instead_of_lapsing() -> None:
    """The applicant paid on the provider's page and closed it: no return, no notification.
    At the lapse, the provider is asked once more, the payment is applied and the case goes on."""
    client = client_for("resident")
    case = submit(client, PARKING, pay=False)
    payment = do_start_payment(case, "demo", uuid.uuid4(), case.applicant, lambda p: "/")
    DemoCheckout.objects.filter(token=payment.provider_id).update(status="paid")
    CaseFee.objects.filter(case=case).update(created_at=timezone.now() - timedelta(days=31))
    assert do_remind_and_lapse() == (0, 0)
    case.refresh_from_db()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert case.status == Case.Status.SUBMITTED
    assert do_remind_and_lapse() == (0, 0)  # nothing left to lapse


def _refund(case: Case, payment: Payment, amount: str, reason: str, language: str = "en") -> None:
    url = f"/{language}/payments/back-office/{case.reference}/refunds/"
    typed = {"payment": payment.reference, "amount": amount, "reason": reason, "action": "confirm"}
    assert client_for("agent-parking").post(url, typed).status_code == 302


def test_the_applicant_sees_a_partial_refund_in_my_cases_and_on_the_case_page() -> None:
    resident = client_for("resident")
    case = submit(resident, PARKING)
    payment = case.payments.get(status="paid")

    _refund(case, payment, "2,50", "Half year")

    with translation.override("en"):
        today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    listing = resident.get("/en/my-cases/").content.decode()
    assert f"€2.50 refunded on {today}" in listing
    page = resident.get(f"/en/my-cases/{case.reference}/").content.decode()
    refunds = page[page.index('id="refunds"') :]
    assert "Money refunded to you" in refunds and f'<td data-label="Date">{today}</td>' in refunds
    assert "€2.50" in refunds
    assert f'lang="{case.language}">Half year</td>' in refunds
    assert "Back to the card or account that paid" in refunds


def test_a_dutch_refund_reason_keeps_dutch_typography_on_french_pages() -> None:
    """French typography (a no-break space before ":") applies to French text only: a Dutch
    case's refund reason, and the history note that quotes it, are marked as Dutch."""
    resident = client_for("resident")
    case = submit(resident, PARKING)
    Case.objects.filter(pk=case.pk).update(language="nl")
    payment = case.payments.get(status="paid")
    reason = "Dubbel betaald: zie uw e-mail"

    _refund(case, payment, "1", reason, language="fr")

    with translation.override("fr"):
        pages = {
            "back-office case": reverse("web:backoffice-case", args=[case.reference]),
            "refunds": reverse("payments:refunds", args=[case.reference]),
        }
        mine = reverse("web:case", args=[case.reference])
    agent = client_for("agent-parking")
    shown = {name: agent.get(url).content.decode() for name, url in pages.items()}
    shown["applicant's case"] = resident.get(mine).content.decode()
    for name, page in shown.items():
        assert reason in page, name
        assert "Dubbel betaald\u00a0:" not in page, name
        assert "\u00a0:" in page, name  # the page's own French is still typeset


def test_fees_computed_before_say_the_official_tariff_may_differ_too() -> None:
    """A case sent before the wording changed keeps its fee: its source is reworded."""
    migration = importlib.import_module(
        "loket.payments.migrations.0005_demo_fee_sources_say_the_tariff_may_differ"
    )
    case = submit(client_for("resident"), PARKING, pay=False)
    old = "Demo amounts modelled on the regional parking policy (parking.brussels); not a tariff"
    CaseFee.objects.filter(case=case).update(source={"en": old, "nl": "…; geen tarief"})

    migration.reworded(django_apps, None)

    fee = CaseFee.objects.get(case=case)
    assert fee.source == read_yaml("fees.yaml")[PARKING]["parking-brussels"]["source"]


def _granted(case: Case, started_days_ago: int) -> None:
    """The card granted, running from ``started_days_ago`` days ago (one year of validity)."""
    start = timezone.localdate() - timedelta(days=started_days_ago)
    answers = {**case.answers, "start_date": start.isoformat()}
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.APPROVED, answers=answers, decided_at=timezone.now()
    )


def test_a_renewal_after_last_years_card_expired_is_charged_as_a_first_vehicle() -> None:
    client = client_for("resident")
    last_year = apply_for_parking_card(client, plate="2-XYZ-789")
    _granted(last_year, started_days_ago=400)  # expired 35 days ago
    renewal = apply_for_parking_card(client, plate="2-XYZ-789", pay=False)
    assert CaseFee.objects.get(case=renewal).amount_cents == 1000
    assert "first vehicle" in CaseFee.objects.get(case=renewal).label["en"]


def test_a_card_still_valid_makes_the_next_one_a_second_vehicle() -> None:
    client = client_for("resident")
    running = apply_for_parking_card(client, plate="2-XYZ-789")
    _granted(running, started_days_ago=300)  # valid for 65 more days
    second = apply_for_parking_card(client, plate="1-ABC-123", pay=False)
    assert CaseFee.objects.get(case=second).amount_cents == 5000


def test_a_card_at_another_home_is_not_the_households_and_one_at_the_same_home_is() -> None:
    first = apply_for_parking_card(client_for("resident"), plate="2-XYZ-789")
    _granted(first, started_days_ago=10)
    elsewhere = apply_for_parking_card(client_for("resident2"), plate="1-JPN-451", pay=False)
    home = first.facts["population"]["address"]
    assert elsewhere.facts["population"]["address"]["street_fr"] != home["street_fr"]
    assert CaseFee.objects.get(case=elsewhere).amount_cents == 1000
    # The same card application by someone living at the first applicant's address.
    facts = {**elsewhere.facts, "population": {**elsewhere.facts["population"], "address": home}}
    Case.objects.filter(pk=elsewhere.pk).update(facts=facts, status=Case.Status.WITHDRAWN)
    assert other_cases(elsewhere.applicant, PARKING, elsewhere.definition_version, facts) == 1
