"""Steps shared by the browser journeys."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect


def door_base(live_server: Any, host: str) -> str:
    """The live server's address under another door's host name (``*.localhost`` is the
    loopback address, and the demo's doors answer ixelles.localhost and schaerbeek.localhost)."""
    port = urlsplit(str(live_server)).port
    return f"http://{host}:{port}"


def demo_log_in(page: Page, base: str, identity: str, language: str = "en") -> None:
    page.goto(f"{base}/{language}/demo-login/")
    page.locator(f"button[value='{identity}']").click()


def log_out(page: Page) -> None:
    page.locator("header form[action*='logout'] button").click()


def pay_fee_on_demo_page(page: Page) -> None:
    """Pay the case's fee on the demo payment page, from the case's page in English."""
    page.get_by_role("button", name=re.compile(r"^Pay €")).click()
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.locator("main")).to_contain_text("Thank you: your payment is received.")


def decide(page: Page, status: str, reasons: str) -> None:
    """Decide on the open back-office case page: the decision and its reasons, previewed as the
    applicant will receive them, then confirmed (``status``: approved or rejected)."""
    page.locator(f"input[name='status'][value='{status}']").check()
    page.locator("#id_decision_note").fill(reasons)
    page.locator("button[value='preview']").click()
    page.locator("button[value='decide']").click()
