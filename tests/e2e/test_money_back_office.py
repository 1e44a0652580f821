"""A civil servant of parking.brussels, in a real browser: imports the statement of the agency's
own account from the back-office, reads what became of each line (labels, totals, the debit
apart), then gives back the money received twice from the queue of money to give back."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from loket.core.models import Administration, Membership, User
from loket.payments import merchants
from loket.payments.models import Refund
from tests.conftest import client_for
from tests.e2e.journeys import demo_log_in
from tests.test_payments_back_office import PARKING_IBAN, with_account
from tests.test_payments_statements import camt053, transfer_for

DEBIT = b"""<Ntry><NtryRef>D1</NtryRef><Amt Ccy="EUR">3.50</Amt><CdtDbtInd>DBIT</CdtDbtInd>
<NtryDtls><TxDtls><RltdPties><Cdtr><Nm>Bank fees</Nm></Cdtr></RltdPties></TxDtls></NtryDtls>
</Ntry></Stmt>"""


@pytest.mark.usefixtures("seeded_transactional")
def test_an_agent_imports_the_agencys_statement_and_gives_back_money_received_twice(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    staff = User.objects.create(username="region-finance-e2e")
    Membership.objects.create(
        user=staff, administration_id=merchants.PLATFORM_OPERATOR, role=Membership.Role.MANAGER
    )
    typed = merchants.Typed(
        plain={"iban": PARKING_IBAN, "bic": "BBRUBEBB", "beneficiary": "parking.brussels"},
        secrets={},
    )
    merchants.do_save_merchant_account(
        Administration.objects.get(pk="parking-brussels"), staff, typed
    )
    resident: Client = client_for("resident")
    payment = transfer_for(resident)
    fee = f"{payment.amount_cents / 100:.2f}"
    data = camt053([("A", fee, payment.reference), ("B", fee, payment.reference)], "E2E-1")
    statement = tmp_path / "statement.xml"
    statement.write_bytes(with_account(data.replace(b"</Stmt>", DEBIT), PARKING_IBAN))

    base = str(live_server)
    demo_log_in(page, base, "agent-parking", "en")
    page.get_by_role("link", name="Import a bank statement").click()
    page.get_by_label("Statement file").set_input_files(str(statement))
    page.get_by_role("button", name="Import", exact=True).click()

    totals = page.locator("#totals")
    expect(totals.locator("tr", has_text="Matched")).to_contain_text(payment.display)
    expect(totals.locator("tr", has_text="Payment already settled")).to_contain_text("1")
    expect(totals.locator("tr", has_text="Outgoing (not for us)")).to_contain_text("€-3.50")
    expect(page.get_by_role("heading", name="Outgoing (not for us)")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("already_paid")

    page.get_by_role("link", name="Back to the queue").click()
    page.get_by_role("link", name="Money to give back").click()
    row = page.locator(f"tr[data-payment='{payment.reference}']")
    expect(row).to_contain_text(payment.display)
    row.get_by_role("button", name="Record as paid back today").click()
    expect(page.locator("main")).to_contain_text("Recorded as given back; the applicant is told.")
    expect(page.locator("#nothing-owed")).to_be_visible()
    assert Refund.objects.get(payment=payment).paid_back_on is not None
