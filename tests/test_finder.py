"""The finder: a logged-in person starts from their municipality; a municipality without a
matching place offers the nearest places elsewhere with their distance; access notes follow the
page's language; My appointments is in the menu."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from loket.appointments.actions import do_book
from loket.appointments.models import HelpPoint, Schedule
from loket.appointments.seed import seed_demo_help_points
from loket.appointments.selectors import Filters, find_help_points, nearest_elsewhere
from tests.conftest import client_for, demo_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("address_register")]

SCHAERBEEK = "21015"


def test_schaerbeek_without_digital_help_offers_the_nearest_places_with_distance() -> None:
    seed_demo_help_points()
    filters = Filters(municipality=SCHAERBEEK, service="digital-help")
    assert find_help_points(filters) == []
    nearby = nearest_elsewhere(filters)
    assert nearby and all(n.point.municipality_id != SCHAERBEEK for n in nearby)
    assert [n.km for n in nearby] == sorted(n.km for n in nearby)
    assert all(0 < n.km < 20 for n in nearby)  # Brussels is about 20 km across
    with translation.override("fr"):
        url = reverse("help-points:finder")
    page = Client().get(url, {"municipality": SCHAERBEEK, "service": "digital-help"})
    html = page.content.decode()
    assert page.status_code == 200
    first = nearby[0]
    assert f"place-{first.point.pk}" in html
    shown = re.search(r'class="distance">[^0-9<]*([0-9]+,[0-9])\s?km', html)
    assert shown is not None  # the decimal comma in French
    assert float(shown.group(1).replace(",", ".")) == pytest.approx(first.km, abs=0.05)


def test_logged_in_person_starts_from_the_municipality_of_their_latest_appointment() -> None:
    seed_demo_help_points()
    schedule = Schedule.objects.get(help_point__external_id=f"demo-counter-{SCHAERBEEK}")
    slot = schedule.slots.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    assert slot is not None
    do_book(demo_user("resident"), slot.pk, "home-key")
    with translation.override("en"):
        url = reverse("help-points:finder")
        html = client_for("resident").get(url).content.decode()
    assert f'<option value="{SCHAERBEEK}" selected>' in html
    assert "Showing the places in" in html
    assert f"place-{schedule.help_point_id}" in html
    assert "Guichet population - Ixelles" not in html
    anonymous = Client().get(url).content.decode()  # a visitor sees every place
    assert "Guichet population - Ixelles" in anonymous


@pytest.mark.parametrize(
    ("language", "note"),
    [("fr", "Entrée de plain-pied"), ("nl", "Drempelloze ingang"), ("en", "Step-free entrance")],
)
def test_access_notes_are_in_the_page_language(language: str, note: str) -> None:
    seed_demo_help_points()
    point = HelpPoint.objects.get(external_id="demo-eps-haren-verdun")
    with translation.override(language):
        url = reverse("help-points:place", args=[point.pk])
        finder = reverse("help-points:finder")
    assert note in Client().get(url).content.decode()
    assert note in Client().get(finder).content.decode()


def test_my_appointments_is_in_the_menu_of_a_logged_in_person() -> None:
    with translation.override("en"):
        home = reverse("web:home")
        mine = reverse("appointments:mine")
    html = client_for("resident").get(home).content.decode()
    menu = html.split('class="wrap main-nav"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{mine}"' in menu and "My appointments" in menu
