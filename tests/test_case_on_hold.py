"""A case on hold for the applicant's information: the agent's question comes first on the case
page, with its own answer form, and no due date is shown that does not run."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import formats, timezone

from loket.cases.actions import do_post_message, do_request_information
from loket.cases.models import Case
from loket.core.holidays import add_working_days, closed_days, is_working_day, next_working_day
from tests.conftest import client_for, days_ago, demo_user
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db

QUESTION = "Please send the lease contract of the car."


def _held_case() -> Case:
    case = apply_for_parking_card(client_for("resident"))
    do_request_information(case, demo_user("agent-parking"), QUESTION)
    case.refresh_from_db()
    assert case.status == Case.Status.INFORMATION_REQUESTED
    return case


def test_the_question_comes_first_with_its_answer_form_and_the_clock_says_paused() -> None:
    case = _held_case()
    page = client_for("resident").get(f"/en/my-cases/{case.reference}/").content.decode()
    question = page.index('id="open-question"')
    assert question < page.index(QUESTION) < page.index("Your answer to this question")
    assert page.index("Send my answer") < page.index('class="summary-list"')
    # No empty "Messages" block under the question, as if nothing had been asked.
    assert "<h2>Messages</h2>" not in page and "No message yet." not in page
    assert "Paused until you answer the question" in page
    assert case.due_on is not None
    # Not a true date now (the answers sent, under "What you asked", may hold any date).
    status = re.sub(r'<details class="sent-answers".*?</details>', "", page, flags=re.S)
    assert formats.date_format(case.due_on, "DATE_FORMAT") not in status
    assert "Write to the administration" not in page  # one answer box, not two


def test_earlier_messages_still_follow_the_question_under_their_heading() -> None:
    case = apply_for_parking_card(client_for("resident"))
    do_post_message(case, demo_user("resident"), "Can I park in the next street too?")
    do_request_information(case, demo_user("agent-parking"), QUESTION)
    page = client_for("resident").get(f"/en/my-cases/{case.reference}/").content.decode()
    assert page.index("Send my answer") < page.index("<h2>Messages</h2>")
    assert page.index("<h2>Messages</h2>") < page.index("Can I park in the next street too?")
    assert "No message yet." not in page


def test_a_case_without_a_question_or_message_says_there_is_no_message_yet() -> None:
    case = apply_for_parking_card(client_for("resident"))
    page = client_for("resident").get(f"/en/my-cases/{case.reference}/").content.decode()
    assert "<h2>Messages</h2>" in page and "No message yet." in page


def test_answering_the_question_resumes_the_case_and_a_blank_answer_is_refused() -> None:
    case = _held_case()
    client = client_for("resident")
    url = f"/en/my-cases/{case.reference}/"
    blank = client.post(url, {"action": "message", "body": "  "})
    assert blank.status_code == 422
    assert "Write your answer." in blank.content.decode()
    answered = client.post(url, {"action": "message", "body": "Attached, the lease."})
    assert answered.status_code == 302
    case.refresh_from_db()
    assert case.status != Case.Status.INFORMATION_REQUESTED
    page = client.get(url).content.decode()
    assert 'id="open-question"' not in page and "Write to the administration" in page
    assert "Paused until you answer" not in page


def _a_weekday_holiday_after(day: date) -> date:
    holidays = sorted({**closed_days(day.year), **closed_days(day.year + 1)})
    return next(h for h in holidays if h > day and h.weekday() < 5)


def test_a_time_limit_never_counts_or_ends_on_a_public_holiday() -> None:
    holiday = _a_weekday_holiday_after(timezone.localdate() + timedelta(days=7))
    ends = {add_working_days(holiday - timedelta(days=back), 1) for back in range(1, 5)}
    assert holiday not in ends and all(is_working_day(day) for day in ends)


def test_a_time_limit_moved_on_after_the_answer_ends_on_a_working_day_not_a_holiday() -> None:
    """The days waited for the answer are added to the time limit; when that lands on a public
    holiday (or a weekend), the case is due the next working day."""
    case = _held_case()
    waited = 3
    holiday = _a_weekday_holiday_after(timezone.localdate() + timedelta(days=waited + 1))
    asked = case.events.status_changes().filter(status=Case.Status.INFORMATION_REQUESTED)
    asked.update(at=days_ago(waited))
    Case.objects.filter(pk=case.pk).update(due_on=holiday - timedelta(days=waited))
    case.refresh_from_db()
    do_post_message(case, demo_user("resident"), "Here is the lease contract.")
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    assert case.due_on is not None and case.due_on > holiday
    assert case.due_on == next_working_day(holiday + timedelta(days=1))
