"""The assisted channel: an agent at a municipal counter enters a paper application for a
resident who is present, with the same once-only consultations, recorded as entered at the
counter."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from loket.audit.models import AccessLogEntry, SecurityEvent
from loket.cases.documents import document_html
from loket.cases.models import Case
from loket.core.identifiers import format_national_number, make_national_number, pseudonym
from loket.core.models import Administration, Membership, User
from loket.mandates.models import Mandate
from loket.registers.models import Resident
from tests.conftest import client_for, demo_user

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
    assert response.status_code == 302 and response["Location"] == COUNTER
    return Case.objects.get(procedure_id=CERTIFICATE)


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
