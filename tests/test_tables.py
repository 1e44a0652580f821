"""One table pattern: every page table is `.table`, and every body cell names its column.

On a phone `.table` turns each row into a card with each cell under its column's name
(`data-label`), so a status or a "Revoke" button never hides behind a sideways swipe. Documents
rendered to PDF (receipts, decisions, certificates, the archive summary) are paper, not pages.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from loket.mandates.actions import do_give_mandate
from tests.conftest import client_for, demo_user
from tests.test_cases import apply_for_parking_card

SRC = Path(__file__).resolve().parent.parent / "src" / "loket"
PDF_DOCUMENTS = {
    "certificates/templates/certificates/certificate_base.html",
    "cases/templates/cases/receipt.html",
    "cases/templates/cases/decision.html",
    "cases/templates/cases/decision_content.html",  # the decision's paper, also previewed as such
    "privacy/templates/privacy/archive_summary.html",
}
TABLE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
BODY_CELL = re.compile(r"<td\b[^>]*>|<th\b[^>]*scope=\"row\"[^>]*>")


def page_templates() -> list[Path]:
    return [
        path
        for path in SRC.rglob("templates/**/*.html")
        if "<table" in path.read_text() and str(path.relative_to(SRC)) not in PDF_DOCUMENTS
    ]


def unlabelled_cells(html: str) -> list[str]:
    problems = []
    for attributes, table in TABLE.findall(html):
        if not re.search(r'class="[^"]*\btable\b', attributes):
            problems.append(f"<table{attributes}> is not a .table")
        body = table.split("</thead>", 1)[-1]
        problems += [cell for cell in BODY_CELL.findall(body) if "data-label=" not in cell]
    return problems


def test_the_pattern_finds_the_templates_it_must_hold() -> None:
    names = {path.name for path in page_templates()}
    assert {"my_cases.html", "index.html", "queue.html", "certificate_table.html"} <= names


@pytest.mark.parametrize("template", page_templates(), ids=lambda path: str(path.relative_to(SRC)))
def test_every_page_table_uses_the_stacking_pattern(template: Path) -> None:
    assert unlabelled_cells(template.read_text()) == []


def test_an_unlabelled_cell_is_caught() -> None:
    assert unlabelled_cells('<table class="table"><thead></thead><tr><td>x</td></tr></table>')
    assert unlabelled_cells('<table><thead></thead><tr><td data-label="A">x</td></tr></table>')


def test_the_stylesheet_stacks_tables_on_a_narrow_page_instead_of_scrolling_them() -> None:
    css = (SRC / "web/static/loket/loket.css").read_text()
    assert "overflow-x: auto; position: relative" not in css
    phone = css[css.index("@container (max-width: 40rem) {\n  .table thead") :]
    assert ".table [data-label]::before { content: attr(data-label)" in phone


@pytest.mark.django_db
def test_my_cases_and_mandates_render_every_cell_with_its_column_name(
    resident_client: Client,
) -> None:
    apply_for_parking_card(resident_client)
    today = timezone.localdate()
    do_give_mandate(
        demo_user("resident"),
        demo_user("helper").national_number or "",
        [],
        today,
        today + timedelta(days=30),
    )
    for url in ("/fr/my-cases/", "/fr/mandates/"):
        html = resident_client.get(url).content.decode()
        assert 'data-label="Statut"' in html or 'data-label="Status"' in html
        assert "<td" in html and unlabelled_cells(html) == []
    assert client_for("helper").get("/fr/mandates/helping/").status_code == 200
