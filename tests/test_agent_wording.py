"""Agent pages speak to the civil servant about the applicant, never as if to the applicant; the
civil servant's menu starts with their work."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import client_for, with_version
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db


def test_the_case_page_names_the_applicants_data_and_status_for_the_agent(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    agent = client_for("agent-parking")
    url = f"/en/back-office/cases/{case.reference}/"
    request = with_version(case, {"action": "request", "body": "Send the insurance certificate."})
    assert agent.post(url, request).status_code == 302
    page = agent.get(url).content.decode()
    assert "The applicant&#x27;s identity: name, date of birth, national number" in page
    assert "The applicant&#x27;s main address" in page
    assert "Waiting for the applicant&#x27;s information" in page
    assert "Your identity" not in page and "Your main address" not in page
    assert "Waiting for your information" not in page
    queue = agent.get("/en/back-office/?status=information_requested").content.decode()
    assert "Waiting for the applicant&#x27;s information" in queue
    assert "Waiting for your information" not in queue
    mine = resident_client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert "Waiting for your information" in mine  # the applicant is still spoken to


def test_the_agents_menu_starts_with_the_back_office_and_a_residents_has_none(
    resident_client: Client,
) -> None:
    def menu(client: Client) -> list[str]:
        page = client.get("/en/").content.decode()
        nav = page[
            page.index('aria-label="Main menu"') : page.index("</nav>", page.index("Main menu"))
        ]
        return re.findall(r'<a href="([^"]+)"', nav)

    assert menu(client_for("agent-parking"))[0] == "/en/back-office/"
    resident = menu(resident_client)
    assert resident[0] == "/en/procedures/" and "/en/back-office/" not in resident
