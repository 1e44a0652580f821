"""Form definitions: versioned configuration files, one per procedure, validated on load.

A definition lists the facts read from registers (``source.attribute``, each declared as a need
of the procedure) and the pages of questions that no register can answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
FIELD_TYPES = frozenset({"text", "date", "choice", "licence_plate"})
LANGUAGES = ("fr", "nl", "en")


class DefinitionError(Exception):
    """A definition file is invalid; the message names the file, procedure and field."""


@dataclass(frozen=True)
class FieldDefinition:
    name: str
    type: str
    label: dict[str, str]
    help: dict[str, str]
    required_message: dict[str, str]
    required: bool
    options: dict[str, Any]


@dataclass(frozen=True)
class PageDefinition:
    id: str
    title: dict[str, str]
    fields: tuple[FieldDefinition, ...]


@dataclass(frozen=True)
class FormDefinition:
    procedure_id: str
    version: int
    facts: tuple[str, ...]
    pages: tuple[PageDefinition, ...]

    def page(self, page_id: str) -> PageDefinition | None:
        return next((page for page in self.pages if page.id == page_id), None)

    def page_after(self, page_id: str) -> PageDefinition | None:
        ids = [page.id for page in self.pages]
        index = ids.index(page_id) + 1
        return self.pages[index] if index < len(ids) else None

    def page_before(self, page_id: str) -> PageDefinition | None:
        ids = [page.id for page in self.pages]
        index = ids.index(page_id) - 1
        return self.pages[index] if index >= 0 else None


def _texts(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or any(not raw.get(lang) for lang in LANGUAGES):
        raise DefinitionError(f"{where}: needs a text in each of {', '.join(LANGUAGES)}")
    return {lang: str(raw[lang]) for lang in LANGUAGES}


def parse(raw: dict[str, Any], filename: str) -> FormDefinition:
    procedure_id = raw.get("procedure")
    if not procedure_id:
        raise DefinitionError(f"{filename}: 'procedure' is missing")
    where = f"{filename}, procedure {procedure_id}"
    pages = []
    seen: set[str] = set()
    for page in raw.get("pages", []):
        fields = []
        for field in page.get("fields", []):
            name = field.get("name", "?")
            field_where = f"{where}, field {name}"
            if field.get("type") not in FIELD_TYPES:
                raise DefinitionError(f"{field_where}: unknown type {field.get('type')!r}")
            if name in seen:
                raise DefinitionError(f"{field_where}: the name is used twice")
            seen.add(name)
            fields.append(
                FieldDefinition(
                    name=name,
                    type=field["type"],
                    label=_texts(field.get("label"), f"{field_where} label"),
                    help=_texts(field["help"], f"{field_where} help") if "help" in field else {},
                    required_message=(
                        _texts(field["required_message"], f"{field_where} required_message")
                        if "required_message" in field
                        else {}
                    ),
                    required=bool(field.get("required", True)),
                    options={
                        k: v
                        for k, v in field.items()
                        if k
                        not in ("name", "type", "label", "help", "required", "required_message")
                    },
                )
            )
        pages.append(
            PageDefinition(
                id=page["id"],
                title=_texts(page.get("title"), f"{where}, page {page.get('id')}"),
                fields=tuple(fields),
            )
        )
    return FormDefinition(
        procedure_id=procedure_id,
        version=int(raw.get("version", 1)),
        facts=tuple(raw.get("facts", [])),
        pages=tuple(pages),
    )


@cache
def get_definition(procedure_id: str) -> FormDefinition | None:
    """The current definition of a procedure's form, or None if it has none yet."""
    path = DEFINITIONS_DIR / f"{procedure_id}.yaml"
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as handle:
        definition = parse(yaml.safe_load(handle), path.name)
    if definition.procedure_id != procedure_id:
        raise DefinitionError(f"{path.name}: declares procedure {definition.procedure_id!r}")
    return definition


def available_definitions() -> list[str]:
    return sorted(path.stem for path in DEFINITIONS_DIR.glob("*.yaml"))
