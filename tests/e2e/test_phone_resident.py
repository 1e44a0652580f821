"""A resident on a 360 x 740 phone, in French and Dutch: what they see is true and on screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from playwright.sync_api import Page, ViewportSize, expect

from loket.cases.actions import do_request_information
from loket.mandates.actions import do_give_mandate
from loket.notify.models import Notification
from tests.conftest import client_for, demo_user
from tests.e2e.journeys import demo_log_in
from tests.test_cases import apply_for_parking_card

PHONE: ViewportSize = {"width": 360, "height": 740}


@pytest.mark.usefixtures("seeded_transactional")
def test_a_resident_without_an_enterprise_is_not_told_that_a_register_failed(
    phone: Page, live_server: object
) -> None:
    """The enterprise register answers that it holds nothing for a resident: no failure."""
    base = str(live_server)
    demo_log_in(phone, base, "resident", "fr")
    phone.goto(f"{base}/fr/procedures/urban-planning-information/apply/")
    phone.locator("input[name='use_registers'][value='yes']").check()
    phone.locator("main form button[type='submit']").first.click()
    expect(phone.locator("main")).to_be_visible()
    assert "n'a pas répondu" not in phone.locator("main").inner_text()
    phone.goto(f"{base}/fr/procedures/urban-planning-information/apply/facts/")
    expect(phone.locator("h1")).to_have_text("Vérifiez les données des registres")
    assert "n'a pas répondu" not in phone.locator("main").inner_text()


@pytest.mark.usefixtures("seeded_transactional")
def test_what_was_seen_on_the_case_or_confirmation_page_is_no_longer_new_in_the_inbox(
    phone: Page, live_server: object
) -> None:
    case = apply_for_parking_card(client_for("resident"), lang="nl")
    resident = demo_user("resident")
    base = str(live_server)
    demo_log_in(phone, base, "resident", "nl")
    phone.goto(f"{base}/nl/my-cases/")
    inbox = phone.locator("ul.inbox")
    expect(inbox).to_contain_text("Nieuw:")

    # The confirmation page shows that the application was received: that notice is read.
    phone.goto(f"{base}/nl/my-cases/{case.reference}/?submitted=1")
    expect(phone.locator("main")).to_contain_text(case.reference)
    phone.goto(f"{base}/nl/my-cases/")
    expect(phone.locator("h1")).to_be_visible()
    expect(phone.locator("ul.inbox")).not_to_contain_text("Nieuw:")

    # The agent asks a question; the resident reads it on the case page, not through the inbox.
    case.refresh_from_db()
    do_request_information(case, demo_user("agent-parking"), "Stuur ons het leasingcontract.")
    phone.goto(f"{base}/nl/my-cases/")
    expect(phone.locator("ul.inbox")).to_contain_text("Nieuw:")
    phone.goto(f"{base}/nl/my-cases/{case.reference}/")
    expect(phone.locator("main")).to_contain_text("Stuur ons het leasingcontract.")
    phone.goto(f"{base}/nl/my-cases/")
    expect(phone.locator("h1")).to_be_visible()
    expect(phone.locator("ul.inbox")).not_to_contain_text("Nieuw:")
    assert not Notification.objects.filter(recipient=resident, read_at__isnull=True).exists()


@pytest.mark.usefixtures("seeded_transactional")
def test_a_held_case_is_named_by_its_procedure_and_shows_its_question_once_with_the_answer_box(
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
    with translation.override("fr"):
        name = case.procedure.name
    expect(phone.locator("h1")).to_have_text(name)
    expect(phone.locator("main")).to_contain_text(case.reference)
    assert phone.locator("main").inner_text().count(question) == 1
    answer = phone.locator("section.question textarea").bounding_box()
    question_box = phone.get_by_text(question).bounding_box()
    assert question_box is not None and answer is not None
    assert answer["y"] - (question_box["y"] + question_box["height"]) < 200  # right under it
    assert answer["y"] < PHONE["height"]  # it starts on the first screen, under the demo banner
    # The question is not repeated in the messages or the history, and what comes after an
    # answer waits until then: the page's content is shorter by about a screen. (Measured on
    # the content, not the whole page: the footer carries the front door's contact details.)
    assert phone.locator("main").evaluate("main => main.scrollHeight") < 3000  # was ~3,500 px


def _nl(msgid: str, **values: str) -> str:
    with translation.override("nl"):
        text = gettext(msgid)
    return text % values if values else text


@pytest.mark.usefixtures("seeded_transactional")
def test_a_helper_acting_for_someone_reads_whose_data_it_is_and_a_menu_of_their_space(
    phone: Page, live_server: object
) -> None:
    resident, helper = demo_user("resident"), demo_user("helper")
    today = timezone.localdate()
    parking = "residents-parking-card"
    do_give_mandate(resident, helper.national_number or "", [parking], today, today + timedelta(30))
    name = resident.display_name
    base = str(live_server)
    demo_log_in(phone, base, "helper", "nl")
    phone.goto(f"{base}/nl/mandates/helping/")
    phone.get_by_role("button", name=_nl("Act for %(name)s", name=name)).click()

    menu = phone.locator("nav.main-nav")
    expect(menu.get_by_role("link", name=_nl("Cases of %(name)s", name=name))).to_be_visible()
    back = menu.get_by_role("button", name=_nl("Back to my own space"))
    expect(back).to_be_visible()
    for own in ("My data", "My appointments", "Mandates", "People I help"):
        expect(menu.get_by_role("link", name=_nl(own), exact=True)).to_have_count(0)

    phone.goto(f"{base}/nl/procedures/{parking}/apply/")
    main = phone.locator("main")
    whose = _nl("identity of %(name)s: name, date of birth, national number", name=name)
    expect(main).to_contain_text(whose)  # "identiteit van Amina El Amrani: …"
    phone.get_by_label(_nl("Yes, use the data the administration holds")).check()
    phone.get_by_role("button", name=_nl("Continue")).click()
    expect(main.locator("dt").first).to_have_text(capfirst(whose))
    assert _nl("your identity: name, date of birth, national number") not in main.inner_text()

    back.click()  # back to the helper's own space: no longer acting, her own menu again
    expect(phone.locator(".acting-for")).to_have_count(0)
    expect(menu.get_by_role("link", name=_nl("My data"), exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name=_nl("People I help"), exact=True)).to_be_visible()
