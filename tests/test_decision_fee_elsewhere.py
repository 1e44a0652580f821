"""A granting decision of a procedure whose fee Loket does not collect states the amount and that
the administration tells how and when to pay it: the decision is what the applicant keeps."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from loket.cases.actions import do_decide
from loket.cases.documents import decision_preview, document_html
from loket.cases.models import Case
from loket.core.models import Membership, User
from loket.payments.selectors import fee_paid_elsewhere
from tests.conftest import client_for
from tests.test_all_procedures import submit

pytestmark = pytest.mark.django_db

MOVING = "moving-parking-reservation"


def _agent_of(case: Case) -> User:
    membership = Membership.objects.filter(
        administration=case.administration, role=Membership.Role.AGENT
    ).first()
    assert membership is not None
    return membership.user


def test_a_granted_decision_states_the_fee_paid_to_the_administration() -> None:
    case = submit(client_for("resident"), MOVING)
    fee = fee_paid_elsewhere(case.procedure)
    assert fee is not None  # the catalogue's €30, not collected here
    agent = _agent_of(case)
    with translation.override("en"):
        preview = decision_preview(case, agent, Case.Status.APPROVED, "Granted.", [])
    name = case.administration.name
    said = f"This decision is subject to a fee of €{fee}. It is not paid through Loket: {name}"
    assert said in preview and "will tell you how and when to pay it." in preview
    refused = decision_preview(case, agent, Case.Status.REJECTED, "No space there.", [])
    assert 'class="fee-to-pay"' not in refused  # nothing is owed for a refusal
    do_decide(case, agent, Case.Status.APPROVED, "Granted.")
    case.refresh_from_db()
    with translation.override("en"):
        assert said in document_html(case, "decision")  # the PDF that is sealed


def test_a_decision_of_a_free_procedure_or_a_fee_paid_online_says_nothing_of_it() -> None:
    case = submit(client_for("resident"), "residents-parking-card")
    assert fee_paid_elsewhere(case.procedure) is None
    preview = decision_preview(case, _agent_of(case), Case.Status.APPROVED, "Granted.", [])
    assert 'class="fee-to-pay"' not in preview


def test_the_agent_is_told_the_decision_states_the_fee_and_where_to_add_how_to_pay() -> None:
    case = submit(client_for("resident"), MOVING)
    agent = Client()
    agent.force_login(_agent_of(case))
    page = agent.get(f"/en/back-office/cases/{case.reference}/").content.decode()
    assert 'id="fee-elsewhere"' in page and "write it in the reasons for the decision" in page
