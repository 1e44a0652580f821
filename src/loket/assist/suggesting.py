"""The suggestion on the report form's "what" page: computed from the words typed on the page
before, recorded once per text, and offered for the resident to confirm or change.

When the resident goes back and describes the problem anew, the choice follows: a category
taken from the earlier suggestion becomes the new suggestion's (or is cleared when Loket is
no longer confident), and a category the resident picked against the earlier suggestion is
cleared so that the page asks again, never kept silently against what the words now say."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from loket.assist.actions import SUGGESTION_ANSWER, do_suggest, too_short
from loket.assist.models import Suggestion
from loket.assist.selectors import DESCRIPTION, Handler, handler_of
from loket.forms.definitions import FormDefinition, PageDefinition
from loket.incidents.actions import CATEGORY, INCIDENT_PROCEDURE
from loket.incidents.selectors import category_labels

TEXT_ANSWER = "suggestion_text"  # a digest of the words the suggestion was made from
# From this confidence up, the resident reads "quite sure", under it "not sure" (and under the
# model's threshold, Loket asks). On the frozen set (270 texts), 99.5 % of the suggestions at
# 0.8 or more were right, 93 % of those between 0.45 and 0.8: see decision 0012.
QUITE_SURE = 0.8


@dataclass(frozen=True)
class Offered:
    category: str
    label: str
    handler: Handler
    confidence: float

    @property
    def quite_sure(self) -> bool:
        """What the resident reads instead of a percentage (which never says 100 %)."""
        return self.confidence >= QUITE_SURE


@dataclass
class PageSuggestion:
    confident: bool
    language: str
    offered: list[Offered] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)  # to keep in the draft
    too_short: bool = False  # fewer meaningful words than a suggestion needs: Loket asks
    cleared: str = ""  # the label of a choice cleared because the description changed
    selected: str = ""  # the category chosen in the list as the page shows it

    @property
    def selected_label(self) -> str:
        return category_labels().get(self.selected, "")

    @property
    def differs(self) -> bool:
        """A category is chosen in the list, and it is not the one Loket suggests."""
        top = self.top
        return bool(self.selected) and (top is None or not self.confident
                                        or self.selected != top.category)  # fmt: skip

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
    earlier = None
    if isinstance(answers.get(SUGGESTION_ANSWER), int):
        earlier = Suggestion.objects.filter(pk=answers[SUGGESTION_ANSWER]).first()
    suggestion = earlier if answers.get(TEXT_ANSWER) == digest else None
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
    shown = PageSuggestion(
        confident=not suggestion.abstained,
        language=suggestion.language,
        offered=offered,
        answers={SUGGESTION_ANSWER: suggestion.pk, TEXT_ANSWER: digest},
        too_short=too_short(text),
    )
    new_words = answers.get(TEXT_ANSWER) not in (None, digest)
    if new_words and answers.get(CATEGORY):
        _follow_new_description(shown, str(answers[CATEGORY]), earlier, labels)
    return shown


def _follow_new_description(
    page: PageSuggestion, chosen: str, earlier: Suggestion | None, labels: dict[str, str]
) -> None:
    """The description changed after a category was chosen: the choice follows the new
    suggestion when it was the earlier suggestion's, else it is cleared for the page to ask
    (unless the new suggestion agrees with it)."""
    new = page.top.category if page.confident and page.top else ""
    if chosen == new:
        return
    took_suggestion = (
        earlier is not None and not earlier.abstained and earlier.top.get("category") == chosen
    )
    if took_suggestion and new:
        page.answers[CATEGORY] = new
    else:
        page.answers[CATEGORY] = ""
        page.cleared = labels.get(chosen, chosen)


def with_suggested_category(answers: dict[str, Any], suggestion: PageSuggestion | None) -> dict:
    """The answers with the suggested category pre-selected, unless the resident chose one,
    a choice was cleared for the page to ask, or the model was not confident enough (then it
    asks). Notes on ``suggestion`` which category the list shows."""
    if suggestion is not None and suggestion.confident and CATEGORY not in answers:
        assert suggestion.top is not None
        answers = {**answers, CATEGORY: suggestion.top.category}
    if suggestion is not None:
        suggestion.selected = str(answers.get(CATEGORY) or "")
    return answers


def category_page(definition: FormDefinition) -> PageDefinition | None:
    """The page that asks the report's category (where the suggestion is offered)."""
    return next((p for p in definition.pages if any(f.name == CATEGORY for f in p.fields)), None)


def described_anew(procedure_id: str, answers: dict[str, Any]) -> bool:
    """The description differs from the one the last suggestion was made from, after a
    category was chosen: the category page must be seen again before the report is sent."""
    if procedure_id != INCIDENT_PROCEDURE or not answers.get(CATEGORY):
        return False
    made_from = answers.get(TEXT_ANSWER)
    text = str(answers.get(DESCRIPTION) or "")
    return made_from is not None and bool(text.strip()) and made_from != _digest(text)
