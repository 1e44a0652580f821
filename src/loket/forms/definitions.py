"""Form definitions: versioned configuration, one per procedure, validated on load.

A definition lists the facts read from registers (``source.attribute``, each a declared need of
the procedure), the pages of questions no register can answer (with conditions), who handles
the case, the documents produced and the retention. It lives in ``definitions/<id>.yaml`` and
may be changed by a service designer; every case records the version it was made with.

Loading checks a definition twice: against its schema (``schema.py``: unknown keys and wrong
types are refused, each field's options come from the registry of field types), then for what
refers to what (a condition names an earlier field, the location field exists…). Every problem
is reported, each naming the file, the procedure, the page and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db.models import QuerySet
from pydantic import ValidationError

from loket.core.prepared import PreparedRead
from loket.forms.schema import (
    ConditionSpec,
    DefinitionSpec,
    FieldSpec,
    PageSpec,
    explain,
)
from loket.forms.spec import Texts

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
LANGUAGES = ("fr", "nl", "en")


class DefinitionError(Exception):
    """A definition is invalid; each of ``problems`` names the file, procedure and field."""

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


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
class OneRunning:
    """At most one running grant per answer of ``field`` (e.g. one parking card per plate): a
    grant runs ``valid_days`` from the date answered in ``starts`` (or from its decision);
    ``running`` says so after the choice's label, ``{until}`` the last day."""

    field: str
    starts: str
    valid_days: int
    running: dict[str, str]


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
    one_running: OneRunning | None = None

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


def _texts(spec: Texts | None) -> dict[str, str]:
    return {lang: getattr(spec, lang) for lang in LANGUAGES} if spec is not None else {}


def _condition(spec: ConditionSpec | None) -> Condition | None:
    return Condition(spec.field, spec.values()) if spec is not None else None


class _Checker:
    """The checks of what refers to what, after the schema; collects every problem."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[str] = []
        self.known: set[str] = set()

    def refuse(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def condition(
        self, spec: ConditionSpec | None, where: str, earlier: set[str]
    ) -> Condition | None:
        if spec is not None and spec.field not in earlier:
            self.refuse(where, f"show_if refers to {spec.field!r}, not an earlier field")
        return _condition(spec)

    def field(self, spec: FieldSpec, where: str, names: set[str]) -> FieldDefinition:
        """``names``: the fields before this one, in the form or in the same group."""
        where = f"{where}, field {spec.name}"
        if not spec.name.isidentifier():
            self.refuse(where, "the name must be a plain identifier")
        if spec.name in names:
            self.refuse(where, "the name is used twice")
        condition = self.condition(spec.show_if, where, names)
        names.add(spec.name)
        inner: set[str] = set()
        items = tuple(self.field(item, where, inner) for item in getattr(spec, "fields", ()))
        return FieldDefinition(
            name=spec.name,
            type=spec.type,
            label=_texts(spec.label),
            help=_texts(spec.help),
            required_message=_texts(spec.required_message),
            required=spec.required,
            show_if=condition,
            options=spec.options(),
            fields=items,
        )

    def page(self, spec: PageSpec) -> PageDefinition:
        where = f"{self.where}, page {spec.id}"
        condition = self.condition(spec.show_if, where, self.known)
        return PageDefinition(
            id=spec.id,
            title=_texts(spec.title),
            intro=_texts(spec.intro),
            fields=tuple(self.field(f, where, self.known) for f in spec.fields),
            show_if=condition,
        )

    def handling(self, spec: DefinitionSpec) -> None:
        if spec.handling == "municipality-of-location" and spec.location_field not in self.known:
            self.refuse(self.where, "location_field must name an address or location field")
        if spec.handling == "municipality-of-residence" and "population.address" not in spec.facts:
            self.refuse(self.where, "the municipality of residence needs population.address")

    def routing(self, spec: DefinitionSpec) -> Routing | None:
        if spec.routing is None:
            return None
        where = f"{self.where}, routing"
        if spec.routing.field not in self.known:
            self.refuse(where, "'field' must name a field of the form")
        rules = tuple(
            RoutingRule(tuple(str(v) for v in rule.when), rule.to, rule.road or "")
            for rule in spec.routing.rules
        )
        needs_place = spec.routing.otherwise == "municipality-of-location" or any(
            rule.road for rule in rules
        )
        if needs_place and spec.location_field not in self.known:
            self.refuse(where, "needs location_field to name an address or location")
        return Routing(spec.routing.field, rules, spec.routing.otherwise)

    def one_running(self, spec: DefinitionSpec) -> OneRunning | None:
        rule = spec.one_running_per
        if rule is None:
            return None
        where = f"{self.where}, one_running_per"
        if rule.field not in self.known:
            self.refuse(where, "'field' must name a field of the form")
        if rule.starts and rule.starts not in self.known:
            self.refuse(where, "'starts' must name a date field of the form")
        return OneRunning(rule.field, rule.starts, rule.valid_days, _texts(rule.running))


def parse(raw: dict[str, Any], filename: str) -> FormDefinition:
    """Check a definition read from YAML and build it; raise ``DefinitionError`` listing
    every problem found."""
    try:
        spec = DefinitionSpec.model_validate(raw)
    except ValidationError as problem:
        raise DefinitionError(explain(problem, raw, filename)) from None
    checker = _Checker(f"{filename}, procedure {spec.procedure}")
    pages = tuple(checker.page(page) for page in spec.pages)
    checker.handling(spec)
    routing = checker.routing(spec)
    one_running = checker.one_running(spec)
    if checker.problems:
        raise DefinitionError(checker.problems)
    retention = spec.retention
    return FormDefinition(
        procedure_id=spec.procedure,
        version=spec.version,
        facts=tuple(spec.facts),
        pages=pages,
        handling=spec.handling,
        location_field=spec.location_field,
        documents=tuple(spec.documents),
        retention=Retention(retention.draft_days, retention.decided_years, retention.method),
        routing=routing,
        one_running=one_running,
    )


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (the second would
    silently replace the first)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_text(text: str, name: str, procedure_id: str) -> FormDefinition:
    """Parse and check a definition; ``name`` says where it comes from in error messages."""
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a safe loader)
    except yaml.MarkedYAMLError as problem:
        line = f", line {problem.problem_mark.line + 1}" if problem.problem_mark else ""
        raise DefinitionError(f"{name}{line}: not valid YAML ({problem.problem})") from None
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
    rows = (
        _LATEST_STORED.rows(procedure_id)
        if version is None
        else _STORED_VERSION.rows(procedure_id, version)
    )
    if rows:
        stored_version, source = rows[0]
        return _stored_definition(procedure_id, stored_version, source)
    shipped = _file_definition(procedure_id)
    if version is not None and shipped is not None and shipped.version != version:
        return None
    return shipped


def _stored(procedure_id: str) -> QuerySet[Any]:
    from loket.forms.models import DefinitionVersion

    return DefinitionVersion.objects.filter(procedure_id=procedure_id).order_by("-version")


# Read on most steps of every form (several times on some): compiled once (core.prepared).
_LATEST_STORED = PreparedRead(
    lambda procedure_id: _stored(procedure_id).values_list("version", "source")[:1], kinds=(str,)
)
_STORED_VERSION = PreparedRead(
    lambda procedure_id, version: (
        _stored(procedure_id).filter(version=version).values_list("version", "source")[:1]
    ),
    kinds=(str, int),
)


def available_definitions() -> list[str]:
    return sorted(path.stem for path in DEFINITIONS_DIR.glob("*.yaml"))
