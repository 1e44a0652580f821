"""The resident's journeys on a 360 px phone and a 1,920 px screen, in the resident's language:
a change of address in French and bulky waste with "1,5" m³. Screenshots go to
var/screenshots/resident-*.png (the ones in docs/screenshots/ were taken from here)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect

from loket.cases.models import Case
from loket.forms.models import Draft
from tests.e2e.journeys import demo_log_in
from tests.e2e.test_contrast import assert_contrast_of_every_state
from tests.test_localised_answers import first_collection_day

PHONE: ViewportSize = {"width": 360, "height": 740}
WIDE: ViewportSize = {"width": 1920, "height": 1080}
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(params=[PHONE, WIDE], ids=["360", "1920"])
def phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The resident's browser: a 360 px phone, and the same journey on a 1,920 px screen."""
    context = browser.new_context(viewport=request.param)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screen(page: Page) -> ViewportSize:
    size = page.viewport_size
    assert size is not None
    return size


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = screen(page)["width"]
    page.screenshot(path=str(SHOTS / f"resident-{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    assert_contrast_of_every_state(page, name)


def within_a_screen_and_a_half(page: Page, name: str) -> None:
    box = page.get_by_role("link", name=name).first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 1.5 * screen(page)["height"]


@pytest.mark.usefixtures("seeded_transactional")
def test_change_of_address_in_french_on_a_phone(phone: Page, live_server: object) -> None:
    base = str(live_server)
    page = phone
    demo_log_in(page, base, "resident", "fr")
    page.goto(f"{base}/fr/procedures/change-of-address/")
    within_a_screen_and_a_half(page, "Commencer")
    shoot(page, "change-of-address-procedure-fr")
    page.get_by_role("link", name="Commencer").click()
    page.get_by_label("Oui, utiliser les données que l'administration possède").check()
    page.get_by_role("button", name="Continuer").click()

    # The old address is the one being left: no "C'est inexact" into a correction procedure.
    main = page.locator("main")
    moving_from = main.locator(".summary-list > div", has_text="Vous déménagez de")
    expect(moving_from).to_be_visible()
    expect(moving_from.get_by_role("link")).to_have_count(0)
    shoot(page, "change-of-address-facts-fr")
    main.get_by_role("link", name="C'est correct, continuer").click()

    page.get_by_label("Rue").fill("Parvis Saint-Gilles")
    page.get_by_label("Numéro").fill("12")
    page.get_by_label("Code postal").fill("1060")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Date du déménagement").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Continuer").click()
    # She moves, of course: a fixed line with her name, not a box she could leave unticked.
    expect(page.locator("#id_moving_with_applicant")).to_contain_text("Amina El Amrani")
    expect(page.get_by_label("Amina El Amrani")).to_have_count(0)
    shoot(page, "change-of-address-who-moves-fr")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("button", name="Continuer").click()  # nobody joins the household

    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez vos réponses avant l'envoi")
    today = timezone.localdate()
    check = main.inner_text()
    assert today.isoformat() not in check and str(today.year) in check
    shoot(page, "change-of-address-check-fr")
    page.get_by_role("button", name="Envoyer la demande").click()

    expect(page.get_by_role("heading", name="Demande envoyée")).to_be_visible()
    expect(main).to_contain_text("agent de quartier")
    expect(main).to_contain_text("carte d'identité électronique")
    shoot(page, "change-of-address-sent-fr")
    case = Case.objects.get(procedure_id="change-of-address")
    assert case.answers["moving_with"] == ["Amina El Amrani"]  # she moves, nobody ticked

    # Withdrawing asks first, on its own page; "No" keeps the application.
    page.get_by_role("link", name=re.compile("Retirer ma demande")).click()
    expect(page).to_have_url(re.compile(f"/fr/my-cases/{case.reference}/withdraw/$"))
    shoot(page, "withdraw-fr")
    page.locator("main form").locator("xpath=following-sibling::p[1]/a").click()
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED

    page.goto(f"{base}/fr/my-cases/")
    row = main.locator("tbody tr").first
    status = row.locator(".tag")
    status.scroll_into_view_if_needed()
    box = status.bounding_box()
    assert box is not None and box["x"] + box["width"] <= screen(page)["width"]
    shoot(page, "my-cases-fr")


@pytest.mark.usefixtures("seeded_transactional")
@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("fr", {"start": "Commencer",
                "yes": "Oui, utiliser les données que l'administration possède",
                "ok": "C'est correct, continuer", "next": "Continuer", "item": "Meubles",
                "volume": "Volume approximatif (m³)", "phone": "Téléphone",
                "send": "Envoyer la demande", "sent": "Demande envoyée"}),
        ("nl", {"start": "Nu starten", "yes": "Ja, gebruik de gegevens die de administratie heeft",
                "ok": "Dit klopt, doorgaan", "next": "Doorgaan", "item": "Meubelen",
                "volume": "Geschat volume (m³)", "phone": "Telefoon",
                "send": "Aanvraag verzenden", "sent": "Aanvraag verzonden"}),
    ],
)  # fmt: skip
def test_bulky_waste_with_a_decimal_comma_on_a_phone(
    phone: Page, live_server: object, lang: str, labels: dict[str, str]
) -> None:
    base = str(live_server)
    page = phone
    demo_log_in(page, base, "resident", lang)
    page.goto(f"{base}/{lang}/procedures/bulky-waste-collection/")
    within_a_screen_and_a_half(page, labels["start"])
    page.get_by_role("link", name=labels["start"]).click()
    page.get_by_label(labels["yes"]).check()
    page.get_by_role("button", name=labels["next"]).click()
    page.locator("main").get_by_role("link", name=labels["ok"]).click()
    page.get_by_label(labels["item"]).check()
    page.get_by_label(labels["volume"]).fill("1,5")
    page.get_by_role("button", name=labels["next"]).click()
    # Not before Bruxelles-Propreté has had its time to answer: the input says the earliest
    # day, and a day before it is refused on the field, the date typed kept.
    day = first_collection_day()
    date_input = page.locator("input[type=date]")
    expect(date_input).to_have_attribute("min", day.isoformat())
    too_soon = (day - timedelta(days=1)).isoformat()
    date_input.fill(too_soon)
    page.get_by_role("button", name=labels["next"]).click()
    expect(page.locator("#id_preferred_date_error")).to_be_visible()
    expect(date_input).to_have_value(too_soon)
    shoot(page, f"bulky-waste-date-refused-{lang}")
    date_input.fill(day.isoformat())
    page.get_by_role("button", name=labels["next"]).click()
    page.get_by_label(labels["phone"]).fill("0470 12 34 56")
    page.get_by_role("button", name=labels["next"]).click()

    main = page.locator("main")
    volume = main.locator(".summary-list > div", has_text="m³")
    expect(volume.locator("dd").first).to_contain_text("1,5")
    check = main.inner_text()
    assert day.isoformat() not in check and f"{day.day} " in check
    assert Draft.objects.get(procedure_id="bulky-waste-collection").answers["volume_m3"] == 1.5
    shoot(page, f"bulky-waste-check-{lang}")
    page.get_by_role("button", name=labels["send"]).click()
    expect(page.get_by_role("heading", name=labels["sent"])).to_be_visible()
    assert Case.objects.get(procedure_id="bulky-waste-collection").answers["volume_m3"] == 1.5
