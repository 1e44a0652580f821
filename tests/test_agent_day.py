"""A civil servant's day in the back-office: signals in the queue, a reply noticed, internal
notes, assignment, who opened a case, search by person, export, figures and the next case."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from loket.audit.models import AccessLogEntry
from loket.audit.subjects import person_pseudonym
from loket.cases.actions import opens_anew
from loket.cases.models import Case, CaseEvent, CaseNote
from loket.cases.references import new_reference
from loket.core.models import Membership, User
from loket.notify.models import Notification
from tests.conftest import client_for, demo_user, with_version
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db


def copy_of(case: Case, **changes: object) -> Case:
    """Another case like ``case`` (the queue needs many; applying through the pages is slow)."""
    fields = {
        "procedure": case.procedure, "definition_version": case.definition_version,
        "applicant": case.applicant, "administration": case.administration,
        "facts": case.facts, "answers": case.answers, "language": case.language,
        "due_on": case.due_on, "status": Case.Status.SUBMITTED,
    }  # fmt: skip
    fields.update(changes)
    reference = new_reference()
    while Case.objects.filter(reference=reference).exists():  # random: 60 of them can meet
        reference = new_reference()
    return Case.objects.create(reference=reference, idempotency_key=uuid.uuid4(), **fields)


def case_url(case: Case) -> str:
    return f"/en/back-office/cases/{case.reference}/"


def request_information(agent: Client, case: Case) -> None:
    response = agent.post(
        case_url(case), with_version(case, {"action": "request", "body": "Send your insurance."})
    )
    assert response.status_code == 302
    case.refresh_from_db()


# 1. A reply is signalled -----------------------------------------------------------------------


def test_an_answer_to_a_request_is_marked_in_the_queue_and_told_to_the_assigned_agent(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    User.objects.filter(username="demo-agent-parking").update(preferred_language="en")
    agent = client_for("agent-parking")
    agent.post(case_url(case), with_version(case, {"action": "assign", "assignee": "me"}))
    case.refresh_from_db()
    request_information(agent, case)
    assert "Reply received" not in agent.get("/en/back-office/").content.decode()

    resident_client.post(f"/en/my-cases/{case.reference}/", {"action": "message", "body": "Done."})
    case.refresh_from_db()
    assert case.reply_received_at is not None
    queue = agent.get("/en/back-office/").content.decode()
    assert "Reply received" in queue
    assert 'href="/en/back-office/?replied=on"><strong>1</strong>' in queue
    replied = agent.get("/en/back-office/?replied=on").context["cases"]
    assert [c.reference for c in replied] == [case.reference]
    notice = Notification.objects.get(recipient=demo_user("agent-parking"), kind="reply")
    assert notice.language == "en"  # the agent's language, not the applicant's
    assert case.reference in notice.subject and "answered your request" in notice.subject
    assert notice.link.endswith(f"/back-office/cases/{case.reference}/")
    assert not Notification.objects.filter(recipient=case.applicant, kind="reply").exists()

    version = case.version
    agent.get(case_url(case))
    case.refresh_from_db()
    assert case.reply_received_at is None
    assert case.version == version  # opening is not a change: nobody's page goes stale
    assert "Reply received" not in agent.get("/en/back-office/").content.decode()
    assert list(agent.get("/en/back-office/?replied=on").context["cases"]) == []


def test_a_reply_on_an_unassigned_case_is_marked_but_notifies_nobody(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    request_information(client_for("agent-parking"), case)
    resident_client.post(f"/en/my-cases/{case.reference}/", {"action": "message", "body": "Done."})
    case.refresh_from_db()
    assert case.reply_received_at is not None
    assert not Notification.objects.filter(kind="reply").exists()


# 2. The queue ----------------------------------------------------------------------------------


def test_the_queue_pages_instead_of_stopping_silently_and_sorts(resident_client: Client) -> None:
    first = apply_for_parking_card(resident_client)
    for days in range(60):
        copy_of(first, due_on=timezone.localdate() + timedelta(days=days + 1))
    agent = client_for("agent-parking")
    page = agent.get("/en/back-office/").content.decode()
    assert "61 cases" in page and "Page 1 of 2" in page
    second = agent.get("/en/back-office/?page=2").content.decode()
    assert second.count('name="selected"') == 11
    by_received = agent.get("/en/back-office/?sort=-received").context["cases"]
    times = [case.submitted_at for case in by_received]
    assert times == sorted(times, reverse=True)
    by_due = agent.get("/en/back-office/?sort=due").context["cases"]
    dues = [case.due_on for case in by_due]
    assert dues == sorted(dues)


def test_the_queue_signals_overdue_counter_typed_data_and_repeated_requests(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    yesterday = timezone.localdate() - timedelta(days=1)
    overdue = copy_of(case, due_on=yesterday)
    counter = copy_of(case, channel=Case.Channel.COUNTER, applicant=demo_user("resident2"))
    typed = copy_of(case, declared_instead=["population"], applicant=demo_user("business"))
    agent = client_for("agent-parking")
    rows = {
        row.split("</tr>")[0].split('value="')[1][:20]: row
        for row in agent.get("/en/back-office/").content.decode().split("<tr")[2:]
    }  # one row per case, keyed by reference

    def row_of(c: Case) -> str:
        return next(row for ref, row in rows.items() if ref.startswith(c.reference))

    assert "Overdue" in row_of(overdue) and "Overdue" not in row_of(case)
    assert "Counter" in row_of(counter) and "Counter" not in row_of(case)
    assert "Typed data" in row_of(typed) and "Typed data" not in row_of(counter)
    assert "2 open requests from this person for this procedure" in row_of(case)
    assert "open request" not in row_of(counter)


def test_the_procedure_filter_lists_only_the_agents_procedures() -> None:
    form = client_for("agent-parking").get("/en/back-office/").context["form"]
    ids = {value for value, _label in form.fields["procedure"].choices} - {""}
    assert "residents-parking-card" in ids
    assert "change-of-address" not in ids
    municipal = client_for("agent-ixelles").get("/en/back-office/").context["form"]
    assert "change-of-address" in {value for value, _label in municipal.fields["procedure"].choices}


def test_back_to_the_queue_keeps_the_filters(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    agent = client_for("agent-parking")
    agent.get("/en/back-office/?status=all&sort=received&procedure=residents-parking-card")
    page = agent.get(case_url(case)).content.decode()
    query = "status=all&amp;sort=received&amp;procedure=residents-parking-card"
    assert f'href="/en/back-office/?{query}"' in page


def test_the_queue_takes_the_whole_width_and_figures_are_links() -> None:
    page = client_for("agent-parking").get("/en/back-office/").content.decode()
    assert '<body class="page-wide">' in page  # header, content and footer on the same edges
    assert 'href="/en/back-office/?overdue=on"' in page


# 3. Notes, handover, assignment ----------------------------------------------------------------


def test_internal_notes_stay_among_colleagues(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    agent = client_for("agent-parking")
    version = case.version
    assert agent.post(case_url(case), {"action": "note", "body": ""}).status_code == 422
    response = agent.post(case_url(case), {"action": "note", "body": "Plate checked by phone."})
    assert response.status_code == 302
    assert CaseNote.objects.get(case=case).author == demo_user("agent-parking")
    case.refresh_from_db()
    assert case.version == version
    assert "Plate checked by phone." in agent.get(case_url(case)).content.decode()
    mine = resident_client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert "Plate checked by phone." not in mine
    assert not Notification.objects.filter(body__contains="Plate checked").exists()


def test_assign_to_me_and_a_handover_are_in_the_history(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    User.objects.filter(username="demo-agent-parking").update(preferred_language="en")
    agent = client_for("agent-parking")
    agent.post(case_url(case), with_version(case, {"action": "assign", "assignee": "me"}))
    case.refresh_from_db()
    assert case.assigned_to == demo_user("agent-parking")
    handover = {"action": "assign", "assignee": "", "handover": "Waiting for the DIV's answer."}
    agent.post(case_url(case), with_version(case, handover))
    event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ASSIGNMENT).last()
    assert event is not None and event.note == "Waiting for the DIV's answer."
    page = agent.get(case_url(case)).content.decode()
    assert "Assigned to Nadia" in page and "Waiting for the DIV&#x27;s answer." in page
    mine = resident_client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert "DIV&#x27;s answer" not in mine


# 4. Who opened a case --------------------------------------------------------------------------


def test_reloads_count_as_one_opening_and_a_head_of_service_sees_who(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    agent = client_for("agent-parking")
    for _reload in range(3):
        assert "Who opened this case" not in agent.get(case_url(case)).content.decode()
    openings = AccessLogEntry.objects.filter(case_reference=case.reference, source="case")
    assert openings.count() == 1

    head = User.objects.create(username="head-parking", first_name="Hélène", last_name="Dubois",
                               national_number="90010100195")  # fmt: skip
    Membership.objects.create(user=head, administration_id="parking-brussels", role="manager")
    client = Client()
    client.force_login(head)
    page = client.get(case_url(case)).content.decode()
    section = page.split('id="openings"')[1]
    assert section.count("Nadia Haddad") == 1
    assert "Hélène Dubois" in section  # the head's own opening, recorded too
    assert openings.filter(actor_pseudonym=person_pseudonym(head)).count() == 1


def test_an_opening_more_than_30_minutes_after_the_last_counts_again() -> None:
    now = timezone.now()
    assert opens_anew(None, now)
    assert not opens_anew(now - timedelta(minutes=29), now)
    assert opens_anew(now - timedelta(minutes=30), now)
    assert opens_anew(now - timedelta(hours=5), now)


# 5. Search by person ---------------------------------------------------------------------------


def test_search_by_name_finds_the_applicants_cases(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    other = apply_for_parking_card(client_for("resident2"), plate="1-JPN-451")
    name = case.applicant.last_name.lower()
    found = client_for("agent-parking").post("/en/back-office/person/", {"person": name})
    references = {c.reference for c in found.context["cases"]}
    assert case.reference in references and other.reference not in references
    assert not AccessLogEntry.objects.filter(attributes=["search"]).exists()
    # The person whose cases were shown reads it under My data; the other was not looked up.
    logged = AccessLogEntry.objects.filter(attributes=["search-by-name"])
    assert [e.subject_pseudonym for e in logged] == [person_pseudonym(case.applicant)]
    assert logged.get().actor_pseudonym == person_pseudonym(demo_user("agent-parking"))
    my_data = resident_client.get("/en/my-data/").content.decode()
    assert "found your cases by searching for your name" in my_data


def test_a_national_number_search_needs_a_reason_and_is_logged_for_the_person(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    agent = client_for("agent-parking")
    number = case.applicant.national_number
    assert number
    logged = AccessLogEntry.objects.filter(attributes=["search"])
    refused = agent.post("/en/back-office/person/", {"person": number})
    assert refused.status_code == 422
    assert "Say why you look this person up" in refused.content.decode()
    assert not logged.exists()
    assert agent.get("/en/back-office/person/").status_code == 405  # never in an address

    typed = f"{number[:2]}.{number[2:4]}.{number[4:6]}-{number[6:9]}.{number[9:]}"
    found = agent.post("/en/back-office/person/", {"person": typed, "purpose": "find-to-answer"})
    assert found.status_code == 200
    assert [c.reference for c in found.context["cases"]] == [case.reference]
    entry = logged.get()
    assert entry.subject_pseudonym == person_pseudonym(case.applicant)
    assert entry.actor_pseudonym == person_pseudonym(demo_user("agent-parking"))
    assert entry.purpose == "find-to-answer"
    my_data = resident_client.get("/en/my-data/").content.decode()
    assert "looked up your cases by your national number" in my_data


def test_the_queue_search_by_reference_does_not_look_names_up(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    agent = client_for("agent-parking")
    by_reference = agent.get(f"/en/back-office/?reference={case.reference.lower()}")
    assert [c.reference for c in by_reference.context["cases"]] == [case.reference]
    by_name = agent.get(f"/en/back-office/?reference={case.applicant.last_name}")
    assert list(by_name.context["cases"]) == []


# 6. Export, figures, next case -----------------------------------------------------------------


def test_the_csv_export_is_the_filtered_list(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    overdue = copy_of(case, due_on=timezone.localdate() - timedelta(days=2))
    response = client_for("agent-parking").get("/en/back-office/cases.csv?overdue=on")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Reference"
    assert [row[0] for row in rows[1:]] == [overdue.reference]
    assert rows[1][7] == "yes"


def test_figures_by_procedure_agent_and_week(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    copy_of(case, status=Case.Status.APPROVED, decided_at=timezone.now())
    page = client_for("agent-parking").get("/en/back-office/figures/")
    assert page.status_code == 200
    procedure_row = next(row for row, _link in page.context["tables"][0]["rows"])
    assert (procedure_row.received, procedure_row.decided, procedure_row.open) == (2, 1, 1)
    year, week, _day = timezone.localdate().isocalendar()
    assert f"{year}-W{week:02d}" in page.content.decode()
    assert "?status=all&amp;procedure=residents-parking-card" in page.content.decode()
    by_agent = {row.label: (row.received, link) for row, link in page.context["tables"][1]["rows"]}
    assert by_agent["Nobody"] == (2, "/en/back-office/?status=all&assigned=nobody")


def test_after_deciding_the_next_case_of_the_queue_is_offered(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    later = copy_of(case, due_on=(case.due_on or timezone.localdate()) + timedelta(days=3))
    agent = client_for("agent-parking")
    agent.get("/en/back-office/?sort=due")
    response = agent.post(case_url(case), with_version(case, {
        "action": "decide", "status": "approved", "note": "In order."}), follow=True)  # fmt: skip
    assert f"Next case: {later.reference}" in response.content.decode()
