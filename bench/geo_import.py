"""Benchmark of the BeST importer on a synthetic file of the region's size (850,000 rows).

The file is written in a temporary directory in exactly the public BeST format (20 columns,
real street names of the 19 municipalities, Lambert 72 and WGS 84 points). The baseline, in the
same run, only parses that CSV (no conversion, no database), the cheapest possible pass.
Run: ``LOKET_ENV=test .venv/bin/python -m bench.geo_import [ROWS]``. Nothing here fails on time.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

ROWS = int(os.environ.get("LOKET_BENCH_GEO_ROWS", "850000"))  # the BeST file for Brussels
HEADER = (
    "EPSG:31370_x,EPSG:31370_y,EPSG:4326_lat,EPSG:4326_lon,address_id,box_number,house_number,"
    "municipality_id,municipality_name_de,municipality_name_fr,municipality_name_nl,postcode,"
    "postname_fr,postname_nl,street_id,streetname_de,streetname_fr,streetname_nl,region_code,status"
).split(",")


def setup_django(database: Path) -> None:
    """A fresh SQLite database with the reference data (municipalities, postcodes)."""
    os.environ["LOKET_ENV"] = "test"
    os.environ["LOKET_DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.pop("LOKET_TEST_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "loket.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from loket.core.reference import load_administrations

    call_command("migrate", verbosity=0, skip_checks=True)
    load_administrations()


def write_synthetic_best(path: Path, rows: int, seed: int = 1) -> int:
    """Write ``rows`` BeST address lines on the real streets of the region; returns streets."""
    from pyproj import Transformer

    chance = random.Random(seed)
    to_wgs84 = Transformer.from_crs("EPSG:31370", "EPSG:4326", always_xy=True)
    with (ROOT / "src/loket/data/streets-osm-2020.csv").open(encoding="utf-8") as handle:
        streets = [r for r in csv.DictReader(handle) if r["street_name_fr"]]
    names = {"21004": ("Bruxelles", "Brussel")}
    per_street = rows // len(streets) + 1
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for number_of_street, street in enumerate(streets):
            x0, y0 = chance.uniform(142_000, 158_000), chance.uniform(162_000, 178_000)
            fr, nl = names.get(street["nis_code"], (street["nis_code"], street["nis_code"]))
            for house in range(1, per_street + 1):
                if written >= rows:
                    return len(streets)
                x, y = x0 + house * 3.1, y0 + house * 1.7
                lon, lat = to_wgs84.transform(x, y)
                box = f"b{chance.randrange(1, 9):03d}" if house % 10 == 0 else ""
                out.writerow(
                    [
                        *(f"{x:.3f}", f"{y:.3f}", f"{lat:.5f}", f"{lon:.5f}", 20_000_000 + written),
                        *(box, str(house), street["nis_code"], "", fr, nl),
                        *(street["postcode"] or "1000", "", "", 900_000 + number_of_street, ""),
                        *(street["street_name_fr"], street["street_name_nl"], "BE-BRU", "current"),
                    ]
                )
                written += 1
    return len(streets)


def parse_only(path: Path) -> int:
    """The baseline: read every line of the CSV and do nothing with it."""
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _line in csv.reader(handle)) - 1


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        from loket.geo.importer import import_best

        best = Path(folder) / "openaddress-bebru.csv"
        started = time.perf_counter()
        streets = write_synthetic_best(best, rows)
        print(f"synthetic BeST file: {rows:,} rows on {streets:,} streets, ", end="")
        size = best.stat().st_size / 2**20
        print(f"{size:.0f} MiB, written in {time.perf_counter() - started:.0f} s")
        memory_before = peak_mib()
        started = time.perf_counter()
        parsed = parse_only(best)
        baseline = time.perf_counter() - started
        print(f"baseline (csv parse only): {parsed / baseline:10,.0f} rows/s  ({baseline:.1f} s)")
        started = time.perf_counter()
        result = import_best(best)
        seconds = time.perf_counter() - started
        print(
            f"import_best (SQLite)     : {result.rows / seconds:10,.0f} rows/s  ({seconds:.1f} s, "
            f"{seconds / baseline:.1f}x the baseline)"
        )
        print(
            f"peak RSS: {memory_before:.0f} MiB before parsing, {peak_mib():.0f} MiB after import"
        )
        started = time.perf_counter()
        again = import_best(best)
        seconds = time.perf_counter() - started
        print(f"re-import (all updates)  : {again.rows / seconds:10,.0f} rows/s  ({seconds:.1f} s)")


if __name__ == "__main__":
    main()
