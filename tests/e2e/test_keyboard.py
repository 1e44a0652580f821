"""The residents' parking card with the keyboard only (Tab, Shift+Tab, Enter, Space, typing):
the skip link comes first and works, focus is always visible, errors and confirmations are
announced, and logging out in the middle loses nothing (drafts are kept on the server, so no
time limit takes an applicant's answers away)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, TimeoutError, expect

from loket.cases.models import Case

# True when the focused element shows a focus indicator: an outline or a box shadow.
FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return outline || style.boxShadow !== "none";
}"""
# Tab inside a date field moves between its day, month and year parts: the field stays the
# active element without matching :focus, and the browser highlights the part itself.
INSIDE_DATE_FIELD = """() => document.activeElement.matches("input[type=date]")
  && !document.activeElement.matches(":focus")"""
MAX_TABS = 60


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element matching the selector has focus, checking every stop."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            continue  # past the last element, the browser's own chrome has focus
        if page.evaluate(INSIDE_DATE_FIELD):
            continue  # Tab moves between day, month and year, which the browser highlights
        focused = page.evaluate(
            "(() => { const el = document.activeElement, s = getComputedStyle(el);"
            " return [el.outerHTML.slice(0, 120), s.outlineStyle, s.outlineWidth, s.boxShadow,"
            " location.href]; })()"
        )
        try:  # a date field's inner parts take focus a moment after the Tab
            page.wait_for_function(FOCUS_VISIBLE, timeout=1_000)
        except TimeoutError:
            raise AssertionError(f"focus not visible on {focused}") from None
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never received focus with Tab")


def press(page: Page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def log_in_with_keyboard(page: Page, identity: str) -> None:
    tab_to(page, f"button[value='{identity}']")
    press(page, "Enter")


@pytest.mark.usefixtures("seeded_transactional")
def test_the_parking_card_with_the_keyboard_only(browser: Browser, live_server: object) -> None:
    base = str(live_server)
    context = browser.new_context(locale="en-GB", viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    procedure = "/en/procedures/residents-parking-card/"
    page.goto(f"{base}/en/demo-login/?next={procedure}")

    # The skip link is the first stop and takes focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('a.skip-link')")
    assert page.evaluate(FOCUS_VISIBLE)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    log_in_with_keyboard(page, "resident")

    # Going one stop too far and back with Shift+Tab works as expected.
    tab_to(page, "a.button-start")
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.matches('a.button-start')")
    press(page, "Enter")

    tab_to(page, "#use-yes")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit]")
    press(page, "Enter")
    tab_to(page, "main a.button")  # "This is correct, continue"
    press(page, "Enter")

    # Nothing chosen: the error summary is announced (role=alert) and takes focus.
    tab_to(page, "main form button[type=submit]")
    press(page, "Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert summary.get_attribute("role") == "alert"
    tab_to(page, "main input[type=radio]")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit]")
    press(page, "Enter")

    # Log out in the middle of the form, come back later: the answers are still there.
    date_page = page.url
    tab_to(page, "header form[action*='logout'] button")
    press(page, "Enter")
    page.goto(f"{base}/en/demo-login/?next=/en/my-cases/")
    log_in_with_keyboard(page, "resident")
    tab_to(page, "main a[href*='residents-parking-card']")
    press(page, "Enter")
    assert page.url == date_page

    # A date whose day and month are the same number reads the same in every locale's order.
    start = next(
        day
        for day in (timezone.localdate() + timedelta(days=n) for n in range(1, 90))
        if day.day == day.month
    )
    tab_to(page, "main input[type=date]")
    page.keyboard.type(start.strftime("%d%m%Y"))
    tab_to(page, "main form button[type=submit]")
    press(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    tab_to(page, "main form button[type=submit]")
    press(page, "Enter")

    # The confirmation is a status message.
    expect(page.locator("[role=status]")).to_contain_text("Application sent")
    case = Case.objects.get()
    assert case.answers["start_date"] == start.isoformat()
    context.close()
