"""A visitor without eID or itsme books digital help on a 360 px phone (and on a 1,920 px
screen), in French: Schaerbeek has no place for it, so the nearest places elsewhere are offered
with their distance; the visitor chooses a time, gives a name and a phone number (a wrong one
first, kept and explained), keeps the confirmation page, and cancels by its link. Screenshots go
to docs/screenshots/booking-*.png.

New French wording is asserted as translated (it passes once the catalogues are compiled)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from loket.appointments.models import Booking
from loket.appointments.seed import seed_demo_help_points
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_contrast import assert_contrast_of_every_state

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCHAERBEEK = "21015"


def screen_width(page: Page) -> int:
    size = page.viewport_size
    assert size is not None
    return size["width"]


def no_sideways_scroll(page: Page) -> None:
    width, screen = page.evaluate("document.documentElement.scrollWidth"), screen_width(page)
    assert width <= screen, f"the page is {width} px wide on a {screen} px screen"


def shot(page: Page, name: str) -> None:
    """Keep a screenshot of the page, then check it with axe-core (WCAG 2.x A/AA)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / f"booking-{name}-{screen_width(page)}.png"), full_page=True
    )
    assert axe_violations(page) == [], name
    assert_contrast_of_every_state(page, name)


@pytest.mark.usefixtures("seeded_transactional")
@pytest.mark.parametrize(("width", "height"), [(360, 740), (1920, 1080)], ids=["360", "1920"])
def test_visitor_books_digital_help_without_eid_in_french(
    browser: Browser, live_server: object, width: int, height: int
) -> None:
    seed_demo_help_points()
    # bypass_csp: axe-core is injected as a script (test_content_security_policy checks the CSP)
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="fr-BE", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = str(live_server)

    page.goto(f"{base}/fr/help-points/?municipality={SCHAERBEEK}&service=digital-help")
    expect(page.get_by_text("Voici les lieux les plus proches ailleurs")).to_be_visible()
    distances = page.locator(".nearby .distance")
    assert distances.count() >= 1
    expect(distances.first).to_contain_text(",")  # "à 3,2 km": the decimal comma
    no_sideways_scroll(page)
    shot(page, "finder-nearby")

    page.locator(".nearby h3 a").first.click()
    page.get_by_role("link", name="Prendre rendez-vous : Aide aux démarches numériques").click()
    expect(page).not_to_have_url(r".*/login.*")  # no eID, no itsme asked
    expect(page.get_by_text("Vous n'avez pas besoin d'eID ni d'itsme").first).to_be_visible()
    page.get_by_role("group").get_by_role("radio").first.check()
    no_sideways_scroll(page)
    shot(page, "times")
    page.get_by_role("button", name="Continuer").click()

    page.get_by_label("Votre nom").fill("Jeanne Peeters")
    page.get_by_label("Numéro de téléphone").fill("0470 12 34")
    page.get_by_role("button", name="Confirmer le rendez-vous").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Numéro de téléphone")).to_have_value("0470 12 34")  # kept
    expect(page.get_by_label("Votre nom")).to_have_value("Jeanne Peeters")
    no_sideways_scroll(page)
    shot(page, "contact-error")
    page.get_by_label("Numéro de téléphone").fill("0470 12 34 56")
    page.get_by_role("button", name="Confirmer le rendez-vous").click()

    expect(page.get_by_role("heading", name="Votre rendez-vous est réservé")).to_be_visible()
    booking = Booking.objects.get(guest_phone="+32470123456")
    assert booking.person is None and booking.guest_name == "Jeanne Peeters"
    expect(page.get_by_text(booking.reference).first).to_be_visible()
    expect(page.get_by_text("Gardez cette page")).to_be_visible()
    expect(page.get_by_text("Nous n'envoyons pas de SMS")).to_be_visible()
    no_sideways_scroll(page)
    shot(page, "confirmation")

    kept = page.url
    context.clear_cookies()  # the page is found again by its address alone
    page.goto(kept)
    page.get_by_role("link", name="Annuler ce rendez-vous").click()
    page.get_by_role("button", name="Oui, annuler ce rendez-vous").click()
    expect(page.get_by_role("heading", name="Le rendez-vous est annulé")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.slot.booked == 0
    context.close()
