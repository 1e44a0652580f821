"""Browser journeys of an appointment booked for someone, on a 360 px phone: a digital helper
acting for Amina books digital help in her name (every page names her, it is in her list), and
a person whose eID was stolen books an identity card appointment with a phone number alone and
gets a page to print, with what to bring."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect

from loket.appointments.models import Booking, HelpPoint
from loket.appointments.seed import seed_demo_help_points
from loket.core.models import User
from loket.mandates.actions import do_give_mandate
from tests.e2e.journeys import demo_log_in

AMINA = "Amina El Amrani"
PHONE: ViewportSize = {"width": 360, "height": 740}


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.usefixtures("seeded_transactional")
def test_helper_acting_for_amina_books_digital_help_in_her_name(
    browser: Browser, live_server: object
) -> None:
    seed_demo_help_points()
    base = str(live_server)
    resident = User.objects.get(username="demo-resident")
    helper = User.objects.get(username="demo-helper")
    today = timezone.localdate()
    do_give_mandate(resident, helper.national_number or "", ["digital-help-appointment"],
                    today, today + timedelta(days=30))  # fmt: skip
    point = HelpPoint.objects.get(external_id="demo-eps-haren-verdun")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    demo_log_in(page, base, "helper")
    page.goto(f"{base}/en/mandates/helping/")
    page.get_by_role("button", name=f"Act for {AMINA}").click()
    page.goto(f"{base}/en/appointments/book/{point.pk}/digital-help/")
    expect(page.locator("#booking-for")).to_contain_text(AMINA)
    page.get_by_role("group").get_by_role("radio").first.check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#appointment-for")).to_have_text(AMINA)
    assert fits_the_screen(page)
    page.get_by_role("button", name=f"Confirm the appointment for {AMINA}").click()
    expect(
        page.get_by_role("heading", name=f"The appointment of {AMINA} is booked")
    ).to_be_visible()
    expect(page.locator("#sent-to-principal")).to_be_visible()
    assert fits_the_screen(page)
    booking = Booking.objects.get(person=resident)
    assert booking.booked_by == helper
    context.close()
    own = browser.new_context(viewport=PHONE)
    amina = own.new_page()
    demo_log_in(amina, base, "resident")
    amina.goto(f"{base}/en/appointments/")
    expect(amina.get_by_text(booking.reference)).to_be_visible()
    own.close()


@pytest.mark.usefixtures("seeded_transactional")
def test_without_eid_an_identity_card_appointment_is_booked_by_phone_and_printed(
    browser: Browser, live_server: object
) -> None:
    seed_demo_help_points()
    base = str(live_server)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base}/en/procedures/identity-card-appointment/")
    expect(page.locator("#what-you-need")).to_contain_text("no eID or itsme")
    point = HelpPoint.objects.get(external_id="demo-counter-21009")
    page.goto(f"{base}/en/appointments/book/{point.pk}/identity-card/")
    page.get_by_role("group").get_by_role("radio").first.check()
    page.get_by_label("Stolen").check()
    page.get_by_label("Police report or declaration number").fill("BR.12.L3.000123/2026")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Your name").fill("Yasmine El Idrissi")
    page.get_by_label("Phone number").fill("0470 12 34 56")
    page.get_by_role("button", name="Confirm the appointment").click()
    expect(page.get_by_role("heading", name="Your appointment is booked")).to_be_visible()
    expect(page.locator("#what-to-bring")).to_be_visible()
    print_button = page.get_by_role("button", name="Print this confirmation")
    expect(print_button).to_be_visible()
    assert fits_the_screen(page)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(page.get_by_text(Booking.objects.get().reference).first).to_be_visible()
    context.close()
