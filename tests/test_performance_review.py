"""What the persona review of the feedback and performance pages found (#18 part 3), each held
by a test: charts readable in every language, the right words, where people really stop, a
back-office page that says what it counts, comments that someone reads, the question where
people see it, and limits that a help point can live with."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import pgettext

from loket.catalog.models import Procedure
from loket.core.i18n import french_of, with_french_elision
from loket.doors.models import Door
from loket.forms.definitions import get_definition
from loket.opendata.publish import publish
from loket.performance.actions import forget_old_comments
from loket.performance.models import Feedback, JourneyDay
from loket.performance.selectors import indicators_for
from tests.conftest import client_for, demo_user
from tests.payments_helpers import pay_with_demo
from tests.test_cases import apply_for_parking_card
from tests.test_opendata import storage  # noqa: F401
from tests.test_performance_opendata import last_month_day, seed

pytestmark = pytest.mark.django_db
PARKING = "residents-parking-card"
SVG = "{http://www.w3.org/2000/svg}"
NUMBERS = ("x", "y", "x1", "x2", "y1", "y2", "width", "height")


def svg_numbers(page: str) -> list[float]:
    """Every coordinate of every chart of the page, read as a float (fails on "360,0")."""
    charts = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    assert charts, "no chart on the page"
    found: list[float] = []
    for chart in charts:
        root = ET.fromstring(chart)  # noqa: S314 - our own page
        for element in root.iter():
            for name in NUMBERS:
                if name in element.attrib:
                    found.append(float(element.attrib[name]))
            if "viewBox" in element.attrib:
                found.extend(float(n) for n in element.attrib["viewBox"].split())
    return found


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_chart_coordinates_are_plain_numbers_in_every_language(
    storage: Path,  # noqa: F811
    lang: str,
) -> None:
    seed()
    publish()
    page = Client().get(f"/{lang}/performance/").content.decode()
    assert len(svg_numbers(page)) > 10  # bars' y are decimals: "13.0", never "13,0"
    # The chart scrolls sideways in a named, focusable region instead of shrinking.
    assert re.search(r'<div class="chart-scroll" role="region" tabindex="0" aria-label="', page)


@pytest.mark.parametrize(
    ("name", "elided"),
    [
        ("Ixelles", "d'Ixelles"),
        ("Schaerbeek", "de Schaerbeek"),
        ("Anderlecht", "d'Anderlecht"),
        ("Etterbeek", "d'Etterbeek"),
        ("Uccle", "d'Uccle"),
    ],
)
def test_french_elides_de_before_a_vowel_or_h(name: str, elided: str) -> None:
    assert french_of(name) == elided
    with translation.override("fr"):
        assert with_french_elision(f"Démarches de {name}", name) == f"Démarches {elided}"
    with translation.override("en"):  # only French elides
        assert with_french_elision(f"Procedures of {name}", name) == f"Procedures of {name}"


def test_the_public_page_names_the_month_and_elides_and_says_all_doors(
    storage: Path,  # noqa: F811
) -> None:
    seed()
    publish()
    month = last_month_day().replace(day=1)
    ixelles = Client(HTTP_HOST="ixelles.localhost")
    french = ixelles.get("/fr/performance/").content.decode()
    assert "Démarches d'Ixelles" in french or "Démarches d&#x27;Ixelles" in french
    with translation.override("fr"):
        assert date_format(month, "YEAR_MONTH_FORMAT") in french  # "novembre 2026"
    assert month.strftime("%Y-%m") not in french.split("<main", 1)[-1].split("<svg")[0]
    with translation.override("en"):
        english = ixelles.get("/en/performance/").content.decode()
        assert "Regional procedures (all doors)" in english
        assert "All procedures together (all doors)" in english
        assert "(all doors)" not in Client().get("/en/performance/").content.decode()


def test_counts_have_their_own_words_not_those_of_a_date_or_an_identifier() -> None:
    # "Started" as a column of counts is not "Started on" (a date); "Number" is not "No."
    with translation.override("en"):
        assert pgettext("count of journeys", "Started") == "Started"
    with translation.override("fr"):
        assert pgettext("count of journeys", "Started") == "Commencées"
        assert pgettext("count of answers", "Number") == "Nombre"
    with translation.override("nl"):
        assert pgettext("count of journeys", "Started") == "Gestart"
        assert pgettext("count of answers", "Number") == "Aantal"


def test_people_stop_on_the_page_after_the_last_answered_and_on_the_check_page(
    in_english: None,
) -> None:
    today = timezone.localdate()
    definition = get_definition(PARKING)
    assert definition is not None and len(definition.pages) >= 2
    first, second, last = definition.pages[0], definition.pages[1], definition.pages[-1]
    JourneyDay.objects.create(procedure_id=PARKING, door_id="region", day=today,
                              event="started", count=20)  # fmt: skip
    for page, n in (("", 2), (first.id, 3), (last.id, 5)):
        JourneyDay.objects.create(procedure_id=PARKING, door_id="region", day=today,
                                  event="stopped", page=page, count=n)  # fmt: skip
    [parking] = [
        i for i in indicators_for(demo_user("agent-parking"), today) if i.procedure.id == PARKING
    ]
    stops = {stop.page_id: stop for stop in parking.stops}
    assert stops[first.id].stopped == 2  # nothing answered: stopped on the first page
    assert stops[second.id].stopped == 3  # the first answered: stopped on the second
    assert (stops["check"].stopped, stops["check"].percent_of_started) == (5, 25)
    assert stops["check"].title == "Check your answers before sending"
    assert "payment" in stops  # the card has a fee
    page = client_for("agent-parking").get("/en/back-office/performance/").content.decode()
    assert "Stopped on the page" in page and "Share of those started" in page
    assert "Last page answered" not in page


def test_an_application_left_unpaid_is_where_people_stop_at_payment(in_english: None) -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    [parking] = [
        i
        for i in indicators_for(demo_user("agent-parking"), timezone.localdate())
        if i.procedure.id == PARKING
    ]
    payment = next(stop for stop in parking.stops if stop.page_id == "payment")
    assert payment.in_progress == 1 and case.status == "awaiting_payment"


def test_the_back_office_page_says_its_dates_definitions_scope_and_exports_it(
    in_english: None,
) -> None:
    today = timezone.localdate()
    JourneyDay.objects.create(procedure_id=PARKING, door_id="region", day=today,
                              event="started", count=10)  # fmt: skip
    JourneyDay.objects.create(procedure_id=PARKING, door_id="region", day=today,
                              event="sent", minutes=12, count=7)  # fmt: skip
    for channel, score, text in (
        ("procedure-page", 2, "no price shown"),
        ("after-application", 5, ""),
        ("after-application", 4, ""),
    ):
        Feedback.objects.create(procedure_id=PARKING, door_id="ixelles", language="fr",
                                score=score, text=text, channel=channel, day=today)  # fmt: skip
    agent = client_for("agent-parking")
    page = agent.get("/en/back-office/performance/?days=30").content.decode()
    since = date_format(today - timedelta(days=30), "DATE_FORMAT")
    assert f"From {since} to {date_format(today, 'DATE_FORMAT')}" in page
    assert "Applications sent divided by applications started in the period" in page
    assert "Half of the applications sent took less" in page
    assert "the applications and answers of every door" in page
    # Each question has its own mean; the comment shows its answer, channel and door.
    assert "Did you find what you needed?" in page and "2.0 (1 answer)" in page
    assert "4.5 (2 answers)" in page
    comment = page.split("no price shown", 1)[1].split("</li>", 1)[0]
    assert "Very little (2/5)" in comment and "On the procedure page" in comment
    assert Door.objects.get(id="ixelles").name in comment
    assert 'href="/en/back-office/performance/export.csv?days=30"' in page

    export = agent.get("/en/back-office/performance/export.csv?days=30")
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:3] == ["Procedure", "From", "To"]
    parking = next(row for row in rows if row[0] == Procedure.objects.get(id=PARKING).name)
    assert parking[3:7] == ["10", "7", "70.0", "12.0"]
    assert parking[7:] == ["1", "2.00", "2", "4.50"]
    ixelles = client_for("agent-ixelles").get("/en/back-office/performance/export.csv")
    assert Procedure.objects.get(id=PARKING).name not in ixelles.content.decode()
    assert client_for("resident").get("/en/back-office/performance/export.csv").status_code == 403


def test_comments_on_the_regions_door_about_a_municipal_procedure_reach_the_region_designers(
    in_english: None,
) -> None:
    municipal = Procedure.objects.filter(owner_kind=Procedure.Owner.MUNICIPALITY).first()
    assert municipal is not None
    box = Client().get(f"/en/procedures/{municipal.id}/").content.decode()
    assert "Only the Region&#x27;s service designers read it" in box
    ixelles_box = Client(HTTP_HOST="ixelles.localhost").get(f"/en/procedures/{municipal.id}/")
    assert "Only the administration reads it" in ixelles_box.content.decode()

    empty = client_for("designer").get("/en/back-office/performance/?days=30")
    assert "No application was started and no answer given in this period." in (
        empty.content.decode()
    )
    today = timezone.localdate()
    for door, text in (("region", "found on the region's site"), ("ixelles", "ixelles words")):
        Feedback.objects.create(procedure_id=municipal.id, door_id=door, language="en", score=3,
                                text=text, channel="procedure-page", day=today)  # fmt: skip
    designer = client_for("designer").get("/en/back-office/performance/")
    assert designer.status_code == 200
    page = designer.content.decode()
    assert "found on the region&#x27;s site" in page and "ixelles words" not in page
    assert "no municipality reads these" in page
    agent = client_for("agent-ixelles").get("/en/back-office/performance/").content.decode()
    assert "ixelles words" in agent and "found on the region" not in agent


def test_after_sending_the_question_comes_first_and_again_after_paying_until_answered(
    in_english: None,
) -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    sent = client.get(f"/en/my-cases/{case.reference}/?submitted=1").content.decode()
    assert 'id="feedback"' not in sent  # the Pay button first
    pay_with_demo(client, case)
    page = client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert 'id="feedback"' in page and "Was it easy?" in page
    assert page.index('id="feedback"') < page.index("<h2>History</h2>")
    response = client.post(
        f"/en/procedures/{PARKING}/feedback/",
        {"score": "4", "channel": "after-application", "next": f"/en/my-cases/{case.reference}/"},
    )
    assert response.status_code == 302
    assert "Thank you for your answer" in client.get(response["Location"]).content.decode()
    again = client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert 'id="feedback"' not in again


def test_comments_are_emptied_after_twelve_months_and_the_privacy_page_says_so(
    in_english: None,
) -> None:
    today = timezone.localdate()
    for days, text in ((366, "old words"), (300, "recent words")):
        day = today - timedelta(days=days)
        Feedback.objects.create(procedure_id=PARKING, language="en", score=2, text=text,
                                channel="procedure-page", day=day)  # fmt: skip
    forget_old_comments({})
    assert sorted(Feedback.objects.values_list("text", flat=True)) == ["", "recent words"]
    assert Feedback.objects.count() == 2  # the scores stay
    privacy = Client().get("/en/privacy/").content.decode()
    assert "Your answers to our feedback questions" in privacy
    assert "deleted 12 months after they were written" in privacy


def answer(client: Client, procedure: str = PARKING) -> int:
    form = {"score": "4", "channel": "procedure-page", "next": f"/en/procedures/{procedure}/"}
    return client.post(f"/en/procedures/{procedure}/feedback/", form).status_code


@pytest.mark.usefixtures("steady_rate_window")
def test_a_help_point_sharing_one_address_is_limited_per_session_not_per_address(
    settings: object,
) -> None:
    settings.LOKET_FEEDBACK_SESSION_RATE_LIMIT = (2, 86400)  # type: ignore[attr-defined]
    settings.LOKET_FEEDBACK_RATE_LIMIT = (5, 3600)  # type: ignore[attr-defined]
    other = Procedure.objects.exclude(id=PARKING).first()
    assert other is not None
    first = Client()  # every computer of the help point: the same address
    assert [answer(first), answer(first), answer(first)] == [302, 302, 429]
    assert answer(first, other.id) == 302  # per procedure
    second = Client()
    assert [answer(second), answer(second)] == [302, 302]  # another session goes on
    assert answer(Client()) == 429  # the address's ceiling (5 answers)
    assert Feedback.objects.count() == 5
