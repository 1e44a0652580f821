"""The in-process address index: streets merged across sources, address points in flat arrays.

Built lazily from the database on first use and rebuilt after an import (in this process at
once, in other processes within ``RECHECK_SECONDS``). Address points are kept in parallel arrays
sorted by street then house number, so 850,000 addresses cost about 60 bytes each.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from loket.core.models import Administration, Postcode
from loket.geo.models import Address, RegisterImport, Status, Street
from loket.geo.text import box_key, name_key, number_key, words

RECHECK_SECONDS = 30.0
CELL_LAT, CELL_LON = 0.002, 0.003  # about 220 m by 210 m in Brussels
LIVE = (Status.CURRENT, Status.PROPOSED)
SOURCE_PREFERENCE: dict[str, int] = {Street.Source.BEST.value: 0, Street.Source.OSM.value: 1}


@dataclass(slots=True)
class IndexStreet:
    """One street of one municipality, merged from every source that names it."""

    id: str
    name_fr: str
    name_nl: str
    nis: str
    postcode: str
    lat: float | None
    lon: float | None
    postcodes: set[str] = field(default_factory=set)
    ranges: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StreetName:
    """One spelling (FR or NL) of a street, as weighted words for matching."""

    street: int
    words: tuple[str, ...]
    weights: tuple[float, ...]
    total: float


class Ids:
    """Address ids, held as 64-bit integers while they all are, as strings otherwise."""

    def __init__(self) -> None:
        self.numbers: array[int] | None = array("q")
        self.texts: list[str] = []

    def append(self, value: str) -> None:
        if self.numbers is not None:
            if value.isdigit() and str(int(value)) == value and len(value) < 18:
                self.numbers.append(int(value))
                return
            self.texts = [str(number) for number in self.numbers]
            self.numbers = None
        self.texts.append(sys.intern(value) if len(value) < 8 else value)

    def __getitem__(self, row: int) -> str:
        return str(self.numbers[row]) if self.numbers is not None else self.texts[row]


@dataclass
class AddressIndex:
    """Everything the geocoder searches, in memory; see the module docstring."""

    version: int = 0
    streets: list[IndexStreet] = field(default_factory=list)
    names: list[StreetName] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    vocabulary: dict[int, list[str]] = field(default_factory=dict)
    sorted_words: list[str] = field(default_factory=list)
    ids: Ids = field(default_factory=Ids)
    numbers: list[str] = field(default_factory=list)
    boxes: list[str] = field(default_factory=list)
    postcodes: array[int] = field(default_factory=lambda: array("H"))
    lats: array[float] = field(default_factory=lambda: array("d"))
    lons: array[float] = field(default_factory=lambda: array("d"))
    row_street: array[int] = field(default_factory=lambda: array("I"))
    grid: dict[tuple[int, int], array[int]] = field(default_factory=dict)
    places: dict[str, frozenset[str]] = field(default_factory=dict)
    municipality_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    postcode_municipalities: dict[str, frozenset[str]] = field(default_factory=dict)
    known_postcodes: frozenset[str] = frozenset()

    @property
    def size(self) -> int:
        return len(self.numbers)

    def rows_with_number(self, street: int, house_number: str) -> list[int]:
        """Rows of ``street`` with that house number (all boxes), in box order."""
        key = number_key(house_number)
        found: list[int] = []
        for start, end in self.streets[street].ranges:
            low = bisect_left(self.numbers, key, start, end, key=number_key)
            high = bisect_right(self.numbers, key, low, end, key=number_key)
            found.extend(range(low, high))
        return found

    def find_row(self, street: int, house_number: str, box: str) -> int | None:
        """The row of that number and box; without a box, the building's own point first."""
        rows = self.rows_with_number(street, house_number)
        if not rows:
            return None
        wanted = box_key(box) if box else ""
        for row in rows:
            if box_key(self.boxes[row]) == wanted:
                return row
        return rows[0] if not box else None

    def street_point(self, street: int) -> tuple[float | None, float | None]:
        """The street's own point, else its middle address point, else none."""
        entry = self.streets[street]
        if entry.lat is not None:
            return entry.lat, entry.lon
        if entry.ranges:
            start, end = entry.ranges[0]
            middle = (start + end) // 2
            return self.lats[middle], self.lons[middle]
        return None, None

    def has_numbers(self, street: int) -> bool:
        return bool(self.streets[street].ranges)

    def nearby(self, lat: float, lon: float, rings: int) -> Iterable[int]:
        """Grid entries (address rows, or ``size + street`` for street points) around a point."""
        cell_lat, cell_lon = int(lat // CELL_LAT), int(lon // CELL_LON)
        for d_lat in range(-rings, rings + 1):
            for d_lon in range(-rings, rings + 1):
                yield from self.grid.get((cell_lat + d_lat, cell_lon + d_lon), ())


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance in metres: exact enough within a city."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6_371_000.0 * math.hypot(x, math.radians(lat2 - lat1))


def _add_places(index: AddressIndex) -> None:
    places: dict[str, set[str]] = {}
    kind = Administration.Kind.MUNICIPALITY
    for administration in Administration.objects.filter(kind=kind):
        fr, nl = administration.names.get("fr", ""), administration.names.get("nl", "")
        index.municipality_names[administration.id] = (fr, nl)
        for word in words(f"{fr} {nl}"):
            places.setdefault(word, set()).add(administration.id)
    for postcode in Postcode.objects.prefetch_related("municipalities"):
        covered = frozenset(m.id for m in postcode.municipalities.all())
        index.postcode_municipalities[postcode.code] = covered
        if len(covered) == 1:  # a locality such as Haren or Laeken names one municipality
            for word in words(" ".join(postcode.names.values())):
                places.setdefault(word, set()).update(covered)
    index.places = {word: frozenset(nis) for word, nis in places.items()}
    index.known_postcodes = frozenset(index.postcode_municipalities)


def _add_streets(index: AddressIndex) -> dict[str, int]:
    rows = Street.objects.filter(status__in=LIVE).values_list(
        "id", "source", "name_fr", "name_nl", "municipality_id", "postcode", "lat", "lon"
    )
    by_key: dict[tuple[str, str], int] = {}
    positions: dict[str, int] = {}
    ordered = sorted(rows, key=lambda r: (SOURCE_PREFERENCE.get(r[1], 9), not r[0].isdigit()))
    for street_id, _source, fr, nl, nis, postcode, lat, lon in ordered:
        keys = [(nis, name_key(name)) for name in (fr, nl) if name]
        position = next((by_key[key] for key in keys if key in by_key), None)
        if position is None:
            position = len(index.streets)
            index.streets.append(IndexStreet(street_id, fr, nl, nis, postcode, lat, lon))
        entry = index.streets[position]
        if entry.lat is None and lat is not None:
            entry.lat, entry.lon = lat, lon
        entry.name_nl = entry.name_nl or nl
        if postcode:
            entry.postcodes.add(postcode)
        for key in keys:
            by_key.setdefault(key, position)
        positions[street_id] = position
    return positions


def _add_addresses(index: AddressIndex, positions: dict[str, int]) -> None:
    query = Address.objects.filter(status__in=LIVE).order_by("street_id")
    current: str | None = None
    group: list[tuple[str, str, str, str, float, float]] = []
    fields = ("street_id", "id", "house_number", "box", "postcode", "lat", "lon")
    for street_id, *rest in query.values_list(*fields).iterator(chunk_size=20000):
        if street_id != current:
            _append_group(index, positions.get(current or ""), group)
            current, group = street_id, []
        group.append(tuple(rest))
    _append_group(index, positions.get(current or ""), group)


def _append_group(
    index: AddressIndex,
    street: int | None,
    group: Sequence[tuple[str, str, str, str, float, float]],
) -> None:
    if street is None or not group:
        return
    start = index.size
    entry = index.streets[street]
    for address_id, number, box, postcode, lat, lon in sorted(
        group, key=lambda r: (number_key(r[1]), box_key(r[2]))
    ):
        index.ids.append(address_id)
        index.numbers.append(sys.intern(number))
        index.boxes.append(sys.intern(box))
        index.postcodes.append(int(postcode) if postcode.isdigit() else 0)
        index.lats.append(lat)
        index.lons.append(lon)
        index.row_street.append(street)
        entry.postcodes.add(postcode)
    entry.ranges.append((start, index.size))


def _add_names(index: AddressIndex) -> None:
    spelled: list[tuple[int, list[str]]] = []
    frequency: dict[str, int] = {}
    for position, street in enumerate(index.streets):
        spellings = {name_key(n): n for n in (street.name_fr, street.name_nl) if n}
        for name in spellings.values():
            name_words = list(dict.fromkeys(words(name))) or [name_key(name)]
            spelled.append((position, name_words))
            for word in name_words:
                frequency[word] = frequency.get(word, 0) + 1
    count = max(len(spelled), 1)
    weight = {word: math.log(1 + count / df) for word, df in frequency.items()}
    for position, name_words in spelled:
        weights = tuple(weight[word] for word in name_words)
        index.names.append(StreetName(position, tuple(name_words), weights, sum(weights)))
        for word in name_words:
            index.postings.setdefault(word, []).append(len(index.names) - 1)
    for word in frequency:
        index.vocabulary.setdefault(len(word), []).append(word)
    index.sorted_words = sorted(frequency)


def _add_grid(index: AddressIndex) -> None:
    def put(lat: float, lon: float, entry: int) -> None:
        cell = (int(lat // CELL_LAT), int(lon // CELL_LON))
        index.grid.setdefault(cell, array("I")).append(entry)

    for row in range(index.size):
        put(index.lats[row], index.lons[row], row)
    for position, street in enumerate(index.streets):
        if not street.ranges and street.lat is not None and street.lon is not None:
            put(street.lat, street.lon, index.size + position)


def build() -> AddressIndex:
    """Read the register from the database into a new index."""
    latest = RegisterImport.objects.order_by("-id").values_list("id", flat=True).first()
    index = AddressIndex(version=latest or 0)
    _add_places(index)
    positions = _add_streets(index)
    _add_addresses(index, positions)
    _add_names(index)
    _add_grid(index)
    return index


_lock = threading.Lock()
_state: dict[str, AddressIndex | float | None] = {"index": None, "checked": 0.0}


def get_index() -> AddressIndex:
    """The current index, built on first use and rebuilt when a newer import exists."""
    current = _state["index"]
    if isinstance(current, AddressIndex) and not _stale(current):
        return current
    with _lock:
        current = _state["index"]
        if not isinstance(current, AddressIndex) or _stale(current):
            current = build()
            _state["index"], _state["checked"] = current, time.monotonic()
        return current


def _stale(index: AddressIndex) -> bool:
    checked = _state["checked"]
    if isinstance(checked, float) and time.monotonic() - checked < RECHECK_SECONDS:
        return False
    _state["checked"] = time.monotonic()
    latest = RegisterImport.objects.order_by("-id").values_list("id", flat=True).first()
    return (latest or 0) != index.version


def invalidate() -> None:
    """Forget the index; the next search rebuilds it (called after every import)."""
    _state["index"] = None
