"""A resident on a 360 x 740 phone, in French and Dutch: what they see is true and on screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.journeys import demo_log_in

PHONE: ViewportSize = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.usefixtures("seeded_transactional")
def test_a_resident_without_an_enterprise_is_not_told_that_a_register_failed(
    phone: Page, live_server: object
) -> None:
    """The enterprise register answers that it holds nothing for a resident: no failure."""
    base = str(live_server)
    demo_log_in(phone, base, "resident", "fr")
    phone.goto(f"{base}/fr/procedures/urban-planning-information/apply/")
    phone.locator("input[name='use_registers'][value='yes']").check()
    phone.locator("main form button[type='submit']").first.click()
    expect(phone.locator("main")).to_be_visible()
    assert "n'a pas répondu" not in phone.locator("main").inner_text()
    phone.goto(f"{base}/fr/procedures/urban-planning-information/apply/facts/")
    expect(phone.locator("h1")).to_have_text("Vérifiez les données des registres")
    assert "n'a pas répondu" not in phone.locator("main").inner_text()
