"""A resident's day with her applications (#20): a procedure merely opened leaves no draft in
My cases, a draft can be deleted (asked first, owner only, a helper only under mandate), a paid
fee's notice reads as done, the inbox keeps the reader's language, a sent case shows what was
asked, and a helper is told whose e-mail a day pass goes to and where its fee is paid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import formats, timezone, translation

from loket.audit.models import SecurityEvent
from loket.cases.documents import document_html
from loket.cases.models import Case
from loket.forms.answers import case_address, long_date
from loket.forms.models import Draft
from loket.mandates.actions import do_give_mandate
from loket.mandates.models import Mandate
from loket.notify.actions import do_notify
from loket.notify.models import Notification
from tests.conftest import client_for, demo_user
from tests.payments_helpers import pay_with_demo
from tests.test_all_procedures import submit
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db

PARKING = "residents-parking-card"
ADDRESS = "change-of-address"
LEZ = "lez-day-pass"
BULKY = "bulky-waste-collection"


def _my_cases(client: Client, lang: str = "en") -> str:
    response = client.get(f"/{lang}/my-cases/")
    assert response.status_code == 200
    return response.content.decode()


def _start_parking_draft(client: Client) -> Draft:
    base = f"/en/procedures/{PARKING}/apply/"
    assert client.post(base, {"use_registers": "yes"}).status_code == 302
    assert client.post(f"{base}q/vehicle/", {"plate": "2-XYZ-789"}).status_code == 302
    return Draft.objects.get(procedure_id=PARKING, user=demo_user("resident"))


def _mandate(procedures: list[str]) -> Mandate:
    today = timezone.localdate()
    return do_give_mandate(
        demo_user("resident"), demo_user("helper").national_number or "", procedures, today,
        today + timedelta(days=30),
    )  # fmt: skip


def _acting(mandate: Mandate) -> Client:
    client = client_for("helper")
    assert client.post(f"/en/mandates/{mandate.pk}/act/").status_code == 302
    return client


# -- 1. drafts ------------------------------------------------------------------------------


def test_merely_opening_a_procedure_lists_no_draft_but_keeps_its_idempotency_key() -> None:
    client = client_for("resident")
    assert client.get(f"/en/procedures/{ADDRESS}/apply/").status_code == 200
    draft = Draft.objects.get(procedure_id=ADDRESS, user=demo_user("resident"))
    assert draft.idempotency_key  # started on the first page: a double submit stays one case
    assert "Applications not yet sent" not in _my_cases(client)


def test_a_draft_with_an_answer_is_listed_with_a_delete_action() -> None:
    client = client_for("resident")
    _start_parking_draft(client)
    page = _my_cases(client)
    assert "Applications not yet sent" in page
    assert f'href="/en/my-cases/drafts/{PARKING}/delete/"' in page


def test_deleting_a_draft_asks_first_then_deletes_it_and_logs_who_did() -> None:
    client = client_for("resident")
    _start_parking_draft(client)
    url = f"/en/my-cases/drafts/{PARKING}/delete/"
    asked = client.get(url)
    assert asked.status_code == 200
    assert "Delete this draft?" in asked.content.decode()
    assert Draft.objects.filter(procedure_id=PARKING).exists()  # asking deletes nothing
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == "/en/my-cases/"
    assert not Draft.objects.filter(procedure_id=PARKING).exists()
    assert "has been deleted" in _my_cases(client)


def test_deleting_a_draft_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    client = client_for("resident")
    _start_parking_draft(client)
    with caplog.at_level("INFO", logger="loket.forms"):
        client.post(f"/en/my-cases/drafts/{PARKING}/delete/")
    assert any(
        "draft-deleted" in r.getMessage() and PARKING in r.getMessage() for r in caplog.records
    )


def test_deleting_a_draft_needs_the_csrf_token() -> None:
    _start_parking_draft(client_for("resident"))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(demo_user("resident"))
    assert strict.post(f"/en/my-cases/drafts/{PARKING}/delete/").status_code == 403
    assert Draft.objects.filter(procedure_id=PARKING).exists()


def test_nobody_else_deletes_a_draft_and_an_empty_one_is_not_offered() -> None:
    _start_parking_draft(client_for("resident"))
    other = client_for("helper")  # not acting: the URL names their own (absent) draft
    assert other.post(f"/en/my-cases/drafts/{PARKING}/delete/").status_code == 404
    assert Draft.objects.filter(procedure_id=PARKING, user=demo_user("resident")).exists()
    resident = client_for("resident")
    resident.get(f"/en/procedures/{ADDRESS}/apply/")  # started, nothing in it
    assert resident.get(f"/en/my-cases/drafts/{ADDRESS}/delete/").status_code == 404


def test_a_helper_deletes_the_principals_draft_only_under_a_mandate_covering_it() -> None:
    resident = client_for("resident")
    _start_parking_draft(resident)
    base = f"/en/procedures/{BULKY}/apply/"
    assert resident.post(base, {"use_registers": "yes"}).status_code == 302
    resident.post(f"{base}q/items/", {"items": ["furniture"], "volume_m3": "1"})
    assert Draft.objects.filter(procedure_id=BULKY).exclude(answers={}).exists()
    helper = _acting(_mandate([PARKING]))
    page = _my_cases(helper)
    assert f"/en/my-cases/drafts/{PARKING}/delete/" in page
    assert f"/en/my-cases/drafts/{BULKY}/delete/" not in page
    before = SecurityEvent.objects.filter(kind="mandate-refused").count()
    assert helper.post(f"/en/my-cases/drafts/{BULKY}/delete/").status_code == 404
    assert SecurityEvent.objects.filter(kind="mandate-refused").count() == before + 1
    assert Draft.objects.filter(procedure_id=BULKY).exists()
    assert helper.post(f"/en/my-cases/drafts/{PARKING}/delete/").status_code == 302
    assert not Draft.objects.filter(procedure_id=PARKING).exists()


# -- 2. the inbox ---------------------------------------------------------------------------


def test_once_paid_the_pay_notice_reads_as_done_and_invites_to_pay_no_more() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    assert f"Application {case.reference} sent: pay" in _my_cases(client)
    payment = pay_with_demo(client, case)
    page = _my_cases(client)
    assert f"Application {case.reference} sent: pay" not in page
    payment.refresh_from_db()
    paid_on = payment.finished_at or payment.created_at
    with translation.override("en"):
        day = formats.date_format(timezone.localtime(paid_on), "SHORT_DATE_FORMAT")
    assert f"Fee of application {case.reference} paid on {day}" in page


def test_an_inbox_link_keeps_the_readers_page_language() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client)
    notice = do_notify(
        demo_user("resident"), f"test:{case.pk}", "Aanvraag", "…",
        topic=f"case:{case.reference}", link=f"/nl/my-cases/{case.reference}/#payment",
    )  # fmt: skip
    assert notice is not None
    response = client.get(f"/fr/my-cases/inbox/{notice.pk}/")
    assert response["Location"] == f"/fr/my-cases/{case.reference}/#payment"
    assert Notification.objects.get(pk=notice.pk).read_at is not None


# -- 3. what was asked ----------------------------------------------------------------------


def test_a_sent_case_shows_what_was_asked_in_the_pages_language_with_the_pickup_address() -> None:
    client = client_for("resident")
    case = submit(client, BULKY)
    for lang in ("en", "fr"):
        page = client.get(f"/{lang}/my-cases/{case.reference}/").content.decode()
        assert 'id="what-you-asked"' in page and "<summary>" in page
        with translation.override(lang):
            assert long_date(case.answers["preferred_date"]) in page
            address = case_address(case.facts, case.answers)
        assert address and address.split(",")[0] in page
    with translation.override(case.language or "fr"):
        address = case_address(case.facts, case.answers)
    assert address in document_html(case, "receipt")


def test_a_typed_address_is_the_receipts_address() -> None:
    client = client_for("resident")
    case = submit(client, BULKY, use_registers=False)
    assert "Parvis Saint-Gilles 12, 1060" in document_html(case, "receipt")


# -- 4. the day pass ------------------------------------------------------------------------


def test_a_helper_is_told_the_pass_goes_to_the_principals_email_prefilled() -> None:
    resident = demo_user("resident")
    assert resident.email
    helper = _acting(_mandate([LEZ]))
    base = f"/en/procedures/{LEZ}/apply/"
    assert helper.post(base, {"use_registers": "yes"}).status_code == 302
    page = helper.get(f"{base}q/day/").content.decode()
    assert f'value="{resident.email}"' in page
    assert f"The e-mail address of {resident.display_name}" in page


def test_the_day_pass_fee_paid_elsewhere_is_said_on_the_check_and_case_pages() -> None:
    client = client_for("resident")
    said: list[str] = []
    case = submit(
        client, LEZ,
        before_sending=lambda: said.append(client.get(f"/en/procedures/{LEZ}/apply/check/")
                                           .content.decode()),
    )  # fmt: skip
    assert "€35.00, not paid here" in said[0]
    assert case.status != Case.Status.AWAITING_PAYMENT
    page = client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert "€35.00, not paid here" in page
