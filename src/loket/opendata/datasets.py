"""The datasets the region publishes: their texts (FR/NL/EN), licence, themes and columns.

The texts live in ``data/datasets.yaml``; each available dataset has a builder in ``tables.py``
that returns its rows, already protected. Adding a dataset is one YAML entry and one builder.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from loket.core.i18n import pick

DATA = Path(__file__).resolve().parent / "data" / "datasets.yaml"
LANGUAGES = ("fr", "nl", "en")
FORMATS = {"csv": "text/csv", "json": "application/json", "geojson": "application/geo+json"}
TABLE_FORMATS = ("csv", "json")  # every dataset; GeoJSON only where its entry lists it


@dataclass(frozen=True)
class Licence:
    id: str
    uri: str
    eu_uri: str
    name: str
    licence_type: str  # ADMS licence type


LICENCES = {
    "CC0-1.0": Licence(
        "CC0-1.0",
        "http://creativecommons.org/publicdomain/zero/1.0/",
        "http://publications.europa.eu/resource/authority/licence/CC0",
        "CC0 1.0",
        "http://purl.org/adms/licencetype/PublicDomain",
    ),
    "CC-BY-4.0": Licence(
        "CC-BY-4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
        "CC BY 4.0",
        "http://purl.org/adms/licencetype/Attribution",
    ),
}


@dataclass(frozen=True)
class Column:
    name: str
    texts: dict[str, str]

    @property
    def description(self) -> str:
        return pick(self.texts)


@dataclass(frozen=True)
class DatasetSpec:
    id: str
    title_texts: dict[str, str]
    description_texts: dict[str, str]
    keywords: dict[str, list[str]]
    themes: tuple[str, ...]
    licence: Licence
    columns: tuple[Column, ...]
    available: bool = True
    formats: tuple[str, ...] = TABLE_FORMATS

    @property
    def title(self) -> str:
        return pick(self.title_texts)

    @property
    def description(self) -> str:
        return pick(self.description_texts)

    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _spec(entry: dict[str, Any]) -> DatasetSpec:
    for field in ("title", "description", "keywords"):
        missing = set(LANGUAGES) - set(entry[field])
        if missing:
            raise ValueError(f"dataset {entry['id']}: {field} lacks {sorted(missing)}")
    return DatasetSpec(
        id=entry["id"],
        title_texts=entry["title"],
        description_texts=entry["description"],
        keywords=entry["keywords"],
        themes=tuple(entry["themes"]),
        licence=LICENCES[entry["licence"]],
        columns=tuple(
            Column(c["name"], {lang: c[lang] for lang in LANGUAGES}) for c in entry["columns"]
        ),
        available=entry.get("available", True),
        formats=tuple(entry.get("formats", TABLE_FORMATS)),
    )


@cache
def all_datasets() -> tuple[DatasetSpec, ...]:
    """Every dataset, published or announced, in the order of the file."""
    with DATA.open(encoding="utf-8") as handle:
        return tuple(_spec(entry) for entry in yaml.safe_load(handle)["datasets"])


def available_datasets() -> tuple[DatasetSpec, ...]:
    return tuple(spec for spec in all_datasets() if spec.available)


def get_dataset(dataset_id: str) -> DatasetSpec | None:
    return next((spec for spec in all_datasets() if spec.id == dataset_id), None)
