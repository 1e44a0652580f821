"""What the last walk-through still found on a 360 px phone, in French: a typed address whose
postcode two municipalities share, the address from the register offered to one who declined
it, a held case without an empty "Messages" block under its question, and the national number
on one line wherever it is shown. Screenshots go to var/screenshots/resident-*-360.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from loket.cases.actions import do_request_information
from loket.cases.models import Case
from loket.forms.models import Draft
from loket.forms.pages import shared_postcodes
from tests.conftest import client_for, demo_user
from tests.e2e.journeys import demo_log_in
from tests.e2e.test_resident_journeys import shoot
from tests.test_all_procedures import submit
from tests.test_cases import apply_for_parking_card

FIELD = "#id_population\\.address\\.{}"
IXELLES = "21009"


def continue_(page: Page) -> None:
    page.locator("main form button[type='submit']").last.click()


def on_one_line(element: Locator) -> None:
    element.scroll_into_view_if_needed()
    lines = element.evaluate("e => e.getClientRects().length")
    assert lines == 1, element.inner_text()


@pytest.mark.usefixtures("seeded_transactional")
def test_a_typed_1050_address_asks_the_municipality_and_reaches_its_queue(
    phone: Page, live_server: object
) -> None:
    base = str(live_server)
    demo_log_in(phone, base, "resident", "fr")
    phone.goto(f"{base}/fr/procedures/legal-cohabitation/apply/")
    phone.locator("#use-no").check()
    phone.locator("form:has(#use-no) button[type='submit']").click()
    phone.wait_for_url("**/declare/")

    # Said at once, from the reference data: which postcodes two municipalities share.
    expect(phone.locator("main")).to_contain_text(", ".join(shared_postcodes()))
    # And the register's address is offered instead of typing it.
    expect(phone.locator("#use-register-address")).to_be_visible()
    shoot(phone, "typed-address-declare-fr")

    phone.locator("#id_population\\.identity\\.first_name").fill("Amina")
    phone.locator("#id_population\\.identity\\.last_name").fill("El Amrani")
    born = timezone.localdate() - timedelta(days=38 * 365)  # an adult, whatever today is
    phone.locator("#id_population\\.identity\\.birth_date").fill(born.isoformat())
    phone.locator(FIELD.format("street")).fill("Rue du Trône")
    phone.locator(FIELD.format("house_number")).fill("98")
    phone.locator(FIELD.format("postcode")).fill("1050")
    continue_(phone)

    # The street is in both municipalities of 1050: the error is on the municipality, which
    # now offers the two 1050 covers; nothing typed is lost.
    expect(phone.locator(".error-summary")).to_be_visible()
    expect(phone.locator("#id_population\\.address\\.municipality_error")).to_be_visible()
    expect(phone.locator("#id_population\\.address\\.street_error")).to_have_count(0)
    expect(phone.locator(FIELD.format("street"))).to_have_value("Rue du Trône")
    radios = phone.locator("input[name='population.address.municipality']")
    expect(radios).to_have_count(2)
    shoot(phone, "typed-address-municipality-fr")
    phone.locator(f"input[name='population.address.municipality'][value='{IXELLES}']").check()
    continue_(phone)
    phone.wait_for_url("**/q/**")

    # The rest of the application, then the queue it reaches: Ixelles', as chosen.
    declared = Draft.objects.get(procedure_id="legal-cohabitation").answers["declared"]
    assert declared["population.address.municipality"] == IXELLES
    case = submit(client_for("resident"), "legal-cohabitation", use_registers=None)
    assert case.administration_id == IXELLES
    agent = client_for("agent-ixelles")
    assert case.reference in agent.get("/fr/back-office/").content.decode()


@pytest.mark.usefixtures("seeded_transactional")
def test_one_who_declined_uses_the_address_from_the_register_and_keeps_what_was_typed(
    phone: Page, live_server: object
) -> None:
    base = str(live_server)
    demo_log_in(phone, base, "resident", "fr")
    phone.goto(f"{base}/fr/procedures/legal-cohabitation/apply/")
    phone.locator("#use-no").check()
    phone.locator("form:has(#use-no) button[type='submit']").click()
    phone.wait_for_url("**/declare/")
    phone.locator("#id_population\\.identity\\.first_name").fill("Amina")
    phone.locator("#use-register-address").check()
    continue_(phone)
    expect(phone.locator("#id_population\\.identity\\.first_name")).to_have_value("Amina")
    expect(phone.locator(FIELD.format("street"))).to_have_count(0)
    draft = Draft.objects.get(procedure_id="legal-cohabitation")
    assert draft.facts["population"]["address"]["nis_code"] == IXELLES
    shoot(phone, "typed-address-register-used-fr")


@pytest.mark.usefixtures("seeded_transactional")
def test_a_held_case_has_no_empty_messages_block_and_the_national_number_stays_on_one_line(
    phone: Page, live_server: object
) -> None:
    case: Case = apply_for_parking_card(client_for("resident"))
    do_request_information(case, demo_user("agent-parking"), "Envoyez le contrat de leasing.")
    base = str(live_server)
    demo_log_in(phone, base, "resident", "fr")
    phone.goto(f"{base}/fr/my-cases/{case.reference}/")
    main = phone.locator("main")
    expect(main.locator("section.question")).to_be_visible()
    expect(main.locator("h2", has_text="Messages")).to_have_count(0)
    shoot(phone, "held-case-fr")

    # The national number, on the facts, "my data" and the agent's case page.
    phone.goto(f"{base}/fr/procedures/residents-parking-card/apply/")
    phone.locator("#use-yes").check()
    phone.locator("form:has(#use-yes) button[type='submit']").click()
    phone.wait_for_url("**/facts/")
    on_one_line(main.locator(".national-number"))
    shoot(phone, "facts-national-number-fr")
    phone.goto(f"{base}/fr/my-data/registers/")
    on_one_line(main.locator(".national-number"))
    shoot(phone, "my-registers-fr")
    phone.context.clear_cookies()  # the agent, in the same phone
    demo_log_in(phone, base, "agent-parking", "fr")
    phone.goto(f"{base}/fr/back-office/cases/{case.reference}/")
    on_one_line(main.locator(".national-number"))
    shoot(phone, "agent-case-national-number-fr")
