"""Browser journey of a report in public space: a street light out on a regional road in Haren,
marked by clicking the map; a neighbour sees it suggested and supports it; the Brussels Mobility
agent resolves it; the reporter is notified; the public map shows it without personal data."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from loket.cases.models import Case
from loket.cases.notices import notices_about
from loket.core.models import Membership, User
from loket.incidents.models import Support
from tests.e2e.journeys import decide, demo_log_in, log_out

HAECHT_1177 = (50.87866, 4.41101)  # Chaussée de Haecht 1177, Haren: a regional road
DESCRIPTION = "The lamp in front of my house has been off for a week. Call me, Lina."


def continue_(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()


def start_report(page: Page, base: str) -> None:
    page.goto(f"{base}/en/procedures/public-space-incident/")
    page.get_by_role("link", name="Start now").click()
    consent = page.get_by_label("Yes, use the data the administration holds")
    if consent.count():
        consent.check()
        continue_(page)
    facts_ok = page.get_by_role("link", name="This is correct, continue")
    if facts_ok.count():
        facts_ok.click()
    page.get_by_label("What did you see?").fill(DESCRIPTION)
    continue_(page)
    page.get_by_label("Kind of problem").select_option(label="Street light out")
    page.get_by_label("No", exact=True).check()
    continue_(page)


def click_map_at(page: Page, lat: float, lon: float) -> None:
    """Centre the map on the spot at street level, then click that spot as a person would."""
    canvas = page.locator(".location-map-canvas")
    expect(canvas).to_be_visible()
    page.evaluate(
        "([lat, lon]) => document.querySelector('[data-location-map]').loketMap"
        ".setView([lat, lon], 18, {animate: false})",
        [lat, lon],
    )
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.mark.usefixtures("seeded_transactional")
def test_street_light_report_in_haren_is_supported_resolved_and_shown_publicly(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    demo_log_in(page, base, "resident")
    start_report(page, base)
    click_map_at(page, *HAECHT_1177)
    # The nearest address fills the fields (reverse geocoding), the point is kept.
    expect(page.get_by_label("Street")).to_have_value("Chaussée de Haecht")
    expect(page.get_by_label("Postcode")).to_have_value("1130")
    assert page.locator("[name='incident_location__lat']").input_value()
    continue_(page)
    continue_(page)  # no photo, no e-mail
    page.get_by_role("button", name="Send the application").click()
    reference = page.locator(".reference").inner_text()
    case = Case.objects.get(reference=reference)
    assert case.administration_id == "brussels-mobility"
    log_out(page)

    # A neighbour reports the same thing a few metres away: the open report is suggested.
    demo_log_in(page, base, "resident2")
    start_report(page, base)
    click_map_at(page, HAECHT_1177[0] + 0.0002, HAECHT_1177[1])
    suggestions = page.locator("[data-nearby-reports]")
    expect(suggestions).to_be_visible()
    expect(suggestions).to_contain_text("Street light out")
    expect(suggestions).not_to_contain_text("Lina")
    cases_before = Case.objects.count()
    suggestions.get_by_role("button", name="Support this report").click()
    expect(page.locator("main")).to_contain_text("your support is recorded")
    assert Support.objects.filter(incident__case=case).count() == 1
    assert Case.objects.count() == cases_before
    log_out(page)

    # The agent of Brussels Mobility resolves it.
    agent = User.objects.get(username="demo-agent-parking")
    Membership.objects.create(user=agent, administration_id="brussels-mobility", role="agent")
    demo_log_in(page, base, "agent-parking")
    page.goto(f"{base}/en/back-office/cases/{reference}/")
    decide(page, "approved", "Lamp replaced.")
    expect(page.locator("main")).to_contain_text("Approved")
    log_out(page)

    resident = User.objects.get(username="demo-resident")
    assert notices_about(case).filter(recipient=resident, kind="decided").exists()

    # The public map and list: the report, resolved, with no name and no description.
    page.goto(f"{base}/en/incidents/?status=resolved")
    main = page.locator("main")
    expect(main).to_contain_text("Street light out")
    expect(main).to_contain_text("Chaussée de Haecht")
    expect(main).to_contain_text("Resolved")
    page.get_by_role("button", name="Show the reports on a map").click()
    expect(page.locator(".incident-map-canvas .leaflet-interactive")).to_have_count(1)
    for private in ("Lina", "El Amrani", "lamp in front of my house", reference, "1177"):
        expect(main).not_to_contain_text(private)
