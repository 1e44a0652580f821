"""Ranking streets for a parsed query, and turning index rows into candidates.

Shared by geocoding and validation; see ``loket.geo.search`` for the public functions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from loket.geo.index import AddressIndex
from loket.geo.matching import candidate_names, match_words, name_score
from loket.geo.text import ParsedQuery

Precision = Literal["address", "street"]
MIN_SCORE = 0.5
NUMBER_BONUS = 0.1
BEST_SCORE = 1.18  # a full match with place, postcode and house number: shown as 1.0


@dataclass(frozen=True)
class Candidate:
    """One answer: an address point (precision "address") or a street (precision "street").

    ``id`` is the register's address id, or the street id for a street; ``lat``/``lon`` are
    WGS 84 and ``None`` only for a street that no source gives a point for. ``score`` is in
    [0, 1], higher is better (for reverse geocoding it decreases with the distance).
    """

    id: str
    street_fr: str
    street_nl: str
    house_number: str
    box: str
    postcode: str
    nis_code: str
    lat: float | None
    lon: float | None
    precision: Precision
    score: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StreetHit:
    """A street that a query names, with how well it matched (0 to 1, the house number aside)."""

    street: int
    score: float


def _place_parts(index: AddressIndex, parsed: ParsedQuery) -> dict[int, frozenset[str]]:
    """Typed words that name a municipality or locality, with the NIS codes they name."""
    places: dict[int, frozenset[str]] = {}
    for token in parsed.tokens:
        nis = index.places.get(token.text)
        if nis and len(token.parts) == 1:
            places[next(iter(token.parts))] = nis
    return places


def find_streets(index: AddressIndex, parsed: ParsedQuery, limit: int) -> list[StreetHit]:
    """Streets best matching the query's words, place names and postcode, best first."""
    matches = match_words(index, parsed.tokens)
    if not matches:
        return []
    places = _place_parts(index, parsed)
    named = frozenset().union(*places.values()) if places else frozenset()
    covering = index.postcode_municipalities.get(parsed.postcode, frozenset())
    best: dict[int, float] = {}
    for name_id in candidate_names(index, matches):
        name = index.names[name_id]
        coverage, used = name_score(name, matches)
        if coverage < MIN_SCORE:
            continue
        street = index.streets[name.street]
        explained = set(used)
        explained.update(p for p, nis in places.items() if street.nis in nis)
        share = len(explained & parsed.positions) / len(parsed.positions)
        score = coverage * (0.4 + 0.6 * share)
        if named and street.nis in named:
            score += 0.04
        if parsed.postcode:
            if parsed.postcode in street.postcodes:
                score += 0.04
            elif street.nis in covering:
                score += 0.02
            elif not parsed.number_may_be_postcode:
                score *= 0.8
        if score > best.get(name.street, 0.0):
            best[name.street] = score
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return [
        StreetHit(street, score / BEST_SCORE)
        for street, score in ranked[:limit]
        if score >= MIN_SCORE
    ]


def address_candidate(index: AddressIndex, row: int, score: float) -> Candidate:
    street = index.streets[index.row_street[row]]
    return Candidate(
        id=index.ids[row],
        street_fr=street.name_fr,
        street_nl=street.name_nl,
        house_number=index.numbers[row],
        box=index.boxes[row],
        postcode=f"{index.postcodes[row]:04d}" if index.postcodes[row] else "",
        nis_code=street.nis,
        lat=index.lats[row],
        lon=index.lons[row],
        precision="address",
        score=round(min(max(score, 0.0), 1.0), 4),
    )


def street_candidate(index: AddressIndex, position: int, score: float) -> Candidate:
    street = index.streets[position]
    lat, lon = index.street_point(position)
    postcodes = sorted(p for p in street.postcodes if p)
    return Candidate(
        id=street.id,
        street_fr=street.name_fr,
        street_nl=street.name_nl,
        house_number="",
        box="",
        postcode=postcodes[0] if len(postcodes) == 1 else street.postcode,
        nis_code=street.nis,
        lat=lat,
        lon=lon,
        precision="street",
        score=round(min(max(score, 0.0), 1.0), 4),
    )
