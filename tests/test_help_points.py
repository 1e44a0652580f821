"""Places of help: the CSV import (line errors, idempotent), the finder's filters, the demo badge,
and management reserved to Paradigm's staff."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from loket.appointments.importer import import_help_points
from loket.appointments.models import HelpPoint
from loket.appointments.seed import DEMO_CSV, seed_demo_help_points
from loket.audit.models import SecurityEvent
from loket.core.models import Membership
from tests.conftest import client_for, demo_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("address_register")]

HEADER = ("external_id,kind,name,organisation,street,number,postcode,municipality,languages,"
          "wheelchair,wheelchair_note,services,hours,phone,email,website,is_demo\n")  # fmt: skip
GOOD = (
    "ext-1,public-digital-space,EPN Verdun,paradigm,Rue de Verdun,142,1130,Bruxelles,"
    "fr|nl,yes,,digital-help|printing,mon 09:00-12:00 13:00-17:00; sat 10:00-12:00,,,,no\n"
)
BAD_KIND = "ext-2,castle,Nowhere,,Rue de Verdun,142,1130,Bruxelles,fr,no,,digital-help,,,,,no\n"
BAD_STREET = "ext-3,help-point,Lost,,Rue Qui Nexiste Pas,1,1130,Bruxelles,fr,no,,printing,,,,,no\n"
BAD_HOURS = (
    "ext-4,help-point,Late,,Rue Ranson,16,1130,Bruxelles,fr,no,,printing,mon 18:00-09:00,,,,no\n"
)


def test_good_file_imports_places_with_point_hours_and_lambert_coordinates() -> None:
    report = import_help_points(HEADER + GOOD)
    assert (report.created, report.errors) == (1, [])
    point = HelpPoint.objects.get(external_id="ext-1")
    assert point.municipality_id == "21004" and point.administration_id == "paradigm"
    assert point.lat == pytest.approx(50.886, abs=0.01) and point.x is not None
    assert [(r.weekday, f"{r.opens:%H:%M}") for r in point.hours.all()] == [
        (0, "09:00"),
        (0, "13:00"),
        (5, "10:00"),
    ]


def test_bad_lines_are_reported_with_their_line_numbers_and_the_good_ones_saved() -> None:
    with translation.override("en"):
        report = import_help_points(HEADER + BAD_KIND + GOOD + BAD_STREET + BAD_HOURS)
    assert report.created == 1
    assert [line for line, _message in report.errors] == [2, 4, 5]
    assert "castle" in report.errors[0][1]
    assert "street" in report.errors[1][1].lower()
    assert "closes before it opens" in report.errors[2][1]


def test_reimport_is_idempotent_by_external_id_and_replace_deactivates_the_absent() -> None:
    import_help_points(HEADER + GOOD)
    again = import_help_points(HEADER + GOOD.replace("EPN Verdun", "EPN Verdun bis"))
    assert (again.created, again.updated) == (0, 1)
    assert HelpPoint.objects.filter(external_id="ext-1").count() == 1
    assert HelpPoint.objects.get(external_id="ext-1").name == "EPN Verdun bis"
    other = GOOD.replace("ext-1", "ext-9")
    replaced = import_help_points(HEADER + other, replace=True)
    assert replaced.deactivated == 1
    assert not HelpPoint.objects.get(external_id="ext-1").is_active


def test_command_reports_errors_per_line(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "points.csv"
    path.write_text(HEADER + GOOD + BAD_KIND, encoding="utf-8")
    with pytest.raises(Exception, match="1 lines were not imported"):
        call_command("helppoints", "import", str(path))
    assert f"{path}:3:" in capsys.readouterr().err
    assert HelpPoint.objects.filter(external_id="ext-1").exists()


def test_shipped_demo_file_imports_without_error_with_a_counter_per_municipality() -> None:
    report = seed_demo_help_points()
    assert report.errors == [] and report.saved == len(DEMO_CSV.read_text().splitlines()) - 1
    counters = HelpPoint.objects.filter(kind="municipal-counter", is_demo=True)
    assert counters.values("municipality").distinct().count() == 19
    assert all("identity-card" in c.services for c in counters)
    assert seed_demo_help_points().created == 0  # idempotent


def test_finder_filters_by_service_language_access_municipality_and_day() -> None:
    seed_demo_help_points()
    client = Client()

    def names(**query: str) -> set[str]:
        response = client.get(reverse("help-points:finder"), query)
        assert response.status_code == 200
        return {p.name for p in response.context["points"]}

    assert len(names(service="identity-card")) == 19
    assert names(service="digital-help", language="tr") == {"Espace numérique Ranson (demo)"}
    assert "Point d'aide Chemin des Joncs (demo)" not in names(wheelchair="partly")
    assert names(wheelchair="yes", service="digital-help") == {"EPN Haren - Verdun (demo)"}
    assert names(municipality="21009") == {"Guichet population - Ixelles (demo)"}
    assert names(open="5", service="digital-help") == {"Espace numérique Ranson (demo)"}
    assert client.get(reverse("help-points:finder"), {"open": "banana"}).status_code == 200


def test_demo_badge_is_shown_on_finder_and_place_page() -> None:
    seed_demo_help_points()
    client = Client()
    badge = "Demo entry — not a real place"
    assert badge in client.get("/en/help-points/").content.decode()
    point = HelpPoint.objects.get(external_id="demo-eps-haren-verdun")
    page = client.get(reverse("help-points:place", args=[point.pk])).content.decode()
    assert badge in page and "Book an appointment" in page


def test_procedure_page_offers_a_time_slot_with_the_service_preset() -> None:
    page = Client().get("/en/procedures/identity-card-appointment/").content.decode()
    assert "Book a time slot" in page and "/en/help-points/?service=identity-card" in page


def test_management_is_for_paradigm_staff_only_and_refusals_are_recorded() -> None:
    before = SecurityEvent.objects.count()
    assert client_for("agent-ixelles").get("/en/help-points/manage/").status_code == 403
    assert SecurityEvent.objects.count() == before + 1
    # The demo digital helper works for Paradigm and keeps the places up to date.
    assert client_for("helper").get("/en/help-points/manage/").status_code == 200
    staff = demo_user("resident2")
    Membership.objects.create(user=staff, administration_id="paradigm", role="manager")
    client = Client()
    client.force_login(staff)
    assert client.get("/en/help-points/manage/").status_code == 200
    form = {
        "external_id": "new-1", "kind": "help-point", "name": "Point Harenheyde",
        "street": "Rue Harenheyde", "house_number": "120", "postcode": "1130",
        "municipality_name": "21004", "services": ["printing"], "languages": ["fr", "nl"],
        "hours": "tue 09:00-12:00", "wheelchair": "no",
    }  # fmt: skip
    bad = client.post("/en/help-points/manage/new/", {**form, "hours": "tuesday morning"})
    assert bad.status_code == 200 and "Error:" in bad.content.decode()
    assert client.post("/en/help-points/manage/new/", form).status_code == 302
    point = HelpPoint.objects.get(external_id="new-1")
    assert point.lat is not None and point.hours.count() == 1
    client.post(reverse("help-points:deactivate", args=[point.pk]), {"active": "0"})
    point.refresh_from_db()
    assert not point.is_active
    assert Client().get(reverse("help-points:place", args=[point.pk])).status_code == 404


def test_upload_reports_line_errors() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = demo_user("resident2")
    Membership.objects.create(user=staff, administration_id="paradigm", role="agent")
    client = Client()
    client.force_login(staff)
    upload = SimpleUploadedFile("p.csv", (HEADER + GOOD + BAD_KIND).encode(), "text/csv")
    response = client.post("/en/help-points/manage/upload/", {"file": upload})
    assert response.status_code == 200
    assert "Line 3" in response.content.decode()
