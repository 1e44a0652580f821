"""Browser journey of a digital helper working in Dutch for a French-speaking resident, on a
360 px phone and a 1,920 px screen: she gives the mandate after seeing whom the number names;
acting for her is never lost, every page and button names her, the case just sent is there for
the helper, and she gets French documents saying who sent it.

Labels are looked up in the Dutch catalogue (what the helper reads), so the journey holds
whatever the catalogue's wording; screenshots go to docs/screenshots/helper-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Locator, Page, expect

from loket.cases.documents import document_html
from loket.cases.models import Case
from loket.catalog.models import Procedure
from loket.core.models import User
from loket.mandates.models import Mandate
from loket.notify.models import Notification
from loket.web.branding import contrast_ratio
from tests.e2e.journeys import demo_log_in
from tests.e2e.test_accessibility import axe_violations
from tests.payments_helpers import pay_with_demo

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PARKING = "residents-parking-card"
AMINA, MARIE = "Amina El Amrani", "Marie Lambert"

# The colour of an element's text and of the first opaque background behind it.
COLOURS = """element => {
  const colour = getComputedStyle(element).color;
  let node = element, background = 'rgba(0, 0, 0, 0)';
  while (node && (background === 'rgba(0, 0, 0, 0)' || background === 'transparent')) {
    background = getComputedStyle(node).backgroundColor;
    node = node.parentElement;
  }
  return [colour, background === 'rgba(0, 0, 0, 0)' ? 'rgb(255, 255, 255)' : background];
}"""


def in_language(language: str, msgid: str, **values: str) -> str:
    with translation.override(language):
        text = gettext(msgid)
    return text % values if values else text


def nl(msgid: str, **values: str) -> str:
    return in_language("nl", msgid, **values)


def fr(msgid: str, **values: str) -> str:
    return in_language("fr", msgid, **values)


def grant_in_french(browser: Browser, base: str, helper_number: str, width: int) -> None:
    """The resident gives the mandate in French, and sees whom the number names first."""
    context = browser.new_context(viewport={"width": width, "height": 740}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    demo_log_in(page, base, "resident", "fr")
    page.goto(f"{base}/fr/mandates/give/")
    page.get_by_label(fr("National number of the person you trust")).fill(helper_number)
    page.get_by_label(fr("Only the procedures I choose below")).check()
    page.locator(f"input[name=procedures][value='{PARKING}']").check()
    page.get_by_role("button", name=fr("Continue"), exact=True).click()
    expect(page.locator(".mandate-holder")).to_have_text(MARIE)  # as the register knows her
    assert not Mandate.objects.exists()  # nothing given before she confirms
    shoot(page, "grant-confirm", width)
    page.get_by_role("button", name=fr("Give the mandate to %(name)s", name=MARIE)).click()
    expect(page.locator("main")).to_contain_text(fr("The mandate has been given."))
    context.close()


def hex_of(css: str) -> str:
    red, green, blue = (int(part) for part in re.findall(r"\d+", css)[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


def assert_legible(control: Locator) -> None:
    """Computed colours, not only axe: text on its background at least 4.5:1."""
    expect(control).to_be_visible()
    colour, background = control.evaluate(COLOURS)
    ratio = contrast_ratio(hex_of(colour), hex_of(background))
    assert ratio >= 4.5, f"{control}: {colour} on {background} is {ratio:.2f}:1"


def shoot(page: Page, name: str, width: int) -> None:
    """Check the page as it is (axe's WCAG A/AA rules, no sideways scroll), then photograph it."""
    assert axe_violations(page) == [], name
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"helper-{name}-{width}.png"))


