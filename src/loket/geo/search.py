"""Address search: geocoding typed addresses, reverse geocoding points, validating addresses.

Pure functions over the in-process index (``loket.geo.index``). People type Brussels addresses
in French, Dutch or a mix, with or without accents, abbreviated, misspelt, number first or last,
with a box, a postcode or a municipality: all of that is understood here.
"""

from __future__ import annotations

from loket.geo.index import AddressIndex, distance_m, get_index
from loket.geo.ranking import (
    BEST_SCORE,
    NUMBER_BONUS,
    Candidate,
    StreetHit,
    address_candidate,
    find_streets,
    street_candidate,
)
from loket.geo.text import ParsedQuery, parse_query
from loket.geo.validation import AddressCheck, did_you_mean, validate_address

MAX_RINGS = 12  # reverse geocoding looks about 2.5 km around the point, no further


def _locate(index: AddressIndex, hit: StreetHit, parsed: ParsedQuery) -> Candidate:
    """The address the query names on a matched street, or the street itself."""
    number = parsed.house_number
    if number and index.has_numbers(hit.street):
        row = index.find_row(hit.street, number, parsed.box)
        if row is None and parsed.box:
            row = index.find_row(hit.street, number, "")
            if row is not None:
                return address_candidate(index, row, hit.score * 0.9)
        if row is None and number[-1].isalpha():
            row = index.find_row(hit.street, number[:-1], parsed.box)
            if row is not None:
                return address_candidate(index, row, hit.score * 0.85)
        if row is not None:
            if parsed.number_may_be_postcode:
                return address_candidate(index, row, hit.score)
            return address_candidate(index, row, hit.score + NUMBER_BONUS / BEST_SCORE)
        if not parsed.number_may_be_postcode:
            return street_candidate(index, hit.street, hit.score * 0.85)
    return street_candidate(index, hit.street, hit.score)


def geocode(query: str, limit: int = 10) -> list[Candidate]:
    """Addresses and streets that ``query`` may mean, best first (empty when nothing fits)."""
    if limit <= 0 or not query or not query.strip():
        return []
    index = get_index()
    parsed = parse_query(query, index.known_postcodes)
    if not parsed.positions:
        return []
    hits = find_streets(index, parsed, limit)
    found = [_locate(index, hit, parsed) for hit in hits]
    found.sort(key=lambda candidate: -candidate.score)
    return found[:limit]


def reverse(lat: float, lon: float, limit: int = 5) -> list[Candidate]:
    """The addresses (one per building: boxes left out) and unnumbered streets near a point."""
    if limit <= 0 or not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return []
    index = get_index()
    for rings in range(1, MAX_RINGS + 1):
        entries = list(index.nearby(lat, lon, rings))
        if len(entries) >= limit * 4 or rings == MAX_RINGS:
            break
    nearest: dict[tuple[int, str], tuple[float, int]] = {}
    for entry in entries:
        if entry < index.size:
            point = (index.lats[entry], index.lons[entry])
            key = (index.row_street[entry], index.numbers[entry])
        else:
            street = index.streets[entry - index.size]
            point = (street.lat or 0.0, street.lon or 0.0)
            key = (entry - index.size, "")
        metres = distance_m(lat, lon, *point)
        rank = (metres + (0.01 if entry < index.size and index.boxes[entry] else 0.0), entry)
        if key not in nearest or rank < nearest[key]:
            nearest[key] = rank
    ordered = sorted(nearest.values())[:limit]
    return [
        address_candidate(index, entry, 1 / (1 + metres / 100))
        if entry < index.size
        else street_candidate(index, entry - index.size, 1 / (1 + metres / 100))
        for metres, entry in ordered
    ]


__all__ = ["AddressCheck", "Candidate", "did_you_mean", "geocode", "reverse", "validate_address"]
