"""Register data is shown as a person reads it: never as the register stores it."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from loket.sources.registry import get_source
from tests.conftest import client_for


@pytest.mark.django_db
def test_the_enterprise_and_its_establishments_read_as_words_not_as_records() -> None:
    client = client_for("business")
    base = "/en/procedures/terrace-permit/apply/"
    assert client.post(base, {"use_registers": "yes"}).status_code == 302
    page = client.get(f"{base}facts/").content.decode()
    assert "Enterprise number " in page
    assert re.search(r"Enterprise number \d{4}\.\d{3}\.\d{3}", page)
    assert "Active since " in page and "establishment unit" in page
    assert "{" not in page.split("<main", 1)[1].split("</main>", 1)[0]  # no dict, no JSON
    assert "unit_number" not in page
    assert re.search(r"Legal form: (private|public|cooperative|non-profit|natural) ", page)
    assert re.search(r"Main activity: \d\d\.\d{3} \u2014 [a-z]", page)  # "56.101 — restaurants"


@pytest.mark.django_db
def test_only_a_register_that_did_not_answer_is_told_as_a_failure() -> None:
    """Nothing held (a resident's enterprise) is no failure; a register that is down is one."""
    client = client_for("resident")
    base = "/en/procedures/urban-planning-information/apply/"
    assert client.post(base, {"use_registers": "yes"}).status_code == 302
    assert "did not answer" not in client.get(f"{base}facts/").content.decode()

    base = "/en/procedures/residents-parking-card/apply/"
    down = {"population": "tests.down_registers.DownPopulationRegister"}
    get_source.cache_clear()
    try:
        with override_settings(LOKET_SOURCES=down):
            assert client.post(base, {"use_registers": "yes"}).status_code == 302
    finally:
        get_source.cache_clear()
    page = client.get(f"{base}facts/").content.decode()
    assert "A register did not answer." in page
    declare = client.get(f"{base}declare/").content.decode()
    assert "We could not use the register for this data" in declare


NUMBER_ON_ONE_LINE = re.compile(
    r'<span class="nowrap national-number">\d\d\.\d\d\.\d\d-\d\d\d\.\d\d</span>'
)


@pytest.mark.django_db
def test_the_national_number_is_kept_on_one_line_on_the_facts_my_data_and_case_pages() -> None:
    from loket.cases.models import Case
    from loket.core.identifiers import format_national_number
    from tests.conftest import demo_user
    from tests.test_cases import apply_for_parking_card

    resident = client_for("resident")
    number = format_national_number(demo_user("resident").national_number or "")
    base = "/en/procedures/residents-parking-card/apply/"
    resident.post(base, {"use_registers": "yes"})
    facts = resident.get(f"{base}facts/").content.decode()
    assert NUMBER_ON_ONE_LINE.search(facts) and number in facts
    assert f"National number {number}" not in facts  # never as bare, breakable text
    registers = resident.get("/en/my-data/registers/").content.decode()
    assert NUMBER_ON_ONE_LINE.search(registers)
    case: Case = apply_for_parking_card(resident)
    agent = client_for("agent-parking")
    page = agent.get(f"/en/back-office/cases/{case.reference}/").content.decode()
    assert NUMBER_ON_ONE_LINE.search(page)
    # The label is still translated and escaped around the number.
    resident.post("/nl/procedures/residents-parking-card/apply/", {"use_registers": "yes"})
    dutch = resident.get("/nl/procedures/residents-parking-card/apply/facts/").content.decode()
    assert NUMBER_ON_ONE_LINE.search(dutch) and "National number" not in dutch


def test_the_national_number_filter_escapes_what_is_not_a_national_number() -> None:
    from django.template import Context, Template

    shown = Template("{% load identifiers %}{{ n|national_number }}")
    assert shown.render(Context({"n": "85073003328"})) == (
        '<span class="nowrap national-number">85.07.30-033.28</span>'
    )
    assert "&lt;b&gt;" in shown.render(Context({"n": "<b>"}))
