"""A civil servant's day at 1,920 px and on a 360 px phone: the queue fills the screen, a
request for information is answered, the answer is signalled in the queue, and the agent decides
and goes to the next case."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from loket.cases.models import Case
from loket.config import BASE_DIR
from tests.conftest import demo_user
from tests.e2e.journeys import decide, demo_log_in
from tests.e2e.test_accessibility import (
    AXE,
    MAIN_OVERFLOW,
    RUN_AXE,
    STICKING_OUT,
    WCAG_TAGS,
)
from tests.e2e.test_contrast import assert_contrast_of_every_state
from tests.test_agent_day import copy_of
from tests.test_cases import apply_for_parking_card

SHOTS = BASE_DIR / "var" / "screenshots"  # copied to docs/screenshots when looked at


@pytest.mark.usefixtures("seeded_transactional")
@pytest.mark.parametrize("width", [1920, 360])
def test_request_answer_signal_decision_and_next_case(
    browser: Browser, live_server: object, width: int
) -> None:
    viewport = {"width": width, "height": 1080 if width > 1000 else 740}
    context = browser.new_context(viewport=viewport, bypass_csp=True)  # type: ignore[arg-type]
    try:
        agent_day(context.new_page(), str(live_server), width)
    finally:
        context.close()


def agent_day(page: Page, base: str, width: int) -> None:
    page.set_default_timeout(15_000)
    resident = Client()
    resident.force_login(demo_user("resident"))
    case = apply_for_parking_card(resident)
    later = copy_of(case, applicant=demo_user("resident2"))
    demo_log_in(page, base, "agent-parking", "en")
    page.goto(f"{base}/en/back-office/?sort=due")

    # The queue uses the screen, and no status tag is cut.
    table = page.locator("table.table-queue")
    assert table.bounding_box()["width"] > width * 0.78  # type: ignore[index]
    for tag in page.locator("table.table-queue .tag").all():
        assert tag.evaluate("t => t.scrollWidth <= t.clientWidth + 1")
        assert tag.evaluate("t => t.getClientRects().length") == 1  # on one line

    check_accessibility(page, width, "queue")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"agent-queue-{width}.png"))

    # Keyboard: once a reference has the focus, j and k move between the cases.
    links = page.locator("table.table-queue tbody td:nth-child(2) a")
    links.first.focus()
    page.keyboard.press("j")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(links.first).to_be_focused()

    # The agent takes the case and asks for a document.
    page.get_by_role("link", name=case.reference, exact=True).click()
    page.get_by_role("button", name="Assign to me").click()
    expect(page.get_by_role("status")).to_contain_text("The case is now assigned to you.")
    page.screenshot(path=str(SHOTS / f"agent-case-{width}.png"), full_page=True)
    page.get_by_label("Your message").fill("Please send your insurance certificate.")
    page.get_by_role("button", name="Send as a request for information and pause the case").click()
    expect(page.locator("main")).to_contain_text("Please send your insurance certificate.")
    expect(page.get_by_role("status")).to_contain_text("the case is paused until they answer")

    # The applicant answers.
    answered = resident.post(
        f"/en/my-cases/{case.reference}/", {"action": "message", "body": "Attached, thank you."}
    )
    assert answered.status_code == 302

    # The queue signals it; opening the case reads it and clears the signal.
    page.get_by_role("link", name="Back to the queue").click()
    row = page.locator("tr", has=page.get_by_role("link", name=case.reference, exact=True))
    expect(row.locator(".tag-reply")).to_have_text("Reply received")
    check_accessibility(page, width, "queue with a reply")
    page.screenshot(path=str(SHOTS / f"agent-queue-reply-received-{width}.png"))
    row.get_by_role("link", name=case.reference, exact=True).click()
    expect(page.locator("main")).to_contain_text("Attached, thank you.")

    # The decision, then the next case of the queue as it was sorted.
    decide(page, "approved", "In order.")
    expect(page.locator("main .tag").first).to_have_text("Approved")
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and case.reply_received_at is None
    page.get_by_role("link", name=f"Next case: {later.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(later.reference)
    check_accessibility(page, width, "case page")
    page.get_by_role("link", name="Back to the queue").click()
    expect(page).to_have_url(f"{base}/en/back-office/?sort=due")
    expect(page.locator(".tag-reply")).to_have_count(0)


def check_accessibility(page: Page, width: int, where: str) -> None:
    """axe finds nothing; at 320 px the page does not scroll sideways and at 1,280 px with text
    at 200 % nothing overflows the main column (a wide table scrolls inside itself); the
    test's viewport is put back."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)
    assert violations == [], f"{where}: {violations}"
    assert_contrast_of_every_state(page, where)
    page.set_viewport_size({"width": 320, "height": 800})
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= 320, f"{where}: {page.evaluate(STICKING_OUT)}"
    page.set_viewport_size({"width": 1280, "height": 900})
    zoom = page.add_style_tag(content="html { font-size: 200% !important; }")
    sizes = page.evaluate(MAIN_OVERFLOW)
    assert sizes["page"] <= 1280 and sizes["main"] <= sizes["box"] + 1, f"{where} at 200 %"
    zoom.evaluate("style => style.remove()")
    page.set_viewport_size({"width": width, "height": 1080 if width > 1000 else 740})
