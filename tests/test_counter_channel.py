"""The assisted channel: an agent at a municipal counter enters a paper application for a
resident who is present, with the same once-only consultations, recorded as entered at the
counter."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from loket.audit.models import AccessLogEntry, SecurityEvent
from loket.cases.documents import document_html
from loket.cases.models import Case
from loket.certificates.models import IssuedCertificate
from loket.core.identifiers import format_national_number, make_national_number, pseudonym
from loket.core.models import Administration, Membership, User
from loket.mandates.actions import counter_procedures
from loket.mandates.models import Mandate
from loket.registers.models import Resident
from tests.conftest import client_for, days_ago, demo_user

pytestmark = pytest.mark.django_db

CERTIFICATE = "residence-certificate"
APPLY = f"/en/procedures/{CERTIFICATE}/apply/"
COUNTER = "/en/back-office/counter/"
IXELLES = "21009"


def start_counter(client: Client, national_number: str, procedure: str = CERTIFICATE) -> str:
    response = client.post(
        COUNTER,
        {"national_number": national_number, "identity_checked": "on", "procedure": procedure},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"])


def enter_certificate(client: Client) -> Case:
    """The agent goes through the ordinary apply pages for the resident and submits."""
    assert client.post(APPLY, {"use_registers": "yes"}).status_code == 302
    assert client.post(f"{APPLY}q/period/", {"period": "full"}).status_code == 302
    page = {"purpose": "pension", "document_language": "fr"}
    assert client.post(f"{APPLY}q/purpose/", page).status_code == 302
    check = client.get(f"{APPLY}check/")
    assert check.status_code == 200
    key = str(check.context["draft"].idempotency_key)
    response = client.post(f"{APPLY}check/", {"idempotency_key": key})
    case = Case.objects.get(procedure_id=CERTIFICATE)
    assert response.status_code == 302
    assert response["Location"] == f"{COUNTER}sent/{case.reference}/"
    return case


def test_an_ixelles_agent_enters_a_paper_application_for_a_resident_at_the_counter() -> None:
    agent, resident2 = demo_user("agent-ixelles"), demo_user("resident2")
    client = client_for("agent-ixelles")
    assert client.get(COUNTER).status_code == 200

    location = start_counter(client, format_national_number(resident2.national_number or ""))
    assert location == APPLY
    mandate = Mandate.objects.get(kind="counter")
    today = timezone.localdate()
    assert (mandate.grantor, mandate.helper) == (resident2, agent)
    assert (mandate.starts_on, mandate.ends_on, mandate.procedure_ids) == (
        today,
        today,
        [CERTIFICATE],
    )
    # Identifying the resident is itself a logged consultation by the agent, for Ixelles.
    identity = AccessLogEntry.objects.get(procedure_id=CERTIFICATE, attributes=["identity"])
    assert identity.actor_role == "agent" and identity.administration_id == IXELLES
    assert identity.actor_pseudonym == pseudonym(agent.national_number or "")
    assert identity.subject_pseudonym == pseudonym(resident2.national_number or "")

    page = client.get(f"/en/procedures/{CERTIFICATE}/").content.decode()
    assert "You are entering an application at the counter for" in page

    case = enter_certificate(client)
    prefill = AccessLogEntry.objects.filter(procedure_id=CERTIFICATE).exclude(pk=identity.pk)
    assert prefill.exists()
    assert {e.actor_pseudonym for e in prefill} == {pseudonym(agent.national_number or "")}
    assert {e.acting_for_pseudonym for e in prefill} == {pseudonym(resident2.national_number or "")}
    # The prefill is read as the agent at the counter, on behalf of the counter's municipality.
    assert {(e.actor_role, e.administration_id) for e in prefill} == {("counter", IXELLES)}
    assert case.applicant == resident2 and case.submitted_by == agent
    assert case.channel == Case.Channel.COUNTER and case.counter_administration_id == IXELLES

    ixelles = Administration.objects.get(id=IXELLES).name
    line = f"Entered at the counter by {agent.display_name}, {ixelles}"
    mine = client_for("resident2")
    assert line in mine.get("/en/my-cases/").content.decode()
    assert line in mine.get(f"/en/my-cases/{case.reference}/").content.decode()

    colleague = User.objects.create(username="agent-of-the-case")
    Membership.objects.create(
        user=colleague, administration=case.administration, role=Membership.Role.AGENT
    )
    handler = Client()
    handler.force_login(colleague)
    assert line in handler.get(f"/en/back-office/cases/{case.reference}/").content.decode()

    # My data tells the resident that an agent of Ixelles read their identity.
    my_data = mine.get("/en/my-data/").content.decode()
    assert f"an agent of {ixelles} consulted the register" in my_data
    assert f"an agent at the counter of {ixelles}, entering your application with you" in my_data


def test_the_receipt_says_where_the_application_was_entered() -> None:
    client = client_for("agent-ixelles")
    start_counter(client, demo_user("resident2").national_number or "")
    case = enter_certificate(client)
    case.language = "en"
    html = document_html(case, "receipt")
    assert "Entered at the counter by" in html
    assert Administration.objects.get(id=IXELLES).name in html


def test_a_resident_unknown_to_loket_gets_an_account_without_a_login() -> None:
    resident = next(
        r
        for r in Resident.objects.order_by("national_number")
        if User.objects.by_national_number(r.national_number).first() is None
    )
    start_counter(client_for("agent-ixelles"), resident.national_number)
    user = User.objects.by_national_number(resident.national_number).get()
    assert (user.first_name, user.last_name) == (resident.first_name, resident.last_name)
    assert not user.has_usable_password()
    assert Mandate.objects.get(kind="counter").grantor == user


def test_a_number_the_population_register_does_not_know_creates_nothing() -> None:
    unknown = make_national_number(date(1931, 2, 3), 997)
    users = User.objects.count()
    response = client_for("agent-ixelles").post(
        COUNTER, {"national_number": unknown, "identity_checked": "on", "procedure": CERTIFICATE}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "The population register does not know this national number" in page
    assert unknown in page  # what the agent typed is kept
    assert User.objects.count() == users and not Mandate.objects.exists()


def test_an_invalid_number_and_an_unchecked_identity_document_are_refused_with_messages() -> None:
    client = client_for("agent-ixelles")
    response = client.post(
        COUNTER,
        {"national_number": "12345678901", "identity_checked": "on", "procedure": CERTIFICATE},
    )
    assert response.status_code == 422
    assert "This is not a valid national number." in response.content.decode()
    response = client.post(
        COUNTER,
        {"national_number": demo_user("resident2").national_number, "procedure": CERTIFICATE},
    )
    assert response.status_code == 422
    assert "Check the resident&#x27;s identity document" in response.content.decode()
    assert not Mandate.objects.exists()


@pytest.mark.parametrize("key", ["agent-parking", "resident", "helper"])
def test_only_agents_of_a_municipality_may_use_the_counter_and_refusals_are_logged(
    key: str,
) -> None:
    client = client_for(key)
    assert client.get(COUNTER).status_code == 403
    response = client.post(
        COUNTER,
        {
            "national_number": demo_user("resident2").national_number,
            "identity_checked": "on",
            "procedure": CERTIFICATE,
        },
    )
    assert response.status_code == 403
    assert not Mandate.objects.exists()
    event = SecurityEvent.objects.filter(kind="counter-refused").first()
    assert event is not None
    assert event.actor_pseudonym == pseudonym(demo_user(key).national_number or "")


def test_only_municipal_procedures_can_be_entered_at_the_counter() -> None:
    response = client_for("agent-ixelles").post(
        COUNTER,
        {
            "national_number": demo_user("resident2").national_number,
            "identity_checked": "on",
            "procedure": "residents-parking-card",
        },
    )
    assert response.status_code == 422
    assert not Mandate.objects.exists()


def test_ending_the_session_stops_acting_for_good() -> None:
    client = client_for("agent-ixelles")
    start_counter(client, demo_user("resident2").national_number or "")
    mandate = Mandate.objects.get(kind="counter")
    response = client.post("/en/back-office/counter/end/")
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None
    assert "at the counter for" not in client.get("/en/").content.decode()
    # The session cannot be picked up again through the helpers' "act for".
    assert client.post(f"/en/mandates/{mandate.pk}/act/").status_code == 404


def test_logging_out_ends_the_counter_session() -> None:
    client = client_for("agent-ixelles")
    start_counter(client, demo_user("resident2").national_number or "")
    client.post("/en/logout/")
    assert Mandate.objects.get(kind="counter").revoked_at is not None


def test_the_next_day_the_session_is_over_and_use_of_it_is_refused() -> None:
    client = client_for("agent-ixelles")
    start_counter(client, demo_user("resident2").national_number or "")
    yesterday = timezone.localdate() - timedelta(days=1)
    Mandate.objects.filter(kind="counter").update(starts_on=yesterday, ends_on=yesterday)
    assert "at the counter for" not in client.get("/en/").content.decode()
    assert client.get(APPLY).status_code == 403
    assert SecurityEvent.objects.filter(kind="mandate-refused").exists()


def test_a_counter_session_is_not_shown_as_a_mandate_given_by_the_resident() -> None:
    start_counter(client_for("agent-ixelles"), demo_user("resident2").national_number or "")
    page = client_for("resident2").get("/en/mandates/").content.decode()
    assert "You have not given any mandate." in page


def test_the_counter_page_keeps_the_session_with_a_way_to_end_it() -> None:
    client = client_for("agent-ixelles")
    start_counter(client, demo_user("resident2").national_number or "")
    page = client.get(COUNTER).content.decode()
    assert "You are entering an application for" in page
    assert "End the counter session" in page


@pytest.mark.parametrize("path", [COUNTER, "/en/back-office/counter/end/"])
def test_anonymous_visitors_are_sent_to_the_login(path: str) -> None:
    for response in (Client().get(path), Client().post(path)):
        assert response.status_code == 302 and "login" in response["Location"]


# After sending: the confirmation, what it prints, and the session going on --------------------

SENT = f"{COUNTER}sent/"


def test_after_sending_the_agent_gets_the_reference_the_receipt_and_the_certificate(
    sealing: dict[str, Any],
) -> None:
    agent, resident2 = demo_user("agent-ixelles"), demo_user("resident2")
    client = client_for("agent-ixelles")
    start_counter(client, resident2.national_number or "")
    case = enter_certificate(client)
    case.refresh_from_db()
    assert case.status == Case.Status.DELIVERED
    certificate = IssuedCertificate.objects.get(case=case)

    page = client.get(f"{SENT}{case.reference}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Application sent" in text and case.reference in text
    assert resident2.display_name in text
    assert f'href="{SENT}{case.reference}/receipt.pdf"' in text
    assert f'href="{SENT}{case.reference}/certificates/{certificate.number}.pdf"' in text
    assert f"Start another procedure for {resident2.display_name}" in text
    assert "End the counter session" in text
    assert "Continue the application" not in text

    before = AccessLogEntry.objects.filter(source="case").count()
    receipt = client.get(f"{SENT}{case.reference}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF-")
    assert receipt["Cache-Control"] == "private, no-store"
    sealed = client.get(f"{SENT}{case.reference}/certificates/{certificate.number}.pdf")
    assert sealed.status_code == 200
    assert hashlib.sha256(b"".join(sealed.streaming_content)).hexdigest() == certificate.sha256  # type: ignore[attr-defined]
    downloads = AccessLogEntry.objects.filter(source="case").order_by("leaf_index")[before:]
    assert [(e.attributes, e.actor_role, e.administration_id) for e in downloads] == [
        (["receipt"], "counter", IXELLES),
        (["certificate"], "counter", IXELLES),
    ]
    assert {e.actor_pseudonym for e in downloads} == {pseudonym(agent.national_number or "")}
    assert {e.subject_pseudonym for e in downloads} == {pseudonym(resident2.national_number or "")}
    assert {e.case_reference for e in downloads} == {case.reference}

    # The resident reads it in plain words under My data, with the agent's name.
    ixelles = Administration.objects.get(id=IXELLES).name
    my_data = client_for("resident2").get("/en/my-data/").content.decode()
    assert f"the receipt of your application (case {case.reference}, " in my_data
    assert f"was downloaded at the counter of {ixelles} by {agent.display_name}" in my_data
    assert f"your certificate (case {case.reference}," in my_data


def test_a_sent_case_is_never_offered_to_continue_and_another_procedure_keeps_the_session() -> None:
    client = client_for("agent-ixelles")
    start_counter(client, demo_user("resident2").national_number or "")
    case = enter_certificate(client)
    mandate = Mandate.objects.get(kind="counter")
    page = client.get(COUNTER).content.decode()
    assert "You are entering an application for" in page
    assert f'href="{SENT}{case.reference}/"' in page
    assert f'href="{APPLY}"' not in page and "Continue the application" not in page

    other = "life-certificate"
    assert other in {p.id for p in counter_procedures()}
    response = client.post(f"{COUNTER}another/", {"another-procedure": other})
    assert response.status_code == 302
    assert response["Location"] == f"/en/procedures/{other}/apply/"
    # The same session, now for both; no second identification in the register.
    assert Mandate.objects.filter(kind="counter").count() == 1
    mandate.refresh_from_db()
    assert mandate.procedure_ids == [CERTIFICATE, other] and mandate.revoked_at is None
    assert client.get(f"/en/procedures/{other}/apply/").status_code == 200
    page = client.get(COUNTER).content.decode()
    assert f'href="/en/procedures/{other}/apply/">Continue the application' in page


def test_another_procedure_is_refused_with_a_message_when_it_cannot_be_entered_or_no_session() -> (
    None
):
    client = client_for("agent-ixelles")
    start_counter(client, demo_user("resident2").national_number or "")
    for chosen in ("residents-parking-card", "", "no-such-procedure"):
        response = client.post(f"{COUNTER}another/", {"another-procedure": chosen})
        assert response.status_code == 422, chosen
        assert b"error-summary" in response.content
    assert Mandate.objects.get(kind="counter").procedure_ids == [CERTIFICATE]
    client.post("/en/back-office/counter/end/")
    response = client.post(f"{COUNTER}another/", {"another-procedure": "life-certificate"})
    assert response.status_code == 302 and response["Location"] == COUNTER
    assert b"The counter session is over" in client.get(COUNTER).content


def test_the_confirmation_is_only_for_the_agent_who_sent_it_that_day() -> None:
    client = client_for("agent-ixelles")
    start_counter(client, demo_user("resident2").national_number or "")
    case = enter_certificate(client)
    colleague = User.objects.create(username="colleague", national_number="85073003328")
    Membership.objects.create(user=colleague, administration_id=IXELLES, role=Membership.Role.AGENT)
    other = Client()
    other.force_login(colleague)
    for path in (f"{SENT}{case.reference}/", f"{SENT}{case.reference}/receipt.pdf"):
        assert other.get(path).status_code == 404
        assert client_for("resident2").get(path).status_code in (403, 404)
    assert SecurityEvent.objects.filter(kind="counter-case-refused").exists()
    assert not AccessLogEntry.objects.filter(source="case", attributes=["receipt"]).exists()
    Case.objects.filter(pk=case.pk).update(submitted_at=days_ago(1))
    assert client.get(f"{SENT}{case.reference}/").status_code == 404
    assert client.get(f"{SENT}NOT-A-REFERENCE/").status_code == 404


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_confirmation_speaks_the_agents_language(language: str) -> None:
    client = client_for("agent-ixelles")
    start_counter(client, demo_user("resident2").national_number or "")
    case = enter_certificate(client)
    page = client.get(f"/{language}/back-office/counter/sent/{case.reference}/")
    assert page.status_code == 200
    assert f'<html lang="{language}"' in page.content.decode()


def test_an_agent_who_left_the_municipality_no_longer_prints_what_they_sent() -> None:
    client = client_for("agent-ixelles")
    start_counter(client, demo_user("resident2").national_number or "")
    case = enter_certificate(client)
    Membership.objects.filter(user=demo_user("agent-ixelles"), administration_id=IXELLES).delete()
    assert client.get(f"{SENT}{case.reference}/receipt.pdf").status_code in (403, 404)
    assert not AccessLogEntry.objects.filter(source="case", attributes=["receipt"]).exists()
