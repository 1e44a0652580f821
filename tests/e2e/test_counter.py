"""Browser journey of the assisted channel: an agent of Ixelles enters a paper application for a
resident at the counter, with the registers' data, and the resident then sees that it was entered
at the counter. Plus axe-core (WCAG 2.2 AA) on the counter page and the helper's dashboard in
French, Dutch and English."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, ViewportSize, expect

from loket.cases.models import Case
from loket.certificates.models import IssuedCertificate
from loket.core.models import Administration, User
from loket.mandates.actions import do_give_mandate, do_revoke_mandate
from tests.e2e.journeys import demo_log_in, log_out
from tests.e2e.test_accessibility import AXE, LANGUAGES, axe_violations


@pytest.fixture
def agent_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The agent's own browser, 1,024 px wide unless the test names a width (CSP bypassed so
    that axe-core can be injected, as in test_accessibility)."""
    width = getattr(request, "param", 1024)
    viewport: ViewportSize = {"width": width, "height": 740 if width < 600 else 900}
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def continue_(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()


@pytest.mark.usefixtures("seeded_transactional")
@pytest.mark.parametrize("agent_page", [1920, 360], indirect=True, ids=["1920", "360"])
def test_an_agent_enters_a_paper_application_at_the_counter(
    agent_page: Page, page: Page, live_server: object, sealing: dict[str, Any]
) -> None:
    base = str(live_server)
    resident2 = User.objects.get(username="demo-resident2")
    agent = User.objects.get(username="demo-agent-ixelles")
    with translation.override("en"):
        ixelles = Administration.objects.get(id="21009").name

    counter, resident_page = agent_page, page
    demo_log_in(counter, base, "agent-ixelles")
    counter.goto(f"{base}/en/back-office/")
    counter.get_by_role("link", name="Enter a paper application at the counter").click()
    counter.get_by_label("National number of the resident").fill(resident2.national_number or "")
    counter.get_by_label("I have checked the resident's identity document").check()
    counter.get_by_label("Procedure").select_option("residence-certificate")
    counter.get_by_role("button", name="Start the application").click()

    banner = counter.locator(".acting-for")
    expect(banner).to_contain_text(
        f"You are entering an application at the counter for {resident2.display_name}"
    )
    continue_(counter)  # a certificate: the register is read under the law, no choice
    expect(counter.locator("main").get_by_text(resident2.last_name).first).to_be_visible()
    counter.get_by_role("link", name="This is correct, continue").click()
    counter.get_by_label("My full address history in Belgium").check()
    continue_(counter)
    counter.get_by_label("Pension file").check()
    counter.get_by_label("French").check()
    continue_(counter)
    counter.get_by_role("button", name="Send the application").click()
    case = Case.objects.get(procedure_id="residence-certificate")
    expect(counter.locator("main")).to_contain_text(f"Application {case.reference} sent for")
    assert case.applicant == resident2 and case.submitted_by == agent
    assert case.channel == "counter"

    # The confirmation: the reference, the certificate issued at once and the receipt to print.
    expect(counter).to_have_url(f"{base}/en/back-office/counter/sent/{case.reference}/")
    expect(counter.locator(".panel-confirmation")).to_contain_text(case.reference)
    certificate = IssuedCertificate.objects.get(case=case)
    with counter.expect_download() as download:
        counter.get_by_role("link", name=f"Print the certificate no. {certificate.number}").click()
    pdf = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
    with counter.expect_download() as download:
        counter.get_by_role("link", name="Print the receipt (PDF)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    expect(counter.get_by_text("Continue the application")).to_have_count(0)
    problems = axe_violations(counter)  # the confirmation page
    assert not problems, problems

    # Another procedure for the same person, in the same session, then the end of it.
    counter.get_by_label("Another procedure for the same person").select_option("life-certificate")
    counter.get_by_role(
        "button", name=f"Start another procedure for {resident2.display_name}"
    ).click()
    expect(counter).to_have_url(f"{base}/en/procedures/life-certificate/apply/")
    expect(banner).to_contain_text(resident2.display_name)
    counter.goto(f"{base}/en/back-office/counter/")
    sent_line = counter.get_by_role("link", name=f"sent as {case.reference}")
    expect(sent_line).to_be_visible()
    problems = axe_violations(counter)  # the counter page during a session
    assert not problems, problems
    end = counter.locator("main").get_by_role("button", name="End the counter session")
    expect(end).to_be_visible()
    end.click()
    expect(counter.locator(".acting-for")).to_have_count(0)
    log_out(counter)

    demo_log_in(resident_page, base, "resident2")
    resident_page.goto(f"{base}/en/my-cases/")
    expect(resident_page.locator("main")).to_contain_text(
        f"Entered at the counter by {agent.display_name}, {ixelles}"
    )
    resident_page.goto(f"{base}/en/my-data/")
    expect(resident_page.locator("main")).to_contain_text(f"an agent of {ixelles} consulted")
    expect(resident_page.locator("main")).to_contain_text(
        f"was downloaded at the counter of {ixelles} by {agent.display_name}"
    )


@pytest.mark.usefixtures("seeded_transactional")
def test_the_counter_and_the_dashboard_meet_wcag_22_aa_in_three_languages(
    agent_page: Page, browser: Browser, live_server: object
) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/a11y`")
    base = str(live_server)
    today = timezone.localdate()
    helper = User.objects.get(username="demo-helper")
    for key in ("resident", "resident2"):  # one valid mandate, one that has ended
        mandate = do_give_mandate(
            User.objects.get(username=f"demo-{key}"),
            helper.national_number or "",
            ["residents-parking-card"],
            today,
            today + timedelta(days=30),
        )
    do_revoke_mandate(mandate)
    problems: list[str] = []
    helper_context = browser.new_context(viewport={"width": 1024, "height": 800}, bypass_csp=True)
    helper_page = helper_context.new_page()
    demo_log_in(agent_page, base, "agent-ixelles")
    demo_log_in(helper_page, base, "helper")
    for language in LANGUAGES:
        for who, path in (
            (agent_page, f"/{language}/back-office/counter/"),
            (helper_page, f"/{language}/mandates/helping/"),
        ):
            response = who.goto(f"{base}{path}")
            assert response is not None and response.status == 200, path
            problems += [f"{path}: {problem}" for problem in axe_violations(who)]
        # The counter form with its errors (nothing ticked, an unknown number).
        agent_page.locator("main form").last.locator("button").click()
        expect(agent_page.locator(".error-summary")).to_be_visible()
        problems += [f"counter with errors ({language}): {p}" for p in axe_violations(agent_page)]
    helper_context.close()
    assert not problems, "\n".join(problems)
