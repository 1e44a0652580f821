"""On a 360 px phone (#20): deleting a draft from My cases after a confirmation page, a paid
fee's notice shown as done, and a sent case's "What you asked" opened to read the pickup address.
In English until the lead merges the catalogues. Screenshots: var/screenshots/resident-*-360.png."""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from loket.forms.answers import case_address
from loket.forms.models import Draft
from tests.conftest import client_for
from tests.e2e.journeys import demo_log_in
from tests.e2e.test_resident_journeys import shoot
from tests.test_all_procedures import submit
from tests.test_cases import apply_for_parking_card

PARKING = "residents-parking-card"


@pytest.mark.usefixtures("seeded_transactional")
def test_a_draft_is_deleted_after_confirming_and_an_opened_procedure_is_no_draft(
    phone: Page, live_server: object
) -> None:
    base = str(live_server)
    resident = client_for("resident")
    resident.get("/en/procedures/change-of-address/apply/")  # opened only: not listed
    resident.post(f"/en/procedures/{PARKING}/apply/", {"use_registers": "yes"})
    resident.post(f"/en/procedures/{PARKING}/apply/q/vehicle/", {"plate": "2-XYZ-789"})
    demo_log_in(phone, base, "resident", "en")
    phone.goto(f"{base}/en/my-cases/")
    drafts = phone.locator("main ul").first
    expect(drafts).to_contain_text("Residents' parking card")
    expect(drafts).not_to_contain_text("Change of address")
    shoot(phone, "drafts")
    phone.get_by_role("link", name="Delete this draft").click()
    expect(phone.locator("h1")).to_have_text("Delete this draft?")
    shoot(phone, "draft-delete")
    assert Draft.objects.filter(procedure_id=PARKING).exists()
    phone.locator("#delete-draft").click()
    phone.wait_for_url("**/en/my-cases/")
    expect(phone.locator("main")).to_contain_text("has been deleted")
    expect(phone.locator("main")).not_to_contain_text("Applications not yet sent")
    assert not Draft.objects.filter(procedure_id=PARKING).exists()


@pytest.mark.usefixtures("seeded_transactional")
def test_a_paid_notice_reads_as_done_and_the_case_shows_what_was_asked(
    phone: Page, live_server: object
) -> None:
    base = str(live_server)
    resident = client_for("resident")
    paid = apply_for_parking_card(resident)
    bulky = submit(resident, "bulky-waste-collection")
    demo_log_in(phone, base, "resident", "en")
    phone.goto(f"{base}/en/my-cases/")
    inbox = phone.locator("ul.inbox")
    expect(inbox).to_contain_text(f"Fee of application {paid.reference} paid on")
    expect(inbox).not_to_contain_text(f"Application {paid.reference} sent: pay")
    shoot(phone, "inbox-paid")

    phone.goto(f"{base}/en/my-cases/{bulky.reference}/")
    details = phone.locator("#what-you-asked")
    expect(details).not_to_have_attribute("open", "")
    details.locator("summary").click()
    with translation.override("en"):
        street = case_address(bulky.facts, bulky.answers).split(",")[0]
    expect(details).to_contain_text(street)
    expect(details).to_contain_text("Approximate volume")
    shoot(phone, "case-what-you-asked")
