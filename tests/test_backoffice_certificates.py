"""The back-office's side of certificates: a case the registers could not support is issued by a
civil servant from the case page, listed in the register of issued certificates, downloaded as
sealed, and revoked with a reason; the public verification page then says revoked."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from pypdf import PdfReader

from loket.audit.models import AccessLogEntry, SecurityEvent
from loket.audit.subjects import person_pseudonym
from loket.cases.models import Case, CaseEvent
from loket.cases.references import new_reference
from loket.certificates.actions import deliver_at_once, do_deliver_certificate
from loket.certificates.content import CannotIssue
from loket.certificates.models import IssuedCertificate
from loket.core.models import Membership, User
from loket.notify.models import Notification
from loket.registers.models import Resident
from tests.conftest import client_for, demo_user, with_version
from tests.test_cases import apply_for_parking_card
from tests.test_certificates import make_case as make_certificate_case
from tests.test_certificates import person

pytestmark = pytest.mark.django_db
CODE = re.compile(r"(?:[A-Z2-7]{4}-){7}[A-Z2-7]{4}")


def make_case(user: User, procedure_id: str) -> Case:
    """A certificate application, with a reference the back-office accepts (check digits)."""
    case = make_certificate_case(user, procedure_id)
    case.reference = new_reference()
    case.save(update_fields=["reference"])
    return case


@contextmanager
def register_without(user: User) -> Iterator[None]:
    """The population register has no record of ``user`` for a while (a registration still on
    its way, say), then has it again."""
    number = user.national_number or ""
    hidden = "9" + number[1:] if not number.startswith("9") else "8" + number[1:]
    Resident.objects.filter(national_number=number).update(national_number=hidden)
    try:
        yield
    finally:
        Resident.objects.filter(national_number=hidden).update(national_number=number)


def referred_case(procedure_id: str = "life-certificate", user: User | None = None) -> Case:
    """A certificate application sent while the register did not know the applicant: passed to
    a civil servant with the reason, as when it is sent from the website."""
    applicant = user or demo_user("resident")
    case = make_case(applicant, procedure_id)
    with register_without(applicant):
        deliver_at_once(case)
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert case.events.filter(kind=CaseEvent.Kind.REFERRAL).exists()
    return case


def agent_of_schaerbeek() -> User:
    agent, _created = User.objects.get_or_create(
        username="agent-schaerbeek", defaults={"first_name": "Sam", "last_name": "Schaerbeek"}
    )
    Membership.objects.get_or_create(
        user=agent, administration_id="21015", role=Membership.Role.AGENT
    )
    return agent


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def case_url(case: Case) -> str:
    return f"/en/back-office/cases/{case.reference}/"


def issue(client: Client, case: Case) -> Any:
    return client.post(f"{case_url(case)}issue/", with_version(case, {}))


def code_printed_on(pdf: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    found = CODE.search(re.sub(r"\s", "", text))
    assert found is not None, text
    return found.group(0)


# The case page ---------------------------------------------------------------------------------


def test_the_case_page_shows_why_the_case_was_passed_on_and_offers_to_issue() -> None:
    case = referred_case()
    page = client_for("agent-ixelles").get(case_url(case))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Passed to a civil servant" in text
    # The reason, as recorded in the history in the case's language (French here).
    with translation.override("fr"):
        reason = CannotIssue("person-unknown").reason
    assert escape(reason) in text
    assert escape(case.events.get(kind=CaseEvent.Kind.REFERRAL).note) in text
    assert "Issue the certificate" in text
    assert "No certificate has been issued for this case." in text


def test_the_agent_issues_the_certificate_and_the_case_is_closed_as_delivered(
    sealing: dict[str, Any],
) -> None:
    case = referred_case()
    agent = client_for("agent-ixelles")
    response = issue(agent, case)
    assert response.status_code == 302 and response["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.status == Case.Status.DELIVERED
    certificate = IssuedCertificate.objects.get(case=case)
    assert certificate.issued_by == demo_user("agent-ixelles")
    text = agent.get(case_url(case)).content.decode()
    assert f"Certificate no. {certificate.number} issued; the case is closed as delivered." in text
    table = text[text.index('id="certificates"') :]
    assert certificate.number in table and "Valid" in table
    assert demo_user("agent-ixelles").display_name in table
    assert "Issue the certificate" not in text  # the case is closed
    assert "Passed to a civil servant</h2>" not in text  # the reason stays in the history
    download = agent.get(f"{case_url(case)}certificates/{certificate.number}.pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "private, no-store"
    pdf = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(pdf).hexdigest() == certificate.sha256  # as sealed, not re-rendered


def test_the_verification_count_is_shown_on_the_case_page(sealing: dict[str, Any]) -> None:
    case = make_case(demo_user("resident"), "life-certificate")
    issued = do_deliver_certificate(case)
    for _ in range(2):
        Client().get(f"/en/verify/{issued.code}/")
    text = client_for("agent-ixelles").get(case_url(case)).content.decode()
    row = text[text.index(issued.certificate.number) :]
    assert "At once, when the application was sent" in row
    assert 'data-label="Verifications">2</td>' in row


def test_a_register_that_still_does_not_know_the_person_gives_the_reason_and_the_page(
    sealing: dict[str, Any],
) -> None:
    case = referred_case()
    with register_without(case.applicant):
        response = issue(client_for("agent-ixelles"), case)
    assert response.status_code == 422
    text = response.content.decode()
    assert "The certificate was not issued: The population register does not know" in text
    assert "<title>Error:" in text and f"Case {case.reference}" in text
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert not IssuedCertificate.objects.filter(case=case).exists()


def test_a_seal_that_cannot_be_applied_gives_409_and_nothing_is_issued(
    sealing: dict[str, Any],
) -> None:
    case = referred_case()
    sealing["tsa"].down = True
    try:
        response = issue(client_for("agent-ixelles"), case)
    finally:
        sealing["tsa"].down = False
    assert response.status_code == 409
    assert "the electronic seal could not be applied just now" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert not IssuedCertificate.objects.filter(case=case).exists()


def test_issuing_on_a_closed_case_is_refused_with_409(sealing: dict[str, Any]) -> None:
    case = referred_case()
    agent = client_for("agent-ixelles")
    seen = with_version(case, {})
    agent.post(case_url(case), with_version(case, {"action": "decide", "status": "rejected",
                                                   "note": "Not Belgian."}))  # fmt: skip
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED
    response = agent.post(f"{case_url(case)}issue/", with_version(case, {}))
    assert response.status_code == 409
    assert "this case is no longer open" in response.content.decode()
    assert not IssuedCertificate.objects.filter(case=case).exists()
    # Sent with the version the page had before the decision: the change is shown instead.
    stale = agent.post(f"{case_url(case)}issue/", seen)
    assert stale.status_code == 409 and "Not Belgian." in stale.content.decode()


def test_the_agent_may_still_reject_a_referred_case_with_the_reason() -> None:
    case = make_case(person(address__nis_code="21009", nationality="MA"), "nationality-certificate")
    deliver_at_once(case)
    agent = client_for("agent-ixelles")
    text = agent.get(case_url(case)).content.decode()
    with translation.override("fr"):
        reason = CannotIssue("not-belgian").reason
    assert escape(reason) in text
    response = agent.post(
        case_url(case),
        with_version(case, {"action": "decide", "status": "rejected",
                            "note": "You do not hold Belgian nationality."}),
    )  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED
    text = agent.get(case_url(case)).content.decode()
    assert "Issue the certificate" not in text


def test_a_certificate_the_known_register_data_cannot_support_names_the_gap_not_a_button() -> None:
    """A marriage extract for someone the register records as single: issuing would fail again,
    so the page says what the civil servant can do instead."""
    applicant = person(civil_status="single", address__nis_code="21009")
    case = make_case(applicant, "marriage-certificate-copy")
    resident = Resident.objects.get(national_number=applicant.national_number)
    identity = {"first_name": resident.first_name, "last_name": resident.last_name,
                "birth_date": resident.birth_date.isoformat(),
                "national_number": resident.national_number}  # fmt: skip
    case.facts = {"population": {"identity": identity, "civil_status": "single"}}
    case.save(update_fields=["facts"])
    deliver_at_once(case)
    text = client_for("agent-ixelles").get(case_url(case)).content.decode()
    assert "Issue the certificate" not in text
    assert "This certificate cannot be issued from the registers:" in text
    assert escape(str(CannotIssue("act-not-held").reason)) in text
    assert "send it to the applicant as an attachment to a message" in text
    # The register data read for the case reads as words, not as the register's codes.
    assert ">single<" in text
    french = client_for("agent-ixelles").get(case_url(case).replace("/en/", "/fr/"))
    assert ">célibataire<" in french.content.decode()


def test_a_refusal_without_reasons_is_refused_and_what_was_chosen_stays() -> None:
    case = referred_case()
    agent = client_for("agent-ixelles")
    response = agent.post(
        case_url(case), with_version(case, {"action": "decide", "status": "rejected", "note": " "})
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "A refusal must give its reasons" in text
    assert re.search(r'value="rejected"[^>]*checked', text)  # the choice is kept
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED


def test_a_procedure_that_is_not_a_certificate_has_no_button_and_cannot_be_issued(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    agent = client_for("agent-parking")
    assert "Issue the certificate" not in agent.get(case_url(case)).content.decode()
    response = agent.post(f"{case_url(case)}issue/", with_version(case, {}))
    assert response.status_code == 422
    assert "This procedure does not deliver a certificate." in response.content.decode()


def test_issuing_without_the_version_is_a_bad_request_and_a_get_is_not_allowed() -> None:
    case = referred_case()
    agent = client_for("agent-ixelles")
    assert agent.post(f"{case_url(case)}issue/", {}).status_code == 400
    assert agent.get(f"{case_url(case)}issue/").status_code == 405


def test_an_agent_of_another_municipality_gets_404_everywhere_and_each_attempt_is_logged(
    sealing: dict[str, Any],
) -> None:
    case = referred_case()
    issue(client_for("agent-ixelles"), case)
    certificate = IssuedCertificate.objects.get(case=case)
    stranger = logged_in(agent_of_schaerbeek())
    before = SecurityEvent.objects.count()
    base = case_url(case)
    assert issue(stranger, case).status_code == 404
    assert stranger.get(f"{base}certificates/{certificate.number}.pdf").status_code == 404
    assert stranger.get(f"{base}certificates/{certificate.number}/revoke/").status_code == 404
    revoke = stranger.post(
        f"{base}certificates/{certificate.number}/revoke/", {"reason": "issued-in-error"}
    )
    assert revoke.status_code == 404
    assert SecurityEvent.objects.count() == before + 4
    assert SecurityEvent.objects.filter(kind="case-outside-tenancy").count() >= 4
    certificate.refresh_from_db()
    assert certificate.status == IssuedCertificate.Status.VALID
    assert certificate.number not in stranger.get("/en/back-office/certificates/").content.decode()


def test_a_certificate_number_of_another_case_is_not_reached_through_this_one(
    sealing: dict[str, Any],
) -> None:
    issued = do_deliver_certificate(make_case(demo_user("resident"), "life-certificate"))
    other = make_case(demo_user("resident"), "population-extract")
    url = f"{case_url(other)}certificates/{issued.certificate.number}.pdf"
    assert client_for("agent-ixelles").get(url).status_code == 404
    event = SecurityEvent.objects.filter(kind="certificate-outside-tenancy").latest("pk")
    assert event.detail["certificate"] == issued.certificate.number


def test_a_resident_cannot_use_the_back_office_certificate_pages(sealing: dict[str, Any]) -> None:
    issued = do_deliver_certificate(make_case(demo_user("resident"), "life-certificate"))
    resident = client_for("resident")
    base = case_url(issued.certificate.case)
    assert resident.get(f"{base}certificates/{issued.certificate.number}.pdf").status_code == 403
    assert resident.get("/en/back-office/certificates/").status_code == 403


# The register ----------------------------------------------------------------------------------


def registered(case: Case, minutes_ago: int, status: str = "valid", agent: User | None = None
               ) -> IssuedCertificate:  # fmt: skip
    """A row of the register as issuing writes it (the file's content does not matter here)."""
    number = f"{case.reference}-C{IssuedCertificate.objects.filter(case=case).count() + 1}"
    return IssuedCertificate.objects.create(
        case=case, kind=case.procedure_id, number=number, language="fr",
        code_digest=hashlib.sha256(number.encode()).hexdigest(), sha256="0" * 64,
        status=status, issued_at=timezone.now() - timedelta(minutes=minutes_ago),
        issued_by=agent, file=ContentFile(b"%PDF-", name=f"{number}.pdf"),
    )  # fmt: skip


def test_the_register_lists_what_the_administration_issued_newest_first(
    sealing: dict[str, Any],
) -> None:
    agent = demo_user("agent-ixelles")
    resident = demo_user("resident")
    older = registered(make_case(resident, "life-certificate"), 30)
    newer = registered(make_case(resident, "household-composition"), 5, agent=agent)
    elsewhere = registered(make_case(demo_user("resident2"), "life-certificate"), 1)
    queue = client_for("agent-ixelles").get("/en/back-office/").content.decode()
    assert 'href="/en/back-office/certificates/"' in queue
    page = client_for("agent-ixelles").get("/en/back-office/certificates/")
    assert page.status_code == 200
    text = page.content.decode()
    assert text.index(newer.number) < text.index(older.number)
    assert elsewhere.number not in text
    assert f'href="/en/back-office/cases/{older.case.reference}/"' in text
    assert "At once, when the application was sent" in text and agent.display_name in text
    assert "Certificate of household composition" in text or "household" in text.lower()
    assert "2 certificates" in text


def test_the_register_filters_by_kind_and_status_and_a_wrong_filter_is_explained(
    sealing: dict[str, Any],
) -> None:
    resident = demo_user("resident")
    life = registered(make_case(resident, "life-certificate"), 3)
    revoked = registered(make_case(resident, "life-certificate"), 2, status="revoked")
    household = registered(make_case(resident, "household-composition"), 1)
    agent = client_for("agent-ixelles")
    text = agent.get("/en/back-office/certificates/?kind=life-certificate").content.decode()
    assert life.number in text and revoked.number in text and household.number not in text
    text = agent.get(
        "/en/back-office/certificates/?kind=life-certificate&status=revoked"
    ).content.decode()
    assert revoked.number in text and life.number not in text
    wrong = agent.get("/en/back-office/certificates/?status=lost&kind=<script>")
    assert wrong.status_code == 422
    text = wrong.content.decode()
    assert "Select a valid choice" in text and household.number in text
    assert "<script>" not in text


def test_the_register_is_paginated(sealing: dict[str, Any]) -> None:
    case = make_case(demo_user("resident"), "life-certificate")
    rows = [registered(case, minutes, status="superseded") for minutes in range(52, 0, -1)]
    agent = client_for("agent-ixelles")
    first = agent.get("/en/back-office/certificates/?status=superseded").content.decode()
    assert "Page 1 of 2" in first and "52 certificates" in first
    assert f">{rows[-1].number}<" in first and f">{rows[0].number}<" not in first
    assert "status=superseded&amp;page=2" in first
    second = agent.get("/en/back-office/certificates/?status=superseded&page=2").content.decode()
    assert f">{rows[0].number}<" in second and f">{rows[1].number}<" in second
    assert f">{rows[2].number}<" not in second
    assert agent.get("/en/back-office/certificates/?page=abc").status_code == 200


# Revocation ------------------------------------------------------------------------------------


def test_revoking_needs_a_reason_then_the_history_the_holder_and_verification_show_it(
    sealing: dict[str, Any],
) -> None:
    case = referred_case()
    agent = client_for("agent-ixelles")
    issue(agent, case)
    certificate = IssuedCertificate.objects.get(case=case)
    download = agent.get(f"{case_url(case)}certificates/{certificate.number}.pdf")
    code = code_printed_on(b"".join(download.streaming_content))  # type: ignore[attr-defined]
    assert b"Authentic and valid" in Client().get(f"/en/verify/{code}/").content
    url = f"{case_url(case)}certificates/{certificate.number}/revoke/"
    form = agent.get(url)
    assert form.status_code == 200 and b"Reason for revoking" in form.content

    assert b'value="issued-in-error"' in form.content and b'value="holder-request"' in form.content
    empty = agent.post(url, {"reason": "", "note": "Wrong person."})
    assert empty.status_code == 422
    assert b"Choose the reason for revoking the certificate." in empty.content
    assert b"Wrong person." in empty.content
    invented = agent.post(url, {"reason": "because", "note": ""})
    assert invented.status_code == 422 and b"Choose one of the reasons listed." in invented.content
    too_long = agent.post(url, {"reason": "issued-in-error", "note": "Wrong person. " + "x" * 600})
    assert too_long.status_code == 422 and b"Wrong person. xxx" in too_long.content
    assert b'value="issued-in-error" id="id_reason_0" checked' in too_long.content
    certificate.refresh_from_db()
    assert certificate.status == IssuedCertificate.Status.VALID

    response = agent.post(url, {"reason": "issued-in-error", "note": "Issued for the wrong person"})
    assert response.status_code == 302 and response["Location"] == case_url(case)
    certificate.refresh_from_db()
    assert certificate.status == IssuedCertificate.Status.REVOKED
    text = agent.get(case_url(case)).content.decode()
    assert f"Certificate no. {certificate.number} revoked." in text
    history = text[text.index("<h2>History</h2>") :]
    assert "Issued for the wrong person" in history
    assert Notification.objects.filter(
        recipient=case.applicant, event_key=f"certificate-revoked:{certificate.pk}"
    ).exists()
    verified = Client().get(f"/en/verify/{code}/")
    assert b"Revoked." in verified.content and b"Issued for the wrong person" in verified.content
    assert b"It was issued in error. Issued for the wrong person" in verified.content
    # The holder sees it withdrawn, why, and how to ask for a new one; nothing offers the old one.
    holder = client_for("resident")
    listed = holder.get("/en/my-cases/").content.decode()
    table = listed[listed.index("<tbody>") :]
    row = table[table.index(case.reference) :].split("</tr>", 1)[0]
    assert "Certificate withdrawn" in row and "Download the certificate" not in row
    page = holder.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert f"Certificate no. {certificate.number} was withdrawn" in page
    assert "Why:</strong> It was issued in error. Issued for the wrong person" in page
    assert f'href="/en/procedures/{case.procedure_id}/apply/">Ask for a new certificate' in page
    assert f"certificates/{certificate.number}.pdf" not in page


def test_revoking_twice_is_refused_with_409_and_the_typed_reason_is_kept(
    sealing: dict[str, Any],
) -> None:
    issued = do_deliver_certificate(make_case(demo_user("resident"), "life-certificate"))
    certificate = issued.certificate
    agent = client_for("agent-ixelles")
    url = f"{case_url(certificate.case)}certificates/{certificate.number}/revoke/"
    assert agent.post(url, {"reason": "holder-request", "note": "First reason"}).status_code == 302
    again = agent.post(url, {"reason": "replaced", "note": "Second reason"})
    assert again.status_code == 409
    text = again.content.decode()
    assert f"Certificate no. {certificate.number} is no longer valid (revoked)" in text
    assert "Second reason" in text
    certificate.refresh_from_db()
    assert certificate.reason == "First reason"
    assert certificate.case.events.filter(note__contains="First reason").count() == 1
    assert not certificate.case.events.filter(note__contains="Second reason").exists()
    page = agent.get(url)
    assert b"there is nothing to revoke" in page.content and b"<textarea" not in page.content


def test_the_register_links_a_valid_certificate_to_its_revocation_form(
    sealing: dict[str, Any],
) -> None:
    issued = do_deliver_certificate(make_case(demo_user("resident"), "life-certificate"))
    text = client_for("agent-ixelles").get("/en/back-office/certificates/").content.decode()
    number = issued.certificate.number
    assert f"/certificates/{number}/revoke/" in text
    assert f"/certificates/{number}.pdf" in text


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_pages_speak_the_agents_language(lang: str, sealing: dict[str, Any]) -> None:
    issued = do_deliver_certificate(make_case(demo_user("resident"), "life-certificate"))
    agent = client_for("agent-ixelles")
    register = agent.get(f"/{lang}/back-office/certificates/").content.decode()
    revoke = agent.get(
        f"/{lang}/back-office/cases/{issued.certificate.case.reference}/certificates/"
        f"{issued.certificate.number}/revoke/"
    ).content.decode()
    for english in ("Register of issued certificates", "Reason for revoking", "Revoke the"):
        assert english not in register + revoke


def test_each_back_office_download_of_a_certificate_or_receipt_is_in_the_holders_access_log(
    sealing: dict[str, Any],
) -> None:
    case = referred_case()
    agent = client_for("agent-ixelles")
    issue(agent, case)
    certificate = IssuedCertificate.objects.get(case=case)
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))
    agent_user = demo_user("agent-ixelles")
    downloaded = agent.get(f"{case_url(case)}certificates/{certificate.number}.pdf")
    assert downloaded.status_code == 200
    receipt = agent.get(f"{case_url(case)}receipt.pdf")
    assert receipt.status_code == 200
    entries = AccessLogEntry.objects.exclude(pk__in=before).exclude(attributes=["file"])
    assert sorted((e.attributes[0], e.actor_role, e.administration_id) for e in entries) == [
        ("certificate", "agent", case.administration_id),
        ("receipt", "agent", case.administration_id),
    ]
    assert {e.actor_pseudonym for e in entries} == {person_pseudonym(agent_user)}
    assert {e.subject_pseudonym for e in entries} == {person_pseudonym(case.applicant)}
    my_data = client_for("resident").get("/en/my-data/").content.decode()
    assert f"your certificate (case {case.reference}," in my_data
    where = f"in the back-office of {case.administration.name} by {agent_user.display_name}."
    assert f"was downloaded {where}" in my_data
    # A refused download is not a download.
    assert agent.get(f"{case_url(case)}certificates/NO-SUCH.pdf").status_code == 404
    assert entries.count() == 2


def test_a_download_is_neither_an_opening_nor_hides_the_next_one() -> None:
    """A download has its own purpose: the opening after it is still recorded (not taken for a
    reload), and a head of service's list of openings does not show it."""
    case = referred_case()
    agent = client_for("agent-ixelles")
    assert agent.get(f"{case_url(case)}receipt.pdf").status_code == 200
    assert agent.get(case_url(case)).status_code == 200
    entries = AccessLogEntry.objects.filter(case_reference=case.reference, source="case")
    assert sorted(entries.values_list("purpose", "attributes")) == [
        ("document-copy", ["receipt"]),
        ("handle-case", ["file"]),
    ]
