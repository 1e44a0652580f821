"""A resident who declines the registers types their address: a misspelt street is answered
with the register's closest addresses ("did you mean"), what was typed stays in the boxes, and
the box number typed with the house number ("1420 bte 12 gauche") reaches the check page whole.

Buttons are found by what they send, not by their words: the words are translated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from loket.forms.models import Draft
from tests.e2e.journeys import demo_log_in

FIELD = "#id_population\\.address\\.{}"


@pytest.mark.usefixtures("seeded_transactional")
def test_a_typed_address_is_checked_with_did_you_mean_and_keeps_its_box(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    demo_log_in(page, base, "resident", "fr")
    page.goto(f"{base}/fr/procedures/residents-parking-card/apply/")
    page.locator("#use-no").check()
    page.locator("form:has(#use-no) button[type='submit']").click()
    page.wait_for_url("**/declare/")
    page.locator(FIELD.format("street")).fill("Chaussee de Hacht")
    page.locator(FIELD.format("house_number")).fill("1420 bte 12 gauche")
    page.locator(FIELD.format("postcode")).fill("1130")
    for name in ("first_name", "last_name"):
        page.locator(f"#id_population\\.identity\\.{name}").fill("Amina")
    born = timezone.localdate() - timedelta(days=38 * 365)  # an adult, whatever today is
    page.locator("#id_population\\.identity\\.birth_date").fill(born.isoformat())
    page.locator("main form button[type='submit']").last.click()

    # Refused, with the register's closest address offered; nothing typed is lost.
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(FIELD.format("street"))).to_have_value("Chaussee de Hacht")
    expect(page.locator(FIELD.format("house_number"))).to_have_value("1420 bte 12 gauche")
    offered = page.get_by_label("Chaussée de Haecht 1420, 1130")
    expect(offered).to_be_visible()
    offered.check()
    page.locator("main form button[type='submit']").last.click()
    page.wait_for_url("**/q/**")
    declared = Draft.objects.get(procedure_id="residents-parking-card").answers["declared"]
    assert declared["population.address.street"] == "Chaussée de Haecht"
    assert declared["population.address.house_number"] == "1420"
    assert declared["population.address.box"] == "bte 12 gauche"
    assert declared["population.address.municipality"] == "21004"  # Haren: City of Brussels
