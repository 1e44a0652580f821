"""The fee-revenue open dataset: paid fees counted and summed per procedure, administration and
month by the database, the sums withheld wherever the disclosure control withholds the number
of payments, and its place in the DCAT-AP catalogue and on the pages."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rdflib import DCAT, RDF, Graph

from loket.opendata.aggregate import Period
from loket.opendata.datasets import LANGUAGES, get_dataset
from loket.opendata.dcat import catalogue_graph
from loket.opendata.publish import file_name, publish
from loket.opendata.tables import BUILDERS, Protection
from loket.payments.models import Payment
from loket.payments.references import new_structured_communication
from loket.privacy.retention import delete_case
from tests.conftest import client_for
from tests.test_all_procedures import submit
from tests.test_opendata import shacl_violations

pytestmark = pytest.mark.django_db
DATASET = "fee-revenue"
COLUMNS = ["month", "procedure", "administration", "payments", "revenue_eur"]
PARKING = "residents-parking-card"


def paid(procedure: str, administration: str, cents: int, count: int, on: datetime) -> None:
    """``count`` payment records paid on ``on`` (records of cases long gone, as retention
    leaves them)."""
    for _n in range(count):
        Payment.objects.create(
            administration_id=administration, procedure_code=procedure, case_reference="BRU-x",
            provider="transfer", idempotency_key=uuid.uuid4(), amount_cents=cents,
            reference=new_structured_communication(), status=Payment.Status.PAID,
            finished_at=on,
        )  # fmt: skip


def rows_by_key(rows: list[list[Any]], month: str) -> dict[tuple[Any, Any], list[Any]]:
    return {(row[1], row[2]): row[3:] for row in rows if row[0] == month}


def test_paid_fees_are_counted_and_summed_per_procedure_and_administration() -> None:
    case = submit(client_for("resident"), PARKING)  # paid on the demo page: €10
    delete_case(case)  # the payment outlives its case, and still counts
    now = timezone.now()
    paid(PARKING, "parking-brussels", 1000, 3, now)
    paid("nationality-certificate", "21009", 500, 3, now)
    paid(PARKING, "parking-brussels", 5000, 1, now - timedelta(days=70))  # another month
    Payment.objects.create(  # not paid: never counted
        administration_id="parking-brussels", procedure_code=PARKING, provider="demo",
        idempotency_key=uuid.uuid4(), amount_cents=99999,
        reference=new_structured_communication(), status=Payment.Status.FAILED, finished_at=now,
    )  # fmt: skip

    table = BUILDERS[DATASET](Period(now + timedelta(seconds=1)), Protection(3))

    assert table.columns == COLUMNS
    rows = rows_by_key(table.rows, timezone.localtime(now).strftime("%Y-%m"))
    assert rows[(PARKING, "parking-brussels")] == [4, 40.0]
    assert rows[("nationality-certificate", "21009")] == [3, 15.0]
    assert rows[("total", "total")] == [7, 55.0]
    assert rows[(PARKING, "total")] == [4, 40.0]
    earlier = rows_by_key(
        table.rows, timezone.localtime(now - timedelta(days=70)).strftime("%Y-%m")
    )
    assert earlier[(PARKING, "parking-brussels")] == [None, None]  # one payment that month


@pytest.fixture
def storage(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.LOKET_PUBLIC_URL = ""
    return tmp_path


def test_the_published_release_withholds_small_cells_and_the_catalogue_describes_it(
    settings: Any, storage: Path
) -> None:
    settings.LOKET_OPENDATA_THRESHOLD = 5
    last_month = timezone.now() - timedelta(days=40)
    paid(PARKING, "parking-brussels", 1000, 6, last_month)
    paid("nationality-certificate", "21009", 500, 2, last_month)

    release = publish()

    text = (storage / file_name(release.id, DATASET, "csv")).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == COLUMNS
    cells = {(r["procedure"], r["administration"]): (r["payments"], r["revenue_eur"]) for r in rows}
    assert cells[("nationality-certificate", "21009")] == ("", "")  # 2: withheld
    assert cells[(PARKING, "parking-brussels")] == ("", "")  # would give the 2 away
    assert cells[("total", "total")] == ("8", "70.0")
    for row in rows:
        assert row["payments"] == "" or int(row["payments"]) == 0 or int(row["payments"]) >= 5
        assert (row["payments"] == "") == (row["revenue_eur"] == "")
    graph: Graph = catalogue_graph()
    dataset = next(s for s in graph.subjects(RDF.type, DCAT.Dataset) if str(s).endswith(DATASET))
    downloads = {str(o) for d in graph.objects(dataset, DCAT.distribution)
                 for o in graph.objects(d, DCAT.downloadURL)}  # fmt: skip
    assert any(url.endswith(f"/{DATASET}.csv") for url in downloads)
    violations, _warnings = shacl_violations(graph)
    assert violations == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_dataset_speaks_french_dutch_and_english(storage: Path, lang: str) -> None:
    spec = get_dataset(DATASET)
    assert spec is not None and spec.column_names() == COLUMNS
    texts = [spec.title_texts, spec.description_texts, *(c.texts for c in spec.columns)]
    assert all(text[lang].strip() for text in texts)
    assert all(len({text[other] for other in LANGUAGES}) == 3 for text in texts)
    paid(PARKING, "parking-brussels", 1000, 1, timezone.now() - timedelta(days=40))
    publish()
    page = Client().get(f"/{lang}/open-data/{DATASET}/")
    assert page.status_code == 200
    assert spec.title_texts[lang] in page.content.decode()
