"""Disclosure control: no published file reveals a small count, directly or by subtraction."""

from __future__ import annotations

import csv
import io
import json
import random
from collections import defaultdict
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from django.test import Client

from loket.opendata.disclosure import (
    TOTAL,
    Key,
    lines_of,
    protect,
    round_to_base,
    solved_unknowns,
)
from loket.opendata.publish import publish
from tests.test_opendata import BRUSSELS, UNTIL, make_cases, seed_statistics, storage  # noqa: F401

RARE = ("2026-09", "terrace-permit", "21009")


def rank(rows: list[list[Fraction]]) -> int:
    """Rank by plain Gaussian elimination (independent of the code under test)."""
    matrix = [row[:] for row in rows]
    rank, columns = 0, len(matrix[0]) if matrix else 0
    for column in range(columns):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][column] != 0:
                factor = matrix[r][column] / matrix[rank][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        rank += 1
    return rank


def attacker_recovers(published: dict[tuple[str, str], int | None]) -> set[tuple[str, str]]:
    """Every withheld cell of a two-way table with totals that linear algebra pins down.

    ``published`` maps (row, column), totals included, to the published count or None.
    """
    unknowns = sorted(key for key, value in published.items() if value is None)
    if not unknowns:
        return set()
    index = {key: i for i, key in enumerate(unknowns)}
    lines: dict[tuple[int, str], list[tuple[str, str]]] = defaultdict(list)
    for key in published:
        lines[(0, key[1])].append(key)  # a column: rows vary
        lines[(1, key[0])].append(key)  # a row: columns vary
    equations = []
    for (axis, _fixed), keys in lines.items():
        row = [Fraction(0)] * len(unknowns)
        for key in keys:
            if key in index:
                row[index[key]] += -1 if key[axis] == TOTAL else 1
        if any(row):
            equations.append(row)
    recovered = set()
    base = rank(equations) if equations else 0
    for key, i in index.items():
        unit = [Fraction(int(j == i)) for j in range(len(unknowns))]
        if rank([*equations, unit]) == base:
            recovered.add(key)
    return recovered


def month_table(
    rows: list[dict[str, str]], month: str, column: str
) -> dict[tuple[str, str], int | None]:
    return {
        (row["procedure"], row["municipality"]): (int(row[column]) if row[column] else None)
        for row in rows
        if row["month"] == month
    }


@pytest.mark.django_db
def test_a_single_rare_case_is_revealed_by_no_published_file(storage: Path) -> None:  # noqa: F811
    seed_statistics()
    make_cases(
        "terrace-permit", "21009", datetime(2026, 9, 20, 11, tzinfo=BRUSSELS), 1, timedelta(days=2)
    )
    release = publish(now=UNTIL + timedelta(days=2))
    folder = storage / "opendata" / release.id
    rows = list(csv.DictReader(io.StringIO((folder / "cases.csv").read_text(encoding="utf-8"))))
    for column in ("submitted", "decided"):
        table = month_table(rows, "2026-09", column)
        # Directly: the cell, its row total and its column are there, but withheld.
        assert table[RARE[1:]] is None
        assert table[("terrace-permit", TOTAL)] is None
        # The month's grand total is published: the table is not simply emptied.
        assert table[(TOTAL, TOTAL)] == 64
        # By subtraction, along any row or column, or any combination of them.
        assert attacker_recovers(table) == set(), column
        for line in _lines(table):
            assert sum(1 for key in line if table[key] is None) != 1
    # The JSON file says the same as the CSV file.
    document = json.loads((folder / "cases.json").read_text(encoding="utf-8"))
    as_csv = [{k: "" if v is None else str(v) for k, v in row.items()} for row in document["rows"]]
    assert as_csv == rows
    # The whole-period datasets do not mention a group of one.
    for dataset in ("handling-times", "once-only"):
        assert "terrace-permit" not in (folder / f"{dataset}.csv").read_text(encoding="utf-8")
    page = Client().get("/en/open-data/cases/").content.decode()
    assert "terrace-permit,21009,1" not in page


def _lines(table: dict[tuple[str, str], int | None]) -> list[list[tuple[str, str]]]:
    groups: dict[tuple[int, str], list[tuple[str, str]]] = defaultdict(list)
    for key in table:
        groups[(0, key[1])].append(key)
        groups[(1, key[0])].append(key)
    return list(groups.values())


def test_counts_below_the_threshold_are_withheld_with_a_partner_in_each_line() -> None:
    cells: dict[Key, int] = {("a", "x"): 20, ("a", "y"): 12, ("b", "x"): 2, ("b", "y"): 30}
    table = protect(cells, 2, threshold=5)
    assert ("b", "x") in table.suppressed
    for line in lines_of(table.values, 2):
        assert sum(1 for key in line if key in table.suppressed) != 1
    assert table.published(("b", "x")) is None
    assert table.published((TOTAL, TOTAL)) == 64


@pytest.mark.parametrize("seed", range(40))
def test_random_sparse_tables_leave_nothing_recomputable(seed: int) -> None:
    rng = random.Random(seed)
    rows, columns = rng.randint(2, 7), rng.randint(2, 7)
    cells: dict[Key, int] = {}
    for r in range(rows):
        for c in range(columns):
            if rng.random() < 0.6:
                cells[(f"r{r}", f"c{c}")] = rng.choice([1, 2, 3, 4, 5, 6, 9, 15, 40])
    table = protect(cells, 2, threshold=5)
    published = {(key[0], key[1]): table.published(key) for key in table.values}
    assert all(v is None or v == 0 or v >= 5 for v in published.values())
    assert attacker_recovers(published) == set()


def test_solved_unknowns_finds_a_cell_fixed_by_a_combination_of_lines() -> None:
    a, b, c = ("a",), ("b",), ("c",)
    one = Fraction(1)
    assert solved_unknowns([{a: one, b: one}, {b: one}]) == {a, b}
    assert solved_unknowns([{a: one, b: one}, {b: one, c: one}]) == set()
    assert solved_unknowns([{a: one, b: one}, {b: one, c: one}, {a: one, c: -one}]) == set()
    assert solved_unknowns([{a: one, b: one}, {b: one, c: one}, {a: one, c: one}]) == {a, b, c}


def test_rounding_to_base_five() -> None:
    assert [round_to_base(n, 5) for n in (5, 7, 8, 12, 13, 0)] == [5, 5, 10, 10, 15, 0]
