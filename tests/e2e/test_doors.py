"""Front doors in a real browser (#18): Ixelles' door shows Ixelles' brand and procedures first; a
resident starts a parking card there and finds the same draft on the region's door after logging
in there; a session cookie copied from one host to another is refused; axe finds nothing on the
new pages of each door, in French, Dutch and English."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from loket.audit.models import SecurityEvent
from loket.forms.models import Draft
from tests.conftest import demo_user
from tests.e2e.journeys import demo_log_in, door_base
from tests.e2e.test_accessibility import AXE, RUN_AXE, WCAG_TAGS

pytestmark = pytest.mark.usefixtures("seeded_transactional")


def test_ixelles_door_brand_procedures_first_and_the_same_draft_on_the_region_s_door(
    page: Page, live_server: Any
) -> None:
    ixelles = door_base(live_server, "ixelles.localhost")
    region = door_base(live_server, "localhost")

    page.goto(f"{ixelles}/en/")
    expect(page.locator("header .brand")).to_have_text("e-Counter Ixelles")
    expect(page).to_have_title("Your procedures online · e-Counter Ixelles")
    headings = page.locator("main h2").all_inner_texts()
    assert headings[0] == "Procedures of Ixelles / Elsene"
    assert headings[1] == "Regional procedures for residents of Ixelles / Elsene"
    assert "Loket Brussels" not in page.content()

    demo_log_in(page, ixelles, "resident")
    page.goto(f"{ixelles}/en/procedures/residents-parking-card/")
    page.get_by_role("link", name="Start now").click()
    page.get_by_label("Yes, use the data the administration holds").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="This is correct, continue").click()
    page.get_by_label("2-XYZ-789").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Start date")).to_be_visible()
    draft = Draft.objects.get(user=demo_user("resident"), procedure_id="residents-parking-card")
    assert draft.door_id == "ixelles"
    assert draft.answers["plate"] == "2-XYZ-789"

    # The region's door: not logged in there (the cookie is Ixelles' only), same account.
    page.goto(f"{region}/en/my-cases/")
    expect(page).to_have_url(f"{region}/en/account/login/?next=/en/my-cases/")
    demo_log_in(page, region, "resident")
    page.goto(f"{region}/en/my-cases/")
    expect(page.locator("header .brand")).to_have_text("Loket Brussels")
    expect(page.locator("main")).to_contain_text("Applications not yet sent")
    page.get_by_role("link", name="Residents' parking card").first.click()
    # The same draft goes on where it stopped on Ixelles' door: the vehicle is chosen already.
    expect(page.get_by_label("Start date")).to_be_visible()
    expect(page.locator("header .brand")).to_have_text("Loket Brussels")
    [same] = Draft.objects.filter(user=demo_user("resident"))
    assert same.pk == draft.pk and same.answers["plate"] == "2-XYZ-789"


def test_a_session_cookie_copied_to_another_door_is_refused(
    browser: Browser, live_server: Any
) -> None:
    ixelles = door_base(live_server, "ixelles.localhost")
    schaerbeek = door_base(live_server, "schaerbeek.localhost")
    owner = browser.new_context()
    page = owner.new_page()
    demo_log_in(page, ixelles, "resident")
    page.goto(f"{ixelles}/en/my-cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
    [session] = [c for c in owner.cookies() if c["name"] == "sessionid"]
    assert session["domain"] == "ixelles.localhost"  # host-only: no Domain attribute

    thief = browser.new_context()
    thief.add_cookies([{**session, "domain": "schaerbeek.localhost"}])
    stolen = thief.new_page()
    stolen.goto(f"{schaerbeek}/en/my-cases/")
    expect(stolen.get_by_role("heading", level=1)).to_have_text("Log in")
    event = SecurityEvent.objects.get(kind="session-other-host")
    assert event.detail["presented_on"] == "schaerbeek.localhost"
    page.goto(f"{ixelles}/en/my-cases/")  # the owner's session holds on its own host
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
    owner.close()
    thief.close()


NEW_PAGES = [
    "/{lang}/",
    "/{lang}/procedures/residents-parking-card/",
    "/{lang}/for-your-website/?procedure=residents-parking-card",
]
STAFF_PAGES = ["/{lang}/back-office/doors/", "/{lang}/back-office/doors/ixelles/"]


@pytest.mark.parametrize("host", ["localhost", "ixelles.localhost", "schaerbeek.localhost"])
def test_axe_finds_nothing_on_the_new_pages_of_each_door(
    browser: Browser, live_server: Any, host: str
) -> None:
    base = door_base(live_server, host)
    context = browser.new_context(bypass_csp=True)  # to inject axe, the tool not the page
    page = context.new_page()
    axe = AXE.read_text(encoding="utf-8")
    found: list[str] = []

    def check(path: str) -> None:
        page.goto(base + path)
        page.add_script_tag(content=axe)
        found.extend(f"{path}: {v['id']} {v['help']}" for v in page.evaluate(RUN_AXE, WCAG_TAGS))

    for lang in ("fr", "nl", "en"):
        for path in NEW_PAGES:
            check(path.format(lang=lang))
    demo_log_in(page, base, "designer")
    for lang in ("fr", "nl", "en"):
        for path in STAFF_PAGES:
            check(path.format(lang=lang))
    page.goto(f"{base}/en/back-office/doors/ixelles/")
    page.get_by_label("Accent colour").fill("#ffbf47")
    page.get_by_role("button", name="Save the door").click()
    expect(page.locator(".error-summary")).to_contain_text("contrast")
    page.add_script_tag(content=axe)
    found.extend(f"refused: {v['id']} {v['help']}" for v in page.evaluate(RUN_AXE, WCAG_TAGS))
    context.close()
    assert found == []
