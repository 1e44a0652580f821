"""The parking card's fee in a real browser, in Dutch: shown before sending, paid on the demo
payment page, and the case in parking.brussels' queue as paid. An abandoned payment retried by
transfer ends paid from an imported camt.053 statement. (The English run reads the same
journey with the English words.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from loket.cases.models import Case
from loket.payments.models import Payment
from loket.payments.reconcile import do_import_statement
from tests.e2e.journeys import demo_log_in, log_out
from tests.test_payments_statements import camt053

WORDS = {
    "nl": {
        "start": "Nu starten",
        "agree": "Ja, gebruik de gegevens die de administratie heeft",
        "continue": "Doorgaan",
        "facts_ok": "Dit klopt, doorgaan",
        "start_date": "Begindatum van de geldigheid",
        "amount": "€\u00a010,00",
        "send": "Aanvraag verzenden",
        "awaiting": "Wacht op betaling",
        "pay": "€\u00a010,00 betalen",
        "demo_pay": "Betalen",
        "abandon": "De betaling afbreken",
        "thanks": "Bedankt: uw betaling is ontvangen.",
        "submitted": "Verstuurd",
        "paid": "€\u00a010,00 betaald",
        "transfer": "Overschrijving",
        "transfer_heading": "Betalen via overschrijving",
    },
    "en": {
        "start": "Start now",
        "agree": "Yes, use the data the administration holds",
        "continue": "Continue",
        "facts_ok": "This is correct, continue",
        "start_date": "Start date",
        "amount": "€10.00",
        "send": "Send the application",
        "awaiting": "Awaiting payment",
        "pay": "Pay €10.00",
        "demo_pay": "Pay",
        "abandon": "Abandon the payment",
        "thanks": "Thank you: your payment is received.",
        "submitted": "Submitted",
        "paid": "€10.00 paid",
        "transfer": "Bank transfer",
        "transfer_heading": "Pay by bank transfer",
    },
}


def apply_in_browser(page: Page, base: str, lang: str) -> str:
    words = WORDS[lang]
    page.goto(f"{base}/{lang}/procedures/residents-parking-card/")
    expect(page.locator("main")).to_contain_text(words["amount"])
    page.get_by_role("link", name=words["start"]).click()
    page.get_by_label(words["agree"]).check()
    page.get_by_role("button", name=words["continue"]).click()
    page.get_by_role("link", name=words["facts_ok"]).click()
    page.get_by_label("2-XYZ-789").check()
    page.get_by_role("button", name=words["continue"]).click()
    start = timezone.localdate() + timedelta(days=10)
    page.get_by_label(words["start_date"]).fill(start.isoformat())
    page.get_by_role("button", name=words["continue"]).click()
    # The fee, before sending.
    expect(page.locator("main")).to_contain_text(words["amount"])
    page.get_by_role("button", name=words["send"]).click()
    expect(page.locator("main")).to_contain_text(words["awaiting"])
    return page.locator(".reference").first.inner_text()


@pytest.mark.usefixtures("seeded_transactional")
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_parking_card_fee_shown_paid_on_the_demo_page_and_queued_as_paid(
    page: Page, live_server: object, lang: str
) -> None:
    base, words = str(live_server), WORDS[lang]
    demo_log_in(page, base, "resident", lang)
    reference = apply_in_browser(page, base, lang)
    page.get_by_role("button", name=words["pay"]).dblclick()  # one payment for a double click
    page.get_by_role("button", name=words["demo_pay"], exact=True).click()
    expect(page.locator("main")).to_contain_text(words["thanks"])
    expect(page.locator("main")).to_contain_text(words["submitted"])
    case = Case.objects.get(reference=reference)
    assert case.status == Case.Status.SUBMITTED
    assert case.payments.count() == 1
    log_out(page)

    demo_log_in(page, base, "agent-parking", lang)
    row = page.locator("tr", has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_contain_text(words["paid"])


@pytest.mark.usefixtures("seeded_transactional")
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_abandoned_payment_retried_by_transfer_is_paid_from_a_camt053_statement(
    page: Page, live_server: object, lang: str
) -> None:
    base, words = str(live_server), WORDS[lang]
    demo_log_in(page, base, "resident", lang)
    reference = apply_in_browser(page, base, lang)
    page.get_by_role("button", name=words["pay"]).click()
    page.get_by_role("button", name=words["abandon"]).click()
    expect(page.locator("main")).to_contain_text(words["awaiting"])
    page.get_by_label(words["transfer"]).check()
    page.get_by_role("button", name=words["pay"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["transfer_heading"])
    expect(page.locator(".qr-code svg")).to_be_visible()
    payment = Payment.objects.get(case__reference=reference, provider="transfer")
    expect(page.locator("main")).to_contain_text(payment.reference)

    report = do_import_statement(camt053([("T1", "10.00", payment.reference)], "E2E"))
    assert [line.outcome for line in report.lines] == ["matched"]
    page.goto(f"{base}/{lang}/my-cases/{reference}/")
    expect(page.locator("main")).to_contain_text(words["submitted"])
    expect(page.locator("main")).to_contain_text(payment.reference)
