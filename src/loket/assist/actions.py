"""Every write of the assistant: training a model version (active only if no worse on the
frozen set), recording a suggestion, tying it to the report it led to, and a civil servant's
re-routing of a report."""

from __future__ import annotations

import hashlib
import pickle
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sklearn
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.assist.classifier import Ranked, meaningful_words, rank, train
from loket.assist.corpus import corpus_examples, corpus_files, frozen_examples
from loket.assist.evaluation import evaluate, worse_than
from loket.assist.finder_corpus import (
    build_index,
    development_situations,
    frozen_situations,
    independent_situations,
    no_fit_situations,
)
from loket.assist.finder_corpus import data_digest as finder_data_digest
from loket.assist.finder_evaluation import evaluate_finder, evaluate_no_fit
from loket.assist.finder_evaluation import worse_than as finder_worse_than
from loket.assist.finding import FINDER
from loket.assist.language import detect_language
from loket.assist.models import ModelVersion, Rerouting, Suggestion
from loket.assist.selectors import (
    INCIDENTS,
    _load,
    active_model,
    confirmed_reports,
)
from loket.cases.actions import (
    UnfitText,
    check_language,
    do_add_history_note,
    do_pass_to_administration,
    handling_administration,
)
from loket.cases.models import Case
from loket.cases.notices import PASSED_ON, do_notify_applicant
from loket.core.i18n import pick
from loket.core.models import User
from loket.forms.definitions import get_definition
from loket.incidents.actions import CATEGORY, INCIDENT_PROCEDURE
from loket.incidents.models import Incident

THRESHOLD = 0.45  # under this top confidence, the form asks instead of suggesting
MIN_WORDS = 3  # with fewer words that carry meaning (not "de", "sur", "is"), it asks too
MAX_TEXT = 2000
REROUTED = "assist-rerouted"  # history code of a re-routing (rendered in the reader's language)


class CannotReroute(Exception):
    pass


def corpus_digest() -> str:
    digest = hashlib.sha256()
    for path in corpus_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def do_train(task: str = INCIDENTS) -> ModelVersion:
    """Train on the corpus and the confirmed reports, measure on the frozen set, store the new
    version, and make it active if it is no worse than the active one."""
    if task == FINDER:
        return do_train_finder()
    assert task == INCIDENTS, task
    confirmed = confirmed_reports()
    examples = corpus_examples() + confirmed
    started = time.perf_counter()
    pipeline = train(examples)
    seconds = time.perf_counter() - started
    evaluation = evaluate(pipeline, frozen_examples(), THRESHOLD)
    evaluation["corpus_digest"] = corpus_digest()
    return _store(
        task, pipeline, evaluation, worse_than, seconds=seconds, threshold=THRESHOLD,
        corpus_examples=len(examples) - len(confirmed), confirmed_reports=len(confirmed),
    )  # fmt: skip


def do_train_finder() -> ModelVersion:
    """Index the catalogue and the curated vocabulary, measure it on the frozen set of situation
    sentences (and, for the record, on the development set, the independent check and the
    sentences that fit nothing), store it as a new version, active
    if no worse than the active one. No resident's search is used: none is kept."""
    started = time.perf_counter()
    index = build_index()
    seconds = time.perf_counter() - started
    evaluation = evaluate_finder(index, frozen_situations())
    evaluation["development"] = evaluate_finder(index, development_situations())
    evaluation["independent"] = evaluate_finder(index, independent_situations())
    evaluation["no_fit"] = evaluate_no_fit(index, no_fit_situations())
    evaluation["corpus_digest"] = finder_data_digest()
    return _store(
        FINDER, index, evaluation, finder_worse_than, seconds=seconds,
        threshold=index.weights.threshold, corpus_examples=len(index.phrases),
    )  # fmt: skip


