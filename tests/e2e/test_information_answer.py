"""A request for urban-planning information is answered, not granted: the agent provides the
information, and the notary's office reads "Information provided" on an answer that names no
review and no appeal to the Council of State (there is no decision to contest). A permit keeps
its "Approved" and its appeal route (tests/e2e/test_agent_decision.py).

Buttons are found by what they send, not by their words: the words are translated."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from loket.cases.models import Case
from tests.conftest import client_for
from tests.e2e.journeys import demo_log_in
from tests.test_all_procedures import submit


@pytest.mark.usefixtures("seeded_transactional")
def test_urban_planning_information_is_provided_without_an_appeal_route(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    notary = client_for("business")
    case = submit(notary, "urban-planning-information")
    assert case.administration_id == "21009"  # Rue du Trône 98, Ixelles
    demo_log_in(page, base, "agent-ixelles", "en")
    page.goto(f"{base}/en/back-office/cases/{case.reference}/")
    provide = page.locator("input[name='status'][value='approved']")
    expect(page.locator(f"label[for='{provide.get_attribute('id')}']")).to_have_text(
        "Provide the information"
    )
    provide.check()
    page.locator("#id_decision_note").fill("Zone d'habitation au PRAS; aucune infraction connue.")
    page.locator("button[value='preview']").click()
    preview = page.locator("article.decision-preview")
    expect(preview).to_contain_text("Answer to your request for information")
    expect(preview.locator(".decision-outcome")).to_have_text(
        "The information asked for is provided."
    )
    # Asked for by the notary's enterprise: the answer is addressed to it, with its number.
    expect(preview.locator(".addressee")).to_contain_text("(enterprise no. ")
    expect(preview).not_to_contain_text("Approved")
    expect(preview).not_to_contain_text("Council of State")
    expect(preview).not_to_contain_text("ask for a review")
    page.locator("button[value='decide']").click()
    expect(page.locator(".summary-list dd > span.tag").first).to_have_class(
        re.compile("tag-approved")
    )
    assert Case.objects.get(pk=case.pk).status == Case.Status.APPROVED

    mine = notary.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert "Information provided" in mine and "Ask for a review of the decision" not in mine
    for lang, granted in (("fr", "Accordé"), ("nl", "Goedgekeurd")):
        assert granted not in notary.get(f"/{lang}/my-cases/{case.reference}/").content.decode()
