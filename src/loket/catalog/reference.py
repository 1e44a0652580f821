"""Loading the reference catalogue: life events and the 32 procedures with their texts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from loket.catalog.models import LifeEvent, Procedure
from loket.core.reference import read_yaml

TEXTS_FILE = Path(__file__).resolve().parent / "data" / "procedure_texts.yaml"


class CatalogueError(Exception):
    """The catalogue files contradict each other; the message names file and procedure."""


def read_texts() -> dict[str, dict[str, Any]]:
    with TEXTS_FILE.open(encoding="utf-8") as handle:
        texts: dict[str, dict[str, Any]] = yaml.safe_load(handle)
    return texts


@transaction.atomic
def load_catalogue() -> int:
    """Create or update life events and procedures (idempotent). Returns the procedure count."""
    catalogue = read_yaml("procedures.yaml")
    texts = read_texts()
    for position, (event_id, names) in enumerate(catalogue["life_events"].items()):
        LifeEvent.objects.update_or_create(
            id=event_id, defaults={"names": names, "position": position}
        )
    for position, entry in enumerate(catalogue["procedures"]):
        text = texts.get(entry["id"])
        if text is None:
            raise CatalogueError(f"{TEXTS_FILE.name}: procedure {entry['id']!r} has no texts")
        needs = _needs(entry, text)
        is_municipal = entry["owner"] == "municipality"
        procedure, _created = Procedure.objects.update_or_create(
            id=entry["id"],
            defaults={
                "owner_kind": Procedure.Owner.MUNICIPALITY
                if is_municipal
                else Procedure.Owner.BODY,
                "administration_id": None if is_municipal else entry["owner"],
                "audience": entry["audience"],
                "names": entry["names"],
                "summary": text["summary"],
                "you_receive": text["you_receive"],
                "keywords": text["keywords"],
                "needs": needs,
                "next_steps": list(text.get("next_steps", [])),
                "handled_by": dict(text.get("handled_by", {})),
                "delivers": entry["delivers"],
                "location_bound": bool(entry.get("location")),
                "processing_days": int(text["processing_days"]),
                "fee_eur": Decimal(str(text["fee_eur"])),
                "retention_years": int(text["retention_years"]),
                "position": position,
            },
        )
        procedure.life_events.set(entry["life_events"])
    return len(catalogue["procedures"])


def _needs(entry: dict[str, Any], text: dict[str, Any]) -> list[dict[str, Any]]:
    declared = [need["attribute"] for need in text.get("needs", [])]
    if declared != list(entry.get("needs", [])):
        raise CatalogueError(
            f"{TEXTS_FILE.name}: procedure {entry['id']!r} declares needs {declared}, "
            f"the catalogue says {entry.get('needs', [])}"
        )
    for need in text.get("needs", []):
        for key in ("purpose", "purpose_text", "legal_basis"):
            if not need.get(key):
                raise CatalogueError(
                    f"{TEXTS_FILE.name}: procedure {entry['id']!r}, need "
                    f"{need['attribute']!r} has no {key}"
                )
    return list(text.get("needs", []))