@pytest.fixture(params=[360, 1920])
def width(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture
def helper_page(browser: Browser, width: int) -> Iterator[Page]:
    """The helper's browser at the width under test (axe is injected, hence CSP bypassed)."""
    height = 740 if width == 360 else 1080
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.usefixtures("seeded_transactional")
def test_a_dutch_speaking_helper_acts_for_a_french_speaking_resident(
    browser: Browser, helper_page: Page, live_server: object, width: int
) -> None:
    base, page = str(live_server), helper_page
    resident = User.objects.get(username="demo-resident")
    resident.preferred_language = "fr"
    resident.save(update_fields=["preferred_language"])
    today = timezone.localdate()
    helper = User.objects.get(username="demo-helper")
    grant_in_french(browser, base, helper.national_number or "", width)
    mandate = Mandate.objects.get(grantor=resident)
    assert mandate.helper == helper and mandate.procedure_ids == [PARKING]

    demo_log_in(page, base, "helper", "nl")
    page.goto(f"{base}/nl/mandates/helping/")
    page.get_by_role("button", name=nl("Act for %(name)s", name=AMINA)).click()

    banner = page.locator(".acting-for")
    expect(banner).to_contain_text(AMINA)
    cases_button = banner.get_by_role("link", name=nl("Cases of %(name)s", name=AMINA))
    stop_button = banner.get_by_role("button", name=nl("Stop acting for %(name)s", name=AMINA))
    assert_legible(cases_button)
    assert_legible(stop_button)
    shoot(page, "acting-banner", width)

    # A procedure the mandate does not cover: she is still the one acted for, and two ways on.
    response = page.goto(f"{base}/nl/procedures/change-of-address/apply/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        nl("Your mandate for %(name)s does not cover this procedure", name=AMINA)
    )
    expect(banner).to_contain_text(AMINA)
    own = page.get_by_role(
        "button", name=nl("Stop acting for %(name)s and continue in my own name", name=AMINA)
    )
    assert_legible(own)
    shoot(page, "not-covered", width)
    parking_name = page.locator(f"main a[href='/nl/procedures/{PARKING}/']")
    parking_name.click()

    page.get_by_role("link", name=nl("Start now")).click()
    expect(banner).to_contain_text(AMINA)
    page.get_by_label(nl("Yes, use the data the administration holds")).check()
    page.get_by_role("button", name=nl("Continue")).click()
    page.get_by_role("link", name=nl("This is correct, continue")).click()
    page.get_by_label("2-XYZ-789").check()
    page.get_by_role("button", name=nl("Continue")).click()

    # Half-way, through People I help: her draft waits there, legible, and goes on where it was.
    page.goto(f"{base}/nl/mandates/helping/")
    with translation.override("nl"):
        parking = str(Procedure.objects.get(id=PARKING).name)
    resume = page.get_by_role("button", name=nl("Continue “%(procedure)s”", procedure=parking))
    assert_legible(resume)
    resume.click()
    page.locator("main input[type=date]").fill(today.isoformat())
    page.get_by_role("button", name=nl("Continue")).click()

    send = page.get_by_role("button", name=nl("Send on behalf of %(name)s", name=AMINA))
    assert_legible(send)
    with translation.override("nl"):
        french = str(translation.get_language_info("fr")["name_translated"])
    expect(page.locator("main")).to_contain_text(french)  # her language, not the helper's
    send.scroll_into_view_if_needed()
    shoot(page, "check", width)
    send.click()

    case = Case.objects.get(procedure_id=PARKING, applicant=resident)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        nl("Application sent on behalf of %(name)s", name=AMINA)
    )
    assert page.url.endswith(f"/nl/mandates/{mandate.pk}/cases/{case.reference}/?submitted=1")
    main = page.locator("main")
    expect(main).to_contain_text(case.reference)
    expect(main).to_contain_text(
        nl("Sent by %(helper)s on behalf of %(person)s", helper=MARIE, person=AMINA)
    )
    shoot(page, "sent", width)

    cases_button.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(nl("Cases of %(name)s", name=AMINA))
    expect(main.get_by_role("link", name=case.reference)).to_be_visible()
    shoot(page, "cases-of", width)

    page.goto(f"{base}/nl/mandates/helping/")
    expect(main.get_by_role("link", name=case.reference)).to_be_visible()
    shoot(page, "people-i-help", width)

    # What the resident receives is in French, and says who sent it for her.
    assert case.language == "fr" and case.submitted_by == helper
    resident_client = Client()
    resident_client.force_login(resident)
    pay_with_demo(resident_client, case)  # the parking card has a fee: she is told once paid
    notice = Notification.objects.get(recipient=resident, kind="submitted")
    assert notice.language == "fr" and MARIE in notice.body
    receipt = document_html(case, "receipt")
    assert '<html lang="fr">' in receipt and MARIE in receipt
