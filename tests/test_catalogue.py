"""The reference catalogue: 19 municipalities, regional bodies, 32 procedures in three languages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.html import escape

from loket.catalog.models import Procedure
from loket.catalog.reference import load_catalogue
from loket.core.models import Administration, Postcode
from loket.core.reference import load_administrations, read_yaml
from loket.core.typography import french_text

LANGUAGES = ("fr", "nl", "en")
PROCEDURE_IDS = [entry["id"] for entry in read_yaml("procedures.yaml")["procedures"]]


def test_the_catalogue_has_the_32_reference_procedures() -> None:
    assert len(PROCEDURE_IDS) == 32


@pytest.mark.django_db
def test_administrations_are_the_19_municipalities_by_nis_code_and_the_regional_bodies() -> None:
    municipalities = Administration.objects.filter(kind=Administration.Kind.MUNICIPALITY)
    assert municipalities.count() == 19
    assert municipalities.get(id="21009").names["nl"] == "Elsene"
    assert Administration.objects.get(id="parking-brussels").kind == "regional"


@pytest.mark.django_db
def test_a_shared_postcode_covers_both_municipalities() -> None:
    assert set(Postcode.objects.get(code="1050").municipalities.values_list("id", flat=True)) == {
        "21004",
        "21009",
    }


@pytest.mark.django_db
def test_seeding_twice_changes_nothing() -> None:
    before = (Administration.objects.count(), Procedure.objects.count(), Postcode.objects.count())
    load_administrations()
    load_catalogue()
    after = (Administration.objects.count(), Procedure.objects.count(), Postcode.objects.count())
    assert before == after


@pytest.mark.django_db
def test_every_procedure_has_a_purpose_and_legal_basis_for_each_need() -> None:
    for procedure in Procedure.objects.all():
        for need in procedure.needs:
            for language in LANGUAGES:
                assert need["purpose_text"][language], (procedure.id, need["attribute"])
                assert need["legal_basis"][language], (procedure.id, need["attribute"])


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_procedure_has_a_page_in_each_language(client: Client, language: str) -> None:
    for procedure_id in PROCEDURE_IDS:
        response = client.get(f"/{language}/procedures/{procedure_id}/")
        assert response.status_code == 200, procedure_id
        procedure = Procedure.objects.get(id=procedure_id)
        name = escape(procedure.names[language])
        assert (french_text(name) if language == "fr" else name) in response.content.decode()


@pytest.mark.django_db
def test_the_parking_card_page_says_who_handles_it_and_which_registers_are_read(
    client: Client,
) -> None:
    page = client.get("/nl/procedures/residents-parking-card/").content.decode()
    assert "parking.brussels" in page
    assert "Rijksregister" in page
    assert "DIV" in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_home_and_catalogue_pages_answer_in_their_language(client: Client, language: str) -> None:
    for path in ("", "procedures/", "procedures/?by=administration", "search/?q=x"):
        response = client.get(f"/{language}/{path}")
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.django_db
def test_the_root_picks_the_language_from_accept_language(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "nl-BE,nl;q=0.9"})
    assert response.status_code == 302
    assert response["Location"] == "/nl/"


@pytest.mark.django_db
def test_the_language_switch_stays_on_the_same_page(client: Client) -> None:
    page = client.get("/fr/procedures/residents-parking-card/").content.decode()
    assert 'href="/nl/procedures/residents-parking-card/"' in page
    assert 'href="/en/procedures/residents-parking-card/"' in page


@pytest.mark.django_db
def test_an_unknown_procedure_is_a_translated_404(client: Client) -> None:
    response = client.get("/nl/procedures/does-not-exist/")
    assert response.status_code == 404
    assert 'lang="nl"' in response.content.decode()


@pytest.mark.django_db
def test_a_correction_request_says_which_body_keeps_the_register(client: Client) -> None:
    page = client.get("/en/procedures/personal-data-correction/?register=vehicle").content
    assert "Vehicle Registration Service (DIV)" in page.decode()
    page = client.get("/en/procedures/personal-data-correction/?register=bogus").content
    assert "is sent to the body that keeps it" not in page.decode()
