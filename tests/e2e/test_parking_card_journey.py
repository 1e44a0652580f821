"""The whole residents' parking card journey in Dutch, in a real browser, then the back-office."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from loket.cases.models import Case
from tests.e2e.journeys import demo_log_in, log_out


@pytest.mark.usefixtures("seeded_transactional")
def test_a_resident_applies_in_dutch_and_only_parking_brussels_sees_the_case(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    demo_log_in(page, base, "resident", "nl")

    page.goto(f"{base}/nl/search/?q=parkeerkaart")
    page.get_by_role("link", name="Bewonerskaart voor parkeren").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bewonerskaart voor parkeren")
    page.get_by_role("link", name="Nu starten").click()

    # Preview: which registers, why; the resident agrees.
    expect(page.get_by_role("heading", name="Rijksregister")).to_be_visible()
    page.get_by_label("Ja, gebruik de gegevens die de administratie heeft").check()
    page.get_by_role("button", name="Doorgaan").click()

    # Facts from the registers, shown as facts with their source.
    expect(page.locator("main").get_by_text("Amina El Amrani")).to_be_visible()
    expect(page.locator("main").get_by_text("Troonstraat 98, 1050 Elsene")).to_be_visible()
    page.get_by_role("link", name="Dit klopt, doorgaan").click()

    # Only what no register knows: which vehicle and from when.
    page.get_by_role("button", name="Doorgaan").click()  # nothing chosen: an error summary
    expect(page).to_have_title(re.compile(r"^Fout:"))
    expect(page.locator(".error-summary")).to_contain_text("Kies het voertuig")
    page.get_by_label("2-XYZ-789").check()
    page.get_by_role("button", name="Doorgaan").click()
    start = timezone.localdate() + timedelta(days=10)
    page.get_by_label("Begindatum van de geldigheid").fill(start.isoformat())
    page.get_by_role("button", name="Doorgaan").click()

    # Check your answers, then send (twice: a double click must not make two cases).
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Controleer uw antwoorden voor het verzenden"
    )
    expect(page.locator("main").get_by_text("2-XYZ-789").first).to_be_visible()
    page.get_by_role("button", name="Aanvraag verzenden").dblclick()
    expect(page.get_by_role("heading", name="Aanvraag verzonden")).to_be_visible()
    reference = page.locator(".reference").inner_text()
    assert Case.objects.filter(reference=reference).count() == 1
    assert Case.objects.count() == 1

    page.get_by_role("link", name="Mijn dossiers").first.click()
    expect(page.get_by_role("link", name=reference, exact=True)).to_be_visible()

    # My data: the four consultations (identity, address, vehicles, the social status that
    # exempts from the fee), in Dutch, each with its proof; the log verifies.
    page.get_by_role("link", name="Mijn gegevens").first.click()
    expect(page.locator(".consultations > li")).to_have_count(4)
    expect(page.locator(".consultations")).to_contain_text("op uw vraag het register")
    expect(page.locator(".consultations")).to_contain_text("Bewonerskaart voor parkeren")
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "access log OK: 4 entries" in out.getvalue()
    log_out(page)

    # The agent of parking.brussels has it in the queue.
    demo_log_in(page, base, "agent-parking", "nl")
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.locator("main").get_by_text("2-XYZ-789").first).to_be_visible()
    log_out(page)

    # The agent of Ixelles neither sees it nor can open it.
    demo_log_in(page, base, "agent-ixelles", "nl")
    expect(page.get_by_role("link", name=reference, exact=True)).to_have_count(0)
    response = page.goto(f"{base}/nl/back-office/cases/{reference}/")
    assert response is not None and response.status == 404
