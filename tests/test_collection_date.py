"""A bulky-waste collection cannot be asked for before Bruxelles-Propreté has had its time to
answer: the earliest date is the first working day after the answer deadline (working days,
Belgian and Brussels public holidays not counted), refused on the server with a message, given
to the date input as its ``min`` and said in the hint."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import formats, timezone, translation

from loket.cases.models import Case
from loket.catalog.models import Procedure
from loket.core.holidays import is_working_day, next_working_day
from loket.forms.definitions import get_definition
from loket.forms.fields import BoundedDateField, build_field
from loket.forms.models import Draft
from tests.test_localised_answers import first_collection_day

pytestmark = pytest.mark.django_db

WASTE = "/en/procedures/bulky-waste-collection/apply/"


def _on_the_date_page(client: Client) -> None:
    client.post(WASTE, {"use_registers": "yes"})
    items = {"items": ["furniture"], "volume_m3": "1"}
    assert client.post(f"{WASTE}q/items/", items).status_code == 302


def test_the_answer_deadline_counts_working_days_past_weekends_and_holidays() -> None:
    waste = Procedure.objects.get(id="bulky-waste-collection")
    assert waste.processing_days == 10
    # Sent on Friday 15 December 2028 (a fixed day, to hold the rule, not today): the ten
    # working days skip two weekends, Christmas (Monday 25) and New Year's Day (Monday 1) and
    # end on Tuesday 2 January; the first collection day is Wednesday 3 January.
    sent = date(2028, 12, 15)
    deadline = waste.answer_deadline(sent)
    assert deadline == date(2029, 1, 2)
    assert next_working_day(deadline + timedelta(days=1)) == date(2029, 1, 3)
    # Without holidays it would be ten weekdays: 29 December.
    assert sent + timedelta(days=14) == date(2028, 12, 29)


def test_a_date_before_the_deadline_is_refused_with_a_message_and_kept(
    resident_client: Client,
) -> None:
    _on_the_date_page(resident_client)
    earliest = first_collection_day()
    waste = Procedure.objects.get(id="bulky-waste-collection")
    deadline = waste.answer_deadline(timezone.localdate())
    assert earliest > deadline and is_working_day(earliest)
    too_soon = (earliest - timedelta(days=1)).isoformat()
    refused = resident_client.post(f"{WASTE}q/date/", {"preferred_date": too_soon})
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "the administration has until" in page
    assert f'value="{too_soon}"' in page  # what was typed is kept
    accepted = resident_client.post(f"{WASTE}q/date/", {"preferred_date": earliest.isoformat()})
    assert accepted.status_code == 302


def test_the_date_input_has_the_earliest_day_as_min_and_the_hint_says_it(
    resident_client: Client,
) -> None:
    _on_the_date_page(resident_client)
    page = resident_client.get(f"{WASTE}q/date/").content.decode()
    earliest = first_collection_day()
    assert f'min="{earliest.isoformat()}"' in page
    latest = timezone.localdate() + timedelta(days=60)
    assert f'max="{latest.isoformat()}"' in page
    with translation.override("en"):
        deadline = Procedure.objects.get(id="bulky-waste-collection").answer_deadline(
            timezone.localdate()
        )
        said = (
            f"The administration has until {formats.date_format(deadline)} to answer your "
            f"application: choose {formats.date_format(earliest)} or later."
        )
    assert said in page


def test_a_field_after_the_answer_deadline_cannot_be_built_without_it() -> None:
    definition = get_definition("bulky-waste-collection")
    assert definition is not None
    page = definition.page("date")
    assert page is not None
    with pytest.raises(ValueError, match="answer deadline"):
        build_field(page.fields[0], {})
    deadline = timezone.localdate() + timedelta(days=3)
    field = build_field(page.fields[0], {}, deadline)
    assert isinstance(field, BoundedDateField)
    assert field.earliest == next_working_day(deadline + timedelta(days=1))


def test_a_day_saved_earlier_that_is_no_longer_possible_is_asked_again_before_sending(
    resident_client: Client,
) -> None:
    _on_the_date_page(resident_client)
    earliest = first_collection_day()
    resident_client.post(f"{WASTE}q/date/", {"preferred_date": earliest.isoformat()})
    resident_client.post(f"{WASTE}q/access/", {"contact_phone": "0470123456"})
    check = resident_client.get(f"{WASTE}check/")
    assert check.status_code == 200
    key = str(check.context["draft"].idempotency_key)
    # As if saved days ago: the day is now before the answer deadline.
    draft = Draft.objects.get(procedure_id="bulky-waste-collection")
    draft.answers = {**draft.answers, "preferred_date": timezone.localdate().isoformat()}
    draft.save()
    sent = resident_client.post(f"{WASTE}check/", {"idempotency_key": key})
    assert sent.status_code == 302 and sent["Location"].endswith("/q/date/")
    assert not Case.objects.filter(idempotency_key=key).exists()
    page = resident_client.get(sent["Location"]).content.decode()
    assert "A date you chose is no longer possible: choose another." in page
