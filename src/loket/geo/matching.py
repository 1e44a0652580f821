"""Matching typed words to street names: exact, prefix and near (rapidfuzz) word matches.

Each query word is compared with the index's vocabulary once (not with every street), so the
cost of a search grows with the number of words typed, not with the size of the register.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from loket.geo.index import AddressIndex, StreetName
from loket.geo.text import Token

NEAR_CUTOFF = 78.0
GENERIC_POSTINGS = 300  # a word in more street names than this only ranks, it does not retrieve
PREFIX_LIMIT = 40
_near_cache: dict[tuple[int, str], tuple[tuple[str, float], ...]] = {}


@dataclass(frozen=True, slots=True)
class WordMatch:
    """How well a vocabulary word matches the query, and which typed words it used."""

    similarity: float
    parts: frozenset[int]


def near_words(index: AddressIndex, word: str) -> tuple[tuple[str, float], ...]:
    """Vocabulary words a letter or two away from ``word`` (cached per index)."""
    key = (index.version, word)
    cached = _near_cache.get(key)
    if cached is not None:
        return cached
    spread = max(2, len(word) // 5)
    pool = [
        w
        for n in range(len(word) - spread, len(word) + spread + 1)
        for w in index.vocabulary.get(n, ())
    ]
    found = process.extract(word, pool, scorer=fuzz.ratio, score_cutoff=NEAR_CUTOFF, limit=6)
    result = tuple((match, score / 100.0) for match, score, _position in found)
    if len(_near_cache) > 50_000:
        _near_cache.clear()
    _near_cache[key] = result
    return result


def _prefixed(index: AddressIndex, word: str) -> list[str]:
    start = bisect_left(index.sorted_words, word)
    found: list[str] = []
    for candidate in index.sorted_words[start : start + PREFIX_LIMIT]:
        if not candidate.startswith(word):
            break
        found.append(candidate)
    return found


def match_words(index: AddressIndex, tokens: tuple[Token, ...]) -> dict[str, WordMatch]:
    """Every vocabulary word that some query word matches, with its best similarity."""
    matches: dict[str, WordMatch] = {}

    def offer(word: str, similarity: float, parts: frozenset[int]) -> None:
        known = matches.get(word)
        if known is None or similarity > known.similarity:
            matches[word] = WordMatch(similarity, parts)

    for token in tokens:
        text = token.text
        if text in index.postings:
            offer(text, 1.0, token.parts)
            continue
        if len(text) >= 4:
            for word in _prefixed(index, text):
                offer(word, 0.75 + 0.2 * len(text) / len(word), token.parts)
            for word, similarity in near_words(index, text):
                offer(word, similarity * 0.95, token.parts)
    return matches


def candidate_names(index: AddressIndex, matches: dict[str, WordMatch]) -> set[int]:
    """Street names that contain a matched word; very common words only if nothing else."""
    postings = [index.postings[word] for word in matches]
    specific = [p for p in postings if len(p) <= GENERIC_POSTINGS]
    found: set[int] = set()
    for posting in specific or postings:
        found.update(posting)
    return found


def name_score(name: StreetName, matches: dict[str, WordMatch]) -> tuple[float, frozenset[int]]:
    """The weighted share of the name's words that the query matched, and the words it used."""
    covered = 0.0
    used: set[int] = set()
    for word, weight in zip(name.words, name.weights, strict=True):
        match = matches.get(word)
        if match is not None:
            covered += weight * match.similarity
            used.update(match.parts)
    return (covered / name.total if name.total else 0.0), frozenset(used)