def _store(
    task: str,
    model: object,
    evaluation: dict[str, Any],
    worse: Callable[[dict[str, Any], dict[str, Any]], str],
    **fields: Any,
) -> ModelVersion:
    """A new version of ``task``'s model, made active unless worse than the active one."""
    with transaction.atomic():
        current = ModelVersion.objects.select_for_update().filter(task=task, active=True).first()
        number = (ModelVersion.objects.filter(task=task).aggregate(n=Max("version"))["n"] or 0) + 1
        why_not = worse(evaluation, current.evaluation) if current else ""
        version = ModelVersion.objects.create(
            task=task, version=number, pipeline=pickle.dumps(model),
            training_seconds=fields.pop("seconds"), evaluation=evaluation,
            library_versions={"scikit-learn": sklearn.__version__},
            not_activated_because=why_not[:300], **fields,
        )  # fmt: skip
        if not why_not:
            if current is not None:
                ModelVersion.objects.filter(pk=current.pk).update(active=False)
            version.active = True
            version.activated_at = timezone.now()
            version.save(update_fields=["active", "activated_at"])
    return version


@dataclass(frozen=True)
class SuggestionResult:
    suggestion: Suggestion | None  # None when no model is trained yet
    language: str
    ranked: list[Ranked]

    @property
    def confident(self) -> bool:
        return bool(self.suggestion) and not self.suggestion.abstained  # type: ignore[union-attr]

    @property
    def top(self) -> Ranked | None:
        return self.ranked[0] if self.ranked else None


def too_short(text: str) -> bool:
    """Too few words that carry meaning to suggest from: two words ("lamp broken") make a
    confident-looking guess out of little, so Loket asks instead."""
    return len(meaningful_words(text)) < MIN_WORDS


def do_suggest(text: str, channel: str) -> SuggestionResult:
    """Rank the categories for a resident's words and record the suggestion (without the text).
    Under the threshold, or from too few meaningful words, it abstains: the form asks."""
    text = text[:MAX_TEXT]
    language = detect_language(text)
    loaded = active_model(INCIDENTS)
    if loaded is None or not text.strip():
        return SuggestionResult(None, language, [])
    version, pipeline = loaded
    ranked = rank(pipeline, [text])[0]
    suggestion = Suggestion.objects.create(
        model_version=version, channel=channel, language=language,
        ranked=[{"category": r.category, "confidence": round(r.confidence, 4)} for r in ranked],
        abstained=ranked[0].confidence < version.threshold or too_short(text),
    )  # fmt: skip
    return SuggestionResult(suggestion, language, ranked)


SUGGESTION_ANSWER = "suggestion_id"  # kept in the draft's answers by the form's "what" page


def on_case_saved(sender: type[Case], instance: Case, created: bool, **kwargs: Any) -> None:
    """A report sent: its suggestion (if one was made) learns the case and what was chosen."""
    if not created or kwargs.get("raw") or instance.procedure_id != INCIDENT_PROCEDURE:
        return
    suggestion_id = instance.answers.get(SUGGESTION_ANSWER)
    if not isinstance(suggestion_id, int):
        return
    Suggestion.objects.filter(pk=suggestion_id, case__isnull=True).update(
        case=instance, chosen_category=str(instance.answers.get(CATEGORY) or "")
    )


REASON_MAX = 500


def check_reroute_reason(case: Case, reason: str) -> None:
    """A reason is sent to the resident: in the case's language, and short."""
    if len(reason) > REASON_MAX:
        raise UnfitText(
            _("Keep the reason under %(count)d characters.") % {"count": REASON_MAX}, "reason"
        )
    if reason:
        check_language(case, reason, "reason", REASON_IN_OTHER_LANGUAGE)


REASON_IN_OTHER_LANGUAGE = gettext_lazy(
    "The reason is not in the language of the report, which the resident reads: nothing was "
    "changed. Language it seems written in: %(written)s. Language of the report: %(language)s."
)


