"""Steps shared by the browser journeys."""

from __future__ import annotations

from playwright.sync_api import Page


def demo_log_in(page: Page, base: str, identity: str, language: str = "en") -> None:
    page.goto(f"{base}/{language}/demo-login/")
    page.locator(f"button[value='{identity}']").click()


def log_out(page: Page) -> None:
    page.locator("header form[action*='logout'] button").click()
