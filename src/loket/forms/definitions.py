"""Form definitions: versioned configuration, one per procedure, validated on load.

A definition lists the facts read from registers (``source.attribute``, each a declared need of
the procedure), the pages of questions no register can answer (with conditions), who handles
the case, the documents produced and the retention. It lives in ``definitions/<id>.yaml`` and
may be changed by a service designer; every case records the version it was made with. Errors
name the file, the procedure and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
LANGUAGES = ("fr", "nl", "en")
FIELD_TYPES = frozenset(
    {
        "text", "long_text", "number", "date", "choice", "yes_no", "email", "phone", "iban",
        "bic", "national_number", "enterprise_number", "licence_plate", "brussels_address",
        "location", "file", "group",
    }
)  # fmt: skip
HANDLING = frozenset({"body", "municipality-of-residence", "municipality-of-location"})
DOCUMENTS = frozenset({"receipt", "decision", "certificate", "permit", "appointment"})
COMMON_KEYS = frozenset(
    {"name", "type", "label", "help", "required", "required_message", "show_if", "fields"}
)


class DefinitionError(Exception):
    """A definition is invalid; the message names the file, procedure and field."""


@dataclass(frozen=True)
class Condition:
    """Show a field or page only when an earlier answer has one of ``values``."""

    field: str
    values: tuple[str, ...]

    def holds(self, answers: dict[str, Any]) -> bool:
        answer = answers.get(self.field)
        if isinstance(answer, list):
            return any(str(item) in self.values for item in answer)
        return str(answer) in self.values


@dataclass(frozen=True)
class FieldDefinition:
    name: str
    type: str
    label: dict[str, str]
    help: dict[str, str] = field(default_factory=dict)
    required_message: dict[str, str] = field(default_factory=dict)
    required: bool = True
    show_if: Condition | None = None
    options: dict[str, Any] = field(default_factory=dict)
    fields: tuple[FieldDefinition, ...] = ()


@dataclass(frozen=True)
class PageDefinition:
    id: str
    title: dict[str, str]
    fields: tuple[FieldDefinition, ...]
    intro: dict[str, str] = field(default_factory=dict)
    show_if: Condition | None = None


@dataclass(frozen=True)
class Retention:
    draft_days: int
    decided_years: int
    method: str  # "delete" or "anonymise"


@dataclass(frozen=True)
class RoutingRule:
    """Send the case to ``to`` when the routing field's answer is one of ``values`` (and, with
    ``road: regional``, only when the location is on a regional road)."""

    values: tuple[str, ...]
    to: str
    road: str = ""


@dataclass(frozen=True)
class Routing:
    """Who handles the case decided by an answer (e.g. the category of a report): the first
    rule that matches, else ``otherwise`` (``municipality-of-location``, ``body`` or an
    administration id)."""

    field: str
    rules: tuple[RoutingRule, ...]
    otherwise: str


@dataclass(frozen=True)
class FormDefinition:
    procedure_id: str
    version: int
    facts: tuple[str, ...]
    pages: tuple[PageDefinition, ...]
    handling: str
    location_field: str
    documents: tuple[str, ...]
    retention: Retention
    routing: Routing | None = None

    def page(self, page_id: str) -> PageDefinition | None:
        return next((page for page in self.pages if page.id == page_id), None)

    def visible_pages(self, answers: dict[str, Any]) -> list[PageDefinition]:
        return [p for p in self.pages if p.show_if is None or p.show_if.holds(answers)]

    def page_after(self, page_id: str, answers: dict[str, Any]) -> PageDefinition | None:
        pages = self.visible_pages(answers)
        ids = [page.id for page in pages]
        index = ids.index(page_id) + 1 if page_id in ids else len(ids)
        return pages[index] if index < len(pages) else None

    def page_before(self, page_id: str, answers: dict[str, Any]) -> PageDefinition | None:
        pages = self.visible_pages(answers)
        ids = [page.id for page in pages]
        index = ids.index(page_id) - 1 if page_id in ids else -1
        return pages[index] if index >= 0 else None

    def fields(self) -> list[FieldDefinition]:
        return [f for page in self.pages for f in page.fields]


def _texts(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or any(not raw.get(lang) for lang in LANGUAGES):
        raise DefinitionError(f"{where}: needs a text in each of {', '.join(LANGUAGES)}")
    return {lang: str(raw[lang]) for lang in LANGUAGES}


def _optional_texts(raw: Any, where: str) -> dict[str, str]:
    return _texts(raw, where) if raw is not None else {}


def _condition(raw: Any, where: str, known: set[str]) -> Condition | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or "field" not in raw:
        raise DefinitionError(f"{where}: show_if needs 'field' and 'equals' or 'in'")
    if raw["field"] not in known:
        raise DefinitionError(f"{where}: show_if refers to {raw['field']!r}, not an earlier field")
    values = raw.get("in", [raw.get("equals")])
    return Condition(str(raw["field"]), tuple(str(v) for v in values))


def _check_options(kind: str, options: dict[str, Any], where: str) -> None:
    if kind == "choice" and not (options.get("choices") or options.get("options_from")):
        raise DefinitionError(f"{where}: a choice needs 'choices' or 'options_from'")
    for key, value in options.get("choices", {}).items():
        _texts(value, f"{where}, choice {key}")
    if kind == "number" and options.get("min", 0) > options.get("max", float("inf")):
        raise DefinitionError(f"{where}: min is above max")
    if kind == "file" and not 0 < float(options.get("max_mb", 10)) <= 20:
        raise DefinitionError(f"{where}: max_mb must be between 0 and 20")
    if kind == "file" and not set(options.get("accept", ["pdf"])) <= {"pdf", "jpeg", "png"}:
        raise DefinitionError(f"{where}: accept may list pdf, jpeg and png only")


def _field(raw: dict[str, Any], where: str, known: set[str], in_group: bool) -> FieldDefinition:
    name = str(raw.get("name") or "?")
    where = f"{where}, field {name}"
    kind = raw.get("type")
    if kind not in FIELD_TYPES:
        raise DefinitionError(f"{where}: unknown type {kind!r}")
    if not name.isidentifier():
        raise DefinitionError(f"{where}: the name must be a plain identifier")
    if name in known:
        raise DefinitionError(f"{where}: the name is used twice")
    if kind == "group" and in_group:
        raise DefinitionError(f"{where}: a group cannot hold another group")
    options = {k: v for k, v in raw.items() if k not in COMMON_KEYS}
    _check_options(str(kind), options, where)
    condition = _condition(raw.get("show_if"), where, known)
    known.add(name)
    subfields: tuple[FieldDefinition, ...] = ()
    if kind == "group":
        inner: set[str] = set()
        subfields = tuple(_field(f, where, inner, True) for f in raw.get("fields") or [])
        if not subfields:
            raise DefinitionError(f"{where}: a group needs fields")
    return FieldDefinition(
        name=name,
        type=str(kind),
        label=_texts(raw.get("label"), f"{where} label"),
        help=_optional_texts(raw.get("help"), f"{where} help"),
        required_message=_optional_texts(raw.get("required_message"), f"{where} message"),
        required=bool(raw.get("required", True)),
        show_if=condition,
        options=options,
        fields=subfields,
    )


def parse(raw: dict[str, Any], filename: str) -> FormDefinition:
    procedure_id = raw.get("procedure")
    if not procedure_id:
        raise DefinitionError(f"{filename}: 'procedure' is missing")
    where = f"{filename}, procedure {procedure_id}"
    known: set[str] = set()
    pages = []
    for page in raw.get("pages") or []:
        page_where = f"{where}, page {page.get('id')}"
        condition = _condition(page.get("show_if"), page_where, known)
        fields = tuple(_field(f, page_where, known, False) for f in page.get("fields") or [])
        if not fields:
            raise DefinitionError(f"{page_where}: a page needs at least one field")
        pages.append(
            PageDefinition(
                id=str(page.get("id")),
                title=_texts(page.get("title"), f"{page_where} title"),
                intro=_optional_texts(page.get("intro"), f"{page_where} intro"),
                fields=fields,
                show_if=condition,
            )
        )
    if not pages:
        raise DefinitionError(f"{where}: a form needs at least one page")
    return FormDefinition(
        procedure_id=str(procedure_id),
        version=int(raw.get("version", 1)),
        facts=tuple(raw.get("facts") or []),
        pages=tuple(pages),
        handling=_handling(raw, where, known),
        location_field=str(raw.get("location_field", "")),
        documents=_documents(raw, where),
        retention=_retention(raw.get("retention") or {}, where),
        routing=_routing(raw, where, known),
    )


def _handling(raw: dict[str, Any], where: str, known: set[str]) -> str:
    handling = str(raw.get("handling", "body"))
    if handling not in HANDLING:
        raise DefinitionError(f"{where}: handling must be one of {', '.join(sorted(HANDLING))}")
    if handling == "municipality-of-location" and raw.get("location_field") not in known:
        raise DefinitionError(f"{where}: location_field must name an address or location field")
    if handling == "municipality-of-residence" and "population.address" not in (
        raw.get("facts") or []
    ):
        raise DefinitionError(f"{where}: the municipality of residence needs population.address")
    return handling


ROADS = frozenset({"", "regional"})


def _routing(raw: dict[str, Any], where: str, known: set[str]) -> Routing | None:
    spec = raw.get("routing")
    if spec is None:
        return None
    where = f"{where}, routing"
    if not isinstance(spec, dict) or spec.get("field") not in known:
        raise DefinitionError(f"{where}: 'field' must name a field of the form")
    rules = []
    for number, rule in enumerate(spec.get("rules") or [], start=1):
        values, to = rule.get("when"), rule.get("to")
        if not isinstance(values, list) or not values or not to:
            raise DefinitionError(f"{where}, rule {number}: needs 'when' (a list) and 'to'")
        if str(rule.get("road", "")) not in ROADS:
            raise DefinitionError(f"{where}, rule {number}: road may only be 'regional'")
        rules.append(RoutingRule(tuple(str(v) for v in values), str(to), str(rule.get("road", ""))))
    otherwise = str(spec.get("otherwise", "body"))
    needs_place = otherwise == "municipality-of-location" or any(r.road for r in rules)
    if needs_place and raw.get("location_field") not in known:
        raise DefinitionError(f"{where}: needs location_field to name an address or location")
    return Routing(str(spec["field"]), tuple(rules), otherwise)


def _documents(raw: dict[str, Any], where: str) -> tuple[str, ...]:
    documents = tuple(raw.get("documents") or ["receipt"])
    unknown = set(documents) - DOCUMENTS
    if unknown:
        raise DefinitionError(f"{where}: unknown documents {sorted(unknown)}")
    return documents


def _retention(raw: dict[str, Any], where: str) -> Retention:
    method = str(raw.get("method", "anonymise"))
    if method not in ("delete", "anonymise"):
        raise DefinitionError(f"{where}: retention method must be delete or anonymise")
    return Retention(int(raw.get("draft_days", 30)), int(raw.get("decided_years", 5)), method)


def load_text(text: str, name: str, procedure_id: str) -> FormDefinition:
    """Parse and check a definition; ``name`` says where it comes from in error messages."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as problem:
        raise DefinitionError(f"{name}: not valid YAML ({problem})") from None
    if not isinstance(raw, dict):
        raise DefinitionError(f"{name}: a definition is a mapping")
    definition = parse(raw, name)
    if definition.procedure_id != procedure_id:
        raise DefinitionError(f"{name}: declares procedure {definition.procedure_id!r}")
    return definition


