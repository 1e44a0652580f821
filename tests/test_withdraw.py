"""Withdrawing an application asks for confirmation on its own page, away from "Send"."""

from __future__ import annotations

import pytest
from django.test import Client

from loket.cases.models import Case
from tests.conftest import client_for
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db


def test_the_case_page_links_to_the_confirmation_and_withdraws_nothing_itself(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    page = resident_client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert f'href="/en/my-cases/{case.reference}/withdraw/"' in page
    assert 'value="withdraw"' not in page
    # The old one-tap form post no longer withdraws.
    resident_client.post(f"/en/my-cases/{case.reference}/", {"action": "withdraw"})
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED


def test_the_confirmation_page_says_it_cannot_be_undone_and_offers_to_keep_it(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    response = resident_client.get(f"/en/my-cases/{case.reference}/withdraw/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Withdraw your application?" in page and "You cannot undo this" in page
    assert "Yes, withdraw my application" in page
    assert f'href="/en/my-cases/{case.reference}/">No, keep my application' in page
    assert "Send the message" not in page
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED


def test_confirming_withdraws_and_the_page_then_sends_back_to_the_case(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    response = resident_client.post(f"/en/my-cases/{case.reference}/withdraw/", follow=True)
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN
    assert "Your application has been withdrawn." in response.content.decode()
    assert "Withdraw my application" not in response.content.decode()
    again = resident_client.get(f"/en/my-cases/{case.reference}/withdraw/")
    assert again.status_code == 302 and again["Location"] == f"/en/my-cases/{case.reference}/"
    twice = resident_client.post(f"/en/my-cases/{case.reference}/withdraw/", follow=True)
    assert "cannot be withdrawn now" in twice.content.decode()


def test_another_person_cannot_reach_the_withdraw_page(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    other = client_for("resident2")
    assert other.get(f"/en/my-cases/{case.reference}/withdraw/").status_code == 404
    assert other.post(f"/en/my-cases/{case.reference}/withdraw/").status_code == 404
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
