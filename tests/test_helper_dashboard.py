"""The helper's dashboard: the people they help under a valid mandate and what is pending."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django.utils.html import escape

from loket.cases.actions import do_change_status, do_post_message, do_request_information
from loket.cases.models import Case
from loket.catalog.models import Procedure
from loket.core.models import User
from loket.forms.actions import do_save_answers, get_or_start_draft
from loket.forms.definitions import get_definition
from loket.mandates.actions import do_give_mandate, do_revoke_mandate
from loket.mandates.models import Mandate
from tests.conftest import client_for, demo_user

pytestmark = pytest.mark.django_db

PARKING = "residents-parking-card"
HELPING = "/en/mandates/helping/"


def give(procedures: list[str], days: int = 30, grantor: str = "resident") -> Mandate:
    today = timezone.localdate()
    return do_give_mandate(
        demo_user(grantor),
        demo_user("helper").national_number or "",
        procedures,
        today,
        today + timedelta(days=days),
    )


def draft_for(user: User, procedure_id: str) -> None:
    """A draft with an answer in it (one merely started is no draft to list)."""
    procedure = Procedure.objects.get(id=procedure_id)
    definition = get_definition(procedure_id)
    assert definition is not None
    do_save_answers(get_or_start_draft(user, procedure, definition), {"plate": "2-XYZ-789"})


def case_for(user: User, procedure_id: str, reference: str, **fields: Any) -> Case:
    """A sent case of ``user`` handled by parking.brussels (where the demo agent works)."""
    return Case.objects.create(
        reference=reference,
        procedure_id=procedure_id,
        definition_version=1,
        applicant=user,
        administration_id="parking-brussels",
        language="en",
        idempotency_key="00000000-0000-0000-0000-" + reference[-12:].replace("-", "0").zfill(12),
        **fields,
    )


def test_someone_without_mandates_sees_an_empty_state() -> None:
    page = client_for("resident2").get(HELPING)
    assert page.status_code == 200
    assert "Nobody has given you a mandate that is valid today." in page.content.decode()


def test_the_dashboard_shows_each_principal_with_what_is_pending() -> None:
    resident, agent = demo_user("resident"), demo_user("agent-parking")
    give([PARKING])
    draft_for(resident, PARKING)
    waiting = case_for(resident, PARKING, "BRU-2026-0000001-11")
    do_request_information(waiting, agent, "Please send the registration certificate.")
    with_message = case_for(resident, PARKING, "BRU-2026-0000002-22")
    do_post_message(with_message, agent, "We are looking at it.")
    decided = case_for(resident, PARKING, "BRU-2026-0000003-33")
    do_change_status(decided, agent, Case.Status.APPROVED)

    page = client_for("helper").get(HELPING).content.decode()
    assert resident.display_name in page
    parking = escape(Procedure.objects.get(id=PARKING).name)
    assert parking in page
    assert f"Continue “{parking}”" in page
    waiting_part = page.split("Waiting for information")[1].split("Unread messages")[0]
    assert "BRU-2026-0000001-11" in waiting_part and "BRU-2026-0000002-22" not in waiting_part
    unread_part = page.split("Unread messages")[1].split("Decisions in the last 30 days")[0]
    assert "BRU-2026-0000002-22" in unread_part
    decided_part = page.split("Decisions in the last 30 days")[1]
    assert "BRU-2026-0000003-33" in decided_part and "Approved" in decided_part
    assert f"Act for {resident.display_name}" in page


def test_what_the_mandate_does_not_cover_stays_private() -> None:
    resident = demo_user("resident")
    give([PARKING])
    draft_for(resident, "change-of-address")
    case_for(resident, "population-extract", "BRU-2026-0000009-99")
    page = client_for("helper").get(HELPING).content.decode()
    assert escape(Procedure.objects.get(id="change-of-address").name) not in page
    assert "BRU-2026-0000009-99" not in page


def test_a_read_message_is_no_longer_pending() -> None:
    resident, agent = demo_user("resident"), demo_user("agent-parking")
    give([PARKING])
    case = case_for(resident, PARKING, "BRU-2026-0000004-44")
    do_post_message(case, agent, "We are looking at it.")
    principal = client_for("resident")
    inbox = principal.get("/en/my-cases/").content.decode()
    assert (
        "BRU-2026-0000004-44"
        in client_for("helper").get(HELPING).content.decode().split("Unread messages")[1]
    )  # showing the inbox marks nothing read
    shown = re.findall(r'name="notice" value="(\d+)"', inbox)
    principal.post("/en/my-cases/inbox/read/", {"notice": shown})  # the inbox's button
    page = client_for("helper").get(HELPING).content.decode()
    assert "BRU-2026-0000004-44" not in page.split("Unread messages")[1]


def test_revoked_and_expired_mandates_are_listed_apart() -> None:
    revoked = give([PARKING])
    do_revoke_mandate(revoked)
    expired = give([], grantor="resident2")
    yesterday = timezone.localdate() - timedelta(days=1)
    Mandate.objects.filter(pk=expired.pk).update(starts_on=yesterday, ends_on=yesterday)
    page = client_for("helper").get(HELPING).content.decode()
    assert "Nobody has given you a mandate that is valid today." in page
    ended = page.split("Mandates that have ended")[-1]
    assert "Revoked" in ended and "Expired" in ended
    assert demo_user("resident").display_name in ended
    assert demo_user("resident2").display_name in ended
    assert "Act for" not in page


def test_continue_a_draft_acts_for_the_principal_and_goes_back_to_the_draft() -> None:
    mandate = give([PARKING])
    client = client_for("helper")
    response = client.post(f"/en/mandates/{mandate.pk}/act/", {"procedure": PARKING})
    assert response.status_code == 302
    assert response["Location"] == f"/en/procedures/{PARKING}/apply/"
    page = client.get(HELPING).content.decode()
    assert "You are acting for this person now." in page


def test_continue_cannot_reach_a_procedure_outside_the_mandate() -> None:
    mandate = give([PARKING])
    response = client_for("helper").post(
        f"/en/mandates/{mandate.pk}/act/", {"procedure": "change-of-address"}
    )
    assert response["Location"] == f"/en/procedures/{PARKING}/"


def test_the_dashboard_is_linked_from_the_menu_and_the_mandates_page() -> None:
    client = client_for("helper")
    assert f'href="{HELPING}"' not in client.get("/en/mandates/").content.decode()  # no mandate yet
    give([PARKING])
    page = client.get("/en/mandates/").content.decode()
    assert page.count(f'href="{HELPING}"') == 2  # the main menu and the page itself


def test_the_dashboard_needs_a_login() -> None:
    from django.test import Client

    response = Client().get(HELPING)
    assert response.status_code == 302 and "login" in response["Location"]
