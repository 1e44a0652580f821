"""The civil servant's queue as a person sees it: a change in bulk is first shown (which cases,
which status, which reasons) and applied only once confirmed, then the cases changed are named;
the person search is on the page, not folded away, and an empty result repeats what was typed
and says what to try next.

Buttons are found by what they send, not by their words: the words are translated."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from loket.audit.models import AccessLogEntry
from loket.cases.models import Case
from tests.conftest import client_for
from tests.e2e.journeys import demo_log_in
from tests.test_cases import apply_for_parking_card


@pytest.mark.usefixtures("seeded_transactional")
def test_a_refusal_in_bulk_is_previewed_with_its_cases_and_reasons_then_confirmed(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    # Applications made in French: the French reasons below are in the cases' language.
    first = apply_for_parking_card(client_for("resident"), lang="fr")
    second = apply_for_parking_card(client_for("resident2"), lang="fr", plate="1-JPN-451")
    demo_log_in(page, base, "agent-parking", "fr")
    page.goto(f"{base}/fr/back-office/")
    for case in (first, second):
        page.locator(f"#select-{case.reference}").check()
    page.locator("#bulk-status").select_option("rejected")
    page.locator("form:has(#bulk-status) button[type='submit']").click()
    # A refusal without reasons is refused, the selection kept.
    expect(page.locator("#bulk-note-error")).to_be_visible()
    expect(page.locator(f"#select-{first.reference}")).to_be_checked()
    reasons = "Les véhicules ne sont pas immatriculés dans la zone."
    page.locator("#bulk-note").fill(reasons)
    page.locator("form:has(#bulk-status) button[type='submit']").click()

    # The preview names each case, the decision and the reasons; nothing is changed yet.
    cases = page.locator("table.bulk-cases tbody tr")
    expect(cases).to_have_count(2)
    for case in (first, second):  # in reference order, and references are random
        expect(cases.filter(has_text=case.reference)).to_have_count(1)
    expect(page.locator(".bulk-status")).to_have_text("Refusé")
    expect(page.locator(".bulk-note")).to_contain_text(reasons)
    assert set(Case.objects.values_list("status", flat=True)) == {Case.Status.SUBMITTED}

    page.locator("button[name='confirm'][value='yes']").click()
    done = page.locator("[role='status'] .notice").first
    expect(done).to_contain_text("2 ")
    expect(done).to_contain_text(first.reference)
    expect(done).to_contain_text(second.reference)
    for case in (first, second):
        case.refresh_from_db()
        assert case.status == Case.Status.REJECTED
        assert case.events.get(status=Case.Status.REJECTED).note == reasons


@pytest.mark.usefixtures("seeded_transactional")
def test_the_person_search_is_on_the_queue_page_and_an_empty_result_repeats_the_query(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    apply_for_parking_card(client_for("resident"))
    demo_log_in(page, base, "agent-parking", "nl")
    page.goto(f"{base}/nl/back-office/")
    search = page.locator("#id_person_person")
    expect(search).to_be_visible()  # not folded away in a <details>
    assert page.locator("details #id_person_person").count() == 0
    logged = AccessLogEntry.objects.count()
    search.fill("Vandenbroucke-Nergens")
    page.locator("form[action$='/back-office/person/'] button[type='submit']").click()
    found = page.locator(".person-not-found")
    expect(found).to_contain_text("Vandenbroucke-Nergens")
    expect(found.locator("li")).not_to_have_count(0)
    expect(page.locator("#id_person_person")).to_have_value("Vandenbroucke-Nergens")
    assert AccessLogEntry.objects.count() == logged  # no one shown, no one's data read

    search = page.locator("#id_person_person")
    search.fill("90.01.01-123.95")
    page.locator("#id_person_purpose").select_option(index=1)
    page.locator("form[action$='/back-office/person/'] button[type='submit']").click()
    expect(page.locator(".person-not-found")).to_contain_text("90.01.01-123.95")
    # Found or not, a search by national number is a consultation, logged through the one door.
    assert AccessLogEntry.objects.count() == logged + 1
