"""The BeST importer: real sample, coordinates from any of the three systems, re-imports."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from pyproj import Geod

from loket.geo import index
from loket.geo.importer import DATA_DIR, import_best, import_shipped_samples, import_streets
from loket.geo.models import Address, Status, Street

HAREN = DATA_DIR / "best-sample-1130-haren.csv"
TEST_DATA = Path(__file__).parent / "data" / "geo"
WGS84 = Geod(ellps="WGS84")


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    yield
    index.invalidate()  # the test's transaction is rolled back: forget what the index saw


def file_points(path: Path) -> dict[str, tuple[float, float]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["address_id"]: (float(row["EPSG:4326_lat"]), float(row["EPSG:4326_lon"]))
            for row in csv.DictReader(handle)
        }


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(WGS84.inv(a[1], a[0], b[1], b[0])[2])


def assert_within_a_metre_of_the_sample(addresses: list[Address]) -> None:
    expected = file_points(HAREN)
    worst = max(metres_between((a.lat, a.lon), expected[a.id]) for a in addresses)
    assert worst < 1.0, f"furthest point is {worst:.2f} m from the file's own WGS 84 point"


@pytest.mark.django_db
def test_haren_sample_gives_2492_current_addresses_within_a_metre_of_the_files_lat_lon() -> None:
    result = import_best(HAREN)
    assert result.rows == 2492
    assert result.skipped == 0
    haren = list(Address.objects.filter(postcode="1130"))
    assert len(haren) == 2492
    assert {a.status for a in haren} == {Status.CURRENT}
    assert {a.municipality_id for a in haren} == {"21004"}
    assert all(a.x is not None and a.y is not None for a in haren)  # Lambert 72 kept
    assert_within_a_metre_of_the_sample(haren)


@pytest.mark.django_db
def test_boxes_house_numbers_and_bilingual_street_names_are_kept() -> None:
    import_best(HAREN)
    box = Address.objects.select_related("street").get(id="700940")
    assert (box.house_number, box.box, box.street.name_nl) == (
        "35",
        "b001",
        "Oude Haachtsesteenweg",
    )
    assert box.street.name_fr == "Ancienne chaussée de Haecht"


@pytest.mark.django_db
def test_reimport_updates_in_place_and_retires_what_vanished(tmp_path: Path) -> None:
    import_best(HAREN)
    lines = HAREN.read_text(encoding="utf-8").splitlines()
    header, kept = lines[0], lines[1:2001]
    changed = kept[0].replace(",27,", ",27A,", 1)  # address 4274 gets another number
    smaller = tmp_path / "haren-smaller.csv"
    smaller.write_text("\n".join([header, changed, *kept[1:]]) + "\n", encoding="utf-8")

    result = import_best(smaller)

    assert result.rows == 2000 and result.retired == 492
    assert Address.objects.count() == 2492  # nothing deleted
    assert Address.objects.filter(status=Status.RETIRED).count() == 492
    assert Address.objects.get(id="4274").house_number == "27A"
    import_best(HAREN)  # back in the file: current again
    assert not Address.objects.filter(status=Status.RETIRED).exists()


@pytest.mark.django_db
def test_a_file_with_lambert_2008_columns_only_imports_to_the_same_points() -> None:
    result = import_best(TEST_DATA / "haren-lambert2008.csv")
    assert result.rows == 300
    imported = list(Address.objects.all())
    assert_within_a_metre_of_the_sample(imported)
    assert all(a.x is not None for a in imported)  # Lambert 72 computed too


@pytest.mark.django_db
def test_a_file_with_wgs84_columns_only_and_semicolons_imports_correctly() -> None:
    result = import_best(TEST_DATA / "haren-wgs84.csv")
    assert result.rows == 200
    imported = list(Address.objects.all())
    assert_within_a_metre_of_the_sample(imported)
    first = Address.objects.get(id="80785")
    assert (first.house_number, first.street.name_fr) == ("1405", "Chaussée de Haecht")
    assert first.x == pytest.approx(153_700, abs=2_000)


@pytest.mark.django_db
def test_a_zipped_best_file_imports_like_the_csv(tmp_path: Path) -> None:
    archive = tmp_path / "openaddress-bebru.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(HAREN, "openaddress-bebru.csv")
    assert import_best(archive).rows == 2492


@pytest.mark.django_db
def test_street_lists_keep_names_ids_and_street_level_points() -> None:
    assert import_streets(DATA_DIR / "best-streets-21004.csv").rows == 1380
    assert import_streets(DATA_DIR / "streets-osm-2020.csv").rows > 5900
    law = Street.objects.get(id="BS/1312/2")
    assert (law.name_fr, law.name_nl, law.municipality_id) == (
        "Rue de la Loi",
        "Wetstraat",
        "21004",
    )
    osm = Street.objects.filter(source=Street.Source.OSM)
    assert osm.filter(lat__isnull=False).count() >= 4300
    assert osm.values("municipality_id").distinct().count() == 19


@pytest.mark.django_db
def test_shipped_samples_import_twice_without_duplicates() -> None:
    first = import_shipped_samples()
    streets, addresses = Street.objects.count(), Address.objects.count()
    assert import_shipped_samples() == first
    assert (Street.objects.count(), Address.objects.count()) == (streets, addresses)
    assert first["best-sample-1130-haren.csv"] == 2492


@pytest.mark.django_db
def test_geo_command_imports_a_best_file_and_refuses_a_missing_one(tmp_path: Path) -> None:
    call_command("geo", "import-best", str(HAREN))
    assert Address.objects.count() == 2492
    with pytest.raises(Exception, match="no such file"):
        call_command("geo", "import-best", str(tmp_path / "absent.csv"))
