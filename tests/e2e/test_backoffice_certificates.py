"""Browser journey of a certificate the registers could not support when it was asked for: the
agent of Ixelles opens the case passed on to her, reads why, issues the certificate, downloads
it, then revokes it with a reason; the public verification page then says revoked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from loket.cases.models import Case
from loket.certificates.models import IssuedCertificate
from tests.conftest import demo_user
from tests.e2e.journeys import demo_log_in
from tests.test_backoffice_certificates import code_printed_on, referred_case


@pytest.mark.usefixtures("seeded_transactional")
def test_an_agent_issues_a_referred_certificate_then_revokes_it(
    page: Page, live_server: object, sealing: dict[str, Any]
) -> None:
    base = str(live_server)
    case = referred_case("household-composition")

    demo_log_in(page, base, "agent-ixelles")
    page.goto(f"{base}/en/back-office/")
    page.get_by_role("link", name=case.reference, exact=True).click()
    referral = page.locator(".notice-referral")
    expect(referral).to_contain_text("Passed to a civil servant")
    expect(referral).to_contain_text("registre de la population")  # the reason, as recorded
    expect(page.locator("#certificates ~ p").first).to_contain_text("No certificate has been")

    page.get_by_role("button", name="Issue the certificate").click()
    certificate = IssuedCertificate.objects.get(case=case)
    expect(page.get_by_role("status")).to_contain_text(
        f"Certificate no. {certificate.number} issued; the case is closed as delivered."
    )
    row = page.locator("#certificates ~ table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(certificate.number)
    expect(row).to_contain_text("Valid")
    expect(row).to_contain_text(demo_user("agent-ixelles").display_name)
    expect(page.get_by_role("button", name="Issue the certificate")).to_have_count(0)
    assert Case.objects.get(pk=case.pk).status == Case.Status.DELIVERED

    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download (PDF) {certificate.number}").click()
    code = code_printed_on(Path(download.value.path()).read_bytes())

    page.get_by_role("link", name=f"Revoke {certificate.number}").click()
    page.get_by_role("button", name="Revoke the certificate").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Choose the reason for revoking the certificate."
    )
    page.get_by_label("The certified data has changed since it was issued").check()
    page.get_by_label("Note (optional)").fill("Household changed before it was used")
    page.get_by_role("button", name="Revoke the certificate").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Certificate no. {certificate.number} revoked."
    )
    expect(page.locator(".timeline")).to_contain_text("Household changed before it was used")
    expect(row).to_contain_text("Revoked")

    page.goto(f"{base}/en/back-office/")
    page.get_by_role("link", name="Register of issued certificates").click()
    register_row = page.locator("tbody tr", has_text=certificate.number)
    expect(register_row).to_contain_text("Revoked")
    expect(register_row.get_by_role("link", name=case.reference, exact=True)).to_be_visible()

    # What the QR code opens: the page in the browser's language (English here).
    page.goto(f"{base}/verify/{code}/")
    expect(page).to_have_url(f"{base}/en/verify/{code}/")
    expect(page.locator("main")).to_contain_text("Revoked.")
    expect(page.locator("main")).to_contain_text(
        "Reason: The certified data has changed since it was issued. "
        "Household changed before it was used"
    )

    # A mistyped code: 404, said plainly, and the code stays in the field to correct.
    page.goto(f"{base}/en/verify/")
    mistyped = code[:-1] + ("A" if code[-1] != "A" else "B")
    page.get_by_label("Verification code").fill(mistyped)
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.locator("main")).to_contain_text(
        "No certificate issued through Loket has this code."
    )
    expect(page.get_by_label("Verification code")).to_have_value(mistyped)
