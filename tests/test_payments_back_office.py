"""The back-office's money pages: a bank statement imported and reported per outcome, a merchant
account per administration (its own IBAN on its transfers and in their QR code, its statements
matching only its payments), the administration's queue of money to give back, and a refund's
reason in the language of the case."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.utils import timezone, translation
from stdnum.be import ogm_vcs

from loket.audit.models import SecurityEvent
from loket.cases.models import Case
from loket.core.models import Membership, User
from loket.notify.models import Notification
from loket.payments import epc, merchants
from loket.payments.models import Payment, StatementLine
from loket.payments.reconcile import do_import_statement
from tests.conftest import client_for
from tests.payments_helpers import start_payment
from tests.test_all_procedures import submit
from tests.test_certificates import person
from tests.test_payments_statements import camt053, coda, transfer_for


def client_for_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


pytestmark = pytest.mark.django_db

STATEMENTS = "/en/payments/back-office/statements/"
QUEUE = "/en/payments/back-office/to-give-back/"
ACCOUNTS = "/en/payments/back-office/merchant-accounts/"
PARKING_IBAN = "BE02363000000040"
IXELLES_IBAN = "BE62510007547061"


def with_account(data: bytes, iban: str) -> bytes:
    """The camt.053 statement as a bank sends it: it names the account it is of."""
    return data.replace(
        b"<Stmt><Id>", f"<Stmt><Acct><Id><IBAN>{iban}</IBAN></Id></Acct><Id>".encode(), 1
    )


def region_staff() -> Client:
    """A head of service of the platform's operator: the region's staff."""
    user = User.objects.create(username="region-finance", first_name="Rania")
    Membership.objects.create(
        user=user, administration_id=merchants.PLATFORM_OPERATOR, role=Membership.Role.MANAGER
    )
    client = Client()
    client.force_login(user)
    return client


def own_account(administration: str, iban: str, bic: str, name: str) -> None:
    staff = region_staff() if not User.objects.filter(username="region-finance").exists() else None
    client = staff or Client()
    if staff is None:
        client.force_login(User.objects.get(username="region-finance"))
    response = client.post(
        f"{ACCOUNTS}{administration}/", {"iban": iban, "bic": bic, "beneficiary": name}
    )
    assert response.status_code == 302, response.content.decode()[:3000]


def upload(client: Client, data: bytes, name: str = "statement.xml") -> tuple[int, str]:
    response = client.post(STATEMENTS, {"statement": SimpleUploadedFile(name, data)})
    return response.status_code, response.content.decode()


# --- The import report ---------------------------------------------------------------------


def test_the_statement_report_shows_labels_totals_and_debits_apart() -> None:
    resident = client_for("resident")
    matched = transfer_for(resident, "2-XYZ-789")
    twice = transfer_for(resident, "1-ABC-123")
    fee = f"{matched.amount_cents / 100:.2f}"
    data = camt053(
        [("E1", fee, matched.reference), ("E2", f"{twice.amount_cents / 100:.2f}", twice.reference),
         ("E3", f"{twice.amount_cents / 100:.2f}", twice.reference), ("E4", "7.00", "gift")]
    )  # fmt: skip
    # A debit: money leaving the account (the bank's fees), not a payment of ours.
    data = data.replace(
        b"</Stmt>",
        b"""<Ntry><NtryRef>D1</NtryRef><Amt Ccy="EUR">12.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-01-01</Dt></BookgDt><NtryDtls><TxDtls>
        <RltdPties><Cdtr><Nm>Bank fees</Nm></Cdtr></RltdPties><RmtInf><Ustrd>costs</Ustrd>
        </RmtInf></TxDtls></NtryDtls></Ntry></Stmt>""",
    )
    data = with_account(data, "BE71096123456769")  # the platform's account: the region's staff

    agent = client_for("agent-parking")
    status, page = upload(agent, data)
    assert status == 422
    assert "BE71 0961 2345 6769, which is not one of your administration's" in unescape(page)
    assert StatementLine.objects.count() == 0  # refused whole, nothing imported

    status, page = upload(region_staff(), data)

    assert status == 200
    totals = dict(
        re.findall(r'data-outcome="(\w+)"><th scope="row"[^>]*>[^<]+</th><td[^>]*>(\d+)</td>', page)
    )
    assert totals == {"matched": "2", "already_paid": "1", "unmatched": "1", "outgoing": "1"}
    row_labels = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', page)
    assert "Payment already settled" in row_labels  # labels, not codes
    assert "Outgoing (not for us)" in row_labels
    assert ">case_closed<" not in page and ">already_paid<" not in page
    both = (matched.amount_cents + twice.amount_cents) / 100
    assert f'<td data-label="Amount">€{both:.2f}</td>' in page
    assert '<td data-label="Amount">€-12.00</td>' in page
    # The debit is in its own group, not among the unmatched lines.
    unmatched = page.split('id="outcome-unmatched"')[1].split("</table>")[0]
    outgoing = page.split('id="outcome-outgoing"')[1].split("</table>")[0]
    assert "gift" in unmatched and "Bank fees" not in unmatched
    assert "Bank fees" in outgoing
    assert StatementLine.objects.get(entry="D1").outcome == "outgoing"


def test_a_file_that_is_no_statement_is_refused_on_the_page() -> None:
    status, page = upload(client_for("agent-parking"), b"hello", "x.txt")
    assert status == 422 and "not a bank statement Loket can read" in page
    assert client_for("resident").get(STATEMENTS).status_code == 404


# --- One merchant account per administration ----------------------------------------------


def ixelles_resident() -> Client:
    client = Client()
    client.force_login(person(nationality="BE", address__nis_code="21009"))
    return client


def ixelles_transfer(resident: Client) -> Payment:
    """The nationality certificate at Ixelles (a fee), to be paid by transfer."""

    def apply_to_ixelles() -> None:
        page = "/en/procedures/nationality-certificate/apply/q/municipality/"
        assert resident.post(page, {"issuing_municipality": "21009"}).status_code == 302

    case = submit(resident, "nationality-certificate", pay=False, before_sending=apply_to_ixelles)
    assert case.administration_id == "21009"
    return start_payment(resident, case, provider="transfer")


def test_two_administrations_two_ibans_on_the_transfer_pages_and_in_the_qr_code() -> None:
    own_account("parking-brussels", "BE02 3630 0000 0040", "BBRUBEBB", "parking.brussels")
    own_account("21009", IXELLES_IBAN, "GKCCBEBB", "Commune d'Ixelles")
    parking = transfer_for(client_for("resident"))
    ixelles = ixelles_transfer(ixelles_resident())
    for payment, iban, bic, name in (
        (parking, PARKING_IBAN, "BBRUBEBB", "parking.brussels"),
        (ixelles, IXELLES_IBAN, "GKCCBEBB", "Commune d'Ixelles"),
    ):
        assert payment.case is not None
        page = (
            client_for_user(payment.case.applicant)
            .get(f"/en/payments/{payment.idempotency_key}/transfer/")
            .content.decode()
        )
        assert epc.grouped_iban(iban) in page and bic in page
        lines = epc.payload(payment).split("\n")
        assert (lines[4], lines[5], lines[6]) == (bic, name, iban)


def test_a_line_on_one_administrations_account_never_settles_anothers_payment() -> None:
    own_account("21009", IXELLES_IBAN, "GKCCBEBB", "Commune d'Ixelles")
    parking = transfer_for(client_for("resident"))  # parking.brussels: the platform's account
    amount = f"{parking.amount_cents / 100:.2f}"
    on_ixelles = with_account(camt053([("X1", amount, parking.reference)], "IX-1"), IXELLES_IBAN)

    assert do_import_statement(on_ixelles).lines[0].outcome == "unmatched"
    parking.refresh_from_db()
    assert parking.status == "open"
    # Its own statement (the platform's account, in CODA) settles it.
    digits = ogm_vcs.compact(parking.reference)
    assert do_import_statement(coda([(parking.amount_cents, digits)])).lines[0].outcome == "matched"


def test_merchant_accounts_are_the_region_staffs_and_secrets_are_encrypted() -> None:
    assert client_for("agent-parking").get(ACCOUNTS).status_code == 404
    assert client_for("agent-parking").get(f"{ACCOUNTS}21009/").status_code == 404
    staff = region_staff()
    assert "The platform's" in unescape(staff.get(ACCOUNTS).content.decode())
    wrong = staff.post(f"{ACCOUNTS}21009/", {"iban": "BE00 1234", "bic": "x",
                                             "worldline_merchant_id": "ixelles01"})  # fmt: skip
    page = wrong.content.decode()
    assert wrong.status_code == 422 and "Enter a valid IBAN" in page
    assert "Required with a Worldline merchant (PSPID)." in page
    assert 'value="BE00 1234"' in page
    saved = staff.post(f"{ACCOUNTS}21009/", {
        "iban": IXELLES_IBAN, "bic": "GKCCBEBB", "beneficiary": "Commune d'Ixelles",
        "worldline_merchant_id": "ixelles01", "worldline_api_key_id": "KEY1",
        "worldline_api_secret": "s3cret-api", "worldline_webhook_key_id": "HOOK1",
        "worldline_webhook_secret": "s3cret-hook", "mollie_profile_id": "pfl_ixl",
        "mollie_api_key": "live_ixellesKey0123456789",
    })  # fmt: skip
    assert saved.status_code == 302
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM payments_merchantaccount")
        stored = " ".join(str(cell) for cell in cursor.fetchone())
    assert "s3cret" not in stored and "live_ixelles" not in stored
    form = staff.get(f"{ACCOUNTS}21009/").content.decode()
    assert "s3cret" not in form and "A secret is stored." in form
    # An empty secret keeps the one stored.
    again = staff.post(f"{ACCOUNTS}21009/", {
        "iban": IXELLES_IBAN, "bic": "GKCCBEBB", "beneficiary": "Commune d'Ixelles",
        "worldline_merchant_id": "ixelles01", "worldline_api_key_id": "KEY1",
        "worldline_webhook_key_id": "HOOK1", "mollie_profile_id": "pfl_ixl",
    })  # fmt: skip
    assert again.status_code == 302
    assert merchants.worldline_settings("21009").api_secret == "s3cret-api"
    assert merchants.mollie_settings("21009").api_key == "live_ixellesKey0123456789"
    # Another administration keeps the platform's contracts.
    assert merchants.worldline_settings("parking-brussels").merchant_id != "ixelles01"


# --- The refunds queue ----------------------------------------------------------------------


def test_the_queue_lists_what_is_owed_back_and_records_it_given_back() -> None:
    resident = client_for("resident")
    twice = transfer_for(resident, "2-XYZ-789")
    case = Case.objects.get(payments=twice)
    amount = f"{twice.amount_cents / 100:.2f}"
    do_import_statement(camt053([("A", amount, twice.reference)], statement="S-A"))
    do_import_statement(camt053([("B", amount, twice.reference)], statement="S-B"))
    someone = ixelles_resident()
    ixelles = ixelles_transfer(someone)  # Ixelles' money, received after withdrawal
    ixelles_case = Case.objects.get(payments=ixelles)
    someone.post(f"/en/my-cases/{ixelles_case.reference}/withdraw/")
    do_import_statement(
        camt053([("C", f"{ixelles.amount_cents / 100:.2f}", ixelles.reference)], statement="S-C")
    )

    agent = client_for("agent-parking")
    page = agent.get(QUEUE).content.decode()

    assert f'data-payment="{twice.reference}"' in page and twice.display in page
    assert "Received twice or too much" in page
    assert ixelles.reference not in page  # another administration's never shows
    assert ixelles_case.reference not in page
    # Acting on another administration's payment: 404, nothing recorded.
    assert agent.post(QUEUE, {"payment": ixelles.reference}).status_code == 404
    assert not ixelles.refunds.exists()
    assert SecurityEvent.objects.filter(kind="refund-outside-tenancy").exists()

    notices = Notification.objects.count()
    assert agent.post(QUEUE, {"payment": twice.reference}).status_code == 302
    refund = twice.refunds.get()
    assert refund.amount_cents == twice.amount_cents
    assert refund.paid_back_on == timezone.localdate()
    notes = [event.note for event in case.events.all()]
    assert any(note.startswith(f"Paid back by transfer: {twice.display}") for note in notes)
    assert Notification.objects.count() > notices  # the applicant is told
    assert f'data-payment="{twice.reference}"' not in agent.get(QUEUE).content.decode()


def test_a_refund_by_transfer_waits_in_the_queue_until_marked_paid_back() -> None:
    resident = client_for("resident")
    payment = transfer_for(resident)
    case = Case.objects.get(payments=payment)
    do_import_statement(camt053([("A", f"{payment.amount_cents / 100:.2f}", payment.reference)]))
    agent = client_for("agent-parking")
    typed = {"payment": payment.reference, "amount": "2,50", "reason": "Half year",
             "action": "confirm"}  # fmt: skip
    assert (
        agent.post(f"/en/payments/back-office/{case.reference}/refunds/", typed).status_code == 302
    )
    refund = payment.refunds.get()
    page = agent.get(QUEUE).content.decode()
    assert f'name="refund" value="{refund.pk}"' in page and "Half year" in page
    assert client_for("agent-ixelles").post(QUEUE, {"refund": str(refund.pk)}).status_code == 404
    assert agent.post(QUEUE, {"refund": str(refund.pk)}).status_code == 302
    refund.refresh_from_db()
    assert refund.paid_back_on == timezone.localdate()
    assert "Nothing to give back." in agent.get(QUEUE).content.decode()


# --- A refund's reason is in the case's language --------------------------------------------


def test_a_refund_reason_in_another_language_than_the_cases_is_refused() -> None:
    resident = client_for("resident")
    payment = transfer_for(resident)
    case = Case.objects.get(payments=payment)
    assert case.language == "en"
    do_import_statement(camt053([("A", f"{payment.amount_cents / 100:.2f}", payment.reference)]))
    url = f"/en/payments/back-office/{case.reference}/refunds/"
    typed = {"payment": payment.reference, "amount": "2,50",
             "reason": "Le montant a été payé deux fois par erreur, nous vous remboursons la "
                       "différence sur votre compte bancaire."}  # fmt: skip
    agent = client_for("agent-parking")
    for action in ("check", "confirm"):
        response = agent.post(url, {**typed, "action": action})
        page = response.content.decode()
        assert response.status_code == 422
        assert "The reason is not in the language of the case" in page
        assert "nous vous remboursons" in page  # kept as typed
    assert not payment.refunds.exists()


def test_a_transfer_started_before_a_change_of_account_is_matched_where_it_was_shown() -> None:
    parking = transfer_for(client_for("resident"))  # shown the platform's account
    assert parking.payee_iban == "BE71096123456769"
    own_account("parking-brussels", PARKING_IBAN, "BBRUBEBB", "parking.brussels")
    page = client_for("resident").get(f"/en/payments/{parking.idempotency_key}/transfer/")
    assert epc.grouped_iban(PARKING_IBAN) in page.content.decode()  # the new one from now on
    amount = f"{parking.amount_cents / 100:.2f}"
    platform = with_account(
        camt053([("P1", amount, parking.reference)], "PF-1"), "BE71096123456769"
    )
    assert do_import_statement(platform).lines[0].outcome == "matched"


def test_production_refuses_a_test_mollie_key_for_an_administration() -> None:
    typed = merchants.Typed(
        plain={"mollie_profile_id": "pfl_x"}, secrets={"mollie_api_key": "test_abc123"}
    )
    assert merchants.check_merchant_account(typed, None)["mollie_profile_id"] == "pfl_x"
    with (
        override_settings(LOKET_ENV="production"),
        translation.override("en"),
        pytest.raises(merchants.MerchantAccountRefused) as refused,
    ):
        merchants.check_merchant_account(typed, None)
    assert "live key" in refused.value.errors["mollie_api_key"]


def test_a_refused_statement_names_the_accounts_the_agent_may_import() -> None:
    data = with_account(camt053([("N1", "10.00", "gift")], "S-NAMES"), "BE71096123456769")
    status, page = upload(client_for("agent-parking"), data)
    assert status == 422
    assert "no bank account of its own in Loket" in unescape(page)
    own_account("parking-brussels", PARKING_IBAN, "BPOTBEB1", "parking.brussels")
    status, page = upload(client_for("agent-parking"), data)
    assert status == 422
    assert (
        "You may import the statements of this account: BE02 3630 0000 0040 (parking.brussels)."
        in unescape(page)
    )


def test_the_demo_administrations_that_collect_fees_have_their_own_account_to_import(
    tmp_path: Path,
) -> None:
    assert merchants.create_demo_merchant_accounts() == 2
    assert merchants.create_demo_merchant_accounts() == 0  # only once
    parking = merchants.account_of("parking-brussels")
    assert parking is not None and parking.demo and parking.iban == "BE32091000123402"
    client = client_for("resident")
    chosen = submit(client, "residents-parking-card", pay=False)
    transfer = start_payment(client, chosen, provider="transfer")
    page = client.get(f"/en/payments/{transfer.idempotency_key}/transfer/").content.decode()
    assert 'data-copy="BE32 0910 0012 3402"' in page and "demo account" in page
    from_mail = submit(client_for("resident2"), "residents-parking-card", pay=False)
    for case in (chosen, from_mail):  # a transfer chosen on the page, or paid from the mail
        path = tmp_path / f"{case.reference}.xml"
        call_command("payments", "demo-statement", case.reference, "-o", str(path))
        assert b"<IBAN>BE32091000123402</IBAN>" in path.read_bytes()
        status, _page = upload(client_for("agent-parking"), path.read_bytes())
        assert status == 200
        case.refresh_from_db()
        assert case.status == Case.Status.SUBMITTED
    with pytest.raises(CommandError, match="paid already"):
        call_command("payments", "demo-statement", chosen.reference)
