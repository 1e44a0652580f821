"""Each rule on cases is stated once, in ``cases.actions``: the applicant's page, the back-office
and the API give the same answer because they ask the same check."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loket.api.clients import do_create_api_client
from loket.api.models import WebhookDelivery, WebhookEndpoint
from loket.api.webhooks import do_add_endpoint
from loket.cases.actions import (
    CaseClosed,
    NotAColleague,
    StaleCase,
    do_assign,
    do_change_status,
    do_decide,
    do_post_message,
)
from loket.cases.models import Case, CaseEvent, CaseMessage
from loket.cases.notices import notices_about
from loket.core.models import Administration
from loket.notify.models import Notification
from tests.conftest import client_for, demo_user, with_version
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CLOSED = "This case is closed: no more messages can be sent on it."
STALE = "This case was changed by someone else meanwhile."


@pytest.fixture
def case() -> Case:
    return apply_for_parking_card(client_for("resident"))


def api_client() -> Client:
    _client, token = do_create_api_client(
        Administration.objects.get(id="parking-brussels"), "Parking back-end",
        ["cases:read", "cases:write"],
    )  # fmt: skip
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


def api_post(client: Client, case: Case, path: str, body: dict[str, Any], etag: str) -> Any:
    return client.post(
        f"/api/v1/cases/{case.reference}/{path}", body, content_type="application/json",
        HTTP_IF_MATCH=etag,
    )  # fmt: skip


def etag(client: Client, case: Case) -> str:
    return str(client.get(f"/api/v1/cases/{case.reference}/")["ETag"])


# No message on a closed case -------------------------------------------------------------------


def _post_on_closed_case(channel: str, case: Case, text: str) -> tuple[int, str]:
    if channel == "applicant":
        answer = client_for("resident").post(
            f"/en/my-cases/{case.reference}/", {"action": "message", "body": text}
        )
        return answer.status_code, answer.content.decode()
    if channel == "back-office":
        answer = client_for("agent-parking").post(
            f"/en/back-office/cases/{case.reference}/",
            with_version(case, {"action": "message", "body": text}),
        )
        return answer.status_code, answer.content.decode()
    client = api_client()
    answer = api_post(client, case, "messages/", {"body": text}, etag(client, case))
    return answer.status_code, answer.json()["title"]


@pytest.mark.parametrize("channel", ["applicant", "back-office", "api"])
def test_no_message_on_a_closed_case_whoever_writes(case: Case, channel: str) -> None:
    do_decide(case, demo_user("agent-parking"), Case.Status.APPROVED)
    messages_before = CaseMessage.objects.filter(case=case).count()
    status, answer = _post_on_closed_case(channel, case, "One more thing about my card")
    assert status == 409
    assert CLOSED in answer
    if channel != "api":  # on a page, what the person typed is still there to copy
        assert "One more thing about my card" in answer
    assert CaseMessage.objects.filter(case=case).count() == messages_before


def test_the_action_itself_refuses_a_message_on_a_closed_case(case: Case) -> None:
    do_change_status(case, demo_user("agent-parking"), Case.Status.REJECTED, "Not in the zone")
    with pytest.raises(CaseClosed):
        do_post_message(case, demo_user("agent-parking"), "Forgot to say")
    with pytest.raises(CaseClosed):
        do_post_message(case, case.applicant, "But I live here")


def test_the_refusal_is_translated(case: Case) -> None:
    do_decide(case, demo_user("agent-parking"), Case.Status.APPROVED)
    answer = client_for("resident").post(
        f"/fr/my-cases/{case.reference}/", {"action": "message", "body": "Encore une chose"}
    )
    assert answer.status_code == 409
    page = answer.content.decode()
    assert "Encore une chose" in page
    assert CLOSED not in page
    assert re.search(r"dossier est clos", page, re.IGNORECASE)


# One decision, through the back-office or the API ----------------------------------------------


def _decided_state(case: Case) -> dict[str, Any]:
    case.refresh_from_db()
    return {
        "status": case.status,
        "decided": case.decided_at is not None,
        # A payment attempt's own reference is random: the rest of its note must match.
        "history": [
            (kind, status, re.sub(r"\(reference [^)]+\)", "(reference …)", note))
            for kind, status, note in case.events.values_list("kind", "status", "note")
        ],
        "messages": [
            (m.body, m.from_applicant, [(a.name, a.content_type) for a in m.attachments.all()])
            for m in case.messages.all()
        ],
        "notices": sorted(notices_about(case).values_list("kind", flat=True)),
        "version": case.version,
    }


def test_deciding_in_the_back_office_or_through_the_api_gives_the_same_case() -> None:
    on_web = apply_for_parking_card(client_for("resident"))
    by_api = apply_for_parking_card(client_for("resident2"), plate="1-JPN-451")
    page = client_for("agent-parking").post(
        f"/en/back-office/cases/{on_web.reference}/",
        with_version(on_web, {"action": "decide", "status": "approved", "note": "Valid one year.",
                              "attachment": SimpleUploadedFile("decision.pdf", PDF,
                                                               "application/pdf")}),
    )  # fmt: skip
    assert page.status_code == 302
    client = api_client()
    document = {"name": "decision.pdf", "content_base64": base64.b64encode(PDF).decode()}
    answer = api_post(
        client, by_api, "decision/",
        {"status": "approved", "note": "Valid one year.", "documents": [document]},
        etag(client, by_api),
    )  # fmt: skip
    assert answer.status_code == 200, answer.content
    web_state, api_state = _decided_state(on_web), _decided_state(by_api)
    assert web_state == api_state
    assert web_state["messages"][-1] == (
        "Valid one year.", False, [("decision.pdf", "application/pdf")]
    )  # fmt: skip
    # One notice for the decision (beside the fee's "pay" notice and the receipt's).
    assert web_state["notices"] == ["decided", "payment_due", "submitted"]
    # The applicant reads the decision's reasons and document on their page.
    mine = client_for("resident").get(f"/en/my-cases/{on_web.reference}/").content.decode()
    assert "Valid one year." in mine and "decision.pdf" in mine


def test_a_move_the_workflow_forbids_is_refused_on_the_web_and_through_the_api(case: Case) -> None:
    do_decide(case, demo_user("agent-parking"), Case.Status.APPROVED)
    case.refresh_from_db()
    bulk = client_for("agent-parking").post(
        "/en/back-office/",
        {"selected": [case.reference], "bulk_status": "in_progress", "confirm": "yes",
         f"version-{case.reference}": str(case.version)},
        follow=True,
    )  # fmt: skip
    page = bulk.content.decode()
    assert f"These cases were left as they are: {case.reference} (The case cannot take" in page
    client = api_client()
    answer = api_post(client, case, "status/", {"status": "in_progress"}, etag(client, case))
    assert answer.status_code == 409
    assert answer.json()["title"] == "The case cannot take this status now: it is Approved."
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED


# One case version, for the back-office and the API ---------------------------------------------


@pytest.mark.parametrize("stale_writer", ["back-office", "api"])
@pytest.mark.parametrize("other_writer", ["back-office", "api"])
def test_a_write_on_an_older_version_is_refused_and_nothing_is_overwritten(
    case: Case, stale_writer: str, other_writer: str
) -> None:
    agent = client_for("agent-parking")
    client = api_client()
    url = f"/en/back-office/cases/{case.reference}/"
    seen_version, seen_etag = str(case.version), etag(client, case)
    # Someone else moves the case first, through their own channel.
    if other_writer == "back-office":
        moved = agent.post(url, with_version(case, {"action": "request", "body": "Insurance?"}))
        assert moved.status_code == 302
    else:
        moved = api_post(client, case, "status/", {"status": "information_requested",
                                                   "note": "Insurance?"}, seen_etag)  # fmt: skip
        assert moved.status_code == 200
    case.refresh_from_db()
    state = (case.status, case.version, case.messages.count(), case.events.count())
    # The writer who read the older version decides: refused, with the change to look at.
    if stale_writer == "back-office":
        refused = agent.post(
            url,
            {
                "action": "decide",
                "status": "rejected",
                "note": "My carefully written reasons",
                "version": seen_version,
            },
        )
        assert refused.status_code == 409
        page = refused.content.decode()
        assert STALE in page
        assert "Insurance?" in page  # what changed
        assert "My carefully written reasons" in page  # what the agent typed is kept
        assert f'name="version" value="{case.version}"' in page  # ready to resend
    else:
        refused = api_post(client, case, "decision/", {"status": "rejected"}, seen_etag)
        assert refused.status_code == 412
        assert refused["Content-Type"] == "application/problem+json"
    case.refresh_from_db()
    assert (case.status, case.version, case.messages.count(), case.events.count()) == state


def test_the_etag_is_the_case_version_and_if_match_is_still_required(case: Case) -> None:
    client = api_client()
    assert etag(client, case) == f'"{case.version}"'
    missing = client.post(f"/api/v1/cases/{case.reference}/status/", {"status": "in_progress"},
                          content_type="application/json")  # fmt: skip
    assert missing.status_code == 428
    weak = api_post(client, case, "status/", {"status": "in_progress"}, f'W/"{case.version}"')
    assert weak.status_code == 412
    several = api_post(client, case, "status/", {"status": "in_progress"},
                       f'"{case.version + 5}", "{case.version}"')  # fmt: skip
    assert several.status_code == 200
    assert several["ETag"] == f'"{case.version + 1}"'


def test_after_a_refusal_the_agent_resends_with_the_version_shown_and_it_goes_through(
    case: Case,
) -> None:
    agent = client_for("agent-parking")
    url = f"/en/back-office/cases/{case.reference}/"
    seen = str(case.version)
    do_post_message(case, case.applicant, "I moved last week")
    decision = {"action": "decide", "status": "approved", "note": "OK", "version": seen}
    refused = agent.post(url, decision)
    assert refused.status_code == 409 and "I moved last week" in refused.content.decode()
    version = re.search(r'name="version" value="(\d+)"', refused.content.decode())
    assert version is not None
    assert agent.post(url, {**decision, "version": version.group(1)}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED


def test_the_version_is_checked_by_the_action_itself(case: Case) -> None:
    agent = demo_user("agent-parking")
    seen = case.version
    do_post_message(case, agent, "First")
    with pytest.raises(StaleCase) as refused:
        do_decide(case, agent, Case.Status.APPROVED, expected_version=seen)
    assert refused.value.expected_version == seen
    assert refused.value.case.version == seen + 1
    with pytest.raises(StaleCase):
        do_assign(case, agent, agent, expected_version=seen)
    assert do_decide(case, agent, Case.Status.APPROVED, expected_version=seen + 1).version == (
        seen + 2
    )


def test_a_back_office_form_without_its_version_is_a_bad_request(case: Case) -> None:
    agent = client_for("agent-parking")
    url = f"/en/back-office/cases/{case.reference}/"
    assert agent.post(url, {"action": "decide", "status": "approved"}).status_code == 400
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED


def test_bulk_change_skips_and_names_the_cases_changed_meanwhile_and_applies_the_others() -> None:
    first = apply_for_parking_card(client_for("resident"))
    second = apply_for_parking_card(client_for("resident2"), plate="1-JPN-451")
    agent = client_for("agent-parking")
    queue = agent.get("/en/back-office/").content.decode()
    shown = dict(re.findall(r'name="version-([^"]+)" value="(\d+)"', queue))
    assert shown == {first.reference: str(first.version), second.reference: str(second.version)}
    do_post_message(second, second.applicant, "Please wait, new car")  # after the queue showed
    answer = agent.post(
        "/en/back-office/",
        {"selected": [first.reference, second.reference], "bulk_status": "approved",
         "bulk_note": "Both vehicles are registered in the zone.", "confirm": "yes",
         **{f"version-{reference}": version for reference, version in shown.items()}},
        follow=True,
    )  # fmt: skip
    page = answer.content.decode()
    assert f"1 case moved to “Approved”: {first.reference}." in page
    assert "changed by someone else meanwhile" in page and second.reference in page
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Case.Status.APPROVED
    assert second.status == Case.Status.SUBMITTED


def test_a_decision_in_bulk_without_reasons_is_refused_and_keeps_the_selection() -> None:
    first = apply_for_parking_card(client_for("resident"))
    second = apply_for_parking_card(client_for("resident2"), plate="1-JPN-451")
    agent = client_for("agent-parking")
    versions = {f"version-{c.reference}": str(c.version) for c in (first, second)}
    chosen = {"selected": [first.reference, second.reference], "bulk_status": "rejected",
              "bulk_note": "  ", **versions}  # fmt: skip
    refused = agent.post("/en/back-office/?status=open", chosen)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "A decision in bulk must give its reasons" in page
    for case in (first, second):
        assert re.search(rf'value="{case.reference}"[^>]*checked', page)
        case.refresh_from_db()
        assert case.status == Case.Status.SUBMITTED
    reasons = "The vehicles are not registered in the zone."
    done = agent.post("/en/back-office/", {**chosen, "bulk_note": reasons, "confirm": "yes"})
    assert done.status_code == 302
    for case in (first, second):
        case.refresh_from_db()
        assert case.status == Case.Status.REJECTED
        assert case.events.get(status=Case.Status.REJECTED).note == reasons


# Assignments in the history --------------------------------------------------------------------


def test_an_assignment_is_recorded_who_assigned_whom_and_when(case: Case) -> None:
    agent = demo_user("agent-parking")
    url = f"/en/back-office/cases/{case.reference}/"
    answer = client_for("agent-parking").post(
        url, with_version(case, {"action": "assign", "assignee": str(agent.pk)})
    )
    assert answer.status_code == 302
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.ASSIGNMENT)
    assert (event.actor, event.assignee, event.status) == (agent, agent, Case.Status.SUBMITTED)
    assert event.at is not None
    history = client_for("agent-parking").get(url).content.decode()
    assert f"Assigned to {agent.display_name}" in history
    # The same assignment again records nothing; unassigning does.
    do_assign(case, agent, agent)
    do_assign(case, agent, None)
    kinds = list(case.events.exclude(kind="status").values_list("kind", "assignee"))
    assert kinds == [("assignment", agent.pk), ("assignment", None)]
    assert "Assignment removed" in client_for("agent-parking").get(url).content.decode()
    # The applicant's history and the administration's systems see status changes only.
    mine = client_for("resident").get(f"/en/my-cases/{case.reference}/").content.decode()
    assert "Assigned to" not in mine and "Assignment removed" not in mine


def test_an_assignment_is_in_the_api_history_and_sends_no_status_event(case: Case) -> None:
    agent = demo_user("agent-parking")
    do_add_endpoint("parking-brussels", "http://127.0.0.1:9/hooks", WebhookEndpoint.EVENTS)
    do_assign(case, agent, agent)
    assert not WebhookDelivery.objects.filter(event="case.status_changed").exists()
    history = api_client().get(f"/api/v1/cases/{case.reference}/").json()["history"]
    assert history[-1]["kind"] == "assignment"
    assert history[-1]["assignee"] == agent.display_name


def test_a_case_is_assigned_only_to_someone_handling_its_administration(case: Case) -> None:
    with pytest.raises(NotAColleague):
        do_assign(case, demo_user("agent-parking"), demo_user("agent-ixelles"))
    case.refresh_from_db()
    assert case.assigned_to is None


# Notices are marked read by a POST, never by reading a page ------------------------------------


def test_showing_the_inbox_marks_nothing_read_its_button_marks_what_it_showed(case: Case) -> None:
    resident = client_for("resident")
    do_post_message(case, demo_user("agent-parking"), "We are looking at it.")
    read = set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True))
    assert len(read) == 1  # the fee's "pay" notice, read once the fee was paid
    page = resident.get("/en/my-cases/").content.decode()
    assert set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True)) == (
        read
    )
    assert resident.get("/en/my-cases/").content.decode().count("New:") == 2  # still new
    shown = re.findall(r'name="notice" value="(\d+)"', page)
    assert len(shown) == 2
    do_post_message(case, demo_user("agent-parking"), "Arrived after the page was shown")
    strangers = client_for("resident2").post("/en/my-cases/inbox/read/", {"notice": shown})
    assert strangers.status_code == 302
    assert Notification.objects.filter(read_at__isnull=False).count() == 1  # not theirs
    assert resident.get("/en/my-cases/inbox/read/").status_code == 405
    answer = resident.post("/en/my-cases/inbox/read/", {"notice": [*shown, "x", "9" * 40]})
    assert answer.status_code == 302 and answer["Location"] == "/en/my-cases/"
    unread = Notification.objects.filter(recipient=case.applicant, read_at__isnull=True)
    assert unread.count() == 1  # the notice that arrived after the page was shown
    assert resident.get("/en/my-cases/").content.decode().count("New:") == 1


def test_opening_a_notice_marks_that_one_read_and_leads_where_it_points(case: Case) -> None:
    resident = client_for("resident")
    do_post_message(case, demo_user("agent-parking"), "We are looking at it.")
    page = resident.get("/en/my-cases/").content.decode()
    opened = re.findall(r'href="/en/my-cases/inbox/(\d+)/"', page)
    assert len(opened) == 3 and page.count("New:") == 2  # the fee's "pay" notice: read, paid
    notice = Notification.objects.get(pk=int(opened[0]))
    assert client_for("resident2").get(f"/en/my-cases/inbox/{notice.pk}/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None  # a stranger's attempt marks nothing
    followed = resident.get(f"/en/my-cases/inbox/{notice.pk}/")
    assert followed.status_code == 302 and followed["Location"] == notice.link
    assert f"/my-cases/{case.reference}/" in notice.link
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert resident.get("/en/my-cases/").content.decode().count("New:") == 1  # only the other
    assert resident.get(f"/en/my-cases/inbox/{notice.pk}/").status_code == 302  # again: fine


def test_a_notice_that_leads_off_the_site_goes_back_to_my_cases(case: Case) -> None:
    resident = client_for("resident")
    notice = Notification.objects.filter(recipient=case.applicant).first()
    assert notice is not None
    Notification.objects.filter(pk=notice.pk).update(link="//evil.example/x")
    followed = resident.get(f"/en/my-cases/inbox/{notice.pk}/")
    assert followed.status_code == 302 and followed["Location"] == "/en/my-cases/"
    assert resident.get("/en/my-cases/inbox/999999999/").status_code == 404


def test_an_assignee_that_is_not_a_user_id_is_a_4xx_or_nobody_never_a_server_error(
    case: Case,
) -> None:
    agent = client_for("agent-parking")
    url = f"/en/back-office/cases/{case.reference}/"
    for odd in ("abc", "1e5", "²", "9" * 30):
        answer = agent.post(url, with_version(case, {"action": "assign", "assignee": odd}))
        assert answer.status_code < 500
    case.refresh_from_db()
    assert case.assigned_to is None


def test_anonymising_a_case_makes_earlier_reads_stale(case: Case) -> None:
    from loket.privacy.retention import anonymise_case, anonymous_user

    client = api_client()
    seen = etag(client, case)
    anonymise_case(Case.objects.get(pk=case.pk), anonymous_user())
    answer = api_post(client, case, "status/", {"status": "in_progress"}, seen)
    assert answer.status_code == 412
