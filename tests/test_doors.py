"""Front doors (#18): each host name its door's brand, an unknown host a 400, sessions that hold
on their own host only, and e-mails and PDFs that name the door the case was started on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation

from loket.audit.models import SecurityEvent
from loket.cases.documents import document_html
from loket.doors.actions import DoorRefused, DoorSettings, do_save_door
from loket.doors.demo import DEMO_DOORS
from loket.doors.models import Door
from loket.forms.models import Draft
from loket.notify.models import Notification
from tests.conftest import demo_user
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db

HOSTS = {
    "region": "localhost",
    "ixelles": "ixelles.localhost",
    "schaerbeek": "schaerbeek.localhost",
}
PAGES = [
    "/en/",
    "/en/procedures/",
    "/en/procedures/residents-parking-card/",
    "/en/search/?q=park",
    "/en/account/login/",
    "/en/help-points/",
    "/en/accessibility/",
    "/en/verify/",
]


def brand_marks(door_id: str) -> list[str]:
    """What shows a door's brand: its names in every language, its logo and its accent."""
    values = DEMO_DOORS[door_id]
    marks = list(values.names.values())
    return marks + [mark for mark in (values.logo, values.accent, values.email) if mark]


def client_on(door_id: str) -> Client:
    return Client(HTTP_HOST=HOSTS[door_id])


@pytest.mark.parametrize("door_id", list(HOSTS))
@pytest.mark.parametrize("path", PAGES)
def test_a_door_shows_its_own_brand_and_no_other(door_id: str, path: str) -> None:
    response = client_on(door_id).get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert DEMO_DOORS[door_id].names["en"] in html
    for other in HOSTS:
        if other != door_id:
            for mark in brand_marks(other):
                assert mark not in html, (other, mark)


def test_an_unknown_host_gets_a_400_and_no_door_at_all() -> None:
    response = Client(HTTP_HOST="stranger.localhost").get("/en/")
    assert response.status_code == 400
    html = response.content.decode()
    for door_id in HOSTS:
        for mark in brand_marks(door_id):
            assert mark not in html
    assert "Unknown address" in html


def test_health_answers_on_any_allowed_host_and_an_unknown_host_gets_no_api_either() -> None:
    stranger = Client(HTTP_HOST="stranger.localhost")
    assert stranger.get("/healthz").status_code == 200
    assert stranger.get("/api/v1/procedures/").status_code == 400
    assert stranger.get("/sitemap.xml").status_code == 400


def test_the_host_is_matched_without_port_and_case() -> None:
    response = Client(HTTP_HOST="IXELLES.localhost:8000").get("/en/")
    assert response.status_code == 200
    assert "e-Counter Ixelles" in response.content.decode()


def test_a_municipal_door_leads_with_its_procedures_then_the_regional_ones() -> None:
    html = client_on("ixelles").get("/en/").content.decode()
    municipal = html.index("Procedures of Ixelles")
    regional = html.index("Regional procedures for residents of Ixelles")
    assert municipal < regional < html.index("What is happening in your life?")
    assert "/en/procedures/population-extract/" in html[municipal:regional]  # a municipal one
    regional_section = html[regional : html.index("What is happening in your life?")]
    assert "/en/procedures/residents-parking-card/" in regional_section
    assert "/en/procedures/population-extract/" not in regional_section
    region_home = client_on("region").get("/en/").content.decode()
    assert "Procedures of" not in region_home


def test_the_door_s_contact_details_are_in_the_footer() -> None:
    html = client_on("schaerbeek").get("/en/").content.decode()
    assert "+32 2 244 75 11" in html
    assert "Monday to Friday, 8 am to 1 pm" in html
    assert "EPN Schaerbeek" in html


def test_a_session_cookie_copied_to_another_host_is_refused_and_logged() -> None:
    resident = demo_user("resident")
    ixelles = client_on("ixelles")
    ixelles.force_login(resident)
    assert ixelles.get("/en/my-cases/").status_code == 200
    cookie = ixelles.cookies["sessionid"].value

    thief = client_on("region")
    thief.cookies["sessionid"] = cookie
    response = thief.get("/en/my-cases/")
    assert response.status_code == 302
    assert "/login" in response["Location"]
    event = SecurityEvent.objects.get(kind="session-other-host")
    assert event.detail["issued_for"] == "ixelles.localhost"
    assert event.detail["presented_on"] == "localhost"
    # The session on its own host is left alone.
    assert ixelles.get("/en/my-cases/").status_code == 200


def test_the_session_cookie_is_host_only() -> None:
    client = client_on("ixelles")
    response = client.post("/en/demo-login/", {"identity": "resident"})
    assert response.status_code == 302
    morsel = response.cookies["sessionid"]
    assert not morsel["domain"]


