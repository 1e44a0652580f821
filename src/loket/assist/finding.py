"""Finding procedures from a resident's words, for the search page, the home page's search and
the API: the active finder model ranks the procedures and the life events that fit, and the
language the sentence was understood in is told. Before any finder model is trained, the
catalogue's word search answers alone. Nothing of the search text is kept."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from loket.assist.finder import FinderIndex
from loket.assist.finder_corpus import lexical_scores
from loket.assist.language import detect_language
from loket.assist.selectors import active_model
from loket.catalog.models import LifeEvent, Procedure
from loket.catalog.search import held_catalogue, search_procedures

FINDER = "finder"
MAX_QUERY = 200
SENTENCE_WORDS = 3  # from this many words on, the language of the text is told
SHOWN = 5  # a page shows at most this many procedures: more would be noise, not choice


@dataclass(frozen=True)
class Finding:
    procedures: list[Procedure]
    life_events: list[LifeEvent] = field(default_factory=list)
    language: str = ""  # the language the sentence was understood in; "" when too short
    model_version: int | None = None  # the finder version that ranked, None for word search


def understood_language(query: str) -> str:
    return detect_language(query) if len(query.split()) >= SENTENCE_WORDS else ""


def find_procedures(query: str, limit: int = SHOWN) -> Finding:
    """The procedures and the life events that fit ``query``, best first."""
    query = query.strip()[:MAX_QUERY]
    if not query:
        return Finding([])
    language = understood_language(query)
    loaded = active_model(FINDER)
    index = loaded[1] if loaded else None
    if loaded is None or not isinstance(index, FinderIndex):
        procedures = search_procedures(query, limit)
        return Finding(procedures, _events_of(procedures), language)
    ranked = index.rank(query, lexical_scores(query))[:limit]
    held = held_catalogue()  # procedures and life events from memory, no query
    procedures = [held.procedures[pid] for pid, _score in ranked if pid in held.procedures]
    event_ids = index.life_events_for(ranked)
    events = {event.id: event for event in held.life_events}
    return Finding(
        procedures, [events[e] for e in event_ids if e in events], language, loaded[0].version
    )


def _events_of(procedures: list[Procedure], limit: int = 2) -> list[LifeEvent]:
    """Without a finder model: the life events most shared by the first procedures found."""
    counts: Counter[str] = Counter()
    for place, procedure in enumerate(procedures[:5]):
        for event in procedure.life_events.all():
            counts[event.id] += 5 - place
    events = {event.id: event for event in held_catalogue().life_events}
    return [events[event] for event, _n in counts.most_common(limit) if event in events]
