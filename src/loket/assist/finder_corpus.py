"""What the procedure finder is built from and measured on: the catalogue's own texts, the
curated vocabulary, the development set (tuned on), the frozen test set and the frozen no-fit
set (never tuned on).
The files are under ``data/finder`` (see its README)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from loket.assist.finder import FinderIndex, Phrase, Weights
from loket.catalog.models import LifeEvent, Procedure
from loket.catalog.search import index as catalogue_index

DATA = Path(__file__).resolve().parent / "data" / "finder"
VOCABULARY = DATA / "vocabulary.yaml"
DEVELOPMENT = DATA / "development.tsv"
FROZEN = DATA / "frozen-test.tsv"
INDEPENDENT = DATA / "independent-check.tsv"  # written by another person, after the fact
NO_FIT = DATA / "no-fit.tsv"  # sentences that fit no procedure; frozen, never tuned on
NOTHING = "-"  # a development sentence that fits no procedure


@dataclass(frozen=True)
class Situation:
    """A sentence and what it should find (any of the procedures, any of the life events)."""

    text: str
    language: str
    procedures: tuple[str, ...]
    life_events: tuple[str, ...]

    @property
    def fits_nothing(self) -> bool:
        return self.procedures == (NOTHING,)


def situations(path: Path) -> list[Situation]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            language, procedures, events, text = line.split("\t")
            rows.append(
                Situation(text, language, tuple(procedures.split(",")), tuple(events.split(",")))
            )
    return rows


def frozen_situations() -> list[Situation]:
    return situations(FROZEN)


def development_situations() -> list[Situation]:
    return situations(DEVELOPMENT)


def independent_situations() -> list[Situation]:
    return situations(INDEPENDENT)


def no_fit_situations() -> list[Situation]:
    return situations(NO_FIT)


@cache
def vocabulary() -> dict[str, dict[str, list[str]]]:
    loaded: dict[str, dict[str, list[str]]] = yaml.safe_load(VOCABULARY.read_text("utf-8"))
    return loaded


def data_digest() -> str:
    digest = hashlib.sha256()
    for path in (VOCABULARY, DEVELOPMENT, FROZEN, INDEPENDENT, NO_FIT):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _texts(value: Any) -> list[str]:
    """Every text of a {language: text or [texts]} field."""
    found: list[str] = []
    for item in (value or {}).values():
        found.extend(item if isinstance(item, list) else [item])
    return [str(text) for text in found if text]


def catalogue_phrases() -> list[Phrase]:
    """Each procedure's names, keywords and life events from the catalogue, then the curated
    vocabulary: the phrases the finder compares a sentence with."""
    words = vocabulary()
    phrases = []
    for procedure in Procedure.objects.prefetch_related("life_events").order_by("position", "id"):
        own = _texts(procedure.names) + _texts(procedure.keywords)
        own += [name for event in procedure.life_events.all() for name in _texts(event.names)]
        own += _texts(words.get(procedure.id, {}))
        phrases += [Phrase(procedure.id, text) for text in own]
    return phrases


def build_index(weights: Weights | None = None) -> FinderIndex:
    """A fitted index of the catalogue as it is now and the vocabulary."""
    events = LifeEvent.objects.order_by("position", "id").values_list("id", flat=True)
    order = {event: i for i, event in enumerate(events)}
    procedures = Procedure.objects.prefetch_related("life_events").order_by("position", "id")
    life_events = {
        p.id: sorted((e.id for e in p.life_events.all()), key=lambda e: order.get(e, 99))
        for p in procedures
    }
    return FinderIndex(
        procedure_ids=list(life_events), life_events=life_events,
        phrases=catalogue_phrases(), weights=weights or Weights(),
    ).fit()  # fmt: skip


def lexical_scores(text: str) -> dict[str, float]:
    """The catalogue search's score (0-1) of each procedure it finds for ``text``."""
    return {hit.procedure_id: hit.score / 100 for hit in catalogue_index.search(text, limit=60)}
