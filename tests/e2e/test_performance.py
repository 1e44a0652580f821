"""The user's voice in a real browser (#18 part 3): a visitor answers "Was it easy?" on a
procedure page and stays on it, thanked; axe finds nothing on the new pages (the feedback
question, its error page, the public "Performance of our services" page and the back-office
indicators) in French, Dutch and English, on each of the three demo doors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from loket.opendata.publish import publish
from loket.performance.demo import seed_demo_journeys
from loket.performance.models import Feedback
from tests.e2e.journeys import demo_log_in, door_base
from tests.e2e.test_accessibility import AXE, RUN_AXE, WCAG_TAGS

pytestmark = pytest.mark.usefixtures("seeded_transactional")
PARKING = "/{lang}/procedures/residents-parking-card/"


@pytest.fixture
def published(seeded_transactional: None, settings: Any, tmp_path: Path) -> None:
    """Demo journeys, published as open data (what the public page reads)."""
    settings.MEDIA_ROOT = str(tmp_path)
    seed_demo_journeys()
    publish()


def test_a_visitor_answers_was_it_easy_on_a_procedure_page_and_stays_on_it(
    page: Page, live_server: Any
) -> None:
    ixelles = door_base(live_server, "ixelles.localhost")
    page.goto(f"{ixelles}/en/procedures/residents-parking-card/")
    feedback = page.locator("#feedback")
    feedback.get_by_role("button", name="Send my answer").click()  # nothing chosen
    expect(page.locator(".error-summary")).to_contain_text("Choose how easy it was.")
    expect(page).to_have_title(
        "Error: Your answer about “Residents' parking card” · e-Counter Ixelles"
    )
    page.get_by_label("Difficult", exact=True).check()
    page.get_by_label("What was missing? (optional)").fill("Where to find my plate number")
    page.get_by_role("button", name="Send my answer").click()
    expect(page).to_have_url(
        f"{ixelles}/en/procedures/residents-parking-card/?feedback=thanks#feedback"
    )
    expect(page.locator("#feedback")).to_contain_text("Thank you for your answer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Residents' parking card")
    kept = Feedback.objects.get()
    assert (kept.door_id, kept.score, kept.channel) == ("ixelles", 2, "procedure-page")
    assert kept.text == "Where to find my plate number"


@pytest.mark.usefixtures("published")
@pytest.mark.parametrize("host", ["localhost", "ixelles.localhost", "schaerbeek.localhost"])
def test_axe_finds_nothing_on_the_new_pages_of_each_door(
    browser: Browser, live_server: Any, host: str
) -> None:
    base = door_base(live_server, host)
    context = browser.new_context(bypass_csp=True)  # to inject axe, the tool not the page
    page = context.new_page()
    axe = AXE.read_text(encoding="utf-8")
    found: list[str] = []

    def check(label: str) -> None:
        page.add_script_tag(content=axe)
        found.extend(f"{label}: {v['id']} {v['help']}" for v in page.evaluate(RUN_AXE, WCAG_TAGS))

    for lang in ("fr", "nl", "en"):
        page.goto(f"{base}/{lang}/performance/")
        expect(page.locator("table.table").first).to_be_visible()
        check(f"{lang} performance")
        page.goto(base + PARKING.format(lang=lang) + "#feedback")
        check(f"{lang} procedure with the question")
        page.locator("#feedback button[type=submit]").click()  # the error page
        expect(page.locator(".error-summary")).to_be_visible()
        check(f"{lang} feedback refused")
    agent = "agent-ixelles" if host != "localhost" else "agent-parking"
    demo_log_in(page, base, agent)
    for lang in ("fr", "nl", "en"):
        page.goto(f"{base}/{lang}/back-office/performance/")
        expect(page.locator("table.table").first).to_be_visible()
        check(f"{lang} back-office performance")
    context.close()
    assert found == []
