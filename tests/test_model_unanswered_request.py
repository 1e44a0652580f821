"""The model refusal "information asked for not received" fits only a case whose last request
for information the applicant left unanswered: after a reply (or with no request at all) it is
refused at the preview and at the decision, and its text names the request's date, never a time
limit that was not set."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import formats, timezone, translation

from loket.cases.actions import do_post_message, do_request_information
from loket.cases.models import Case
from loket.cases.motivations import MotivationModel, motivation_models
from loket.catalog.models import Procedure
from loket.core.models import Membership, User
from tests.conftest import client_for, with_version
from tests.test_all_procedures import submit

pytestmark = pytest.mark.django_db

MOVING = "moving-parking-reservation"  # has no models of its own: the general ones


def _agent_of(case: Case) -> User:
    membership = Membership.objects.filter(
        administration=case.administration, role=Membership.Role.AGENT
    ).first()
    assert membership is not None
    return membership.user


def _not_received(case: Case) -> MotivationModel:
    models = motivation_models(case.procedure_id, case.language, delivers=case.procedure.delivers)
    return next(m for m in models if m.after_unanswered_request)


def _setup() -> tuple[Case, User, Client, MotivationModel]:
    case = submit(client_for("resident"), MOVING)
    agent = _agent_of(case)
    client = Client()
    client.force_login(agent)
    return case, agent, client, _not_received(case)


def _url(case: Case) -> str:
    return f"/en/back-office/cases/{case.reference}/"


def test_the_model_text_refers_to_no_time_limit_in_any_language() -> None:
    delivers = Procedure.objects.get(id=MOVING).delivers
    for language in ("fr", "nl", "en"):
        models = motivation_models(MOVING, language, delivers=delivers)
        text = next(m.text for m in models if m.after_unanswered_request)
        assert not any(word in text for word in ("délai", "termijn", "time given")), text


def test_the_model_is_refused_at_preview_and_decision_when_the_applicant_replied() -> None:
    case, agent, client, model = _setup()
    do_request_information(case, agent, "Please send the landlord's agreement.")
    case.refresh_from_db()
    do_post_message(case, case.applicant, "Here is the agreement you asked for.")
    case.refresh_from_db()
    reasons = "We asked you for information. We have not received it, so it is refused."
    posted = {"status": "rejected", "model": model.key, "note": reasons}
    preview = client.post(_url(case), with_version(case, {**posted, "action": "preview"}))
    assert preview.status_code == 422
    page = preview.content.decode()
    assert "but the applicant replied on" in page and "read their reply" in page
    assert 'value="decide"' not in page  # nothing to confirm
    decided = client.post(_url(case), with_version(case, {**posted, "action": "decide"}))
    assert decided.status_code == 422 and "but the applicant replied on" in decided.content.decode()
    # Said already when the model is picked.
    picked = client.post(_url(case), with_version(case, {"action": "model", "model": model.key}))
    assert "but the applicant replied on" in picked.content.decode()
    case.refresh_from_db()
    assert case.status != Case.Status.REJECTED
    # The same reasons typed without the model are the agent's own: they go to the preview.
    own = client.post(_url(case), with_version(case, {**posted, "model": "", "action": "preview"}))
    assert own.status_code == 200


def test_the_model_is_refused_when_no_information_was_asked_for() -> None:
    case, _agent, client, model = _setup()
    posted = {
        "status": "rejected",
        "model": model.key,
        "note": "Not received.",
        "action": "preview",
    }
    preview = client.post(_url(case), with_version(case, posted))
    assert preview.status_code == 422
    assert "no information was asked for on this case" in preview.content.decode()


def test_after_an_unanswered_request_the_model_names_its_date_and_can_be_used() -> None:
    case, agent, client, model = _setup()
    do_request_information(case, agent, "Please send the landlord's agreement.")
    case.refresh_from_db()
    filled = client.post(_url(case), with_version(case, {"action": "model", "model": model.key}))
    with translation.override(case.language):
        asked = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    page = filled.content.decode()
    assert f"on {asked}. We have not received it." in page and "[date]" not in page
    assert "This model refuses" not in page
    note = model.text.replace("[date]", asked)
    posted = {"status": "rejected", "model": model.key, "note": note}
    assert (
        client.post(_url(case), with_version(case, {**posted, "action": "preview"})).status_code
        == 200
    )
    done = client.post(_url(case), with_version(case, {**posted, "action": "decide"}))
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED
