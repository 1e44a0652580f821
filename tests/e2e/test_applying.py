"""Browser journeys of the forms and the back-office: a change of address with a household
member moving along (errors, focus, nothing lost, resume after logout), and a request for
information going back and forth between the applicant and the agent."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import FilePayload, Page, expect

from loket.cases.models import Case
from tests.e2e.journeys import demo_log_in, log_out, pay_fee_on_demo_page


def continue_(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()


@pytest.mark.usefixtures("seeded_transactional")
def test_change_of_address_with_a_household_member_errors_and_resume(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    demo_log_in(page, base, "resident")
    page.goto(f"{base}/en/procedures/change-of-address/")
    page.get_by_role("link", name="Start now").click()
    page.get_by_label("Yes, use the data the administration holds").check()
    continue_(page)
    main = page.locator("main")
    expect(main.get_by_text("Lina El Amrani")).to_be_visible()
    main.get_by_role("link", name="This is correct, continue").click()

    # A missing field: an error summary, focused, linking to the field.
    continue_(page)
    expect(page).to_have_title(re.compile("^Error:"))
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    page.get_by_label("Street").fill("Parvis Saint-Gilles")
    page.get_by_label("Number").fill("12")
    continue_(page)  # the postcode is still missing; what was typed stays
    expect(page.get_by_label("Street")).to_have_value("Parvis Saint-Gilles")
    page.get_by_label("Postcode").fill("1060")
    continue_(page)

    # An impossible date: a clear message, the typed date kept.
    too_late = (timezone.localdate() + timedelta(days=400)).isoformat()
    page.get_by_label("Moving date").fill(too_late)
    continue_(page)
    expect(page.locator(".error-summary")).to_contain_text("or earlier")
    expect(page.get_by_label("Moving date")).to_have_value(too_late)
    page.get_by_label("Moving date").fill(timezone.localdate().isoformat())
    continue_(page)

    # Log out in the middle, come back, and go on where we stopped.
    log_out(page)
    demo_log_in(page, base, "resident")
    page.get_by_role("link", name="Declaration of change of address", exact=True).click()
    # She moves, of course: a fixed line, not a box; only the others are ticked.
    expect(page.locator("#id_moving_with_applicant")).to_contain_text("You (Amina El Amrani)")
    expect(page.get_by_label("Amina El Amrani")).to_have_count(0)
    page.get_by_label("Lina El Amrani").check()
    continue_(page)
    continue_(page)  # nobody joins the household

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    expect(main.get_by_text("Parvis Saint-Gilles 12, 1060 Saint-Gilles")).to_be_visible()
    expect(main.get_by_text("Amina El Amrani, Lina El Amrani")).to_be_visible()
    page.get_by_role("button", name="Send the application").click()
    expect(page.get_by_role("heading", name="Application sent")).to_be_visible()
    case = Case.objects.get(procedure_id="change-of-address")
    assert case.administration_id == "21013"  # the municipality of the new address
    assert case.answers["moving_with"] == ["Amina El Amrani", "Lina El Amrani"]


@pytest.mark.usefixtures("seeded_transactional")
def test_a_request_for_information_round_trip(page: Page, live_server: object) -> None:
    base = str(live_server)
    demo_log_in(page, base, "resident")
    page.goto(f"{base}/en/procedures/residents-parking-card/apply/")
    page.get_by_label("Yes, use the data the administration holds").check()
    continue_(page)
    page.get_by_role("link", name="This is correct, continue").click()
    page.get_by_label("2-XYZ-789").check()
    continue_(page)
    page.get_by_label("Start date").fill(timezone.localdate().isoformat())
    continue_(page)
    page.get_by_role("button", name="Send the application").click()
    reference = page.locator(".reference").inner_text()
    page.goto(f"{base}/en/my-cases/{reference}/")
    pay_fee_on_demo_page(page)  # the parking card has a fee
    log_out(page)

    demo_log_in(page, base, "agent-parking")
    page.get_by_role("link", name=reference, exact=True).click()
    page.get_by_label("Your message").fill("Please send the registration certificate.")
    page.get_by_role("button", name="Send as a request for information and pause the case").click()
    expect(page.locator("main")).to_contain_text("Waiting for the applicant's information")
    log_out(page)

    demo_log_in(page, base, "resident")
    page.goto(f"{base}/en/my-cases/{reference}/")
    expect(page.locator("main")).to_contain_text("Please send the registration certificate.")
    page.get_by_label("Your answer to this question").fill("Here is the certificate.")
    certificate: FilePayload = {
        "name": "certificate.pdf",
        "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n%%EOF\n",
    }
    page.get_by_label("Attach a document (optional)").set_input_files(files=[certificate])
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("main")).to_contain_text("Being handled")
    log_out(page)

    demo_log_in(page, base, "agent-parking")
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.locator("main")).to_contain_text("Here is the certificate.")
    expect(page.get_by_role("link", name="certificate.pdf")).to_be_visible()
    assert Case.objects.get(reference=reference).status == Case.Status.IN_PROGRESS
