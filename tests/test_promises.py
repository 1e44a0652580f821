"""What each procedure page promises ("what you receive", "how long") holds against what the
platform does with the procedure's definition: a page never promises what Loket does not do."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from loket.appointments.models import Schedule
from loket.appointments.seed import seed_demo_help_points
from loket.appointments.services import PROCEDURE_SERVICE
from loket.cases.delivery import delivered_at_once
from loket.cases.models import Case, CaseEvent
from loket.catalog.models import Procedure
from loket.core.holidays import add_working_days
from loket.forms.definitions import get_definition
from loket.payments.fees import published_fees
from tests.test_all_procedures import PROCEDURES, applicant_for, client_for, submit

LANGUAGES = ("fr", "nl", "en")
# Words that promise a document at once, in each language.
AT_ONCE = {
    "fr": ("tout de suite", "immédiatement", "aussitôt"),
    "nl": ("meteen", "onmiddellijk", "direct"),
    "en": ("straight away", "at once", "immediately"),
}
SIGNED = {"fr": "signé", "nl": "ondertekend", "en": "signed"}
HOW_LONG = {"fr": "Combien de temps", "nl": "Hoelang", "en": "How long it takes"}
COSTS = {"fr": "Ce que cela coûte", "nl": "Wat het kost", "en": "What it costs"}
NOT_PAID_HERE = {"fr": "pas payé ici", "nl": "niet hier betaald", "en": "not paid here"}


def _promises_at_once(text: str, language: str) -> bool:
    return any(word in text.lower() for word in AT_ONCE[language])


def _in_short(client: Client, procedure_id: str, language: str, labels: dict[str, str]) -> str:
    """The text of one line of the page's "In short" list, found by its label."""
    page = client.get(f"/{language}/procedures/{procedure_id}/").content.decode()
    items = re.findall(r"<li><strong>([^<]*)</strong>(.*?)</li>", page, re.S)
    # The line's text, without its markup (a cost collected here links to its section).
    return next(re.sub(r"<[^>]+>", "", text) for label, text in items if labels[language] in label)


def _how_long(client: Client, procedure_id: str, language: str) -> str:
    return _in_short(client, procedure_id, language, HOW_LONG)


@pytest.mark.django_db
@pytest.mark.parametrize("procedure_id", PROCEDURES)
def test_each_page_promises_what_the_definition_delivers(procedure_id: str) -> None:
    procedure = Procedure.objects.get(id=procedure_id)
    at_once = bool(delivered_at_once(get_definition(procedure_id)))
    client = Client()
    for language in LANGUAGES:
        receive = procedure.you_receive[language]
        assert _promises_at_once(receive, language) == at_once, (language, receive)
        if SIGNED[language] in receive.lower():
            assert at_once, f"{procedure_id} promises a signed document it does not seal"
        how_long = _how_long(client, procedure_id, language)
        assert _promises_at_once(how_long, language) == at_once, (language, how_long)
        assert str(procedure.processing_days) in how_long, (language, how_long)


@pytest.mark.django_db
@pytest.mark.parametrize("procedure_id", PROCEDURES)
def test_the_promised_time_is_the_time_the_case_gets(procedure_id: str) -> None:
    """At once means delivered when sent (or passed on with the reason); otherwise the answer is
    due the promised number of working days after sending."""
    procedure = Procedure.objects.get(id=procedure_id)
    case = submit(client_for(applicant_for(procedure)), procedure_id)
    assert procedure.processing_days > 0
    assert case.due_on == add_working_days(
        timezone.localtime(case.submitted_at).date(), procedure.processing_days
    )
    if delivered_at_once(get_definition(procedure_id)):
        delivered = case.status == Case.Status.DELIVERED
        referred = case.events.filter(kind=CaseEvent.Kind.REFERRAL).exists()
        assert delivered != referred
        assert delivered == case.certificates.filter(status="valid").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("procedure_id", PROCEDURES)
def test_a_cost_not_asked_online_is_said_not_paid_here_and_no_payment_is_asked(
    procedure_id: str,
) -> None:
    """A page that names an amount Loket does not collect says so, and sending asks no payment;
    an amount Loket collects is shown in the page's "Cost" section and asked after sending."""
    procedure = Procedure.objects.get(id=procedure_id)
    collected = bool(published_fees(procedure_id))
    client = Client()
    for language in LANGUAGES:
        costs = _in_short(client, procedure_id, language, COSTS)
        said_not_paid_here = NOT_PAID_HERE[language] in costs
        assert said_not_paid_here == (bool(procedure.fee_eur) and not collected), (language, costs)
    if procedure.fee_eur and not collected:
        case = submit(client_for(applicant_for(procedure)), procedure_id)
        assert case.status != Case.Status.AWAITING_PAYMENT
        assert not case.payments.exists()


BOOKED_WITHOUT_LOGIN = ("digital-help-appointment", "identity-card-appointment")


@pytest.mark.django_db
@pytest.mark.parametrize("procedure_id", BOOKED_WITHOUT_LOGIN)
def test_a_page_that_says_no_login_is_needed_books_without_login(procedure_id: str) -> None:
    """The page's one primary action books a time slot, its "what you need" asks no eID or
    itsme, and an anonymous visitor who follows it reaches the time page, not the login."""
    seed_demo_help_points()
    visitor = Client()
    page = visitor.get(f"/en/procedures/{procedure_id}/").content.decode()
    primary = re.findall(r'class="button button-start"[^>]*href="([^"]+)"', page)
    assert len(primary) == 1 and "/help-points/?service=" in primary[0], primary
    assert 'id="apply-with-login"' in page and "button-secondary" in page  # the login path
    need = re.search(r'id="what-you-need"><strong>[^<]*</strong>([^<]*)</li>', page)
    assert need is not None and "no eID or itsme" in need.group(1)
    service = PROCEDURE_SERVICE[procedure_id]
    schedule = Schedule.objects.filter(service=service, help_point__is_active=True).first()
    assert schedule is not None
    booking = visitor.get(f"/en/appointments/book/{schedule.help_point_id}/{service}/")
    assert booking.status_code == 200 and "You do not need eID or itsme" in booking.content.decode()


@pytest.mark.django_db
def test_a_page_that_needs_a_login_still_says_so() -> None:
    page = Client().get("/en/procedures/residents-parking-card/").content.decode()
    assert "your eID card or itsme to log in." in page
    assert 'id="apply-with-login"' not in page
