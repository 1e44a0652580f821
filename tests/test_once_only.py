"""No form asks the applicant for what a register of the same procedure already gives."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from loket.catalog.models import Procedure
from loket.forms.definitions import parse
from loket.forms.once_only import check, once_only_report


@pytest.mark.django_db
def test_no_catalogued_procedure_asks_again_for_an_attribute_its_needs_cover() -> None:
    problems = {row.procedure_id: row.duplicates for row in once_only_report() if row.duplicates}
    assert problems == {}


@pytest.mark.django_db
def test_the_report_counts_prefilled_and_typed_fields() -> None:
    out = StringIO()
    call_command("report", "once-only", stdout=out)
    line = next(li for li in out.getvalue().splitlines() if li.startswith("residents-parking-card"))
    assert line.split()[1:4] == ["4", "2", "67%"]  # the social status prefilled too (the fee)


LABEL = {"fr": "x", "nl": "x", "en": "x"}


@pytest.mark.django_db
def test_a_form_that_asks_for_the_address_again_is_caught() -> None:
    definition = parse(
        {
            "procedure": "residents-parking-card",
            "facts": ["population.identity"],
            "pages": [
                {
                    "id": "p",
                    "title": LABEL,
                    "fields": [
                        {"name": "street", "type": "text", "label": LABEL},
                        {"name": "plate", "type": "licence_plate", "label": LABEL},
                    ],
                }
            ],
        },
        "test.yaml",
    )
    row = check(Procedure.objects.get(id="residents-parking-card"), definition)
    assert row.duplicates == [
        "street repeats population.address",
        "plate repeats vehicle.registrations",
    ]
