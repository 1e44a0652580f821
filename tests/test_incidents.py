"""Reports of problems in public space: routing by category and place, photos without metadata,
the 50 m duplicate suggestion and support, and the public list without personal data."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from loket.cases.actions import do_change_status, do_submit_case
from loket.cases.models import Case
from loket.cases.notices import notices_about
from loket.catalog.models import Procedure
from loket.core.models import Membership, User
from loket.forms.actions import get_or_start_draft
from loket.forms.definitions import DefinitionError, get_definition, load_text
from loket.forms.photos import strip_metadata
from loket.forms.uploads import KINDS, sniff, store_upload
from loket.incidents.actions import CannotSupport, do_support
from loket.incidents.models import Incident, Support
from loket.incidents.selectors import coarse_point, open_incidents_near
from tests.conftest import demo_user

HAECHT = {"street": "Chaussée de Haecht", "house_number": "1177", "box": "",
          "postcode": "1130", "municipality": "21004"}  # fmt: skip
VERDUN = {"street": "Rue de Verdun", "house_number": "101", "box": "", "postcode": "1130",
          "municipality": "21004"}  # fmt: skip
SECRET = "my neighbour Jan Peeters at number 12 keeps doing this"


def report(user: User, category: str, place: dict[str, Any], **extra: Any) -> Case:
    procedure = Procedure.objects.get(id="public-space-incident")
    definition = get_definition(procedure.id)
    assert definition is not None
    draft = get_or_start_draft(user, procedure, definition)
    answers = {"category": category, "dangerous": "no", "description": SECRET,
               "incident_location": place, "photo": None, "contact_email": None}  # fmt: skip
    answers.update(extra)
    return do_submit_case(draft, answers)


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotated 90° clockwise
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (50.0, 53.0, 12.0), 3: "E", 4: (4.0, 24.0, 36.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_photo_loses_exif_and_gps_but_keeps_its_orientation() -> None:
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825)  # the test photo does carry a position
    clean = strip_metadata(original)
    with Image.open(io.BytesIO(clean)) as after:
        assert after.format == "JPEG"
        assert not after.getexif()
        assert "exif" not in after.info
        assert after.size == (30, 40)  # turned upright, as the orientation tag said
    assert b"PhoneMaker" not in clean and b"Exif" not in clean


@pytest.mark.django_db
def test_a_photo_is_stored_without_metadata_as_soon_as_it_is_uploaded(resident: User) -> None:
    upload = SimpleUploadedFile("photo.jpg", jpeg_with_gps(), "image/jpeg")
    attachment = store_upload(upload, sniff(jpeg_with_gps()[:16]) or KINDS[1], resident)
    with default_storage.open(attachment.storage_name, "rb") as handle:
        stored = handle.read()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    assert attachment.size == len(stored)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("category", "place", "administration"),
    [
        ("lighting", HAECHT, "brussels-mobility"),  # a regional road
        ("lighting", VERDUN, "21004"),  # a municipal street of Haren: the City of Brussels
        ("road_damage", HAECHT, "brussels-mobility"),
        ("dumping", VERDUN, "bruxelles-proprete"),
        ("traffic_light", VERDUN, "brussels-mobility"),
        ("trees", HAECHT, "21004"),
    ],
)
def test_report_is_routed_by_category_and_place(
    resident: User, category: str, place: dict[str, str], administration: str
) -> None:
    case = report(resident, category, place)
    assert case.administration_id == administration


def test_routing_rules_are_checked_when_the_definition_loads() -> None:
    text = """
procedure: x
handling: body
routing: {field: nowhere, rules: []}
pages:
  - id: p
    title: {fr: a, nl: a, en: a}
    fields: [{name: a, type: text, label: {fr: a, nl: a, en: a}}]