def load_file(path: Path) -> FormDefinition:
    return load_text(path.read_text(encoding="utf-8"), path.name, path.stem)


@cache
def _file_definition(procedure_id: str) -> FormDefinition | None:
    path = DEFINITIONS_DIR / f"{procedure_id}.yaml"
    return load_file(path) if path.exists() else None


@cache
def _stored_definition(procedure_id: str, version: int, source: str) -> FormDefinition:
    return load_text(source, f"{procedure_id} version {version}", procedure_id)


def get_definition(procedure_id: str, version: int | None = None) -> FormDefinition | None:
    """The definition of a procedure's form: the given version, or the latest one published
    by a service designer, or the file shipped with Loket; None if it has none."""
    from loket.forms.models import DefinitionVersion

    stored = DefinitionVersion.objects.filter(procedure_id=procedure_id)
    if version is not None:
        stored = stored.filter(version=version)
    row = stored.order_by("-version").values_list("version", "source").first()
    if row is not None:
        return _stored_definition(procedure_id, row[0], row[1])
    shipped = _file_definition(procedure_id)
    if version is not None and shipped is not None and shipped.version != version:
        return None
    return shipped


def available_definitions() -> list[str]:
    return sorted(path.stem for path in DEFINITIONS_DIR.glob("*.yaml"))
