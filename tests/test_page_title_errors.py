""" "Error:" is said once in a page's title: the base layout writes it, in one block that a page
with its own idea of its errors overrides (``title_error``), never again in the title itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from loket.cases.models import Case
from tests.conftest import client_for
from tests.test_all_procedures import submit
from tests.test_cases import apply_for_parking_card

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "loket"
TITLE_BLOCK = re.compile(r"\{% block title %\}(.*?)\{% endblock", re.DOTALL)
ERROR_WORDS = {"en": "Error:", "fr": "Erreur", "nl": "Fout:"}


def _title(page: str) -> str:
    match = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    assert match is not None
    return match.group(1)


def test_no_template_writes_the_error_prefix_in_its_title_block() -> None:
    doubled = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        for block in TITLE_BLOCK.findall(path.read_text(encoding="utf-8"))
        if "Error:" in block
    ]
    assert doubled == []


@pytest.mark.django_db
def test_the_error_prefix_is_said_once_on_the_payment_pages_with_errors() -> None:
    resident = client_for("resident")
    case = submit(resident, "residents-parking-card")
    payment = case.payments.get(status="paid")
    agent = client_for("agent-parking")
    refunds = f"/en/payments/back-office/{case.reference}/refunds/"
    too_much = agent.post(refunds, {"payment": payment.reference, "amount": "500", "reason": "x"})
    export = agent.get(
        "/en/payments/back-office/accountant-export/",
        {"administration": "parking-brussels", "start": "31/02/20x6", "end": ""},
    )
    for response in (too_much, export):
        assert response.status_code == 422
        title = _title(response.content.decode())
        assert title.startswith("Error: ") and title.count("Error:") == 1, title


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_the_error_prefix_is_said_once_on_the_applicant_pages_with_errors(language: str) -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    assert case.status == Case.Status.AWAITING_PAYMENT
    message = client.post(f"/{language}/my-cases/{case.reference}/", {"action": "message"})
    assert message.status_code == 422
    title = _title(message.content.decode())
    assert title.count(ERROR_WORDS[language]) == 1, title


@pytest.mark.django_db  # every page reads its front door from the database
def test_a_page_without_errors_has_no_prefix(client: Client) -> None:
    assert "Error" not in _title(client.get("/en/verify/").content.decode())