@transaction.atomic
def do_reroute(case: Case, category: str, agent: User, reason: str = "") -> Rerouting:
    """A civil servant gives a report another category: the case goes to whoever handles that
    category there (and the resident is told, with the reason if one is given), one history
    entry says so, and the change is kept for the next training."""
    incident = Incident.objects.select_for_update().get(case=case)
    definition = get_definition(case.procedure_id, case.definition_version)
    choices = _category_choices(definition)
    if category not in choices or category == incident.category:
        raise CannotReroute(category)
    if not case.is_open:
        raise CannotReroute("closed")
    reason = reason.strip()
    check_reroute_reason(case, reason)
    answers = {**case.answers, CATEGORY: category}
    target = handling_administration(case.procedure, definition, {}, answers)
    rerouting = Rerouting.objects.create(
        case=case, agent=agent, from_category=incident.category, to_category=category,
        from_administration=case.administration_id, to_administration=target.pk, reason=reason,
    )  # fmt: skip
    incident.category = category
    incident.save(update_fields=["category"])
    Case.objects.filter(pk=case.pk).update(answers=answers)
    case.answers = answers
    passed = target.pk != case.administration_id
    params = {"category": _category_texts(definition, category), "reason": reason,
              "administration": target.name if passed else ""}  # fmt: skip
    with translation.override(case.language or "fr"):  # as written, in the case's language
        note = render_reroute_note(params)
    if passed:  # the change of hands carries the one history entry
        moved = do_pass_to_administration(
            case, target, note, actor=agent, code=REROUTED, params=params
        )
        case.administration, case.version = moved.administration, moved.version
        _tell_resident(case, rerouting, params)
    else:
        do_add_history_note(case, agent, note, REROUTED, params)
    return rerouting


def _tell_resident(case: Case, rerouting: Rerouting, params: Mapping[str, Any]) -> None:
    """The resident learns, in the case's language and under its door, who has the report now
    and which kind of problem they handle, with the civil servant's reason if given."""
    with translation.override(case.language or "fr"):
        details = _(
            'Your report "%(procedure)s" was passed to %(administration)s, who handles: '
            "%(category)s."
        ) % {"procedure": case.procedure.name, "administration": case.administration.name,
             "category": pick(params["category"])}  # fmt: skip
        if rerouting.reason:
            details += "\n" + _("Reason: %(reason)s") % {"reason": rerouting.reason}
    do_notify_applicant(
        case, PASSED_ON, f"rerouting-{rerouting.pk}", details=details, language=case.language
    )


def _raw_choices(definition: Any) -> dict[str, dict[str, str]]:
    if definition is None:
        return {}
    field = next((f for f in definition.fields() if f.name == CATEGORY), None)
    return dict(field.options.get("choices", {})) if field else {}


def _category_choices(definition: Any) -> dict[str, str]:
    return {key: pick(texts) for key, texts in _raw_choices(definition).items()}


def _category_texts(definition: Any, category: str) -> dict[str, str]:
    """The category's name in every language of the form, for a history entry any reader
    reads in their own language."""
    return dict(_raw_choices(definition).get(category) or {})


def render_reroute_note(params: Mapping[str, Any]) -> str:
    """The history entry of a re-routing, in the active language (``cases.history``): the new
    category, who has the report now if it changed hands, and the reason if one was given (as
    written, in the case's language)."""
    texts = params.get("category")
    name = pick(texts) if isinstance(texts, Mapping) else str(texts or "")
    note = _("Category changed by a civil servant to: %(category)s") % {"category": name}
    if params.get("administration"):
        note += " " + _("The report was passed to %(administration)s.") % {
            "administration": params["administration"]
        }
    if params.get("reason"):
        note += " " + _("Reason: %(reason)s") % {"reason": params["reason"]}
    return note


def reload_active_model() -> None:
    """Forget unpickled pipelines (tests, and a process that must see a new version now)."""
    _load.cache_clear()
