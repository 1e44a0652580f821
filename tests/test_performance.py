"""The user's voice and the performance of the services (#18 part 3): the anonymous feedback
question, the journey counters that outlive drafts, and the indicators each administration sees
of its own procedures only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from loket.catalog.models import Procedure
from loket.doors.models import Door
from loket.forms.actions import do_delete_draft, do_save_answers, get_or_start_draft
from loket.forms.definitions import get_definition
from loket.forms.models import Draft
from loket.performance.models import Feedback, JourneyDay
from loket.performance.selectors import indicators_for, weighted_median
from tests.conftest import client_for, demo_user
from tests.test_all_procedures import submit

pytestmark = pytest.mark.django_db
PARKING = "residents-parking-card"
PAGE = f"/en/procedures/{PARKING}/"


def answer(client: Client, **data: str) -> Any:
    form = {"score": "4", "text": "", "channel": "procedure-page", "next": PAGE, **data}
    return client.post(f"/en/procedures/{PARKING}/feedback/", form)


def test_the_procedure_page_asks_did_you_find_what_you_needed_without_javascript(
    in_english: None,
) -> None:
    page = Client().get(PAGE).content.decode()
    assert f'action="/en/procedures/{PARKING}/feedback/"' in page
    # Before anyone has started, not "was it easy?" (asked after sending).
    assert "Did you find what you needed?" in page and "Was it easy?" not in page
    assert "What was missing? (optional)" in page
    assert "Only averages of at least 5 answers are ever published" in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_an_answer_is_kept_without_anything_that_points_to_the_person(in_english: None) -> None:
    client = client_for("resident")  # logged in: still nothing of the person is kept
    response = answer(client, score="2", text="  A field for my second plate  ")

    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?feedback=thanks#feedback"
    [kept] = Feedback.objects.all()
    assert (kept.procedure_id, kept.door_id, kept.score) == (PARKING, "region", 2)
    assert (kept.text, kept.channel, kept.language) == (
        "A field for my second plate",
        "procedure-page",
        "en",
    )
    assert kept.day == timezone.localdate()
    names = {field.name for field in Feedback._meta.get_fields()}
    assert names == {"id", "procedure", "door", "language", "score", "text", "channel", "day"}
    thanked = client.get(response["Location"]).content.decode()
    assert "Thank you for your answer" in thanked and 'name="score"' not in thanked


def test_bad_answers_get_a_translated_message_a_400_and_keep_what_was_typed() -> None:
    client = Client()
    missing = answer(client, score="", text="The list of documents")
    assert missing.status_code == 400
    assert "Choose whether you found what you needed." in missing.content.decode()
    assert "The list of documents</textarea>" in missing.content.decode()

    too_long = Client(HTTP_ACCEPT_LANGUAGE="fr").post(
        f"/fr/procedures/{PARKING}/feedback/",
        {"score": "9", "text": "x" * 1001, "channel": "procedure-page", "next": PAGE},
    )
    assert too_long.status_code == 400
    page = too_long.content.decode()
    assert "Erreur" in page  # French: the page, its title and its messages
    assert Feedback.objects.count() == 0


@pytest.mark.usefixtures("steady_rate_window")
def test_answers_are_rate_limited_per_address(settings: object) -> None:
    settings.LOKET_FEEDBACK_RATE_LIMIT = (2, 3600)  # type: ignore[attr-defined]
    client = Client()
    assert answer(client).status_code == 302
    assert answer(client).status_code == 302
    refused = answer(client, text="third")
    assert refused.status_code == 429
    assert "Too many answers" in refused.content.decode()
    assert "third</textarea>" in refused.content.decode()
    assert Feedback.objects.count() == 2


def test_the_way_back_never_leaves_the_site() -> None:
    response = answer(Client(), next="https://evil.example/")
    assert response["Location"] == f"{PAGE}?feedback=thanks#feedback"
    response = answer(Client(), next="//evil.example/x")
    assert response["Location"] == f"{PAGE}?feedback=thanks#feedback"


def test_after_sending_the_confirmation_asks_and_thanks_on_the_same_page(in_english: None) -> None:
    client = client_for("resident")
    case = submit(client, PARKING)
    confirmation = f"/en/my-cases/{case.reference}/?submitted=1"
    page = client.get(confirmation).content.decode()
    assert 'value="after-application"' in page
    response = client.post(
        f"/en/procedures/{PARKING}/feedback/",
        {"score": "5", "channel": "after-application", "next": confirmation},
    )
    assert response["Location"] == f"{confirmation}&feedback=thanks#feedback"
    assert "Thank you for your answer" in client.get(response["Location"]).content.decode()
    assert Feedback.objects.get().channel == "after-application"


def test_journeys_are_counted_when_started_sent_or_given_up_and_outlive_the_drafts() -> None:
    client = client_for("resident")
    case = submit(client, PARKING)
    assert not Draft.objects.filter(procedure_id=PARKING, user=case.applicant).exists()
    other = demo_user("resident2")
    procedure = Procedure.objects.get(id=PARKING)
    definition = get_definition(PARKING)
    assert definition is not None
    draft = get_or_start_draft(other, procedure, definition, Door.objects.get(id="ixelles"))
    first = definition.pages[0]
    do_save_answers(draft, {first.fields[0].name: "1-JPN-451"})
    do_delete_draft(draft, other)

    counts = {
        (row.event, row.door_id, row.page): row.count
        for row in JourneyDay.objects.filter(procedure_id=PARKING)
    }
    assert counts == {
        ("started", "region", ""): 1,
        ("sent", "region", ""): 1,
        ("started", "ixelles", ""): 1,
        ("stopped", "ixelles", first.id): 1,
    }
    sent = JourneyDay.objects.get(event="sent")
    assert sent.minutes is not None and sent.minutes < 5
    assert sent.day == timezone.localdate()


def test_each_administration_sees_its_own_procedures_and_comments_only() -> None:
    today = timezone.localdate()
    municipal = Procedure.objects.filter(owner_kind=Procedure.Owner.MUNICIPALITY).first()
    assert municipal is not None
    for procedure, door, text in (
        (PARKING, "region", "parking comment"),
        (municipal.id, "ixelles", "ixelles comment"),
        (municipal.id, "schaerbeek", "schaerbeek comment"),
    ):
        JourneyDay.objects.create(procedure_id=procedure, door_id=door, day=today,
                                  event="started", count=10)  # fmt: skip
        JourneyDay.objects.create(procedure_id=procedure, door_id=door, day=today,
                                  event="sent", minutes=12, count=7)  # fmt: skip
        Feedback.objects.create(procedure_id=procedure, door_id=door, language="fr", score=4,
                                text=text, channel="procedure-page", day=today)  # fmt: skip

    parking = {i.procedure.id: i for i in indicators_for(demo_user("agent-parking"), today)}
    assert parking[PARKING].completion == 0.7 and parking[PARKING].median_minutes == 12
    assert [c.text for c in parking[PARKING].comments] == ["parking comment"]
    assert municipal.id not in parking

    ixelles = {i.procedure.id: i for i in indicators_for(demo_user("agent-ixelles"), today)}
    assert PARKING not in ixelles
    assert ixelles[municipal.id].started == 10  # Ixelles' door only, not Schaerbeek's
    assert [c.text for c in ixelles[municipal.id].comments] == ["ixelles comment"]

    page = client_for("agent-ixelles").get("/en/back-office/performance/").content.decode()
    assert "ixelles comment" in page and "schaerbeek comment" not in page
    assert "parking comment" not in page
    assert client_for("resident").get("/en/back-office/performance/").status_code == 403


def test_weighted_median() -> None:
    assert weighted_median([]) is None
    assert weighted_median([(10, 1)]) == 10
    assert weighted_median([(1, 1), (3, 1)]) == 2
    assert weighted_median([(1, 2), (50, 1)]) == 1
    assert weighted_median([(5, 3), (1, 1), (9, 0)]) == 5


def test_no_comment_is_ever_shown_in_public(in_english: None) -> None:
    Feedback.objects.create(
        procedure_id=PARKING, language="en", score=1, text="secret words",
        channel="procedure-page", day=timezone.localdate() - timedelta(days=40),
    )  # fmt: skip
    for path in ("/en/performance/", PAGE, "/en/open-data/"):
        assert "secret words" not in Client().get(path).content.decode()
