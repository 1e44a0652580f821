"""Browser journey of a mandate: a resident lets a digital helper apply for her parking card,
sees what was done for her, revokes the mandate, and the helper is refused from then on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from loket.audit.models import SecurityEvent
from loket.cases.models import Case
from loket.core.models import User
from tests.e2e.journeys import demo_log_in, log_out


def continue_(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()


@pytest.fixture
def helper_page(browser: Browser) -> Iterator[Page]:
    """The helper's own browser, logged in beside the resident's for the whole journey."""
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.usefixtures("seeded_transactional")
def test_a_helper_applies_under_a_mandate_until_it_is_revoked(
    page: Page, helper_page: Page, live_server: object
) -> None:
    base = str(live_server)
    helper = User.objects.get(username="demo-helper")

    demo_log_in(page, base, "resident")
    page.goto(f"{base}/en/mandates/give/")
    page.get_by_label("National number of the person you trust").fill(helper.national_number or "")
    page.get_by_label("Only the procedures I choose below").check()
    page.get_by_label("Residents' parking card").check()
    continue_(page)
    expect(page.locator(".mandate-holder")).to_have_text("Marie Lambert")  # as the register says
    page.get_by_role("button", name="Give the mandate to Marie Lambert").click()
    expect(page.locator("main")).to_contain_text("The mandate has been given.")
    expect(page.locator("main table")).to_contain_text("Marie Lambert")
    log_out(page)

    resident_page, page = page, helper_page
    demo_log_in(page, base, "helper")
    page.goto(f"{base}/en/mandates/")
    page.get_by_role("button", name="Act for Amina El Amrani").click()
    banner = page.locator(".acting-for")
    expect(banner).to_contain_text("You are acting for Amina El Amrani under a mandate until")
    page.get_by_role("link", name="Start now").click()
    expect(banner).to_be_visible()  # on every page while acting
    page.get_by_label("Yes, use the data the administration holds").check()
    continue_(page)
    expect(page.locator("main").get_by_text("Amina El Amrani").first).to_be_visible()
    page.get_by_role("link", name="This is correct, continue").click()
    page.get_by_label("2-XYZ-789").check()
    continue_(page)
    page.get_by_label("Start date").fill(timezone.localdate().isoformat())
    continue_(page)
    page.get_by_role("button", name="Send on behalf of Amina El Amrani").click()
    case = Case.objects.get(procedure_id="residents-parking-card")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Application sent on behalf of Amina El Amrani"
    )
    expect(page.locator("main")).to_contain_text(case.reference)
    assert case.applicant.username == "demo-resident"
    assert case.submitted_by == helper

    page = resident_page
    demo_log_in(page, base, "resident")
    page.goto(f"{base}/en/my-data/")
    expect(page.locator("main")).to_contain_text("a helper acting under your mandate consulted")
    page.goto(f"{base}/en/my-cases/")
    expect(page.locator("main")).to_contain_text(case.reference)
    page.goto(f"{base}/en/mandates/")
    expect(page.locator("main")).to_contain_text(
        f"{case.reference} · Residents' parking card · submitted by Marie Lambert (helper)"
    )
    page.get_by_role("button", name="Revoke the mandate of Marie Lambert").click()
    expect(page.locator("main")).to_contain_text("The mandate has been revoked.")

    # The helper, still "acting for" her in their session, is refused from the next page on.
    page = helper_page
    response = page.goto(f"{base}/en/procedures/residents-parking-card/apply/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Your mandate does not allow this")
    expect(page.locator(".acting-for")).to_have_count(0)
    event = SecurityEvent.objects.get(kind="mandate-refused")
    assert event.detail["procedure"] == "residents-parking-card"
    page.goto(f"{base}/en/mandates/")
    expect(page.get_by_role("button", name="Act for Amina El Amrani")).to_have_count(0)
