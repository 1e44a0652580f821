"""Register data is shown as a person reads it: never as the register stores it."""

from __future__ import annotations

import re

import pytest

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
