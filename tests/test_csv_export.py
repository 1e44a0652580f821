"""CSV exports cannot carry a spreadsheet formula (CSV injection): text typed by residents that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading quote."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client, override_settings

from loket.config import BASE_DIR
from loket.core import csv_export
from loket.geo.feedback import do_record_unknown_address
from loket.geo.models import RegisterFeedback
from loket.privacy.archive import _csv as archive_csv

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert csv_export.neutralise(text) == "'" + text


@pytest.mark.parametrize("cell", ["Rue de Verdun 101", "", "2026-01-31", "a=b", 12, -4.35, None])
def test_other_cells_are_written_as_they_are(cell: object) -> None:
    assert csv_export.neutralise(cell) == cell


def test_both_writers_neutralise_every_cell() -> None:
    out = io.StringIO()
    csv_export.Writer(out).writerows([["=1+1", -3, "plain"]])
    writer = csv_export.DictWriter(out, fieldnames=["a", "b"])
    writer.writerow({"a": "@x", "b": 2})
    writer.writerows([{"a": "-x", "b": "y"}])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=1+1", "-3", "plain"],
        ["'@x", "2"],
        ["'-x", "y"],
    ]


@pytest.mark.django_db
@override_settings(LOKET_URBIS_FEED_TOKEN="feed-token")
def test_the_address_register_feed_neutralises_what_residents_typed() -> None:
    item = do_record_unknown_address(
        {"street": '=HYPERLINK("http://evil.example")', "house_number": "1", "postcode": "1130"},
        "change-of-address",
    )
    RegisterFeedback.objects.filter(pk=item.pk).update(address_as_given="@SUM(1+1)")
    response = Client().get("/urbis/feed.csv", headers={"Authorization": "Bearer feed-token"})
    row = next(csv.DictReader(io.StringIO(response.text)))
    assert row["proposed_correction"].startswith("'=HYPERLINK")
    assert row["address_as_given"] == "'@SUM(1+1)"


def test_the_access_archive_neutralises_message_bodies() -> None:
    text = archive_csv([{"case": "PKG-1", "body": "=cmd|' /C calc'!A0"}])
    assert list(csv.DictReader(io.StringIO(text))) == [
        {"case": "PKG-1", "body": "'=cmd|' /C calc'!A0"}
    ]


def test_no_module_writes_csv_but_through_the_neutralising_writers() -> None:
    direct = re.compile(r"\bcsv\.(writer|DictWriter)\(")
    exempt = BASE_DIR / "src" / "loket" / "core" / "csv_export.py"
    writers = [
        str(path.relative_to(BASE_DIR))
        for path in (BASE_DIR / "src" / "loket").rglob("*.py")
        if path != exempt and direct.search(path.read_text(encoding="utf-8"))
    ]
    assert writers == []
