"""The service-performance open dataset and the public page "Performance of our services":
no figure below the disclosure threshold is published, in the files or on the page, and no
share, time or mean gives a withheld count back."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from loket.catalog.models import Procedure
from loket.opendata.disclosure import TOTAL
from loket.opendata.publish import publish
from loket.performance.models import Feedback, JourneyDay
from tests.conftest import client_for
from tests.test_opendata import storage  # noqa: F401
from tests.test_opendata_disclosure import attacker_recovers

pytestmark = pytest.mark.django_db
DATASET = "service-performance"
PARKING = "residents-parking-card"
COUNTS = ("started", "sent", "responses")
DERIVED = {"completion_rate": ("started", "sent"), "median_minutes": ("sent",),
           "mean_score": ("responses",)}  # fmt: skip


def last_month_day() -> date:
    return timezone.localdate().replace(day=1) - timedelta(days=10)


def journeys(procedure: str, door: str, started: int, sent: int, answers: list[int]) -> None:
    day = last_month_day()
    JourneyDay.objects.create(procedure_id=procedure, door_id=door, day=day, event="started",
                              count=started)  # fmt: skip
    for n in range(sent):
        JourneyDay.objects.create(procedure_id=procedure, door_id=door, day=day, event="sent",
                                  minutes=10 + n, count=1)  # fmt: skip
    for score in answers:
        Feedback.objects.create(
            procedure_id=procedure, door_id=door, day=day, score=score, language="fr",
            channel="after-application", text="a comment",
        )  # fmt: skip


def seed() -> tuple[str, str]:
    municipal = list(
        Procedure.objects.filter(owner_kind=Procedure.Owner.MUNICIPALITY).order_by("id")[:2]
    )
    journeys(PARKING, "region", 30, 20, [5, 4, 4, 3, 5, 2, 4, 5])
    journeys(municipal[0].id, "ixelles", 3, 1, [1, 2])  # rare: all below the threshold
    journeys(municipal[1].id, "schaerbeek", 12, 9, [4, 4, 5, 3, 4, 2])
    journeys(municipal[1].id, "ixelles", 14, 8, [5, 5, 4, 4, 3, 4, 5])
    return municipal[0].id, municipal[1].id


def test_no_figure_below_the_threshold_is_published(storage: Path, settings: object) -> None:  # noqa: F811
    rare, _other = seed()
    release = publish()
    threshold = release.threshold
    folder = storage / "opendata" / release.id
    document = json.loads((folder / f"{DATASET}.json").read_text(encoding="utf-8"))
    rows = document["rows"]
    month = last_month_day().strftime("%Y-%m")
    assert {row["month"] for row in rows} == {month}
    for row in rows:
        for column in COUNTS:
            assert row[column] is None or row[column] == 0 or row[column] >= threshold, row
        for column, sources in DERIVED.items():
            if any(row[s] is None or row[s] < threshold for s in sources):
                assert row[column] is None, (column, row)
    by_key = {(row["procedure"], row["door"]): row for row in rows}
    assert [by_key[(rare, "ixelles")][c] for c in (*COUNTS, *DERIVED)] == [None] * 6
    parking = by_key[(PARKING, "region")]
    assert (parking["started"], parking["sent"], parking["completion_rate"]) == (30, 20, 0.67)
    assert parking["median_minutes"] == 19.5
    everything = by_key[(TOTAL, TOTAL)]
    assert (everything["responses"], everything["mean_score"]) == (23, 3.78)
    for column in COUNTS:  # and nothing withheld can be worked out from what is published
        table = {key: row[column] for key, row in by_key.items()}
        assert attacker_recovers(table) == set(), column
    # The CSV file says the same; no comment is ever published.
    text = (folder / f"{DATASET}.csv").read_text(encoding="utf-8")
    as_csv = list(csv.DictReader(io.StringIO(text)))
    assert as_csv == [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]
    assert "a comment" not in text


def test_the_public_page_shows_withheld_figures_as_withheld_never_as_numbers(
    storage: Path,  # noqa: F811
    in_english: None,
) -> None:
    rare, other = seed()
    release = publish()
    page = Client(HTTP_HOST="ixelles.localhost").get("/en/performance/").content.decode()
    # Ixelles' door: its own procedures first, with its door's figures.
    own = page.index("Procedures of Ixelles")
    regional = page.index("Regional procedures")
    assert own < regional
    rare_name = Procedure.objects.get(id=rare).name
    row = re.search(rf"<tr><th scope=\"row\"[^>]*>{re.escape(rare_name)}</th>(.*?)</tr>", page)
    assert row is not None
    cells = re.findall(r"<td data-label=\"[^\"]+\">([^<]*)</td>", row.group(1))
    assert cells == ["withheld"] * 6
    assert f"fewer than {release.threshold}" in page
    assert "a comment" not in page
    assert "<svg" in page and "<desc" in page
    for door in ("testserver", "ixelles.localhost", "schaerbeek.localhost"):
        shown = Client(HTTP_HOST=door).get("/en/performance/").content.decode()
        counts = re.findall(
            r"<td data-label=\"(?:Started|Sent|Answers to “Was it easy\?”)\">([^<]*)</td>", shown
        )
        assert counts, door
        for value in counts:
            assert value == "withheld" or int(value) == 0 or int(value) >= release.threshold
    assert other


def test_the_dataset_is_in_the_catalogue_and_the_footer_links_the_page(storage: Path) -> None:  # noqa: F811
    seed()
    publish()
    catalogue = Client().get("/open-data/catalog.ttl").content.decode()
    assert DATASET in catalogue
    home = Client().get("/en/").content.decode()
    assert 'href="/en/performance/"' in home
    assert Client().get(f"/en/open-data/{DATASET}/").status_code == 200


def test_the_demo_journeys_give_real_figures_to_the_back_office_and_the_public_page(
    storage: Path,  # noqa: F811
    in_english: None,
) -> None:
    from loket.performance.demo import seed_demo_journeys

    assert seed_demo_journeys() > 0
    assert seed_demo_journeys() == 0  # once only
    release = publish()
    rows = json.loads(
        (storage / "opendata" / release.id / f"{DATASET}.json").read_text(encoding="utf-8")
    )["rows"]
    published = [row for row in rows if row["procedure"] != TOTAL and row["door"] != TOTAL]
    assert sum(1 for row in published if row["completion_rate"] is not None) >= 10
    for host in ("testserver", "ixelles.localhost", "schaerbeek.localhost"):
        page = Client(HTTP_HOST=host).get("/en/performance/").content.decode()
        assert re.search(r"data-label=\"Completion \(%\)\">\d+</td>", page), host
    back_office = client_for("agent-parking").get("/en/back-office/performance/")
    text = back_office.content.decode()
    assert "Where people stop" in text and "Applications started" in text
