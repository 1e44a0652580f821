"""The main journeys work with JavaScript switched off: applying for the residents' parking card
(errors included) and the agent's decision. Every form posts and redirects."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from loket.cases.models import Case
from tests.e2e.journeys import decide, demo_log_in, log_out, pay_fee_on_demo_page


def without_javascript(browser: Browser) -> Page:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1024, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def continue_(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()


@pytest.mark.usefixtures("seeded_transactional")
def test_apply_and_decide_without_javascript(browser: Browser, live_server: object) -> None:
    base = str(live_server)
    page = without_javascript(browser)
    demo_log_in(page, base, "resident")
    page.goto(f"{base}/en/search/?q=parking")
    page.get_by_role("link", name="Residents' parking card").first.click()
    page.get_by_role("link", name="Start now").click()
    page.get_by_label("Yes, use the data the administration holds").check()
    continue_(page)
    page.get_by_role("link", name="This is correct, continue").click()
    continue_(page)
    expect(page).to_have_title(re.compile("^Error:"))
    page.get_by_label("2-XYZ-789").check()
    continue_(page)
    page.get_by_label("Start date").fill((timezone.localdate() + timedelta(days=5)).isoformat())
    continue_(page)
    page.get_by_role("button", name="Send the application").click()
    expect(page.get_by_role("heading", name="Application sent")).to_be_visible()
    reference = page.locator(".reference").inner_text()
    page.goto(f"{base}/en/my-cases/{reference}/")
    pay_fee_on_demo_page(page)  # the parking card has a fee
    log_out(page)

    demo_log_in(page, base, "agent-parking")
    page.get_by_role("link", name=reference, exact=True).click()
    page.locator("button[value='preview']").click()  # no decision chosen: an error
    expect(page.locator(".error-summary")).to_contain_text(
        "Choose the decision: approve or refuse."
    )
    decide(page, "approved", "Welcome.")
    expect(page.locator("main")).to_contain_text("Approved")
    assert Case.objects.get(reference=reference).status == Case.Status.APPROVED
    page.context.close()