def test_the_same_account_and_draft_on_every_door() -> None:
    resident = demo_user("resident")
    ixelles = client_on("ixelles")
    ixelles.force_login(resident)
    base = "/en/procedures/residents-parking-card/apply/"
    ixelles.get(base)
    ixelles.post(base, {"use_registers": "yes"})
    draft = Draft.objects.get(user=resident, procedure_id="residents-parking-card")
    assert draft.door_id == "ixelles"
    region = client_on("region")
    region.force_login(resident)
    assert region.get(base).status_code == 302  # the saved draft goes on
    assert Draft.objects.filter(user=resident).count() == 1


def test_an_application_started_on_a_door_is_named_by_its_e_mails_and_pdfs() -> None:
    client = client_on("ixelles")
    client.force_login(demo_user("resident"))
    case = apply_for_parking_card(client)
    assert case.door_id == "ixelles"
    receipt = document_html(case, "receipt")
    assert "e-Counter Ixelles" in receipt or "e-Guichet Ixelles" in receipt
    notices = Notification.objects.filter(topic=f"case:{case.reference}")
    assert notices.exists()
    for notice in notices:
        assert notice.sender_name in {"e-Counter Ixelles", "e-Guichet Ixelles", "e-Loket Elsene"}
    for other in ("region", "schaerbeek"):
        for mark in DEMO_DOORS[other].names.values():
            assert mark not in receipt
            for notice in notices:
                assert mark not in notice.body and mark not in notice.sender_name


@pytest.fixture
def in_english() -> Iterator[None]:
    """The refusals' wording is read in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.mark.usefixtures("in_english")
def test_an_accent_below_the_contrast_rule_is_refused_on_save() -> None:
    values = DoorSettings(**{**DEMO_DOORS["schaerbeek"].__dict__, "accent": "#ffbf47"})
    with pytest.raises(DoorRefused) as refused:
        do_save_door("schaerbeek", values)
    assert "contrast" in refused.value.problems["accent"]
    assert Door.objects.get(pk="schaerbeek").accent == "#1d5e3a"


@pytest.mark.usefixtures("in_english")
def test_a_host_of_another_door_or_outside_allowed_hosts_is_refused() -> None:
    taken = DoorSettings(**{**DEMO_DOORS["schaerbeek"].__dict__, "hosts": ["ixelles.localhost"]})
    with pytest.raises(DoorRefused) as refused:
        do_save_door("schaerbeek", taken)
    assert "already" in refused.value.problems["hosts"]
    outside = DoorSettings(**{**DEMO_DOORS["schaerbeek"].__dict__, "hosts": ["schaerbeek.be"]})
    with pytest.raises(DoorRefused) as refused:
        do_save_door("schaerbeek", outside)
    assert "LOKET_ALLOWED_HOSTS" in refused.value.problems["hosts"]


def test_a_second_regional_door_is_refused() -> None:
    values = DoorSettings(names={"fr": "Autre", "nl": "Ander"}, hosts=["other.localhost"])
    with pytest.raises(DoorRefused) as refused:
        do_save_door("other", values)
    assert "administration" in refused.value.problems


def test_the_region_s_staff_change_a_door_and_a_low_contrast_colour_is_refused() -> None:
    designer = client_on("region")
    designer.force_login(demo_user("designer"))
    page = designer.get("/en/back-office/doors/")
    assert page.status_code == 200
    assert "ixelles.localhost" in page.content.decode()
    form = designer.get("/en/back-office/doors/schaerbeek/").context["form"]
    data = {name: value or "" for name, value in form.initial.items()}
    refused = designer.post("/en/back-office/doors/schaerbeek/", {**data, "accent": "#ffbf47"})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "Error:" in html and "contrast of 1.64:1" in html
    assert Door.objects.get(pk="schaerbeek").accent == "#1d5e3a"
    saved = designer.post(
        "/en/back-office/doors/schaerbeek/",
        {**data, "accent": "#2b4f8a", "hosts": "schaerbeek.localhost\nguichet.localhost"},
    )
    assert saved.status_code == 302
    assert Door.objects.get(pk="schaerbeek").accent == "#2b4f8a"
    moved = Client(HTTP_HOST="guichet.localhost").get("/en/?q=1")  # the second host: moved
    assert (moved.status_code, moved["Location"]) == (301, "http://schaerbeek.localhost/en/?q=1")


def test_only_the_region_s_staff_configure_doors() -> None:
    for key in ("resident", "agent-ixelles"):
        client = client_on("region")
        client.force_login(demo_user(key))
        assert client.get("/en/back-office/doors/").status_code == 403
        assert client.post("/en/back-office/doors/new/", {"door_id": "x"}).status_code == 403
