"""Browser journey of the right of access: from the procedure's page to the rights page, a
request, the worker building the archive, one download, and the link gone afterwards. axe-core
checks the rights pages on the way (WCAG 2.2 AA)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from loket.core.models import User
from loket.privacy.models import AccessArchive
from loket.tasks.queue import run_until_empty
from tests.e2e.journeys import demo_log_in
from tests.e2e.test_accessibility import axe_violations


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page where axe-core may be injected as an inline script (the test tool bypasses the
    Content Security Policy, not the page)."""
    context = browser.new_context(viewport={"width": 1024, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.usefixtures("seeded_transactional")
def test_a_resident_requests_her_data_and_downloads_the_archive_once(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    resident = User.objects.get(username="demo-resident")
    demo_log_in(page, base, "resident")
    page.goto(f"{base}/en/procedures/personal-data-access/")
    page.get_by_role("link", name="Your rights over your data").click()
    expect(page.locator("h1")).to_have_text("Your rights over your data")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Send my request").click()  # nothing chosen
    expect(page.locator(".error-summary")).to_contain_text("Choose what you ask.")
    page.get_by_label("Access to my data").check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("main")).to_contain_text("We are preparing the copy of your data")
    assert axe_violations(page) == []

    assert run_until_empty() >= 1  # the worker
    page.reload()
    link = page.get_by_role("link", name="Download the copy of your data (ZIP)")
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    with zipfile.ZipFile(io.BytesIO(Path(path).read_bytes())) as archive:
        data = json.loads(archive.read("my-data.json"))
        assert "summary.pdf" in archive.namelist()
    assert data["profile"]["national_number"] == resident.national_number

    page.reload()
    expect(page.locator("main")).to_contain_text("was downloaded or has expired")
    page.goto(f"{base}/en/my-data/")
    page.get_by_role("button", name="Withdraw my consent").click()  # e-mails: on until withdrawn
    expect(page.locator("#consents ~ section").first).to_contain_text("Off.")
    assert axe_violations(page) == []
    token = AccessArchive.objects.get().token
    response = page.goto(f"{base}/en/privacy/rights/archive/{token}/")
    assert response is not None and response.status == 410
