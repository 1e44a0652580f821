"""Consent for optional uses: asked in plain words on My data, recorded with time and wording
version, withdrawable; a withdrawn e-mail consent (or a restriction) stops the e-mails."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings

from loket.cases.notices import notices_about
from loket.notify.models import Notification
from loket.privacy.consent import DOCUMENT_REUSE, EMAIL, PURPOSES, has_consent
from loket.privacy.models import ConsentRecord
from loket.tasks.queue import run_until_empty
from tests.conftest import client_for, demo_user, with_version
from tests.test_cases import apply_for_parking_card


@pytest.mark.django_db
def test_my_data_lists_each_optional_use_with_its_current_answer() -> None:
    page = client_for("resident").get("/en/my-data/").content.decode()
    assert "E-mails about your applications" in page and "Reusing documents you uploaded" in page
    assert 'href="/en/privacy/rights/"' in page
    resident = demo_user("resident")
    # Never asked: e-mails stay on as before, reuse of documents needs a yes.
    assert has_consent(resident, EMAIL) and not has_consent(resident, DOCUMENT_REUSE)


@pytest.mark.django_db
@override_settings(LOKET_EMAIL_URL="locmem://")
def test_withdrawing_the_email_consent_stops_the_emails_and_is_recorded() -> None:
    client = client_for("resident")
    response = client.post("/en/privacy/consent/", {"purpose": EMAIL, "answer": "no"})
    assert response["Location"] == "/en/my-data/#consents"
    record = ConsentRecord.objects.get(purpose=EMAIL)
    assert not record.given and record.withdrawn_at is not None
    assert (record.text_version, record.text_hash) == (1, PURPOSES[EMAIL].text_hash)

    case = apply_for_parking_card(client)
    run_until_empty()
    assert mail.outbox == []
    assert {notice.mail for notice in notices_about(case)} == {Notification.Mail.NO_ADDRESS}
    assert case.reference in client.get("/en/my-cases/").content.decode()  # the inbox still has it

    client.post("/en/privacy/consent/", {"purpose": EMAIL, "answer": "yes"})
    assert ConsentRecord.objects.filter(purpose=EMAIL, given=True, withdrawn_at=None).count() == 1
    client_for("agent-parking").post(
        f"/en/back-office/cases/{case.reference}/",
        with_version(case, {"action": "decide", "status": "approved"}),
    )
    run_until_empty()
    assert len(mail.outbox) == 1 and case.reference in mail.outbox[0].subject


@pytest.mark.django_db
def test_giving_then_withdrawing_a_consent_keeps_both_records() -> None:
    client = client_for("resident")
    client.post("/en/privacy/consent/", {"purpose": DOCUMENT_REUSE, "answer": "yes"})
    assert has_consent(demo_user("resident"), DOCUMENT_REUSE)
    assert "Withdraw my consent" in client.get("/en/my-data/").content.decode()
    client.post("/en/privacy/consent/", {"purpose": DOCUMENT_REUSE, "answer": "no"})
    assert not has_consent(demo_user("resident"), DOCUMENT_REUSE)
    records = ConsentRecord.objects.filter(purpose=DOCUMENT_REUSE).order_by("pk")
    assert [r.given for r in records] == [True, False]
    assert all(r.withdrawn_at is not None for r in records)


@pytest.mark.django_db
@override_settings(LOKET_EMAIL_URL="locmem://")
def test_a_restriction_of_processing_turns_every_optional_use_off() -> None:
    client = client_for("resident")
    client.post("/en/privacy/consent/", {"purpose": DOCUMENT_REUSE, "answer": "yes"})
    client.post("/en/privacy/rights/", {"kind": "restriction", "details": "While I dispute it"})
    resident = demo_user("resident")
    assert not has_consent(resident, EMAIL) and not has_consent(resident, DOCUMENT_REUSE)
    apply_for_parking_card(client)
    run_until_empty()
    assert mail.outbox == []
    assert "you asked us to restrict" in client.get("/en/my-data/").content.decode()


@pytest.mark.django_db
def test_an_unknown_purpose_is_refused_with_400() -> None:
    client = client_for("resident")
    assert client.post("/en/privacy/consent/", {"purpose": "x", "answer": "yes"}).status_code == 400
    assert client.get("/en/privacy/consent/").status_code == 405
    assert not ConsentRecord.objects.exists()
