"""Checking an address as a form receives it: street, house number, postcode, municipality.

The handling municipality is decided by the street found, never by the postcode alone: 1030,
1040, 1050 and 1070 each cover part of the City of Brussels (21004) as well as their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process

from loket.geo.index import AddressIndex, get_index
from loket.geo.ranking import (
    Candidate,
    StreetHit,
    address_candidate,
    find_streets,
    street_candidate,
)
from loket.geo.text import name_key, street_query

CheckPrecision = Literal["address", "street", "unknown"]
# The part of a typed address an error is about, so that a form puts it on that field.
AddressPart = Literal["street", "house_number", "postcode", "municipality"]


@dataclass(frozen=True)
class AddressCheck:
    """The verdict on one address; ``errors`` are user-facing (lazy, translated on display),
    ``wrong`` names the part of the address they are about (the field to correct)."""

    street_found: bool
    number_known: bool
    precision: CheckPrecision
    nis_code: str
    candidate: Candidate | None
    errors: tuple[Promise, ...]
    wrong: AddressPart = "street"

    @property
    def ok(self) -> bool:
        return not self.errors


def resolve_municipality(index: AddressIndex, text: str) -> str:
    """The NIS code of a municipality typed by name (FR or NL, any spelling) or code; or ""."""
    typed = name_key(text)
    if typed in index.municipality_names:
        return typed
    names = {name_key(n): nis for nis, pair in index.municipality_names.items() for n in pair}
    if typed in names:
        return names[typed]
    found = process.extractOne(typed, list(names), scorer=fuzz.ratio, score_cutoff=85)
    return names[found[0]] if found else ""


def _municipality_name(index: AddressIndex, nis: str) -> str:
    fr, nl = index.municipality_names.get(nis, (nis, nis))
    return fr if fr == nl else f"{fr} / {nl}"


# A street found in more than one municipality: with the postcode given, only the municipality
# can tell (1030, 1040, 1050, 1070 each cover part of the City of Brussels too).
SHARED_POSTCODE = _("This postcode is shared by two municipalities: choose the municipality.")
SHARED_STREET = _(
    "This street exists in several municipalities: give the postcode or municipality."
)


def _unknown(
    *errors: Promise, wrong: AddressPart, found: bool = False, nis: str = ""
) -> AddressCheck:
    return AddressCheck(found, False, "unknown", nis, None, tuple(errors), wrong)


def _choose(index: AddressIndex, hits: list[StreetHit], number: str) -> list[StreetHit]:
    """The best-scoring streets; where several tie, those that know the number."""
    top = [hit for hit in hits if hit.score >= hits[0].score - 0.02]
    numbered = [hit for hit in top if number and index.find_row(hit.street, number, "")]
    return numbered or top


def validate_address(
    street: str, house_number: str, postcode: str = "", municipality: str = ""
) -> AddressCheck:
    """Check that the street exists where it is said to be and that the number is known."""
    index = get_index()
    postcode, number = postcode.strip(), house_number.strip()[:20]
    nis = resolve_municipality(index, municipality) if municipality.strip() else ""
    if municipality.strip() and not nis:
        return _unknown(
            _("We do not know this municipality in the Brussels-Capital Region."),
            wrong="municipality",
        )
    if postcode and postcode not in index.postcode_municipalities:
        return _unknown(
            _("This postcode is not a postcode of the Brussels-Capital Region."), wrong="postcode"
        )
    covering = index.postcode_municipalities.get(postcode, frozenset())
    if nis and postcode and nis not in covering:
        return _unknown(_("This postcode is not used in this municipality."), wrong="municipality")
    hits = find_streets(index, street_query(street), limit=50) if street.strip() else []
    if not hits:
        return _unknown(
            _("We cannot find this street in the Brussels-Capital Region."), wrong="street"
        )
    allowed = {nis} if nis else set(covering)
    in_scope = [h for h in hits if not allowed or index.streets[h.street].nis in allowed]
    if not in_scope:
        place = _municipality_name(index, nis) if nis else postcode
        message = format_lazy(
            _("There is no street called “{street}” in {place}."), street=street, place=place
        )
        return _unknown(message, wrong="street")
    chosen = _choose(index, in_scope, number)
    if len({index.streets[h.street].nis for h in chosen}) > 1:
        ask = SHARED_POSTCODE if postcode else SHARED_STREET
        return _unknown(ask, wrong="municipality", found=True)
    return _check_number(index, chosen[0], number, postcode)


def _check_number(index: AddressIndex, hit: StreetHit, number: str, postcode: str) -> AddressCheck:
    nis = index.streets[hit.street].nis
    if not index.has_numbers(hit.street):
        return AddressCheck(
            True, False, "street", nis, street_candidate(index, hit.street, hit.score), ()
        )
    row = index.find_row(hit.street, number, "") if number else None
    if row is None:
        error = _("This house number is not in the address register for this street.")
        return _unknown(error, wrong="house_number", found=True, nis=nis)
    candidate = address_candidate(index, row, hit.score)
    errors: tuple[Promise, ...] = ()
    if postcode and candidate.postcode and candidate.postcode != postcode:
        message = format_lazy(
            _("The postcode of this address is {postcode}."), postcode=candidate.postcode
        )
        errors = (message,)
    return AddressCheck(True, True, "address", nis, candidate, errors, "postcode")


def did_you_mean(
    street: str, house_number: str, postcode: str = "", limit: int = 3
) -> list[Candidate]:
    """Addresses of the register close to one it does not know, best first: the streets of the
    postcode's municipalities whose name is nearest the typed one (a typo, a missing accent, a
    word left out), at the typed number when the street has it. Empty when nothing is close."""
    index = get_index()
    typed = name_key(street)
    if not typed:
        return []
    covering = index.postcode_municipalities.get(postcode.strip(), frozenset())
    names: dict[tuple[int, str], str] = {}
    for position, entry in enumerate(index.streets):
        if covering and entry.nis not in covering:
            continue
        for name in {entry.name_fr, entry.name_nl} - {""}:
            names[(position, name)] = name_key(name)
    found = process.extract(typed, names, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=75)
    candidates: list[Candidate] = []
    seen: set[int] = set()
    for _key, score, (position, _name) in found:
        if position in seen:
            continue
        seen.add(position)
        row = index.find_row(position, house_number.strip(), "") if house_number.strip() else None
        candidates.append(
            address_candidate(index, row, score / 100)
            if row is not None
            else street_candidate(index, position, score / 100)
        )
    candidates.sort(key=lambda c: (c.precision != "address", -c.score))
    return candidates[:limit]
