"""The back-office queue's first screen: at 1920 x 1080 it shows at least ten cases (the figures
and filters are one compact bar, the rarer filters folded), with the header and the content on
the same left edge; on a 360 px phone nothing sticks out sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from loket.config import BASE_DIR
from tests.conftest import client_for, demo_user
from tests.e2e.journeys import demo_log_in
from tests.e2e.test_accessibility import MAIN_OVERFLOW, STICKING_OUT
from tests.test_agent_day import copy_of
from tests.test_cases import apply_for_parking_card
from tests.test_decision_addressee import enterprise_case

SHOTS = BASE_DIR / "var" / "screenshots"  # copied to docs/screenshots when looked at
ROWS = 12  # more cases than the first screen must show


def queue_page(browser: Browser, base: str, width: int, height: int) -> Page:
    first = apply_for_parking_card(client_for("resident"))
    for n in range(ROWS - 1):
        copy_of(first, applicant=demo_user("resident2" if n % 2 else "resident"))
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    demo_log_in(page, base, "agent-parking", "en")
    page.goto(f"{base}/en/back-office/")
    return page


@pytest.mark.usefixtures("seeded_transactional")
def test_at_1920_the_first_screen_shows_ten_cases_and_header_and_content_share_an_edge(
    browser: Browser, live_server: object
) -> None:
    page = queue_page(browser, str(live_server), 1920, 1080)
    rows = page.locator("table.table-queue tbody tr")
    expect(rows).to_have_count(ROWS)
    first = rows.first.bounding_box()
    tenth = rows.nth(9).bounding_box()
    assert first is not None and tenth is not None
    assert first["y"] >= 0 and first["y"] + first["height"] <= 1080
    assert tenth["y"] + tenth["height"] <= 1080, f"tenth case row ends at {tenth}"
    # The filters that are not folded, and the person search, are on the first screen too.
    expect(page.locator("#id_status")).to_be_in_viewport()
    expect(page.locator("#id_person_person")).to_be_in_viewport()
    expect(page.locator("#id_reference")).not_to_be_visible()  # folded under "More filters"

    # Header (brand, menu), demo banner and content start at the same left edge.
    edges = {
        name: page.locator(selector).bounding_box()["x"]  # type: ignore[index]
        for name, selector in (
            ("brand", ".site-header .brand"),
            ("menu", ".main-nav ul >> nth=0"),
            ("title", "main h1"),
            ("table", "table.table-queue"),
        )
    }
    assert max(edges.values()) - min(edges.values()) <= 2, edges
    # The menu starts with the agent's work; their own affairs come after, as a resident.
    menu = page.locator("nav.main-nav")
    expect(menu.locator("a").first).to_have_text("Back-office")
    expect(menu.locator(".nav-own")).to_contain_text("My cases")

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "agent-queue-first-screen-1920.png"))
    page.context.close()


@pytest.mark.usefixtures("seeded_transactional")
def test_at_360_nothing_on_the_queue_sticks_out_sideways(
    browser: Browser, live_server: object
) -> None:
    page = queue_page(browser, str(live_server), 360, 740)
    expect(page.locator("table.table-queue tbody tr")).to_have_count(ROWS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "agent-queue-first-screen-360.png"))
    for folded in (True, False):  # with the rarer filters folded, then shown
        if not folded:
            page.locator("details.more-filters summary").click()
            expect(page.locator("#id_reference")).to_be_visible()
        sizes = page.evaluate(MAIN_OVERFLOW)
        assert sizes["page"] <= 360, page.evaluate(STICKING_OUT)
        assert sizes["main"] <= sizes["box"] + 1, page.evaluate(STICKING_OUT)
        assert page.evaluate(STICKING_OUT) == []
    page.context.close()


@pytest.mark.usefixtures("seeded_transactional")
@pytest.mark.parametrize("width", [1920, 360])
def test_an_enterprise_case_names_the_enterprise_on_the_case_page_and_in_the_decision(
    browser: Browser, live_server: object, width: int
) -> None:
    """An urban-planning request made for an enterprise: the case header and the decision
    preview address the enterprise, with its number, and name the person who applied; the
    model texts offered are answers with information, not approvals."""
    case = enterprise_case()
    line = case.enterprise_line
    context = browser.new_context(
        viewport={"width": width, "height": 1080 if width > 1000 else 740}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = str(live_server)
    demo_log_in(page, base, "agent-parking", "en")
    page.goto(f"{base}/en/back-office/cases/{case.reference}/")
    expect(page.locator(".case-addressee")).to_contain_text(line)
    expect(page.locator(".case-addressee")).to_contain_text(case.applicant.display_name)
    expect(page.locator("dd.addressee")).to_have_text(line)
    models = page.locator("#id_decision_model optgroup")
    expect(models.first).to_have_attribute("label", "Provide the information")
    assert page.evaluate(STICKING_OUT) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"agent-enterprise-case-{width}.png"), full_page=True)

    page.locator("#id_decision_model").select_option("approved-0")
    page.locator("button[value='model']").click()
    note = page.locator("#id_decision_note")
    expect(note).to_have_value(re.compile(r"\[subject\]"))
    note.fill("The parcel lies in a housing area of the regional land use plan.")
    page.locator("button[value='preview']").click()
    preview = page.locator("article.decision-preview")
    expect(preview.locator(".addressee")).to_have_text(line)
    expect(preview.locator(".decision-outcome")).to_have_text(
        "The information asked for is provided."
    )
    assert page.evaluate(STICKING_OUT) == []
    page.screenshot(path=str(SHOTS / f"agent-enterprise-preview-{width}.png"), full_page=True)
    context.close()
