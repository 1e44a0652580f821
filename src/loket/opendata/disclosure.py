"""Statistical disclosure control for the count tables of the open data.

A table is a set of counts over a few dimensions (e.g. procedure by municipality for one month).
Its margins are computed from the original counts and published beside the cells (the code
``total`` stands for "all values of this dimension"), so every *line* of the table (the cells
that vary along one dimension, with their total) is a known linear equation.

1. Primary suppression: a count ``0 < n < threshold`` is withheld.
2. Secondary suppression: a line with exactly one withheld cell would give it away by
   subtraction, so the smallest other non-zero cell of that line is withheld too, until no line
   has exactly one withheld cell (a fixed point).
3. Audit: the withheld cells are the unknowns of the linear system formed by all lines; a cell
   is still recomputable when that system determines it alone (a "bridge" pattern). Such a cell
   gets a partner withheld in one of its lines, and steps 2 and 3 repeat.

Zeros are published (an empty combination is not withheld); the published counts may then be
rounded to a base (e.g. 5) on top of suppression. See docs/open-data.md.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import product

TOTAL = "total"
Key = tuple[str, ...]


@dataclass
class ProtectedTable:
    """Counts with margins, and the keys of the cells withheld."""

    values: dict[Key, int]
    suppressed: set[Key] = field(default_factory=set)

    def published(self, key: Key, rounding: int = 0) -> int | None:
        """The count as published: None when withheld, rounded when asked."""
        if key in self.suppressed:
            return None
        value = self.values.get(key, 0)
        return round_to_base(value, rounding) if rounding else value


def round_to_base(value: int, base: int) -> int:
    """Round half up to a multiple of ``base``."""
    return int((value + base / 2) // base * base)


def with_margins(cells: Mapping[Key, int], dims: int) -> dict[Key, int]:
    """The cells and every margin (sums over any subset of the dimensions)."""
    values: dict[Key, int] = defaultdict(int)
    for key, value in cells.items():
        if len(key) != dims:
            raise ValueError(f"key {key!r} does not have {dims} dimensions")
        for mask in product((False, True), repeat=dims):
            margin = tuple(TOTAL if m else k for k, m in zip(key, mask, strict=True))
            values[margin] += value
    return {key: value for key, value in values.items() if value}


def lines_of(values: Iterable[Key], dims: int) -> list[list[Key]]:
    """Every line: the keys that differ only in one dimension, total included."""
    groups: dict[tuple[int, Key], list[Key]] = defaultdict(list)
    for key in values:
        for d in range(dims):
            groups[(d, key[:d] + key[d + 1 :])].append(key)
    return [keys for keys in groups.values() if len(keys) > 1]


def protect(cells: Mapping[Key, int], dims: int, threshold: int) -> ProtectedTable:
    """Suppress small counts and whatever would let anyone recompute them."""
    table = ProtectedTable(with_margins(cells, dims))
    table.suppressed = {k for k, v in table.values.items() if 0 < v < threshold}
    lines = lines_of(table.values, dims)
    lines_by_key: dict[Key, list[int]] = defaultdict(list)
    for index, line in enumerate(lines):
        for key in line:
            lines_by_key[key].append(index)
    while True:
        _secondary(table, lines, lines_by_key)
        exposed = recomputable(table, lines)
        if not exposed:
            return table
        for key in exposed:
            table.suppressed.add(_partner(table, [lines[i] for i in lines_by_key[key]], lines))


def _secondary(
    table: ProtectedTable, lines: list[list[Key]], lines_by_key: dict[Key, list[int]]
) -> None:
    queue = deque(range(len(lines)))
    while queue:
        line = lines[queue.popleft()]
        if sum(1 for key in line if key in table.suppressed) != 1:
            continue
        chosen = _smallest_published(table, line)
        table.suppressed.add(chosen)
        queue.extend(lines_by_key[chosen])


def _candidates(table: ProtectedTable, line: list[Key]) -> list[Key]:
    return [k for k in line if k not in table.suppressed and table.values[k] > 0]


def _smallest_published(table: ProtectedTable, line: list[Key]) -> Key:
    # Prefer an inner cell to a total at equal count; the key makes the choice reproducible.
    return min(_candidates(table, line), key=lambda k: (table.values[k], TOTAL in k, k))


def _partner(table: ProtectedTable, own_lines: list[list[Key]], lines: list[list[Key]]) -> Key:
    """A cell to withhold so that an exposed cell is no longer determined: in one of its own
    lines if possible, else in any line that already holds a withheld cell."""
    for line in own_lines:
        if _candidates(table, line):
            return _smallest_published(table, line)
    touched = [k for line in lines if table.suppressed.intersection(line) for k in line]
    return _smallest_published(table, touched)


def recomputable(table: ProtectedTable, lines: list[list[Key]]) -> list[Key]:
    """Withheld cells that the published cells and totals determine exactly."""
    unknowns = sorted(table.suppressed)
    if not unknowns:
        return []
    equations = []
    for line in lines:
        hidden = [k for k in line if k in table.suppressed]
        if not hidden:
            continue
        total = next(k for k in line if _is_total_of(k, line))
        equations.append({k: Fraction(-1 if k == total else 1) for k in hidden})
    return sorted(solved_unknowns(equations))


def _is_total_of(key: Key, line: list[Key]) -> bool:
    """The total of a line is the key with ``total`` where the line's keys differ."""
    varying = [d for d in range(len(key)) if len({k[d] for k in line}) > 1]
    return key[varying[0]] == TOTAL


def solved_unknowns(equations: list[dict[Key, Fraction]]) -> set[Key]:
    """Unknowns that a linear system (coefficients only; constants are known) fixes alone.

    Reduced row echelon form: an unknown is determined exactly when a reduced row holds it
    alone.
    """
    rows: list[dict[Key, Fraction]] = []
    for equation in equations:
        row = {k: v for k, v in equation.items() if v}
        for pivot_row in rows:
            pivot = next(iter(pivot_row))
            if pivot in row:
                _subtract(row, pivot_row, row[pivot])
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {pivot: Fraction(1), **{k: v / scale for k, v in row.items() if k != pivot}}
        for other in rows:
            if pivot in other:
                _subtract(other, row, other[pivot])
        rows.append(row)
    return {next(iter(row)) for row in rows if len(row) == 1}


def _subtract(row: dict[Key, Fraction], pivot_row: dict[Key, Fraction], factor: Fraction) -> None:
    for key, value in pivot_row.items():
        updated = row.get(key, Fraction(0)) - factor * value
        if updated:
            row[key] = updated
        else:
            row.pop(key, None)
