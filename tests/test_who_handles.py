"""Who handles a procedure, as its page tells a resident: true, and never an unexplained name."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from loket.cases.documents import document_html
from loket.catalog.models import Procedure
from loket.core.reference import administration_about
from tests.conftest import client_for
from tests.test_all_procedures import submit

pytestmark = pytest.mark.django_db
LANGUAGES = ("fr", "nl", "en")


def who_handles(page: str, language: str) -> str:
    with translation.override(language):
        term = gettext("Who handles it")
    page = html.unescape(page)
    found = re.search(rf"<dt>{re.escape(term)}</dt><dd>(.*?)</dd>", page, re.S)
    assert found is not None, f"no “{term}” on the page"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_no_procedure_page_names_a_body_residents_do_not_know_without_saying_what_it_is() -> None:
    client = Client()
    unexplained = []
    for procedure in Procedure.objects.select_related("administration"):
        for language in LANGUAGES:
            page = client.get(f"/{language}/procedures/{procedure.id}/").content.decode()
            handler = who_handles(page, language)
            if procedure.administration is None:
                continue
            with translation.override(language):
                about = administration_about(procedure.administration_id or "")
            if not about or about not in handler:
                unexplained.append((procedure.id, language, handler))
            main = html.unescape(page.split("<main", 1)[1].split("</main>", 1)[0])
            with translation.override(language):
                paradigm = administration_about("paradigm")
            if "Paradigm" in main and paradigm not in main:
                unexplained.append((procedure.id, language, "Paradigm"))
    assert unexplained == []


@pytest.mark.parametrize(
    ("language", "keeper", "register"),
    [
        ("fr", "service population de votre commune", "Registre national"),
        ("nl", "dienst bevolking van uw gemeente", "Rijksregister"),
        ("en", "population service of your municipality", "National Register"),
    ],
)
def test_a_correction_says_it_is_passed_to_whoever_keeps_the_data_as_its_text_says(
    language: str, keeper: str, register: str
) -> None:
    page = Client().get(f"/{language}/procedures/personal-data-correction/").content.decode()
    handler = who_handles(page, language)
    assert handler.startswith("Paradigm, ")
    assert keeper in handler and register in handler


def test_a_correction_case_and_its_receipt_say_what_paradigm_is() -> None:
    client = client_for("resident")
    case = submit(client, "personal-data-correction")
    assert case.administration_id == "paradigm"
    with translation.override("fr"):
        about = administration_about("paradigm")
    page = html.unescape(client.get(f"/fr/my-cases/{case.reference}/").content.decode())
    assert f"Paradigm, {about}" in page
    case.language = "fr"
    assert f"Paradigm, {about}" in html.unescape(document_html(case, "receipt"))
