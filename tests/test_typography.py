"""French typography is applied once, to every French page and document: a non-breaking space
before high punctuation and the first of the month as "1er"; markup, scripts and what a person
typed are left as they are."""

from __future__ import annotations

import pytest
from django.test import Client

from loket.core.typography import NBSP, french_html, french_text
from tests.conftest import client_for
from tests.test_cases import apply_for_parking_card


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        ("Référence: BRU-1", f"Référence{NBSP}: BRU-1"),
        ("Référence : BRU-1", f"Référence{NBSP}: BRU-1"),
        ("Vraiment ? Oui !", f"Vraiment{NBSP}? Oui{NBSP}!"),
        ("« Demander un réexamen »", f"«{NBSP}Demander un réexamen{NBSP}»"),
        ("le 1 janvier 2027", "le 1er janvier 2027"),
        ("le 21 janvier et le 1 mai", "le 21 janvier et le 1er mai"),
        ("à 10:30, https://loket.brussels/?q=1", "à 10:30, https://loket.brussels/?q=1"),
        ("Dupont &amp; fils ; d&#x27;accord", f"Dupont &amp; fils{NBSP}; d&#x27;accord"),
    ],
)
def test_french_text_is_spaced_and_dated_as_french_writes_it(written: str, printed: str) -> None:
    assert french_text(written) == printed


def test_markup_scripts_and_typed_text_are_left_alone() -> None:
    html = (
        '<p title="a : b">Motifs:</p><script nonce="x">a ? b : c</script>'
        "<textarea>Référence: tel quel</textarea><pre>x : y</pre>"
    )
    assert french_html(html) == html.replace("Motifs:", f"Motifs{NBSP}:")


@pytest.mark.django_db
def test_french_pages_and_decisions_get_it_and_dutch_ones_do_not(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client, lang="fr")
    page = resident_client.get(f"/fr/my-cases/{case.reference}/").content.decode()
    assert " :" not in page.split("<main", 1)[1].split("<textarea", 1)[0]
    agent = client_for("agent-parking")
    dutch = agent.get(f"/nl/back-office/cases/{case.reference}/").content.decode()
    assert NBSP + ":" not in dutch


def test_text_in_another_language_inside_a_french_page_is_left_alone() -> None:
    html = (
        '<html lang="fr"><p>Motifs:</p><article lang="nl"><p>Referentie: X</p><br>'
        "<span>Redenen: Y</span></article><p>Décision:</p></html>"
    )
    assert french_html(html) == html.replace("Motifs:", f"Motifs{NBSP}:").replace(
        "Décision:", f"Décision{NBSP}:"
    )
