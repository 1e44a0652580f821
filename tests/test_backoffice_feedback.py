"""What civil servants of parking.brussels and Ixelles found in a working day (issue #20): every
write says what it did, a decision credits its decider, the message's buttons are in the right
order, the person search and bulk changes say what they do, and a case's history (its payments
too) reads once and in the reader's language."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from loket.cases.actions import do_add_history_note, do_decide
from loket.cases.history import history
from loket.cases.models import Case, CaseEvent
from loket.core.models import Membership, User
from loket.payments.fees import fee_for
from tests.conftest import client_for, demo_user, with_version
from tests.payments_helpers import start_payment
from tests.test_agent_day import case_url, copy_of
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db


def status_notice(page: str) -> str:
    """The flash messages of a page: the one region announced to screen readers."""
    found = re.search(r'<div role="status" aria-live="polite">(.*?)</div>', page, re.S)
    return found.group(1) if found else ""


# 1. Every write says what it did ---------------------------------------------------------------


def test_each_write_on_the_case_page_is_confirmed_in_a_status_message(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    User.objects.filter(username="demo-agent-parking").update(preferred_language="en")
    agent = client_for("agent-parking")
    writes = [
        ({"action": "assign", "assignee": "me"}, "The case is now assigned to you."),
        ({"action": "take"}, "The case is marked as being handled."),
        ({"action": "message", "body": "We are checking your plate."},
         "Your message was sent to the applicant."),
        ({"action": "request", "body": "Send your insurance certificate."},
         "the case is paused until they answer"),
        ({"action": "decide", "status": "approved", "note": "In order."},
         "The case is approved; the applicant is told"),
    ]  # fmt: skip
    for data, said in writes:
        response = agent.post(case_url(case), with_version(case, data), follow=True)
        assert response.status_code == 200
        assert said in status_notice(response.content.decode()), data["action"]
        reloaded = agent.get(case_url(case)).content.decode()
        assert said not in status_notice(reloaded)  # said once, not on every visit
    noted = agent.post(case_url(case), {"action": "note", "body": "Checked."}, follow=True)
    assert "Your note was added." in status_notice(noted.content.decode())


# 2. A decision credits the agent who made it ---------------------------------------------------


def test_deciding_an_unassigned_case_assigns_it_to_the_decider_in_the_history_and_figures(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    in_bulk = copy_of(case)
    colleague = User.objects.create(username="colleague", first_name="Jan", last_name="Peeters")
    Membership.objects.create(
        user=colleague, administration_id="parking-brussels", role=Membership.Role.AGENT
    )
    elses = copy_of(case, assigned_to=colleague)
    agent = client_for("agent-parking")
    me = demo_user("agent-parking")
    agent.post(case_url(case), with_version(case, {
        "action": "decide", "status": "approved", "note": "In order."}))  # fmt: skip
    agent.post("/en/back-office/", {
        "selected": [in_bulk.reference, elses.reference], "bulk_status": "approved",
        "bulk_note": "In order.", "confirm": "yes",
        f"version-{in_bulk.reference}": str(in_bulk.version),
        f"version-{elses.reference}": str(elses.version),
    })  # fmt: skip
    for decided in (case, in_bulk):
        decided.refresh_from_db()
        assert decided.status == Case.Status.APPROVED and decided.assigned_to == me
        assignment = decided.events.get(kind=CaseEvent.Kind.ASSIGNMENT)
        assert (assignment.actor, assignment.assignee) == (me, me)
    elses.refresh_from_db()
    assert elses.assigned_to == colleague  # someone else's stays theirs
    figures = agent.get("/en/back-office/figures/")
    by_agent = {row.label: row.decided for row, _link in figures.context["tables"][1]["rows"]}
    assert by_agent[me.display_name] == 2
    assert "Nobody" not in by_agent


# 3. Sending the message is the primary action --------------------------------------------------


def test_send_the_message_is_the_primary_button_and_pausing_an_outlined_secondary(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    page = client_for("agent-parking").get(case_url(case)).content.decode()
    send = re.search(r'<button type="submit" name="action" value="message"([^>]*)>', page)
    pause = re.search(r'<button type="submit" name="action" value="request"([^>]*)>', page)
    assert send and pause
    assert "class=" not in send.group(1)  # the primary button of the family
    assert 'class="button-secondary"' in pause.group(1)
    assert send.start() < pause.start()
    assert "Send as a request for information and pause the case" in page


# 4. The person search and bulk changes ---------------------------------------------------------


def test_the_person_search_applies_its_status_filter(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    closed = copy_of(case, status=Case.Status.APPROVED)
    agent = client_for("agent-parking")
    name = case.applicant.last_name
    every = agent.post("/en/back-office/person/", {"person": name})
    assert {c.reference for c in every.context["cases"]} == {case.reference, closed.reference}
    open_only = agent.post("/en/back-office/person/", {"person": name, "status": "open"})
    assert [c.reference for c in open_only.context["cases"]] == [case.reference]
    approved = agent.post("/en/back-office/person/", {"person": name, "status": "approved"})
    assert [c.reference for c in approved.context["cases"]] == [closed.reference]
    assert 'id="id_person_status"' in approved.content.decode()


def test_bulk_changes_are_not_offered_on_decided_cases(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    closed = copy_of(case, status=Case.Status.APPROVED)
    agent = client_for("agent-parking")
    queue = agent.get("/en/back-office/?status=all").content.decode()
    assert f'value="{case.reference}" id="select-{case.reference}"' in queue
    assert f'id="select-{closed.reference}"' not in queue
    assert 'name="bulk_status"' in queue
    decided_only = agent.get("/en/back-office/?status=approved").content.decode()
    assert closed.reference in decided_only and 'name="bulk_status"' not in decided_only


# 5 and 6. The history of a case awaiting payment -----------------------------------------------


def test_a_payment_started_neither_repeats_the_status_nor_stays_in_the_cases_language(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client, lang="fr", pay=False)
    assert case.status == Case.Status.AWAITING_PAYMENT and case.language == "fr"
    payment = start_payment(resident_client, case)
    started = case.events.get(note_code="payment-started")
    assert started.note_params == {
        "amount_cents": case.fee.amount_cents, "provider": "demo",
        "reference": payment.shown_reference,
    }  # fmt: skip
    do_add_history_note(case, None, "Écrit à la main, avant les codes.")

    page = client_for("agent-parking").get(case_url(case)).content.decode()
    timeline = page.split(">History<", 1)[1].split("</ol>", 1)[0]
    assert timeline.count("Awaiting payment") == 1
    amount = f"€{case.fee.amount_cents // 100}.00"
    assert (
        f"Payment of {amount} started: Online, on the demo payment page "
        f"(reference {payment.shown_reference})." in timeline
    )
    assert "Écrit à la main, avant les codes." in timeline  # an entry without a code, as written
    mine = resident_client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert mine.split(">History<", 1)[1].split("</ol>", 1)[0].count("Awaiting payment") == 1

    shown = history(case.events.all())
    assert [e.repeats_status for e in shown] == [False, True, True]
    with translation.override("en"):
        assert shown[1].text.startswith(f"Payment of {amount} started")


# 7. The source of a fee's amount ---------------------------------------------------------------


def test_the_source_of_a_fees_amount_is_in_the_pages_language_and_still_marked_demo() -> None:
    fee = fee_for("residents-parking-card", "parking-brussels", {}, {})
    assert fee is not None and fee.demo
    with translation.override("fr"):
        assert "le tarif officiel peut être différent" in fee.source_text
    with translation.override("nl"):
        assert "het officiële tarief kan anders zijn" in fee.source_text
    with translation.override("en"):
        assert "the official tariff may differ" in fee.source_text


def test_a_bulk_change_is_previewed_first_and_changing_it_keeps_the_selection(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    other = copy_of(case)
    agent = client_for("agent-parking")
    chosen = {"selected": [case.reference, other.reference], "bulk_status": "approved",
              "bulk_note": "Both vehicles are registered in the zone.",
              **{f"version-{c.reference}": str(c.version) for c in (case, other)}}  # fmt: skip
    preview = agent.post("/en/back-office/?status=open", chosen)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert [c.reference for c in preview.context["cases"]] == sorted(
        [case.reference, other.reference]
    )
    assert "Both vehicles are registered in the zone." in page and "Approved" in page
    assert 'action="/en/back-office/?status=open"' in page
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.SUBMITTED}
    back = agent.post("/en/back-office/?status=open", {**chosen, "confirm": "change"})
    kept = back.content.decode()
    assert back.status_code == 200 and "Both vehicles are registered in the zone." in kept
    for reference in (case.reference, other.reference):
        assert re.search(rf'value="{reference}"[^>]*checked', kept)
    nothing = agent.post("/en/back-office/", {"bulk_status": "approved", "bulk_note": "x"})
    assert nothing.status_code == 422 and "Select at least one case" in nothing.content.decode()


def test_a_bulk_decision_previews_a_case_that_cannot_take_it_as_left_out(
    resident_client: Client,
) -> None:
    """A case already decided (or awaiting payment) cannot be decided in bulk: the preview says
    so before anything is confirmed, and the confirmation carries only the cases it can change."""
    case = apply_for_parking_card(resident_client)
    decided = copy_of(case)
    agent_user = demo_user("agent-parking")
    do_decide(decided, agent_user, Case.Status.APPROVED, "The vehicle is registered in the zone.")
    decided.refresh_from_db()
    agent = client_for("agent-parking")
    chosen = {"selected": [case.reference, decided.reference], "bulk_status": "approved",
              "bulk_note": "Both vehicles are registered in the zone.",
              **{f"version-{c.reference}": str(c.version) for c in (case, decided)}}  # fmt: skip
    preview = agent.post("/en/back-office/?status=open", chosen)
    assert preview.status_code == 200
    assert [c.reference for c in preview.context["cases"]] == [case.reference]
    assert preview.context["cannot_take"] == [decided.reference]
    page = preview.content.decode()
    assert "Cases that cannot take this change now" in page and "Left out." in page
    hidden = re.findall(r'name="selected" value="([^"]+)"', page)
    assert hidden == [case.reference]
