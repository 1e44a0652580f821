"""The certificates-issued open dataset: certificates issued through the real actions, counted
per kind, municipality and month by the database, revocations apart, small cells withheld by
the disclosure control, and its place in the DCAT-AP catalogue and on the pages."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rdflib import DCAT, DCTERMS, RDF, Graph, URIRef

from loket.certificates.actions import do_deliver_certificate, do_revoke_certificate
from loket.certificates.models import IssuedCertificate
from loket.opendata.aggregate import Period
from loket.opendata.datasets import LANGUAGES, get_dataset
from loket.opendata.dcat import REFNIS, catalogue_graph
from loket.opendata.publish import file_name, publish
from loket.opendata.tables import BUILDERS, Protection
from tests.conftest import demo_user
from tests.test_certificates import make_case
from tests.test_opendata import shacl_violations

pytestmark = pytest.mark.django_db
DATASET = "certificates-issued"
COLUMNS = ["month", "procedure", "municipality", "issued", "revoked"]


def issue(procedure_id: str, count: int) -> list[IssuedCertificate]:
    """``count`` certificates issued at once for the demo resident (Ixelles), as when sent."""
    resident = demo_user("resident")
    return [
        do_deliver_certificate(make_case(resident, procedure_id)).certificate for _n in range(count)
    ]


def rows_by_key(rows: list[list[Any]]) -> dict[tuple[Any, Any], list[Any]]:
    month = timezone.localtime().strftime("%Y-%m")
    return {(row[1], row[2]): row[3:] for row in rows if row[0] == month}


def test_certificates_issued_and_revoked_are_counted_per_kind_and_issuing_municipality(
    sealing: dict[str, Any],
) -> None:
    extracts = issue("population-extract", 3)
    issue("household-composition", 3)
    do_revoke_certificate(extracts[0], demo_user("agent-ixelles"), "issued-in-error")
    again = make_case(demo_user("resident"), "population-extract")
    do_deliver_certificate(again)
    do_deliver_certificate(again)  # the second supersedes the first: both were issued

    table = BUILDERS[DATASET](Period(timezone.now() + timedelta(seconds=1)), Protection(3))

    assert table.columns == COLUMNS
    rows = rows_by_key(table.rows)
    assert rows[("population-extract", "21009")][0] == 5
    assert rows[("household-composition", "21009")][0] == 3
    assert rows[("total", "21009")][0] == rows[("total", "total")][0] == 8
    # One revocation: below the threshold, withheld with whatever would give it away.
    assert rows[("population-extract", "21009")][1] is None
    assert rows[("total", "total")][1] is None
    assert rows[("household-composition", "21009")][1] == 0
    assert table.suppressed >= 1


def test_a_rare_certificate_is_withheld_in_the_published_release(
    sealing: dict[str, Any], settings: Any, storage: Path
) -> None:
    settings.LOKET_OPENDATA_THRESHOLD = 5
    issue("population-extract", 5)
    issue("household-composition", 1)
    last_month = timezone.now() - timedelta(days=40)
    IssuedCertificate.objects.update(issued_at=last_month)

    release = publish()

    text = (storage / file_name(release.id, DATASET, "csv")).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == COLUMNS
    cells = {(r["procedure"], r["municipality"]): r["issued"] for r in rows}
    assert cells[("household-composition", "21009")] == ""  # 1: withheld
    assert cells[("population-extract", "21009")] == ""  # would give the 1 away from the total
    assert cells[("total", "total")] == "6"
    for row in rows:
        for column in ("issued", "revoked"):
            assert row[column] == "" or int(row[column]) == 0 or int(row[column]) >= 5, row


@pytest.fixture
def storage(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.LOKET_PUBLIC_URL = ""
    return tmp_path


def test_the_dataset_is_in_a_valid_catalogue_with_the_municipalities_it_covers(
    sealing: dict[str, Any], storage: Path
) -> None:
    issue("population-extract", 1)
    publish(until=timezone.now() + timedelta(seconds=1))
    graph: Graph = catalogue_graph()
    dataset = next(s for s in graph.subjects(RDF.type, DCAT.Dataset) if str(s).endswith(DATASET))
    assert URIRef(REFNIS.format(nis="21009")) in set(graph.objects(dataset, DCTERMS.spatial))
    downloads = {str(o) for d in graph.objects(dataset, DCAT.distribution)
                 for o in graph.objects(d, DCAT.downloadURL)}  # fmt: skip
    assert any(url.endswith(f"/{DATASET}.csv") for url in downloads)
    violations, _warnings = shacl_violations(graph)
    assert violations == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_dataset_speaks_french_dutch_and_english(
    sealing: dict[str, Any], storage: Path, lang: str
) -> None:
    spec = get_dataset(DATASET)
    assert spec is not None and spec.column_names() == COLUMNS
    texts = [spec.title_texts, spec.description_texts, *(c.texts for c in spec.columns)]
    assert all(text[lang].strip() for text in texts)
    assert all(len({text[other] for other in LANGUAGES}) == 3 for text in texts)
    issue("population-extract", 1)
    publish(until=timezone.now() + timedelta(seconds=1))
    page = Client().get(f"/{lang}/open-data/{DATASET}/")
    assert page.status_code == 200
    assert spec.title_texts[lang] in page.content.decode()
