"""Acting for someone is a state that is never lost behind the helper's back, and that every
page, button, message and document names: the helper works in Dutch for a French-speaking
resident, and what the resident receives is in French and says who sent it for her."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from loket.audit.models import AccessLogEntry, SecurityEvent
from loket.cases.documents import document_html
from loket.cases.models import Case
from loket.core.identifiers import make_national_number, pseudonym
from loket.core.models import User
from loket.mandates.actions import do_give_mandate, do_revoke_mandate
from loket.mandates.models import Mandate
from loket.notify.models import Notification
from loket.sources.base import NAME_MANDATE_HOLDER, Actor, ConsultationRefused, Purpose, Subject
from loket.sources.door import consult
from tests.conftest import client_for, demo_user
from tests.payments_helpers import pay_with_demo

pytestmark = pytest.mark.django_db

PARKING = "residents-parking-card"
AMINA = "Amina El Amrani"
MARIE = "Marie Lambert"


def give_parking_mandate() -> Mandate:
    today = timezone.localdate()
    return do_give_mandate(
        demo_user("resident"),
        demo_user("helper").national_number or "",
        [PARKING],
        today,
        today + timedelta(days=30),
    )


def acting_helper(mandate: Mandate) -> Client:
    client = client_for("helper")
    assert client.post(f"/nl/mandates/{mandate.pk}/act/").status_code == 302
    return client


def send_parking_application(client: Client, mandate: Mandate, lang: str) -> Case:
    apply = f"/{lang}/procedures/{PARKING}/apply/"
    assert client.post(apply, {"use_registers": "yes"}).status_code == 302
    client.post(f"{apply}q/vehicle/", {"plate": "2-XYZ-789"})
    client.post(f"{apply}q/start/", {"start_date": timezone.localdate().isoformat()})
    check = client.get(f"{apply}check/")
    assert check.status_code == 200
    response = client.post(
        f"{apply}check/", {"idempotency_key": str(check.context["draft"].idempotency_key)}
    )
    assert response.status_code == 302
    case = Case.objects.get(procedure_id=PARKING, applicant=demo_user("resident"))
    assert response["Location"] == (
        f"/{lang}/mandates/{mandate.pk}/cases/{case.reference}/?submitted=1"
    )
    return case


@pytest.fixture
def french_resident() -> User:
    resident = demo_user("resident")
    resident.preferred_language = "fr"
    resident.save(update_fields=["preferred_language"])
    return resident


def test_a_procedure_outside_the_mandate_keeps_acting_and_offers_the_two_ways_on() -> None:
    mandate = give_parking_mandate()
    client = acting_helper(mandate)

    response = client.get("/en/procedures/change-of-address/apply/")

    assert response.status_code == 403
    page = response.content.decode()
    assert f"Your mandate for {AMINA} does not cover this procedure" in page
    assert f"You are still acting for {AMINA}" in page
    assert f'href="/en/procedures/{PARKING}/"' in page  # back to what the mandate covers
    assert 'name="next" value="/en/procedures/change-of-address/"' in page
    assert f"Stop acting for {AMINA} and continue in my own name" in page
    assert SecurityEvent.objects.get(kind="mandate-refused").detail["procedure"] == (
        "change-of-address"
    )
    # Still acting on the next page: the banner names her, the draft would be hers.
    assert f"You are acting for {AMINA} under a mandate until" in (
        client.get("/en/").content.decode()
    )


def test_stopping_from_that_page_continues_in_the_helpers_own_name_where_they_were_going() -> None:
    client = acting_helper(give_parking_mandate())
    response = client.post("/en/mandates/stop/", {"next": "/en/procedures/change-of-address/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/procedures/change-of-address/"
    assert "You are acting for" not in client.get(response["Location"]).content.decode()


def test_stopping_never_sends_the_helper_to_another_site() -> None:
    client = acting_helper(give_parking_mandate())
    response = client.post("/en/mandates/stop/", {"next": "https://evil.example/"})
    assert response["Location"] == "/en/mandates/"


def test_a_revoked_mandate_still_ends_acting_and_says_so() -> None:
    mandate = give_parking_mandate()
    client = acting_helper(mandate)
    do_revoke_mandate(mandate)
    response = client.get(f"/en/procedures/{PARKING}/apply/")
    assert response.status_code == 403
    assert "Your mandate does not allow this" in response.content.decode()
    assert "You are acting for" not in client.get("/en/").content.decode()


def test_while_acting_my_cases_shows_the_cases_of_the_principal_not_the_helpers_own() -> None:
    resident = demo_user("resident")
    mandate = give_parking_mandate()
    client = acting_helper(mandate)
    theirs = Case.objects.filter(applicant=resident, procedure_id=PARKING).first()

    page = client.get("/en/my-cases/").content.decode()

    assert f"<h1>Cases of {AMINA}</h1>" in page
    assert f">Cases of {AMINA}</a>" in page  # the menu entry and the banner's button
    own = Case.objects.filter(applicant=demo_user("helper"))
    assert all(case.reference not in page for case in own)
    if theirs is not None:
        assert f"/en/mandates/{mandate.pk}/cases/{theirs.reference}/" in page
    client.post("/en/mandates/stop/")
    assert "<h1>My cases</h1>" in client.get("/en/my-cases/").content.decode()


def test_the_send_button_names_the_person_and_the_language_of_her_case(
    french_resident: User,
) -> None:
    client = acting_helper(give_parking_mandate())
    apply = f"/en/procedures/{PARKING}/apply/"
    client.post(apply, {"use_registers": "yes"})
    client.post(f"{apply}q/vehicle/", {"plate": "2-XYZ-789"})
    client.post(f"{apply}q/start/", {"start_date": timezone.localdate().isoformat()})
    page = client.get(f"{apply}check/").content.decode()
    assert f"Send on behalf of {AMINA}</button>" in page
    assert "Their receipt and messages will be in French" in page


def test_a_case_sent_by_a_helper_working_in_dutch_is_in_the_residents_french(
    french_resident: User,
) -> None:
    mandate = give_parking_mandate()
    client = acting_helper(mandate)

    case = send_parking_application(client, mandate, "nl")

    assert case.language == "fr" and case.submitted_by == demo_user("helper")
    french_resident.refresh_from_db()
    assert french_resident.preferred_language == "fr"  # the helper's Dutch did not replace it
    pay_with_demo(client_for("resident"), case)  # the parking card has a fee: told once paid
    notice = Notification.objects.get(recipient=french_resident, kind="submitted")
    assert notice.language == "fr"
    assert notice.body.startswith(f"Bonjour {AMINA},")
    assert MARIE in notice.body and "Paradigm" not in notice.body
    receipt = document_html(case, "receipt")
    assert '<html lang="fr">' in receipt and MARIE in receipt and AMINA in receipt
    assert "Accusé de réception" in receipt or "Receipt" in receipt


def test_after_sending_the_helper_sees_the_case_and_people_i_help_lists_it(
    french_resident: User,
) -> None:
    mandate = give_parking_mandate()
    client = acting_helper(mandate)
    case = send_parking_application(client, mandate, "en")

    sent = client.get(f"/en/mandates/{mandate.pk}/cases/{case.reference}/?submitted=1")
    assert sent.status_code == 200
    page = sent.content.decode()
    assert f"Application sent on behalf of {AMINA}" in page
    assert case.reference in page
    assert f"Sent by {MARIE} on behalf of {AMINA}" in page
    receipt = client.get(f"/en/mandates/{mandate.pk}/cases/{case.reference}/receipt.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"

    helping = client.get("/en/mandates/helping/").content.decode()
    assert f'href="/en/mandates/{mandate.pk}/cases/{case.reference}/"' in helping

    # The resident sees who sent it for her.
    mine = client_for("resident").get(f"/en/my-cases/{case.reference}/").content.decode()
    assert f"Sent by {MARIE} on behalf of {AMINA}" in mine


def test_the_case_is_refused_to_the_helper_once_the_mandate_is_revoked_and_to_others() -> None:
    mandate = give_parking_mandate()
    client = acting_helper(mandate)
    case = send_parking_application(client, mandate, "en")
    url = f"/en/mandates/{mandate.pk}/cases/{case.reference}/"

    assert client_for("resident2").get(url).status_code == 404
    do_revoke_mandate(mandate)
    assert client.get(url).status_code == 404
    assert client.get(f"{url}receipt.pdf").status_code == 404
    assert SecurityEvent.objects.filter(kind="mandate-refused").count() >= 3


def test_a_double_submit_lands_on_the_same_case_for_the_helper() -> None:
    mandate = give_parking_mandate()
    client = acting_helper(mandate)
    apply = f"/en/procedures/{PARKING}/apply/"
    client.post(apply, {"use_registers": "yes"})
    client.post(f"{apply}q/vehicle/", {"plate": "2-XYZ-789"})
    client.post(f"{apply}q/start/", {"start_date": timezone.localdate().isoformat()})
    key = str(client.get(f"{apply}check/").context["draft"].idempotency_key)
    first = client.post(f"{apply}check/", {"idempotency_key": key})
    again = client.post(f"{apply}check/", {"idempotency_key": key})
    assert first["Location"] == again["Location"]
    assert Case.objects.filter(procedure_id=PARKING, submitted_by__isnull=False).count() == 1


def typed_mandate(number: str) -> dict[str, object]:
    today = timezone.localdate()
    return {
        "helper_national_number": number,
        "principal": "me",
        "scope": "chosen",
        "procedures": [PARKING],
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
    }


def test_giving_a_mandate_first_shows_whom_the_number_names_read_through_the_door() -> None:
    helper = demo_user("helper")
    number = helper.national_number or ""
    client = client_for("resident")

    confirm = client.post("/en/mandates/give/", typed_mandate(number))

    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert f'<strong class="mandate-holder">{MARIE}</strong>' in page
    assert f"Give the mandate to {MARIE}</button>" in page
    assert not Mandate.objects.exists()
    entry = AccessLogEntry.objects.get(subject_pseudonym=pseudonym(number))
    assert entry.actor_role == "grantor" and entry.purpose == NAME_MANDATE_HOLDER
    assert entry.actor_pseudonym == pseudonym(demo_user("resident").national_number or "")
    assert entry.procedure_id == PARKING and entry.attributes == ["identity"]
    # The person named sees who read their name, and why.
    my_data = client_for("helper").get("/en/my-data/").content.decode()
    assert "a person about to give you a mandate" in my_data

    given = client.post("/en/mandates/give/", {**typed_mandate(number), "confirmed_number": number})
    assert given.status_code == 302
    assert Mandate.objects.get().helper == helper


def test_a_number_changed_after_confirmation_is_confirmed_again() -> None:
    client = client_for("resident")
    other = demo_user("resident2").national_number or ""
    response = client.post(
        "/en/mandates/give/",
        {**typed_mandate(other), "confirmed_number": demo_user("helper").national_number},
    )
    assert response.status_code == 200
    assert "Check whom you give the mandate to" in response.content.decode()
    assert not Mandate.objects.exists()


def test_changing_the_number_keeps_what_was_typed() -> None:
    number = demo_user("helper").national_number or ""
    response = client_for("resident").post(
        "/en/mandates/give/", {**typed_mandate(number), "confirmed_number": number, "change": "1"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{number}"' in page and not Mandate.objects.exists()


def test_a_number_the_register_does_not_know_gives_no_mandate() -> None:
    unknown = make_national_number(timezone.localdate() - timedelta(days=365 * 40), 995)
    response = client_for("resident").post("/en/mandates/give/", typed_mandate(unknown))
    assert response.status_code == 422
    assert "The national register does not know this number" in response.content.decode()
    assert not Mandate.objects.exists()


def test_the_door_lets_a_grantor_read_nothing_but_the_name_for_that_purpose() -> None:
    resident, helper = demo_user("resident"), demo_user("helper")
    grantor = Actor(resident.pk, resident.national_number or "", "grantor")
    subject = Subject("person", helper.national_number or "")
    with pytest.raises(ConsultationRefused):
        consult(subject, ["population.address"], Purpose(PARKING, NAME_MANDATE_HOLDER), grantor)
    with pytest.raises(ConsultationRefused):
        consult(subject, ["population.identity"], Purpose(PARKING, "identify-applicant"), grantor)
    impostor = Actor(resident.pk, helper.national_number or "", "grantor")
    with pytest.raises(ConsultationRefused):
        consult(subject, ["population.identity"], Purpose(PARKING, NAME_MANDATE_HOLDER), impostor)
    assert not AccessLogEntry.objects.exists()


def test_the_dutch_pages_use_one_word_each_handelen_and_volmacht() -> None:
    """In Dutch, acting is "handelen" and a mandate a "volmacht", on every page a helper sees
    (this holds once translations.json is compiled into the catalogues)."""
    client = acting_helper(give_parking_mandate())
    paths = ["/nl/", "/nl/mandates/", "/nl/mandates/helping/", "/nl/my-cases/"]
    pages = [client.get(path).content.decode() for path in paths]
    pages.append(client.get("/nl/procedures/change-of-address/apply/").content.decode())
    for path, page in zip([*paths, "not covered"], pages, strict=True):
        text = re.sub(r"<[^>]+>", " ", page)
        assert f"U handelt nu voor {AMINA} met een volmacht tot" in text, path
        for other in ("mandaat", "optreden", "treedt op", "treedt u op"):
            assert other not in text.lower(), (path, other)


def test_the_helpers_case_page_says_who_pays_a_fee_and_promises_no_notice_before(
    french_resident: User,
) -> None:
    mandate = give_parking_mandate()
    client = acting_helper(mandate)
    case = send_parking_application(client, mandate, "en")
    assert case.status == Case.Status.AWAITING_PAYMENT  # the parking card has a fee
    page = client.get(f"/en/mandates/{mandate.pk}/cases/{case.reference}/?submitted=1")
    text = page.content.decode()
    assert f"handles it once its fee is paid. {AMINA} pays it from their cases" in text
    assert "is told in their inbox" not in text
    assert not Notification.objects.filter(recipient=french_resident, kind="submitted").exists()
