"""The public-space incidents open dataset: counts with disclosure control, points on a grid of
at least 100 m (GeoJSON) without reporter text, and its place in the DCAT-AP catalogue."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings
from rdflib import DCAT, DCTERMS, Graph, URIRef

from loket.cases.models import Case
from loket.opendata.aggregate import Period
from loket.opendata.dcat import catalogue_graph
from loket.opendata.publish import file_name, publish
from loket.opendata.tables import BUILDERS, Protection
from tests.conftest import demo_user
from tests.test_incidents import SECRET, VERDUN, report
from tests.test_opendata import shacl_violations


@pytest.fixture
def storage(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.LOKET_PUBLIC_URL = ""
    return tmp_path


def reports_last_month(count: int) -> list[Case]:
    cases = [report(demo_user("resident"), "lighting", VERDUN) for _n in range(count)]
    last_month = timezone.now() - timedelta(days=40)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(submitted_at=last_month)
    return cases


@pytest.mark.django_db
def test_counts_are_protected_and_points_carry_no_reporter_text() -> None:
    reports_last_month(2)
    table = BUILDERS["public-space-incidents"](Period(timezone.now()), Protection(threshold=5))
    assert table.columns == ["month", "category", "municipality", "reported", "resolved"]
    assert all(row[3] is None for row in table.rows)  # 2 reports, below the threshold
    assert table.features is not None and len(table.features) == 2
    for feature in json.loads(json.dumps(table.features)):
        assert set(feature["properties"]) == {"month", "category", "municipality", "status"}
        assert len(feature["geometry"]["coordinates"]) == 2
    assert SECRET not in json.dumps(table.features)


@pytest.mark.django_db
def test_release_has_a_geojson_distribution_in_a_valid_catalogue(storage: Path) -> None:
    reports_last_month(6)
    release = publish()
    path = storage / file_name(release.id, "public-space-incidents", "geojson")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection" and len(document["features"]) == 6
    rows = (storage / file_name(release.id, "public-space-incidents", "csv")).read_text()
    assert "lighting,21004,6," in rows
    graph: Graph = catalogue_graph()
    geojson = URIRef("http://publications.europa.eu/resource/authority/file-type/GEOJSON")
    assert any(graph.subjects(DCTERMS.format, geojson))
    assert any(graph.objects(None, DCAT.distribution))
    violations, _warnings = shacl_violations(graph)
    assert violations == []
