"""Loading the reference data shipped in ``loket/data`` (municipalities, postcodes, bodies)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from loket.core.i18n import pick
from loket.core.models import Administration, Postcode

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_yaml(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@transaction.atomic
def load_administrations() -> int:
    """Create or update the 19 municipalities, the regional bodies and the postcodes."""
    count = 0
    for row in read_csv("municipalities.csv"):
        Administration.objects.update_or_create(
            id=row["nis_code"],
            defaults={
                "kind": Administration.Kind.MUNICIPALITY,
                "names": _municipality_names(row["name_fr"], row["name_nl"]),
                "postcodes": row["postcodes_best2019"].split(),
                "main_postcode": row["main_postcode"],
            },
        )
        count += 1
    for body in read_yaml("administrations.yaml")["regional_bodies"]:
        Administration.objects.update_or_create(
            id=body["id"],
            defaults={
                "kind": Administration.Kind.REGIONAL,
                "names": body["names"],
                "role": body.get("role", ""),
            },
        )
        count += 1
    for row in read_csv("postcodes.csv"):
        postcode, _created = Postcode.objects.update_or_create(
            code=row["postcode"],
            defaults={"names": {"fr": row["postname_fr"], "nl": row["postname_nl"]}},
        )
        postcode.municipalities.set(Administration.objects.filter(id__in=row["nis_codes"].split()))
    _MUNICIPALITIES.clear()
    return count


def _municipality_names(name_fr: str, name_nl: str) -> dict[str, str]:
    # English speakers in Brussels use the French name, or both when they differ.
    english = name_fr if name_fr == name_nl else f"{name_fr} / {name_nl}"
    return {"fr": name_fr, "nl": name_nl, "en": english}


@cache
def _bodies_about() -> dict[str, dict[str, str]]:
    return {
        body["id"]: body.get("about") or {}
        for body in read_yaml("administrations.yaml")["regional_bodies"]
    }


def administration_about(administration_id: str) -> str:
    """What a regional body is, in the active language ("the regional parking agency"), for a
    resident who does not know its name; "" for a municipality (its name says it)."""
    return pick(_bodies_about().get(administration_id))


def authentic_sources() -> dict[str, dict[str, Any]]:
    """The authentic sources as the reference catalogue describes them (names, attributes)."""
    sources: dict[str, dict[str, Any]] = read_yaml("administrations.yaml")["authentic_sources"]
    return sources


_MUNICIPALITIES: dict[str, dict[str, str]] = {}


def _loaded_municipalities() -> dict[str, dict[str, str]]:
    """Names of the 19 municipalities by NIS code: reference data, read once per process (and
    again after ``load_administrations``); an empty answer is not remembered."""
    if not _MUNICIPALITIES:
        municipalities = Administration.objects.filter(kind=Administration.Kind.MUNICIPALITY)
        for administration in municipalities.order_by("id"):
            _MUNICIPALITIES[administration.id] = dict(administration.names)
    return _MUNICIPALITIES


def municipality_choices() -> list[tuple[str, str]]:
    """The 19 municipalities as (NIS code, name in the active language), by NIS code."""
    return [(nis, pick(names)) for nis, names in _loaded_municipalities().items()]


def municipality_name(nis_code: str) -> str:
    return pick(_loaded_municipalities().get(nis_code))


@cache
def _nace_divisions() -> dict[str, dict[str, str]]:
    return {row["division"]: row for row in read_csv("nace-bel-2008-divisions.csv")}


def nace_division(code: str, language: str | None = None) -> str:
    """The title of the NACE-BEL 2008 division of an activity code ("56101", "56.101", "56": its
    first two digits), in ``language`` (default: the active one); "" for no such division."""
    digits = "".join(c for c in code if c.isdigit())
    row = _nace_divisions().get(digits[:2]) if len(digits) >= 2 else None
    return pick({lang: row[lang] for lang in ("fr", "nl", "en")}, language) if row else ""
