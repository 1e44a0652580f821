"""On a 360 px phone, a resident whose vehicles all have an application under way is told so on
the first page and on the vehicle page, with links to those applications, and is offered no
choice that can only be refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.conftest import client_for
from tests.e2e.journeys import demo_log_in
from tests.test_cases import apply_for_parking_card

PHONE: ViewportSize = {"width": 360, "height": 740}
APPLY = "/en/procedures/residents-parking-card/apply/"


@pytest.mark.usefixtures("seeded_transactional")
def test_no_vehicle_to_choose_is_said_plainly_with_the_running_applications(
    phone: Page, live_server: object
) -> None:
    first = apply_for_parking_card(client_for("resident"), plate="1-ABC-123")
    second = apply_for_parking_card(client_for("resident"), plate="2-XYZ-789")
    base = str(live_server)
    demo_log_in(phone, base, "resident", "en")
    phone.goto(f"{base}{APPLY}")
    already = phone.locator("#already-applied")
    expect(already).to_be_visible()
    expect(already.get_by_role("link", name=f"See application {first.reference}")).to_be_visible()
    phone.locator("input[name='use_registers'][value='yes']").check()
    phone.locator("main form button[type='submit']").first.click()
    expect(phone.locator("h1")).to_be_visible()
    phone.goto(f"{base}{APPLY}q/vehicle/")
    notice = phone.locator("#nothing-to-choose")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("You cannot apply now")
    for plate in ("1-ABC-123", "2-XYZ-789"):
        expect(phone.locator(f"input[name='plate'][value='{plate}']")).to_be_disabled()
    expect(phone.get_by_role("button", name="Continue")).to_have_count(0)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width  # nothing runs off the phone's screen
    notice.get_by_role("link", name=f"See application {second.reference}").click()
    expect(phone.locator("main")).to_contain_text(second.reference)
