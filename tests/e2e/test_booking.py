"""Browser journey of an appointment at a public digital space: find it, book a time, see the
confirmation, cancel by the link; and axe-core on the finder, a place and the booking page in
French, Dutch and English."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from loket.appointments.models import Booking, HelpPoint
from loket.appointments.seed import seed_demo_help_points
from tests.e2e.journeys import demo_log_in
from tests.e2e.test_accessibility import LANGUAGES, axe_violations

PLACE = "EPN Haren - Verdun (demo)"


@pytest.mark.usefixtures("seeded_transactional")
def test_resident_finds_a_digital_space_books_a_time_and_cancels_it(
    page: Page, live_server: object
) -> None:
    seed_demo_help_points()
    base = str(live_server)
    demo_log_in(page, base, "resident")
    page.goto(f"{base}/en/procedures/digital-help-appointment/")
    page.get_by_role("link", name="Book a time slot").click()
    page.get_by_label("Language spoken").select_option("ar")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_text("Demo entry — not a real place").first).to_be_visible()
    page.get_by_role("link", name=PLACE).click()
    page.get_by_role("link", name="Book an appointment: Help with digital procedures").click()
    page.get_by_role("group").get_by_role("radio").first.check()
    page.get_by_label("What would you like help with? (optional)").fill("My tax return")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("My tax return")).to_be_visible()
    page.get_by_role("button", name="Confirm the appointment").click()
    expect(page.get_by_role("heading", name="Your appointment is booked")).to_be_visible()
    booking = Booking.objects.get(person__username="demo-resident")
    expect(page.get_by_text(booking.reference)).to_be_visible()
    page.get_by_role("link", name="Cancel this appointment").click()
    page.get_by_role("button", name="Yes, cancel this appointment").click()
    expect(page.get_by_role("heading", name="The appointment is cancelled")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.slot.booked == 0


@pytest.mark.usefixtures("seeded_transactional")
def test_finder_place_and_booking_pages_have_no_axe_violations(
    browser: Browser, live_server: object
) -> None:
    seed_demo_help_points()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    base = str(live_server)
    point = HelpPoint.objects.get(external_id="demo-counter-21009")
    demo_log_in(page, base, "resident")
    problems = {}
    for language in LANGUAGES:
        for name, path in (
            ("finder", f"/{language}/help-points/?service=identity-card"),
            ("place", f"/{language}/help-points/{point.pk}/"),
            ("booking", f"/{language}/appointments/book/{point.pk}/identity-card/"),
        ):
            page.goto(base + path)
            found = axe_violations(page)
            if found:
                problems[f"{name}-{language}"] = found
    context.close()
    assert problems == {}


@pytest.mark.usefixtures("seeded_transactional")
def test_the_map_is_fetched_only_when_asked_for(page: Page, live_server: object) -> None:
    seed_demo_help_points()
    base = str(live_server)
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"{base}/en/help-points/")
    assert not any("/leaflet/" in url for url in fetched)  # the list is the content
    expect(page.locator(".incident-map-canvas")).to_be_hidden()
    page.get_by_role("button", name="Show the places on a map").click()
    canvas = page.get_by_role("application", name="Map of the places listed below")
    expect(canvas).to_be_visible()
    expect(canvas).to_be_focused()
    located = HelpPoint.objects.filter(is_active=True, lat__isnull=False).count()
    expect(page.locator(".leaflet-interactive")).to_have_count(located)
    assert any(url.endswith("leaflet.js") for url in fetched)
