"""Open data: publishing releases, the DCAT-AP catalogue, the downloads and the pages."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyshacl
import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper
from rdflib import RDF, SH, Graph

from loket.cases.models import Case, CaseEvent
from loket.catalog.models import Procedure
from loket.core.models import Administration
from loket.core.typography import french_text
from loket.opendata.datasets import available_datasets
from loket.opendata.models import Release
from loket.opendata.publish import publish
from tests.conftest import demo_user

BRUSSELS = ZoneInfo("Europe/Brussels")
UNTIL = datetime(2026, 11, 1, tzinfo=BRUSSELS)
SHAPES = Path(__file__).resolve().parent / "data" / "dcat-ap"
SHAPE_FILES = (
    "dcat-ap-SHACL.ttl",
    "range.ttl",
    "mdr-vocabularies.shape.ttl",
    "shapes_recommended.ttl",
)


def make_cases(
    procedure_id: str,
    municipality: str,
    submitted: datetime,
    count: int,
    decided_after: timedelta | None = timedelta(days=3),
) -> list[Case]:
    """``count`` cases of one procedure from residents of one municipality (ORM, for volume)."""
    procedure = Procedure.objects.get(id=procedure_id)
    administration = Administration.objects.get(id=procedure.administration_id or municipality)
    applicant = demo_user("resident")
    cases = Case.objects.bulk_create(
        Case(
            reference=f"T-{uuid.uuid4().hex[:12]}",
            procedure=procedure,
            definition_version=1,
            applicant=applicant,
            administration=administration,
            facts={
                "population": {"identity": {"name": "x"}, "address": {"nis_code": municipality}}
            },
            answers={"plate": "1-ABC-123"},
            language="fr",
            idempotency_key=uuid.uuid4(),
        )
        for _ in range(count)
    )
    ids = [case.pk for case in cases]
    Case.objects.filter(pk__in=ids).update(submitted_at=submitted)
    events = [CaseEvent(case_id=pk, status=Case.Status.SUBMITTED) for pk in ids]
    if decided_after is not None:
        events += [CaseEvent(case_id=pk, status=Case.Status.APPROVED) for pk in ids]
    created = CaseEvent.objects.bulk_create(events)
    CaseEvent.objects.filter(pk__in=[e.pk for e in created[: len(ids)]]).update(at=submitted)
    if decided_after is not None:
        decided = [e.pk for e in created[len(ids) :]]
        CaseEvent.objects.filter(pk__in=decided).update(at=submitted + decided_after)
    return cases


def seed_statistics() -> None:
    """Two complete months of ordinary activity, and some in the month in progress."""
    for month in (9, 10):
        start = datetime(2026, month, 3, 10, tzinfo=BRUSSELS)
        make_cases("population-extract", "21004", start, 12)
        make_cases("population-extract", "21009", start, 9)
        make_cases("population-extract", "21015", start, 7)
        make_cases("household-composition", "21004", start, 8)
        make_cases("household-composition", "21009", start, 6)
        make_cases("household-composition", "21015", start, 10)
        make_cases("residents-parking-card", "21004", start, 6, timedelta(days=9))
        make_cases("residents-parking-card", "21009", start, 5, timedelta(days=12))
    make_cases("population-extract", "21004", datetime(2026, 11, 5, tzinfo=BRUSSELS), 3)


@pytest.fixture
def storage(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.LOKET_PUBLIC_URL = ""
    return tmp_path


@pytest.fixture
def release(storage: Path, db: None) -> Release:
    seed_statistics()
    return publish(now=UNTIL + timedelta(days=27, hours=15, minutes=30))


def published_csv(storage: Path, release: Release, dataset: str) -> list[dict[str, str]]:
    text = (storage / "opendata" / release.id / f"{dataset}.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.django_db
def test_publish_writes_every_dataset_as_csv_and_json_in_a_versioned_release(
    release: Release, storage: Path
) -> None:
    assert release.id == "2026-11-28T1430Z"  # UTC
    assert release.period_end.isoformat() == "2026-11-01"
    assert release.period_start is not None and release.period_start.isoformat() == "2026-09-01"
    written = sorted(path.name for path in (storage / "opendata" / release.id).iterdir())
    expected = sorted(f"{spec.id}.{ext}" for spec in available_datasets() for ext in spec.formats)
    assert written == expected
    assert set(release.datasets.values_list("dataset", flat=True)) == {
        spec.id for spec in available_datasets()
    }
    rows = published_csv(storage, release, "cases")
    assert {row["month"] for row in rows} == {"2026-09", "2026-10"}  # November is not complete
    total = next(
        r
        for r in rows
        if r["month"] == "2026-09" and r["procedure"] == "total" and r["municipality"] == "total"
    )
    assert total["submitted"] == "63"
    # A regional body's cases count in the applicant's municipality, decisions included.
    parking = next(
        r
        for r in rows
        if r["month"] == "2026-09"
        and r["procedure"] == "residents-parking-card"
        and r["municipality"] == "total"
    )
    assert (parking["submitted"], parking["decided"]) == ("11", "11")
    document = json.loads((storage / "opendata" / release.id / "cases.json").read_text())
    assert document["columns"] == ["month", "procedure", "municipality", "submitted", "decided"]
    assert document["licence"] == "http://creativecommons.org/publicdomain/zero/1.0/"


@pytest.mark.django_db
def test_every_release_is_kept(release: Release) -> None:
    again = publish(now=release.published_at)
    assert again.id == f"{release.id}-2"
    assert Release.objects.count() == 2


@pytest.mark.django_db
def test_no_published_count_is_below_the_threshold(release: Release, storage: Path) -> None:
    counts = {"cases": ("submitted", "decided"), "register-consultations": ("consultations",)}
    for dataset, columns in counts.items():
        for row in published_csv(storage, release, dataset):
            for column in columns:
                assert row[column] == "" or int(row[column]) == 0 or int(row[column]) >= 5, row


@pytest.mark.django_db
def test_handling_times_and_once_only_shares_come_from_large_enough_groups(
    release: Release, storage: Path
) -> None:
    times = {
        (r["procedure"], r["administration"]): r
        for r in published_csv(storage, release, "handling-times")
    }
    parking = times[("residents-parking-card", "parking-brussels")]
    # 12 cases decided in 9 days, 10 in 12 days.
    assert (parking["median_days"], parking["p90_days"]) == ("9.0", "12.0")
    assert times[("population-extract", "21004")]["p90_days"] == "3.0"
    shares = {r["procedure"]: r for r in published_csv(storage, release, "once-only")}
    # Two register attributes, one typed answer in every case.
    assert shares["population-extract"]["prefilled_share"] == "0.67"


@pytest.mark.django_db
def test_the_procedure_catalogue_is_published_in_three_languages(
    release: Release, storage: Path
) -> None:
    rows = {r["id"]: r for r in published_csv(storage, release, "procedures")}
    parking = rows["residents-parking-card"]
    assert parking["owner"] == "parking-brussels"
    assert parking["name_fr"] and parking["name_nl"] and parking["name_en"]
    assert rows["population-extract"]["owner"] == "municipality"


def shacl_violations(data: Graph) -> tuple[list[str], int]:
    shapes = Graph()
    for name in SHAPE_FILES:
        shapes.parse(SHAPES / name, format="turtle")
    _conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="rdfs", allow_warnings=True, meta_shacl=False
    )
    assert isinstance(results, Graph)
    violations, warnings = [], 0
    report = next(results.subjects(RDF.type, SH.ValidationReport))
    for result in results.objects(report, SH.result):  # not the nested sh:detail results
        if results.value(result, SH.resultSeverity) == SH.Violation:
            violations.append(
                f"{results.value(result, SH.focusNode)} {results.value(result, SH.resultPath)} "
                f"{results.value(result, SH.resultMessage)}"
            )
        else:
            warnings += 1
    return violations, warnings


@pytest.mark.django_db
@pytest.mark.parametrize(("extension", "rdf_format"), [("jsonld", "json-ld"), ("ttl", "turtle")])
def test_the_catalogue_validates_against_the_dcat_ap_3_shapes(
    release: Release, extension: str, rdf_format: str
) -> None:
    response = Client().get(f"/open-data/catalog.{extension}")
    assert response.status_code == 200
    data = Graph().parse(data=response.content.decode(), format=rdf_format)
    violations, _warnings = shacl_violations(data)
    assert violations == []
    text = response.content.decode()
    assert "http://testserver/open-data/2026-11-28T1430Z/cases.csv" in text
    assert "http://publications.europa.eu/resource/authority/data-theme/GOVE" in text


@pytest.mark.django_db
def test_the_catalogue_has_titles_in_three_languages_and_the_configured_base(
    release: Release, settings: SettingsWrapper
) -> None:
    settings.LOKET_PUBLIC_URL = "https://loket.example.brussels/"
    settings.LOKET_OPENDATA_CONTACT = "data@loket.example.brussels"
    body = Client().get("/open-data/catalog.ttl").content.decode()
    assert "mailto:data@loket.example.brussels" in body
    data = Graph().parse(data=body, format="turtle")
    from rdflib import DCAT, DCTERMS, URIRef

    dataset = URIRef("https://loket.example.brussels/open-data/catalog#cases")
    assert (dataset, RDF.type, DCAT.Dataset) in data
    languages = {title.language for title in data.objects(dataset, DCTERMS.title)}  # type: ignore[attr-defined]
    assert languages == {"fr", "nl", "en"}


@pytest.mark.django_db
def test_a_release_file_is_served_with_its_type_and_long_caching(release: Release) -> None:
    response = Client().get(f"/open-data/{release.id}/cases.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"cases-{release.id}.csv" in response["Content-Disposition"]
    assert "immutable" in response["Cache-Control"]
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith(b"month,procedure,municipality,submitted,decided\n")
    json_response = Client().get(f"/open-data/{release.id}/cases.json")
    assert json_response["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.django_db
def test_latest_redirects_to_the_newest_release_and_unknown_files_are_404(
    release: Release,
) -> None:
    client = Client()
    latest = client.get("/open-data/latest/handling-times.json")
    assert latest.status_code == 302
    assert latest["Location"] == f"/open-data/{release.id}/handling-times.json"
    assert client.get("/open-data/latest/no-such-dataset.csv").status_code == 404
    assert client.get("/open-data/2020-01-01T0000Z/cases.csv").status_code == 404
    assert client.get(f"/open-data/{release.id}/nothing.csv").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_open_data_page_lists_datasets_with_charts_and_tables(
    release: Release, lang: str
) -> None:
    response = Client().get(f"/{lang}/open-data/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{lang}">' in page
    assert page.count("<svg") == 2 and page.count("<title id=") == 2
    assert page.count("<desc id=") == 2 and "<table" in page
    assert f"/open-data/{release.id}/cases.csv" in page
    assert "creativecommons.org/publicdomain/zero/1.0/" in page
    assert "<script" not in page
    procedure_name = Procedure.objects.get(id="population-extract").names[lang]
    assert procedure_name.split()[0] in page


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_each_dataset_has_its_page(release: Release, lang: str) -> None:
    client = Client()
    for spec in available_datasets():
        response = client.get(f"/{lang}/open-data/{spec.id}/")
        assert response.status_code == 200, spec.id
        title = spec.title_texts[lang]
        assert (french_text(title) if lang == "fr" else title) in response.content.decode()
    cases = client.get(f"/{lang}/open-data/cases/").content.decode()
    assert (
        "<svg" in cases
        and 'scope="row" data-label=' in cases
        and "<code>municipality</code></th>" in cases
    )
    announced = client.get(f"/{lang}/open-data/public-space-incidents/")
    assert announced.status_code == 200
    assert client.get(f"/{lang}/open-data/nothing/").status_code == 404


@pytest.mark.django_db
def test_the_pages_work_before_any_release(storage: Path) -> None:
    assert Client().get("/en/open-data/").status_code == 200
    assert Client().get("/en/open-data/cases/").status_code == 200
    assert Client().get("/open-data/catalog.ttl").status_code == 200


@pytest.mark.django_db
def test_the_command_publishes_a_release(storage: Path) -> None:
    out = io.StringIO()
    call_command("opendata", "publish", stdout=out)
    assert "release" in out.getvalue() and Release.objects.count() == 1


def test_disclosure_control_follows_the_threshold_and_rounding_settings(
    settings: SettingsWrapper,
) -> None:
    from loket.opendata.tables import Protection

    settings.LOKET_OPENDATA_THRESHOLD, settings.LOKET_OPENDATA_ROUNDING = 7, 5
    assert Protection.from_settings() == Protection(threshold=7, rounding=5)
