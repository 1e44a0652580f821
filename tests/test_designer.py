"""Service designers change a form without code; cases keep the version they were made with."""

from __future__ import annotations

import pytest
from django.test import Client

from loket.forms.definitions import DEFINITIONS_DIR, get_definition
from loket.forms.models import DefinitionVersion
from tests.conftest import client_for
from tests.test_cases import apply_for_parking_card

PARKING = "residents-parking-card"


def source(version: int) -> str:
    text = (DEFINITIONS_DIR / f"{PARKING}.yaml").read_text(encoding="utf-8")
    text = text.replace("version: 1", f"version: {version}")
    return text.replace('en: "Which vehicle is the card for?"', 'en: "For which car?"')


@pytest.mark.django_db
def test_a_designer_publishes_a_new_version_and_new_applications_use_it(
    resident_client: Client,
) -> None:
    old_case = apply_for_parking_card(resident_client)
    designer = client_for("designer")
    url = f"/en/designer/{PARKING}/"
    assert "Which vehicle is the card for?" in designer.get(url).content.decode()
    assert designer.post(url, {"source": source(2)}).status_code == 302
    assert get_definition(PARKING).version == 2  # type: ignore[union-attr]
    resident_client.post(f"/en/procedures/{PARKING}/apply/", {"use_registers": "yes"})
    page = resident_client.get(f"/en/procedures/{PARKING}/apply/q/vehicle/")
    assert "For which car?" in page.content.decode()
    new_case = apply_for_parking_card(resident_client, plate="1-ABC-123")  # one card per plate
    assert (old_case.definition_version, new_case.definition_version) == (1, 2)
    agent = client_for("agent-parking")
    assert agent.get(f"/en/back-office/cases/{old_case.reference}/").status_code == 200


@pytest.mark.django_db
def test_an_invalid_definition_is_refused_with_the_field_named(resident_client: Client) -> None:
    designer = client_for("designer")
    url = f"/en/designer/{PARKING}/"
    broken = source(2).replace("type: date", "type: calendar")
    response = designer.post(url, {"source": broken})
    assert response.status_code == 422
    page = response.content.decode()
    assert "field start_date: unknown type" in page
    assert "type: calendar" in page  # what the designer typed is kept
    asks_again = source(2).replace("name: start_date", "name: street")
    asks_again = asks_again.replace("starts: start_date", "starts: street")
    assert (
        "repeats population.address" in designer.post(url, {"source": asks_again}).content.decode()
    )
    assert designer.post(url, {"source": source(7)}).status_code == 422  # versions follow
    assert not DefinitionVersion.objects.exists()


@pytest.mark.django_db
def test_every_problem_is_listed_with_a_translated_framing_and_the_designer_text_kept(
    resident_client: Client,
) -> None:
    designer = client_for("designer")
    misspelled = (
        source(2)
        .replace("type: date", "type: date\n        requird: false", 1)
        .replace("draft_days", "draft_dayz", 1)
    )
    response = designer.post(f"/fr/designer/{PARKING}/", {"source": misspelled})
    assert response.status_code == 422
    page = response.content.decode()
    assert "La définition n'a pas été publiée\u00a0: corrigez ces 2 problèmes" in page
    assert (
        "residents-parking-card version 2, procedure residents-parking-card, page start, "
        "field start_date: unknown key &#x27;requird&#x27; (did you mean &#x27;required&#x27;?)"
    ) in page
    assert (
        "retention: unknown key &#x27;draft_dayz&#x27; (did you mean &#x27;draft_days&#x27;?)"
        in page
    )
    assert "requird: false" in page  # what the designer typed is kept
    assert not DefinitionVersion.objects.exists()


@pytest.mark.django_db
def test_only_designers_reach_the_designer_pages(resident_client: Client) -> None:
    assert resident_client.get("/en/designer/").status_code == 403
    assert client_for("agent-parking").get(f"/en/designer/{PARKING}/").status_code == 403
