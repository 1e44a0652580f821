"""Reading the public BeST address CSV (or its zip) as a stream of rows with WGS 84 points.

Columns are found by header name, never by position. Coordinates come from Lambert 72
(EPSG:31370), Lambert 2008 (EPSG:3812) or WGS 84 columns, whichever the file has, in that order
of preference, and are converted with pyproj in batches (one call per chunk of rows).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TextIO

from pyproj import Transformer

LAMBERT72, LAMBERT2008, WGS84 = "EPSG:31370", "EPSG:3812", "EPSG:4326"
REQUIRED = ("address_id", "house_number", "municipality_id", "postcode", "street_id")
COORDINATES = {
    LAMBERT72: ("epsg:31370_x", "epsg:31370_y"),
    LAMBERT2008: ("epsg:3812_x", "epsg:3812_y"),
    WGS84: ("epsg:4326_lon", "epsg:4326_lat"),
}


class FormatError(ValueError):
    """The file is not a BeST address CSV (a needed column is missing)."""


@dataclass(frozen=True, slots=True)
class AddressRow:
    """One address line of the file, with its point in WGS 84 and, when known, Lambert 72."""

    address_id: str
    street_id: str
    street_fr: str
    street_nl: str
    nis_code: str
    postcode: str
    house_number: str
    box: str
    status: str
    lat: float
    lon: float
    x: float | None
    y: float | None


@cache
def transformer(source: str, target: str) -> Transformer:
    """A pyproj transformer taking and giving (x/lon, y/lat) order."""
    return Transformer.from_crs(source, target, always_xy=True)


@contextmanager
def open_text(path: Path) -> Iterator[TextIO]:
    """The CSV text of ``path``, or of the first CSV inside it when it is a zip."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if not names:
                raise FormatError(f"{path.name}: no CSV file inside the zip")
            with archive.open(names[0]) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield handle


def header_reader(handle: TextIO) -> tuple[dict[str, int], Iterator[list[str]]]:
    """The column positions by folded header name, and the reader of the remaining lines."""
    first = handle.readline()
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = next(csv.reader([first], delimiter=delimiter), [])
    columns = {name.strip().lower(): position for position, name in enumerate(header)}
    return columns, csv.reader(handle, delimiter=delimiter)


def _system(columns: dict[str, int]) -> str:
    for system, (x_name, y_name) in COORDINATES.items():
        if x_name in columns and y_name in columns:
            return system
    raise FormatError("no coordinate columns (Lambert 72, Lambert 2008 or WGS 84)")


def read_chunks(path: Path, size: int = 5000) -> Iterator[list[AddressRow]]:
    """The file's rows in chunks of ``size``; rows without a point or an id are left out."""
    with open_text(path) as handle:
        columns, lines = header_reader(handle)
        missing = [name for name in REQUIRED if name not in columns]
        if missing:
            raise FormatError(f"{path.name}: missing columns {', '.join(missing)}")
        system = _system(columns)
        chunk: list[list[str]] = []
        for line in lines:
            chunk.append(line)
            if len(chunk) >= size:
                yield _rows(chunk, columns, system)
                chunk = []
        if chunk:
            yield _rows(chunk, columns, system)


def _float(text: str) -> float | None:
    try:
        return float(text.replace(",", ".")) if text else None
    except ValueError:
        return None


def _rows(lines: list[list[str]], columns: dict[str, int], system: str) -> list[AddressRow]:
    x_at, y_at = (columns[name] for name in COORDINATES[system])
    width = max(columns.values()) + 1
    kept: list[list[str]] = []
    xs: list[float] = []
    ys: list[float] = []
    for line in lines:
        if len(line) < width:
            continue
        x, y = _float(line[x_at]), _float(line[y_at])
        if x is None or y is None or not line[columns["address_id"]]:
            continue
        kept.append(line)
        xs.append(x)
        ys.append(y)
    lons, lats, l72x, l72y = _convert(system, xs, ys)
    return [_row(line, columns, lats[i], lons[i], l72x[i], l72y[i]) for i, line in enumerate(kept)]


def _convert(
    system: str, xs: list[float], ys: list[float]
) -> tuple[list[float], list[float], list[float | None], list[float | None]]:
    if not xs:
        return [], [], [], []
    if system == LAMBERT72:
        lons, lats = transformer(LAMBERT72, WGS84).transform(xs, ys)
        return list(lons), list(lats), list(xs), list(ys)
    if system == LAMBERT2008:
        lons, lats = transformer(LAMBERT2008, WGS84).transform(xs, ys)
        l72x, l72y = transformer(LAMBERT2008, LAMBERT72).transform(xs, ys)
        return list(lons), list(lats), list(l72x), list(l72y)
    l72x, l72y = transformer(WGS84, LAMBERT72).transform(xs, ys)
    return list(xs), list(ys), list(l72x), list(l72y)


def _row(
    line: list[str],
    columns: dict[str, int],
    lat: float,
    lon: float,
    x: float | None,
    y: float | None,
) -> AddressRow:
    def text(name: str) -> str:
        position = columns.get(name)
        return line[position].strip() if position is not None else ""

    return AddressRow(
        address_id=text("address_id"),
        street_id=text("street_id"),
        street_fr=text("streetname_fr") or text("streetname_nl") or text("streetname_de"),
        street_nl=text("streetname_nl"),
        nis_code=text("municipality_id"),
        postcode=text("postcode"),
        house_number=text("house_number"),
        box=text("box_number"),
        status=(text("status") or "current").lower(),
        lat=round(lat, 7),
        lon=round(lon, 7),
        x=round(x, 3) if x is not None else None,
        y=round(y, 3) if y is not None else None,
    )
