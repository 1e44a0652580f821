"""Reads for the assistant: the active model, who would handle a category, the reports a civil
servant confirmed (the next training set), the suggestion behind a case, and the live figures
of the suggestions for the algorithm register."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.db.models import Count, F, Q
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _
from sklearn.pipeline import Pipeline

from loket.assist.corpus import Example, scrub
from loket.assist.language import detect_language
from loket.assist.models import ModelVersion, Rerouting, Suggestion
from loket.cases.models import Case
from loket.core.models import Administration
from loket.core.prepared import PreparedRead
from loket.forms.definitions import get_definition
from loket.incidents.actions import INCIDENT_PROCEDURE
from loket.incidents.models import Incident
from loket.incidents.selectors import category_labels

INCIDENTS = "incidents"
DESCRIPTION = "description"
DECIDED = (Case.Status.APPROVED, Case.Status.REJECTED)


_IDENTITY = ("pk", "task", "version", "trained_at")


def active_model(task: str = INCIDENTS) -> tuple[ModelVersion, Pipeline] | None:
    """The active version and its pipeline (unpickled once per process and version)."""
    rows = _ACTIVE.rows(task)
    return _load(*rows[0]) if rows else None


# Read on every search and every report's suggestion: compiled once (core.prepared).
_ACTIVE = PreparedRead(
    lambda task: (
        ModelVersion.objects.filter(task=task, active=True)
        .order_by("pk")
        .values_list(*_IDENTITY)[:1]
    ),
    kinds=(str,),
)


def load_version(pk: int) -> tuple[ModelVersion, Pipeline]:
    """A stored version and its pipeline, by primary key."""
    return _load(*ModelVersion.objects.filter(pk=pk).values_list(*_IDENTITY).get())


@lru_cache(maxsize=4)
def _load(pk: int, task: str, version: int, trained_at: datetime) -> tuple[ModelVersion, Pipeline]:
    """Keyed by what identifies a version, not its primary key alone: a key can come back
    (SQLite reuses the ids of rows rolled back) and must not bring back another model."""
    stored = ModelVersion.objects.get(pk=pk)
    pipeline = pickle.loads(bytes(stored.pipeline))  # noqa: S301 - written by do_train
    return stored, pipeline


@dataclass(frozen=True)
class Handler:
    id: str
    name: str


def handler_of(category: str) -> Handler:
    """Who handles a report of ``category``, as the form's routing says, before the place is
    known: a body, or "Brussels Mobility on a regional road, else the municipality"."""
    definition = get_definition(INCIDENT_PROCEDURE)
    routing = definition.routing if definition else None
    for rule in routing.rules if routing else []:
        if category in rule.values:
            body = Administration.objects.filter(id=rule.to).first()
            name = body.name if body else rule.to
            if rule.road == "regional":
                return Handler(
                    f"{rule.to}|municipality-of-location",
                    _("%(body)s on a regional road, otherwise the municipality where it is")
                    % {"body": name},
                )
            return Handler(rule.to, name)
    return Handler("municipality-of-location", _("the municipality where it is"))


def confirmed_reports() -> list[Example]:
    """Reports whose category a civil servant confirmed (re-routed it, or decided the case as
    filed), their text scrubbed of names, numbers, e-mails and plates."""
    rerouted = Rerouting.objects.values_list("case_id", flat=True)
    incidents = (
        Incident.objects.filter(case__procedure_id=INCIDENT_PROCEDURE)
        .filter(Q(case_id__in=rerouted) | Q(case__status__in=DECIDED))
        .select_related("case")
        .order_by("pk")
    )
    examples = []
    for incident in incidents:
        text = scrub(str(incident.case.answers.get(DESCRIPTION) or ""))
        if text:
            examples.append(Example(text, incident.category, detect_language(text)))
    return examples


def suggestion_for(case: Case) -> Suggestion | None:
    return Suggestion.objects.filter(case=case).select_related("model_version").first()


def category_choices() -> list[tuple[str, str]]:
    return list(category_labels().items())


@dataclass(frozen=True)
class ShownRerouting:
    """A re-routing as the back-office shows it: the categories in the page's language."""

    rerouting: Rerouting
    from_label: str
    to_label: str


@dataclass(frozen=True)
class CaseSuggestion:
    """What the back-office shows of a report's suggestion."""

    suggestion: Suggestion | None
    category_label: str
    confidence: int
    chosen_label: str
    words: list[str]
    reroutings: list[ShownRerouting]
    categories: list[tuple[str, str]]
    current: str


def case_suggestion(case: Case) -> CaseSuggestion | None:
    """For a report: the suggestion made, its confidence, the words of the description that
    weighed most (with the model version that suggested), and the re-routings so far."""
    if case.procedure_id != INCIDENT_PROCEDURE:
        return None
    from loket.assist.classifier import weighing_words

    incident = Incident.objects.filter(case=case).first()
    labels = category_labels()
    suggestion = suggestion_for(case)
    words: list[str] = []
    label, confidence = "", 0
    if suggestion is not None and suggestion.ranked:
        top = str(suggestion.top["category"])
        label = labels.get(top, top)
        # A model is never certain: 99.6 % reads 99 %, not 100 %.
        confidence = min(99, round(float(str(suggestion.top["confidence"])) * 100))
        text = str(case.answers.get(DESCRIPTION) or "")
        if text and not case.anonymised_at:
            _version, pipeline = load_version(suggestion.model_version_id)
            words = weighing_words(pipeline, text, top)
    return CaseSuggestion(
        suggestion=suggestion, category_label=label, confidence=confidence,
        chosen_label=labels.get(suggestion.chosen_category, "") if suggestion else "",
        words=words, reroutings=[
            ShownRerouting(r, labels.get(r.from_category, r.from_category),
                           labels.get(r.to_category, r.to_category))
            for r in Rerouting.objects.filter(case=case).select_related("agent")
        ],
        categories=sorted(labels.items(), key=lambda pair: pair[1]),
        current=incident.category if incident else "",
    )  # fmt: skip


LIVE_DAYS = 90


@dataclass(frozen=True)
class LiveFigures:
    """What happened to the report classifier's suggestions over the last ``days`` days, from
    the recorded suggestions and re-routings (no text: only counts)."""

    days: int
    sent: int  # reports sent after Loket looked at their description
    accepted: int  # the resident kept the suggested kind
    changed: int  # the resident chose another kind
    asked: int  # Loket was not confident enough and asked the resident to choose
    rerouted: int  # reports whose kind a civil servant changed


def live_figures(days: int = LIVE_DAYS) -> LiveFigures:
    since = timezone.now() - timedelta(days=days)
    sent = (
        Suggestion.objects.filter(made_at__gte=since)
        .exclude(chosen_category="")
        .annotate(suggested=KT("ranked__0__category"))
    )
    counts = sent.aggregate(
        sent=Count("pk"),
        asked=Count("pk", filter=Q(abstained=True)),
        accepted=Count("pk", filter=Q(abstained=False, chosen_category=F("suggested"))),
    )
    answered = counts["sent"] - counts["asked"]
    rerouted = Rerouting.objects.filter(at__gte=since).values("case").distinct().count()
    return LiveFigures(
        days=days, sent=counts["sent"], accepted=counts["accepted"],
        changed=answered - counts["accepted"], asked=counts["asked"], rerouted=rerouted,
    )  # fmt: skip
