"""Browser journey of the procedure finder: a French sentence typed on the home page leads to
the right procedure; the results page (a Dutch sentence on the French page, and the other
languages) and the algorithm register with the finder's entry pass axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from loket.assist.actions import do_train
from loket.assist.finding import FINDER
from loket.assist.models import ModelVersion
from tests.e2e.test_accessibility import axe_violations

pytestmark = pytest.mark.usefixtures("seeded_transactional")


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    """A page that lets axe-core be injected (the test tool, not the page, bypasses the CSP)."""
    context = browser.new_context(viewport={"width": 1024, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def finder() -> ModelVersion:
    return do_train(FINDER)


def test_a_french_sentence_on_the_home_page_leads_to_the_right_procedure(
    page: Page, live_server: object, finder: ModelVersion
) -> None:
    base = str(live_server)
    page.goto(f"{base}/fr/")
    page.locator("#search-q").fill("mon fils est né la semaine passée")
    page.locator("form[role='search'] button[type='submit']").click()
    first = page.locator("ol.results li a").first
    expect(first).to_have_attribute("href", "/fr/procedures/birth-allowance/")
    expect(page.locator("#fitting-events + p + ul a").first).to_have_text("Naissance")
    first.click()
    expect(page.locator("h1")).to_contain_text("Allocation de naissance")


def test_results_pages_and_the_register_pass_axe_in_three_languages(
    page: Page, live_server: object, finder: ModelVersion
) -> None:
    base = str(live_server)
    for language, sentence in (
        ("fr", "ik ga verhuizen naar Anderlecht"),
        ("nl", "je veux ouvrir un snack à Ixelles"),
        ("en", "mijn portefeuille met identiteitskaart is gestolen"),
    ):
        page.goto(f"{base}/{language}/search/?q={sentence}")
        expect(page.locator("p.understood")).to_be_visible()
        expect(page.locator("ol.results li").first).to_be_visible()
        assert axe_violations(page) == [], language
        page.goto(f"{base}/{language}/algorithms/")
        expect(page.locator("#finder-performance tbody tr")).to_have_count(3)
        assert axe_violations(page) == [], language
