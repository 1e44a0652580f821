"""The Content-Security-Policy breaks no page in a real browser: the public map of reports, the
location page of a report (Leaflet, its tiles, reverse geocoding), the open data charts and the
door's accent (a nonced ``<style>``). Chromium reports every violation on the console."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.fixtures import Settings as SettingsWrapper

from loket.doors.models import Door
from tests.e2e.journeys import demo_log_in
from tests.e2e.test_incidents import HAECHT_1177, click_map_at, start_report

TILES = "https://tiles.loket-test.invalid"
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def watch(page: Page) -> list[str]:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.add_init_script(RECORD_VIOLATIONS)
    page.route(f"{TILES}/**", lambda route: route.fulfill(body=PIXEL, content_type="image/png"))
    return problems


def violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []"))


@pytest.mark.usefixtures("seeded_transactional")
def test_the_maps_and_pages_run_under_the_policy(
    page: Page, live_server: object, settings: SettingsWrapper
) -> None:
    settings.LOKET_MAP_TILES_URL = f"{TILES}/{{z}}/{{x}}/{{y}}.png"
    # The door's accent (doors replace LOKET_BRANDING once configured, as in the tests).
    region = Door.objects.get(pk="region")
    region.accent = "#7a1f5c"  # the door's nonced style
    region.save()  # saved, not updated: the doors held in memory follow
    base = str(live_server)
    problems = watch(page)
    tiles: list[str] = []
    page.on(
        "request",
        lambda request: tiles.append(request.url) if request.url.startswith(TILES) else None,
    )

    page.goto(f"{base}/en/")
    brand = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--colour-brand').trim()"
    )
    assert brand == "#7a1f5c"  # the nonced accent style applied
    assert not violations(page)

    page.goto(f"{base}/en/incidents/")
    expect(page.locator("[data-incident-map]")).to_be_visible()
    page.get_by_role("button", name="Show the reports on a map").click()  # fetches Leaflet
    expect(page.locator(".leaflet-container")).to_have_count(1)
    assert not violations(page)

    page.goto(f"{base}/en/open-data/")
    assert not violations(page)

    demo_log_in(page, base, "resident")
    start_report(page, base)
    expect(page.locator(".location-map-canvas.leaflet-container")).to_be_visible()
    click_map_at(page, *HAECHT_1177)
    expect(page.get_by_label("Postcode")).to_have_value("1130")  # reverse geocoding (connect-src)
    assert not violations(page)
    assert tiles, "the map asked for no tile from the configured origin"
    assert not problems, problems
