"""Paying the residents' parking card on a 360 px phone: the pay block first, ways to pay as large
tap targets, the transfer's details before its QR code, kept on one line, with copy buttons (and
without JavaScript, the text to select), and the chosen transfer shown on the case page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from loket.cases.models import Case
from loket.payments.models import Payment
from tests.conftest import client_for
from tests.e2e.journeys import demo_log_in
from tests.e2e.test_fees import apply_in_browser
from tests.test_cases import apply_for_parking_card

PHONE: ViewportSize = {"width": 360, "height": 740}


def _phone(browser: Browser, javascript: bool = True) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, java_script_enabled=javascript
    )
    if javascript:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    yield from _phone(browser)


@pytest.fixture
def phone_without_javascript(browser: Browser) -> Iterator[Page]:
    yield from _phone(browser, javascript=False)


def _awaiting_payment() -> Case:
    case = apply_for_parking_card(client_for("resident"), pay=False)
    assert case.status == Case.Status.AWAITING_PAYMENT
    return case


def _top(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    return box["y"] + float(page.evaluate("window.scrollY"))


@pytest.mark.usefixtures("seeded_transactional")
def test_on_a_phone_the_pay_block_is_first_and_each_way_is_a_large_tap_target(
    phone: Page, live_server: object
) -> None:
    base, case = str(live_server), _awaiting_payment()
    demo_log_in(phone, base, "resident")
    phone.goto(f"{base}/en/my-cases/{case.reference}/")
    pay_button = phone.get_by_role("button", name="Pay €10.00")
    box = pay_button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]  # on the first screen
    rows = phone.locator("label.choice-row")
    assert rows.count() == 2
    for index in range(rows.count()):
        row = rows.nth(index).bounding_box()
        assert row is not None and row["height"] >= 44 and row["width"] >= 300
    transfer_row = rows.filter(has_text="Bank transfer")
    transfer_row.click(position={"x": 280, "y": 20})  # far from the small circle: the row counts
    expect(phone.get_by_label("Bank transfer")).to_be_checked()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.usefixtures("seeded_transactional")
def test_on_a_phone_the_transfer_details_come_first_on_one_line_each_with_a_copy_button(
    phone: Page, live_server: object
) -> None:
    base, case = str(live_server), _awaiting_payment()
    demo_log_in(phone, base, "resident")
    phone.goto(f"{base}/en/my-cases/{case.reference}/")
    phone.get_by_label("Bank transfer").check()
    phone.get_by_role("button", name="Pay €10.00").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Pay by bank transfer")
    payment = Payment.objects.get(case=case, provider="transfer")
    expect(phone.locator("#value-iban")).to_have_text("BE71 0961 2345 6769")
    expect(phone.locator(".transfer-details")).to_contain_text("parking.brussels")
    expect(phone.locator("main")).to_contain_text("after that day, the application lapses")
    assert _top(phone, ".transfer-details") < _top(phone, ".qr-code")  # details first
    communication = phone.locator("#value-communication")
    expect(communication).to_have_text(payment.reference)
    lines = communication.evaluate(
        "element => { const text = document.createRange(); text.selectNodeContents(element);"
        " return new Set(Array.from(text.getClientRects(), (box) => box.top)).size; }"
    )
    assert lines == 1, "the structured communication wraps"
    copy = phone.get_by_role("button", name="Copy Structured communication")
    expect(copy).to_be_visible()
    box = copy.bounding_box()
    assert box is not None and box["height"] >= 44
    copy.click()
    expect(phone.locator("[data-copy-status]")).to_have_text("Copied.")
    assert phone.evaluate("navigator.clipboard.readText()") == payment.reference
    phone.get_by_role("button", name="Copy Account (IBAN)").click()
    assert phone.evaluate("navigator.clipboard.readText()") == "BE71096123456769"
    expect(phone.locator("main")).not_to_contain_text("Or scan this code with your banking app")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Back on the case: the transfer is the way chosen; paying otherwise warns first.
    phone.goto(f"{base}/en/my-cases/{case.reference}/")
    expect(phone.locator("#payment")).to_contain_text("You chose to pay by bank transfer")
    expect(phone.locator("#payment")).to_contain_text(payment.reference)
    expect(phone.locator("#payment")).to_contain_text(
        "If you pay another way now, do not make the transfer."
    )
    expect(phone.get_by_label("Bank transfer")).to_have_count(0)
    expect(phone.locator("main")).to_contain_text("Handling starts once the fee is paid")
    attempts = phone.locator("#payment table")
    expect(attempts).to_contain_text("Structured communication")
    attempts.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "case-payments-transfer-360.png"))


@pytest.mark.usefixtures("seeded_transactional")
def test_without_javascript_the_transfer_details_are_text_and_no_copy_button_shows(
    phone_without_javascript: Page, live_server: object
) -> None:
    page, base, case = phone_without_javascript, str(live_server), _awaiting_payment()
    demo_log_in(page, base, "resident")
    page.goto(f"{base}/en/my-cases/{case.reference}/")
    page.get_by_label("Bank transfer").check()
    page.get_by_role("button", name="Pay €10.00").click()
    expect(page.locator("#value-iban")).to_have_text("BE71 0961 2345 6769")
    expect(page.get_by_role("button", name="Copy Account (IBAN)")).to_be_hidden()
    expect(page.locator(".qr-code svg")).to_be_visible()


@pytest.mark.usefixtures("seeded_transactional")
def test_a_plate_awaiting_payment_cannot_be_chosen_and_links_to_paying_it(
    phone: Page, live_server: object
) -> None:
    base, case = str(live_server), _awaiting_payment()
    demo_log_in(phone, base, "resident")
    phone.goto(f"{base}/en/procedures/residents-parking-card/apply/")
    phone.get_by_label("Yes, use the data the administration holds").check()
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_role("link", name="This is correct, continue").click()
    expect(phone.locator("input[name='plate'][value='2-XYZ-789']")).to_be_disabled()
    expect(phone.locator("input[name='plate'][value='1-ABC-123']")).to_be_enabled()
    phone.get_by_role("link", name=f"Pay application {case.reference}").click()
    expect(phone.get_by_role("button", name="Pay €10.00")).to_be_in_viewport()


SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.mark.usefixtures("seeded_transactional")
def test_right_after_sending_on_a_phone_the_pay_button_is_on_the_first_screen(
    phone: Page, live_server: object
) -> None:
    base = str(live_server)
    demo_log_in(phone, base, "resident")
    reference = apply_in_browser(phone, base, "en")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Application sent")
    expect(phone.locator(".reference").first).to_have_text(reference)
    assert phone.evaluate("window.scrollY") == 0
    pay_button = phone.get_by_role("button", name="Pay €10.00")
    expect(pay_button).to_be_in_viewport(ratio=1)
    box = pay_button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "sent-awaiting-payment-360.png"))


@pytest.mark.usefixtures("seeded_transactional")
def test_on_a_phone_my_cases_has_a_pay_button_that_leads_to_the_pay_block(
    phone: Page, live_server: object
) -> None:
    base, case = str(live_server), _awaiting_payment()
    demo_log_in(phone, base, "resident")
    phone.goto(f"{base}/en/my-cases/")
    pay = phone.get_by_role("link", name=f"Pay €10.00 for application {case.reference}")
    box = pay.bounding_box()
    assert box is not None and box["height"] >= 44
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    pay.scroll_into_view_if_needed()
    phone.screenshot(path=str(SHOTS / "my-cases-awaiting-payment-360.png"))
    pay.click()
    expect(phone.get_by_role("button", name="Pay €10.00")).to_be_in_viewport()


@pytest.mark.usefixtures("seeded_transactional")
def test_on_a_phone_the_procedure_page_links_to_its_cost_section(
    phone: Page, live_server: object
) -> None:
    base = str(live_server)
    phone.goto(f"{base}/nl/procedures/residents-parking-card/")
    heading = phone.locator("h2#cost")
    link = phone.locator('a[href="#cost"]')
    assert heading.inner_text() in link.inner_text()  # the section's own heading, in Dutch
    SHOTS.mkdir(parents=True, exist_ok=True)
    link.scroll_into_view_if_needed()
    phone.screenshot(path=str(SHOTS / "procedure-cost-link-360.png"))
    link.click()
    expect(heading).to_be_in_viewport()
