"""On a 360 x 740 phone: every procedure's primary action within one and a half screens, tables
as cards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from loket.cases.actions import do_request_information
from loket.catalog.models import Procedure
from loket.mandates.actions import do_give_mandate
from tests.conftest import client_for, demo_user
from tests.e2e.journeys import demo_log_in
from tests.test_cases import apply_for_parking_card

PHONE: ViewportSize = {"width": 360, "height": 740}
# How far down a procedure page's primary action may end, in screen heights.
PRIMARY_ACTION_WITHIN = 1.5


def primary_action_bottom(page: Page) -> float:
    action = page.locator(".primary-actions").locator(".button-start, .notice").first
    expect(action).to_be_visible()
    box = action.bounding_box()
    assert box is not None
    return box["y"] + box["height"] + page.evaluate("window.scrollY")


@pytest.mark.usefixtures("seeded_transactional")
@pytest.mark.parametrize(("language", "logged_in"), [("fr", True), ("nl", False)])
def test_every_procedure_shows_its_primary_action_within_1_5_screens_and_cites_each_law_once(
    phone: Page, live_server: object, language: str, logged_in: bool
) -> None:
    base = str(live_server)
    if logged_in:
        demo_log_in(phone, base, "resident", language)
    procedures = list(Procedure.objects.order_by("id").values_list("id", flat=True))
    assert len(procedures) > 10
    too_far = {}
    cited_twice = {}
    for procedure in procedures:
        phone.goto(f"{base}/{language}/procedures/{procedure}/")
        bottom = primary_action_bottom(phone)
        if bottom > PRIMARY_ACTION_WITHIN * PHONE["height"]:
            too_far[procedure] = round(bottom)
        # The legal citation is there once, folded away, not repeated per datum, and each law
        # in it is cited once even when several data rest on it.
        details = phone.locator("details.needs")
        if details.count():
            assert details.get_attribute("open") is None
            assert details.locator(".hint").count() == 1
            hint = details.locator(".hint").text_content() or ""
            citations = [c.strip() for c in hint.split(":", 1)[1].split(";")]
            if len(citations) != len(set(citations)):
                cited_twice[procedure] = citations
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert too_far == {}
    assert cited_twice == {}


@pytest.mark.usefixtures("seeded_transactional")
def test_my_cases_and_mandates_stack_as_cards_with_status_and_revoke_on_screen(
    phone: Page, live_server: object
) -> None:
    apply_for_parking_card(client_for("resident"))
    base = str(live_server)
    demo_log_in(phone, base, "resident", "fr")
    phone.goto(f"{base}/fr/my-cases/")
    status = phone.locator("td[data-label='Statut'] .tag, td[data-label='Status'] .tag").first
    status.scroll_into_view_if_needed()
    expect(status).to_be_in_viewport()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = status.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]

    today = timezone.localdate()
    helper = demo_user("helper").national_number or ""
    do_give_mandate(demo_user("resident"), helper, [], today, today + timedelta(days=30))
    phone.goto(f"{base}/fr/mandates/")
    revoke = phone.get_by_role("button", name="Révoquer")
    revoke.scroll_into_view_if_needed()
    expect(revoke).to_be_in_viewport(ratio=1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.usefixtures("seeded_transactional")
def test_the_header_of_a_logged_in_resident_takes_less_than_a_fifth_of_the_phone_screen(
    phone: Page, live_server: object
) -> None:
    base = str(live_server)
    demo_log_in(phone, base, "resident", "fr")
    phone.goto(f"{base}/fr/")
    header = phone.locator("header.site-header").bounding_box()
    assert header is not None and header["height"] < PHONE["height"] / 5
    expect(phone.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(phone.get_by_role("link", name="Nederlands")).to_be_visible()
    expect(phone.locator("header")).not_to_contain_text("Personnes que j'aide")


@pytest.mark.usefixtures("seeded_transactional")
def test_tables_stack_when_text_is_enlarged_to_200_percent_on_a_wide_screen(
    page: Page, live_server: object
) -> None:
    apply_for_parking_card(client_for("resident"))
    base = str(live_server)
    demo_log_in(page, base, "resident", "fr")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/fr/my-cases/")
    row_display = "() => getComputedStyle(document.querySelector('table.table tbody tr')).display"
    assert page.evaluate(row_display) == "table-row"  # a table at normal size
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    sizes = page.evaluate("() => [document.querySelector('main').scrollWidth,"
                          " document.querySelector('main').clientWidth]")  # fmt: skip
    assert sizes[0] <= sizes[1] + 1
    assert page.evaluate(row_display) == "block"  # cards, as on a phone


@pytest.mark.usefixtures("seeded_transactional")
def test_a_held_case_shows_the_question_and_its_answer_box_within_a_screen_and_a_half(
    phone: Page, live_server: object
) -> None:
    # A French case: the agent's question and the answer are in French, as the language check
    # of text sent to residents requires.
    case = apply_for_parking_card(client_for("resident"), lang="fr")
    question = "Envoyez-nous le contrat de leasing du véhicule, s'il vous plaît."
    do_request_information(case, demo_user("agent-parking"), question)
    base = str(live_server)
    demo_log_in(phone, base, "resident", "fr")
    phone.goto(f"{base}/fr/my-cases/{case.reference}/")
    held = phone.locator("section.question")
    expect(held).to_contain_text(question)
    box = held.get_by_text(question).bounding_box()
    assert box is not None and box["y"] < 1100, box  # not under the fee blocks any more
    answer = held.locator("textarea")
    answer_box = answer.bounding_box()
    assert answer_box is not None and answer_box["y"] < 1.5 * PHONE["height"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    answer.fill("Voici le contrat.")
    held.locator("button[name=action][value=message]").click()
    expect(phone.locator("section.question")).to_have_count(0)
    case.refresh_from_db()
    assert case.status != case.Status.INFORMATION_REQUESTED
