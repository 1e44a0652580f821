"""A field's radios and check boxes are written by ``{% field_options %}``
(web/templatetags/fields.py) as the template loop it replaced wrote them: the same HTML for
radios, several check boxes, values and labels to escape, a chosen option, and an option blocked
by a running grant (with its link), in each language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from loket.catalog.search import held_catalogue
from loket.web.views.apply import _ChoiceSomeBlocked
from loket.web.views.performance import FeedbackForm

# The loop web/includes/field.html held before the tag.
LOOP = Template(
    (Path(__file__).parent / "data" / "templates" / "field_options_loop.html").read_text()
)
TAG = Template('{% load fields %}    <div class="radios">{% field_options field %}\n    </div>')


class Grant:
    def __init__(self, reference: str, awaiting_payment: bool) -> None:
        self.reference = reference
        self.awaiting_payment = awaiting_payment


class Choices(forms.Form):
    plain = forms.ChoiceField(
        choices=[("a&b", "Tom & <Jerry>"), ("2", "Two"), ("x", "“Quoted” 'one'")],
        widget=forms.RadioSelect,
    )
    several = forms.MultipleChoiceField(
        choices=[("1", "One"), ("2", "Two <b>"), ("3", "Three")],
        widget=forms.CheckboxSelectMultiple,
    )
    vehicle = forms.ChoiceField(
        choices=[("1-ABC-123", "1-ABC-123 · VW"), ("2-DEF-456", "2-DEF-456"), ("3-GHI-789", "3")],
        widget=_ChoiceSomeBlocked(
            {
                "1-ABC-123": Grant("BRU-2026-0000001-00", True),  # type: ignore[dict-item]
                "2-DEF-456": None,
            }
        ),
    )


BOUND: list[tuple[str, dict[str, Any] | None]] = [
    ("plain", None),
    ("plain", {"plain": "a&b"}),
    ("several", {"several": ["1", "3"]}),
    ("vehicle", {"vehicle": "3-GHI-789"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "nl", "en"])
@pytest.mark.parametrize(("name", "data"), BOUND)
def test_the_options_are_what_the_template_loop_wrote(
    name: str, data: dict[str, Any] | None, language: str
) -> None:
    with translation.override(language):
        field = Choices(data)[name]
        assert TAG.render(Context({"field": field})) == LOOP.render(Context({"field": field}))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_feedback_question_is_what_the_template_loop_wrote(language: str) -> None:
    procedure = next(iter(held_catalogue().procedures.values()))
    with translation.override(language):
        for data in (None, {"score": "4"}):
            field = FeedbackForm(data, procedure=procedure)["score"]
            assert TAG.render(Context({"field": field})) == LOOP.render(Context({"field": field}))
