"""Finding procedures the way people type: any of the three languages, no accents, small typos.

The catalogue is small (tens of procedures), so the index is built in memory from the database
and rebuilt when the catalogue changes: at once in the process that changed it, within
``RECHECK_SECONDS`` in the others (``core.versioned``, topic "catalogue").
Matching is per word with rapidfuzz: exact or prefix matches score highest, a word one or two
letters off still counts.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from loket.catalog.models import LifeEvent, Procedure
from loket.core.versioned import VersionedReference

# Words that carry no meaning for finding a procedure, in French, Dutch and English.
STOPWORDS = frozenset(
    # French
    "a au aux d de des du en et l la le les pour un une sur avec mon ma mes je".split()
    # Dutch
    + "een het de van voor en in op met mijn ik te".split()
    # English
    + "a an the of for and to in on my i".split()
)
WORD = re.compile(r"[a-z0-9]+")
MIN_SCORE = 60.0


def normalise(text: str) -> str:
    """Lower case, accents removed: ``Déménagement`` → ``demenagement``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return [w for w in WORD.findall(normalise(text)) if w not in STOPWORDS]


def _has(vocabulary: tuple[str, ...], word: str) -> bool:
    at = bisect_left(vocabulary, word)
    return at < len(vocabulary) and vocabulary[at] == word


def similarities(query_word: str, vocabulary: tuple[str, ...]) -> dict[str, float]:
    """How well each word of a sorted ``vocabulary`` matches a typed word, the words that do not
    match left out. The first rule that applies gives the score: the same word 100; a word that
    goes on past a typed word of 3 letters or more 95; a word of 5 letters or more that the typed
    word goes on past 85; else, for a typed word of 4 letters or more, rapidfuzz's ratio when it
    is 80 or more. The ratios are computed over the whole vocabulary in one call; the other rules
    by a range of the sorted words and a few lookups (tests/test_search.py checks the scores
    against the rules applied one word at a time)."""
    scores: dict[str, float] = {}
    if len(query_word) >= 4:
        near = process.extract(
            query_word, vocabulary, scorer=fuzz.ratio, score_cutoff=80, limit=None
        )
        scores.update((word, score) for word, score, _index in near)
    if len(query_word) >= 5:
        scores.update((query_word[:n], 85.0) for n in range(5, len(query_word))
                      if _has(vocabulary, query_word[:n]))  # fmt: skip
    if len(query_word) >= 3:
        start = bisect_left(vocabulary, query_word)
        end = bisect_left(vocabulary, query_word + "\U0010ffff")
        scores.update((word, 95.0) for word in vocabulary[start:end])
    if _has(vocabulary, query_word):
        scores[query_word] = 100.0
    return scores


@dataclass(frozen=True)
class Field:
    weight: float
    words: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    procedure_id: str
    score: float


def _fields(procedure: Procedure) -> list[Field]:
    def joined(texts: dict[str, str] | dict[str, list[str]]) -> str:
        parts: list[str] = []
        for value in texts.values():
            parts.extend(value if isinstance(value, list) else [value])
        return " ".join(parts)

    events = " ".join(joined(event.names) for event in procedure.life_events.all())
    return [
        Field(1.0, tuple(words(joined(procedure.names)))),
        Field(0.95, tuple(words(joined(procedure.keywords)))),
        Field(0.7, tuple(words(events))),
        Field(0.5, tuple(words(joined(procedure.summary)))),
    ]


def _field_score(each_word: list[dict[str, float]], field: Field) -> float:
    """The field's score: for each query word (its similarity to every word of the catalogue),
    the best of the field's words, averaged and weighted."""
    if not field.words:
        return 0.0
    total = sum(max(scores.get(w, 0.0) for w in field.words) for scores in each_word)
    return field.weight * total / len(each_word)


@dataclass(frozen=True)
class HeldCatalogue:
    """The catalogue as every process holds it: the procedures in catalogue order (each with
    its administration and life events), the life events in order (each with its procedures),
    and the procedures' words for search. Shared by the requests of a process: read it, never
    change it."""

    procedures: dict[str, Procedure]
    life_events: list[LifeEvent]
    fields: dict[str, list[Field]]
    vocabulary: tuple[str, ...]  # every word of every field, sorted: compared once per query word


def _load() -> HeldCatalogue:
    held = Procedure.objects.select_related("administration").prefetch_related("life_events")
    procedures = {p.id: p for p in held}
    life_events = list(LifeEvent.objects.prefetch_related("procedures"))
    fields = {procedure_id: _fields(p) for procedure_id, p in procedures.items()}
    vocabulary = tuple(
        sorted({w for each in fields.values() for field in each for w in field.words})
    )
    return HeldCatalogue(procedures, life_events, fields, vocabulary)


# Rebuilt at once after a change in this process, within RECHECK_SECONDS after one in another.
RECHECK_SECONDS = 5.0
catalogue = VersionedReference("catalogue", _load, recheck_seconds=RECHECK_SECONDS)
# A procedure or a life event saved or deleted, a procedure's life events changed.
catalogue.follow(Procedure, LifeEvent, m2m=(Procedure.life_events.through,))


def held_catalogue() -> HeldCatalogue:
    """The catalogue from memory: the home page, the catalogue and search read it without a
    query (and without decoding every procedure's texts again) between two version checks."""
    return catalogue.get()


class ProcedureIndex:
    """Search over the held catalogue's words."""

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        query_words = words(query)
        if not query_words:
            return []
        held = held_catalogue()
        each_word = [similarities(q, held.vocabulary) for q in query_words]
        hits = []
        for procedure_id, fields in held.fields.items():
            score = max(_field_score(each_word, field) for field in fields)
            if score >= MIN_SCORE:
                hits.append(Hit(procedure_id, round(score, 1)))
        hits.sort(key=lambda hit: -hit.score)
        return hits[:limit]


index = ProcedureIndex()


def search_procedures(query: str, limit: int = 10) -> list[Procedure]:
    """Procedures matching ``query``, best first."""
    by_id = held_catalogue().procedures
    return [by_id[hit.procedure_id] for hit in index.search(query, limit)]
