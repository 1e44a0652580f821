"""Contrast of every interactive component in every state, from the colours Chromium computes.

axe checks text at rest only. Here each link, button and field of /<lang>/design-system/ is
measured at rest, hovered, focused from the keyboard and (where it can be) disabled: its text
against the background actually behind it (alpha composed up the ancestors), at least 4.5:1
(3:1 for large text); and a filled button's or a field's edge against the page, at least 3:1.
The gallery also shows hover and focus still (.state-hover, .state-focus), measured the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.test_accessibility import LANGUAGES

# Runs in the page: the effective colours of one element and its contrast ratios.
MEASURE = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")

INTERACTIVE = (
    "main .component-example a, main .component-example button, "
    "main .component-example input:not([type=hidden]), main .component-example select, "
    "main .component-example textarea"
)


def failures(measured: dict[str, Any], where: str) -> list[str]:
    found = []
    minimum = 3.0 if measured["large"] else 4.5
    if measured["text"] < minimum:
        found.append(f"{where}: text {measured['text']:.2f}:1 < {minimum} ({measured['colours']})")
    needs_edge = measured["field"] or measured["filled"]
    if needs_edge and (measured["edge"] is None or measured["edge"] < 3.0):
        found.append(f"{where}: edge {measured['edge']}:1 < 3 ({measured['colours']})")
    return found


# Every interactive element of a real page: the header's, the banners' and the main column's.
ON_A_PAGE = (
    "header a, header button, main a, main button, main input:not([type=hidden]), "
    "main select, main textarea, .banner a, .banner button"
)


def measure_every_state(page: Page, selector: str = INTERACTIVE) -> tuple[int, list[str]]:
    page.keyboard.press("Tab")  # from now on a programmatic focus shows as keyboard focus
    page.evaluate("document.activeElement.blur()")  # the skip link it showed hides again
    elements = page.locator(selector)
    problems: list[str] = []
    count = elements.count()
    for index in range(count):
        element = elements.nth(index)
        if not element.is_visible():
            continue  # a hidden control (a closed <details>, a visually hidden skip link)
        element.scroll_into_view_if_needed()
        rest = element.evaluate(MEASURE)
        where = f"#{index} “{rest['label']}”"
        problems += failures(rest, f"{where} at rest")
        if element.is_disabled():
            continue  # a disabled control takes no hover or focus
        element.hover()
        problems += failures(element.evaluate(MEASURE), f"{where} hovered")
        page.mouse.move(0, 0)
        element.focus()
        assert element.evaluate("e => e.matches(':focus-visible')"), where
        problems += failures(element.evaluate(MEASURE), f"{where} focused")
        element.blur()
    page.mouse.move(0, 0)
    return count, problems


def assert_contrast_of_every_state(page: Page, where: str) -> None:
    """In a journey: every link, button and field of the page, at rest, hovered and focused."""
    page.evaluate("window.scrollTo(0, 0)")
    _, problems = measure_every_state(page, ON_A_PAGE)
    page.evaluate("window.scrollTo(0, 0)")  # the page as it was, for a screenshot after
    assert problems == [], f"{where}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_component_state_on_the_design_system_page_has_enough_contrast(
    browser: Browser, live_server: object, language: str
) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server}/{language}/design-system/")
    count, problems = measure_every_state(page)
    context.close()
    assert count >= 25  # every button of the family in every state, links and fields
    assert problems == [], "\n".join(problems)


def test_the_measure_catches_white_on_white_and_pale_on_yellow(
    browser: Browser, live_server: object
) -> None:
    """The check itself fails on the two faults the walk-throughs saw."""
    page = browser.new_page()
    page.goto(f"{live_server}/en/design-system/")
    page.evaluate(
        """() => {
          // Through the CSSOM: the page's CSP refuses style attributes, not style properties.
          const example = document.querySelector(".component-example");
          for (const [id, colour, ground] of [["w", "#fff", "#fff"], ["y", "#fff", "#fff7d6"]]) {
            const box = document.createElement("div");
            const button = document.createElement("button");
            button.id = id;
            button.textContent = id;
            button.className = "link-button";
            button.style.color = colour;
            box.style.backgroundColor = ground;
            box.append(button);
            example.prepend(box);
          }
        }"""
    )
    white = page.locator("#w").evaluate(MEASURE)
    yellow = page.locator("#y").evaluate(MEASURE)
    page.close()
    assert white["text"] == pytest.approx(1.0)
    assert yellow["text"] < 1.2
    assert failures(white, "white") and failures(yellow, "yellow")
