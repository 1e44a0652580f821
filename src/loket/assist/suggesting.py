"""The suggestion on the report form's "what" page: computed from the words typed on the page
before, recorded once per text, and offered for the resident to confirm or change."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from loket.assist.actions import SUGGESTION_ANSWER, do_suggest
from loket.assist.models import Suggestion
from loket.assist.selectors import DESCRIPTION, Handler, handler_of
from loket.forms.definitions import PageDefinition
from loket.incidents.actions import CATEGORY, INCIDENT_PROCEDURE
from loket.incidents.selectors import category_labels

TEXT_ANSWER = "suggestion_text"  # a digest of the words the suggestion was made from


@dataclass(frozen=True)
class Offered:
    category: str
    label: str
    handler: Handler
    confidence: float

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


@dataclass
class PageSuggestion:
    confident: bool
    language: str
    offered: list[Offered] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)  # to keep in the draft

    @property
    def top(self) -> Offered | None:
        return self.offered[0] if self.offered else None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def suggestion_for_page(
    procedure_id: str, page: PageDefinition, answers: dict[str, Any]
) -> PageSuggestion | None:
    """For the page that asks the report's category, what the model suggests from the
    description; None on any other page, or before a model is trained."""
    if procedure_id != INCIDENT_PROCEDURE or not any(f.name == CATEGORY for f in page.fields):
        return None
    text = str(answers.get(DESCRIPTION) or "")
    if not text.strip():
        return None
    digest = _digest(text)
    suggestion = None
    if answers.get(TEXT_ANSWER) == digest and isinstance(answers.get(SUGGESTION_ANSWER), int):
        suggestion = Suggestion.objects.filter(pk=answers[SUGGESTION_ANSWER]).first()
    if suggestion is None:
        result = do_suggest(text, Suggestion.Channel.FORM)
        suggestion = result.suggestion
    if suggestion is None:
        return None
    labels = category_labels()
    offered = [
        Offered(r["category"], labels.get(r["category"], r["category"]), handler_of(r["category"]),
                float(r["confidence"]))
        for r in suggestion.ranked
    ]  # fmt: skip
    return PageSuggestion(
        confident=not suggestion.abstained,
        language=suggestion.language,
        offered=offered,
        answers={SUGGESTION_ANSWER: suggestion.pk, TEXT_ANSWER: digest},
    )


def with_suggested_category(answers: dict[str, Any], suggestion: PageSuggestion | None) -> dict:
    """The answers with the suggested category pre-selected, unless the resident chose one or
    the model was not confident enough (then it asks)."""
    if suggestion is None or not suggestion.confident or answers.get(CATEGORY):
        return answers
    assert suggestion.top is not None
    return {**answers, CATEGORY: suggestion.top.category}
