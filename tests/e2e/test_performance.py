"""The user's voice in a real browser (#18 part 3): a visitor answers "Was it easy?" on a
procedure page and stays on it, thanked; axe finds nothing on the new pages (the feedback
question, its error page, the public "Performance of our services" page and the back-office
indicators) in French, Dutch and English, on each of the three demo doors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from loket.opendata.publish import publish
from loket.performance.demo import seed_demo_journeys
from loket.performance.models import Feedback
from tests.conftest import client_for
from tests.e2e.journeys import demo_log_in, door_base, pay_fee_on_demo_page
from tests.e2e.test_accessibility import AXE, RUN_AXE, WCAG_TAGS
from tests.e2e.test_fees import apply_in_browser
from tests.test_all_procedures import submit

pytestmark = pytest.mark.usefixtures("seeded_transactional")
PARKING = "/{lang}/procedures/residents-parking-card/"


@pytest.fixture
def published(seeded_transactional: None, settings: Any, tmp_path: Path) -> None:
    """Demo journeys, published as open data (what the public page reads)."""
    settings.MEDIA_ROOT = str(tmp_path)
    seed_demo_journeys()
    publish()


def test_a_visitor_answers_did_you_find_on_a_procedure_page_and_stays_on_it(
    page: Page, live_server: Any
) -> None:
    ixelles = door_base(live_server, "ixelles.localhost")
    page.goto(f"{ixelles}/en/procedures/residents-parking-card/")
    feedback = page.locator("#feedback")
    feedback.get_by_role("button", name="Send my answer").click()  # nothing chosen
    expect(page.locator(".error-summary")).to_contain_text(
        "Choose whether you found what you needed."
    )
    expect(page).to_have_title(
        "Error: Your answer about “Residents' parking card” · e-Counter Ixelles"
    )
    page.get_by_label("Very little", exact=True).check()
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


PHONE_HEIGHT = 740
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    # CSP bypassed to inject axe (the tool, not the page).
    context = browser.new_context(viewport={"width": 360, "height": PHONE_HEIGHT}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.usefixtures("published")
@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_on_a_phone_the_charts_keep_legible_labels_and_scroll_sideways(
    phone: Page, live_server: Any, lang: str
) -> None:
    phone.goto(f"{live_server}/{lang}/performance/")
    region = phone.locator(".chart-scroll").first
    region.scroll_into_view_if_needed()
    svg = region.locator("svg")
    box = svg.bounding_box()
    assert box is not None and box["width"] >= 700  # drawn at its size: 13 px labels
    label = svg.locator("text.chart-label").first
    size = label.evaluate("e => e.getBoundingClientRect().height")
    assert size >= 12, size
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")  # it scrolls, in its region
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # the page does not
    region.focus()
    phone.keyboard.press("ArrowRight")
    expect(region).to_be_focused()
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / f"performance-chart-{lang}-360.png"))


def test_on_a_phone_the_question_after_sending_and_after_paying_is_in_the_first_two_screens(
    phone: Page, live_server: Any
) -> None:
    base = str(live_server)
    demo_log_in(phone, base, "resident")
    apply_in_browser(phone, base, "en")  # the parking card: the Pay button comes first
    expect(phone.locator("#feedback")).to_have_count(0)
    pay_fee_on_demo_page(phone)
    question = phone.locator("#feedback")
    expect(question).to_contain_text("Was it easy?")
    box = question.get_by_role("button", name="Send my answer").bounding_box()
    top = float(phone.evaluate("window.scrollY"))
    assert box is not None and box["y"] + top + box["height"] <= 2 * PHONE_HEIGHT, box
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "feedback-after-paying-360.png"), full_page=True)
    question.get_by_label("Easy", exact=True).check()
    question.get_by_role("button", name="Send my answer").click()
    expect(phone.locator("#feedback")).to_contain_text("Thank you for your answer")
    phone.reload()
    phone.goto(phone.url.split("?")[0])
    expect(phone.locator("#feedback")).to_have_count(0)  # answered: not asked again
    assert Feedback.objects.get().channel == "after-application"


def test_on_a_phone_the_question_is_right_under_the_confirmation_when_there_is_no_fee(
    phone: Page, live_server: Any
) -> None:
    case = submit(client_for("resident"), "residents-parking-card")  # paid already
    base = str(live_server)
    demo_log_in(phone, base, "resident")
    phone.goto(f"{base}/en/my-cases/{case.reference}/?submitted=1")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Application sent")
    button = phone.locator("#feedback").get_by_role("button", name="Send my answer")
    box = button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 2 * PHONE_HEIGHT, box
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "feedback-after-sending-360.png"), full_page=True)
    found = axe_violations(phone)
    phone.get_by_text("Add a comment (optional)").click()  # the folded comment, open
    found += axe_violations(phone)
    assert found == []


def axe_violations(page: Page) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return [f"{v['id']} {v['help']}" for v in page.evaluate(RUN_AXE, WCAG_TAGS)]


@pytest.mark.usefixtures("published")
def test_axe_finds_nothing_on_the_region_designers_performance_page(
    phone: Page, live_server: Any
) -> None:
    demo_log_in(phone, str(live_server), "designer")
    phone.goto(f"{live_server}/en/back-office/performance/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Performance of your procedures")
    assert axe_violations(phone) == []