"""
    with pytest.raises(DefinitionError, match="routing"):
        load_text(text, "x.yaml", "x")
    bad_road = text.replace(
        "{field: nowhere, rules: []}", "{field: a, rules: [{when: [b], to: c, road: dirt}]}"
    )
    with pytest.raises(DefinitionError, match="road"):
        load_text(bad_road, "x.yaml", "x")


@pytest.mark.django_db
def test_open_reports_of_the_same_kind_within_50_m_are_suggested(resident: User) -> None:
    first = report(resident, "lighting", VERDUN)
    incident = first.incident
    assert incident.lat is not None and incident.lon is not None
    lat, lon = incident.lat + 0.0003, incident.lon  # about 33 m north
    query = {"category": "lighting", "lat": str(lat), "lon": str(lon)}
    assert open_incidents_near("lighting", lat, lon) == [incident]
    assert open_incidents_near("dumping", lat, lon) == []
    assert open_incidents_near("lighting", incident.lat + 0.0006, lon) == []  # about 67 m

    response = Client().get("/en/incidents/nearby.json", query)
    results = response.json()["results"]
    assert [r["id"] for r in results] == [incident.pk]
    assert SECRET not in response.content.decode()


@pytest.mark.django_db
def test_support_records_plus_one_without_a_new_case(resident: User) -> None:
    case = report(resident, "lighting", VERDUN)
    other = demo_user("resident2")
    client = Client()
    client.force_login(other)
    cases_before = Case.objects.count()
    response = client.post(f"/en/incidents/{case.incident.pk}/support/")
    assert response.status_code == 302
    client.post(f"/en/incidents/{case.incident.pk}/support/")  # twice counts once
    assert Support.objects.filter(incident=case.incident).count() == 1
    assert Case.objects.count() == cases_before
    with pytest.raises(CannotSupport):
        do_support(case.incident, resident)  # one's own report


@pytest.mark.django_db
def test_resolution_notifies_the_reporter_and_closes_the_report(resident: User) -> None:
    case = report(resident, "lighting", HAECHT)
    agent = demo_user("agent-parking")
    Membership.objects.create(user=agent, administration_id="brussels-mobility", role="agent")
    do_change_status(case, agent, Case.Status.APPROVED, "Repaired")
    assert notices_about(case).filter(recipient=resident, kind="decided").exists()
    assert case.incident.lat is not None and case.incident.lon is not None
    assert open_incidents_near("lighting", case.incident.lat, case.incident.lon) == []
    with pytest.raises(CannotSupport):
        do_support(Incident.objects.get(case=case), demo_user("resident2"))


@pytest.mark.django_db
def test_public_list_and_map_show_no_personal_data(resident: User) -> None:
    case = report(resident, "lighting", VERDUN)
    client = Client()
    page = client.get("/en/incidents/?status=all").content.decode()
    geojson = client.get("/en/incidents/reports.geojson?status=all").json()
    for text in (page, str(geojson)):
        assert SECRET not in text
        assert resident.first_name not in text and resident.last_name not in text
        assert case.reference not in text
        # The house number is not shown by the street (a database id elsewhere may be 101).
        assert not re.search(r"Verdun\W*101\b|\b101\W*Rue de Verdun", text)
    assert "Rue de Verdun" in page and "Street light out" in page
    feature = next(f for f in geojson["features"] if f["id"] == case.incident.pk)
    lon, lat = feature["geometry"]["coordinates"]
    assert case.incident.lat is not None and case.incident.lon is not None
    assert (lat, lon) == coarse_point(case.incident.lat, case.incident.lon)


def test_public_points_are_snapped_to_cells_of_at_least_100_m() -> None:
    from loket.geo.index import distance_m

    a = coarse_point(50.88517, 4.40947)
    b = coarse_point(50.88517 + 0.001, 4.40947)
    c = coarse_point(50.88517, 4.40947 + 0.0016)
    assert distance_m(*a, *b) >= 100 and distance_m(*a, *c) >= 100
    assert coarse_point(50.885101, 4.409401) == coarse_point(50.885199, 4.4095)


@pytest.mark.django_db
def test_a_report_reads_no_register_so_it_starts_at_the_first_question(
    resident_client: Client,
) -> None:
    """No consent page and no empty "check the data from the registers" page."""
    base = "/en/procedures/public-space-incident/apply/"
    response = resident_client.get(base)
    assert response.status_code == 302 and response["Location"] == f"{base}q/describe/"
    assert resident_client.get(f"{base}facts/")["Location"] == base
    page = resident_client.get(f"{base}q/describe/")
    assert page.status_code == 200
    assert 'href="/en/procedures/public-space-incident/"' in page.content.decode()  # back link
    resident_client.post(f"{base}q/describe/", {"description": "The street light is out"})
    assert resident_client.get(base)["Location"] == f"{base}q/what/"  # where it stopped


@pytest.mark.django_db
def test_a_form_that_reads_registers_still_asks_consent_first(resident_client: Client) -> None:
    base = "/en/procedures/residents-parking-card/apply/"
    page = resident_client.get(base)
    assert page.status_code == 200 and 'name="use_registers"' in page.content.decode()
    assert resident_client.get(f"{base}q/vehicle/")["Location"] == base
    assert resident_client.get(f"{base}facts/")["Location"] == base
