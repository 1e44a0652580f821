"""Benchmark of the geocoder over the shipped data plus a synthetic register of 850,000 addresses.

Queries are typed the way people do (either language, abbreviations, typos, boxes, postcodes).
The baseline, in the same run, is an exact-match dict lookup of the folded query: what a search
costs when it understands nothing. Also printed: the index's build time and memory.
Run: ``LOKET_ENV=test .venv/bin/python -m bench.geo_search [ROWS]``. Nothing here fails on time.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from geo_import import ROWS, setup_django, write_synthetic_best

QUERIES = 5000


def typed_queries(count: int, seed: int = 3) -> list[str]:
    """Queries built from the index's own addresses, a quarter of them misspelt."""
    from loket.geo.index import get_index
    from loket.geo.text import fold

    index = get_index()
    chance = random.Random(seed)
    queries = []
    for i in range(count):
        row = chance.randrange(index.size)
        street = index.streets[index.row_street[row]]
        name = street.name_nl if i % 2 and street.name_nl else street.name_fr
        if i % 4 == 3 and len(name) > 8:
            at = chance.randrange(3, len(name) - 2)
            name = name[:at] + name[at + 1 :]
        number, box = index.numbers[row], index.boxes[row]
        postcode = f"{index.postcodes[row]:04d}"
        forms = [
            f"{name} {number}",
            f"{number} {fold(name)} {postcode}",
            f"{name} {number} bte {box[1:] or '1'}, {postcode}",
            f"{name} {number} Bruxelles",
        ]
        queries.append(forms[i % len(forms)])
    return queries


def per_second(function: object, queries: list[str]) -> float:
    started = time.perf_counter()
    for query in queries:
        function(query)  # type: ignore[operator]
    return len(queries) / (time.perf_counter() - started)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        from loket.geo import index
        from loket.geo.importer import import_best, import_shipped_samples
        from loket.geo.search import geocode
        from loket.geo.text import fold

        import_shipped_samples()
        best = Path(folder) / "synthetic.csv"
        write_synthetic_best(best, rows)
        import_best(best)
        tracemalloc.start()
        started = time.perf_counter()
        built = index.build()
        seconds = time.perf_counter() - started
        memory = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        print(f"index: {built.size:,} addresses, {len(built.streets):,} streets; built in ", end="")
        per_address = memory / max(built.size, 1)
        print(f"{seconds:.1f} s (traced), {memory / 2**20:.0f} MiB ({per_address:.0f} B/address)")
        del built
        index.get_index()
        queries = typed_queries(QUERIES)
        exact = {
            fold(f"{s.name_fr} {n}"): r
            for r, (s, n) in enumerate(
                (index.get_index().streets[st], num)
                for st, num in zip(
                    index.get_index().row_street, index.get_index().numbers, strict=True
                )
            )
        }
        baseline = per_second(lambda q: exact.get(fold(q)), queries)
        geocoded = per_second(lambda q: geocode(q, 5), queries)
        found = sum(1 for q in queries[:1000] if geocode(q, 1))
        print(f"baseline (exact dict lookup): {baseline:10,.0f} queries/s")
        print(f"geocode(q, limit=5)         : {geocoded:10,.0f} queries/s ", end="")
        print(f"({baseline / geocoded:.0f}x slower than the baseline; {found / 10:.0f}% answered)")


if __name__ == "__main__":
    main()
