"""The schema of form definitions: typed models that refuse unknown keys and wrong types.

Each level (definition, page, field, condition, retention, routing…) is a model; a field's
options come from its type in the registry (``fields.FIELD_TYPES``). ``explain`` turns the
validation errors into lines that name the file, the procedure, the page and the field, and
suggest the closest allowed key for a misspelled one. Cross-references (a condition on an
earlier field, the location field…) are checked after, in ``definitions.py``.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Discriminator,
    Field,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import ErrorDetails

from loket.forms.fields import FIELD_TYPES
from loket.forms.spec import FactName, Scalar, Spec, Texts

HANDLING = ("body", "municipality-of-residence", "municipality-of-location")
DOCUMENTS = ("receipt", "decision", "certificate", "permit", "appointment")


class ConditionSpec(Spec):
    """``show_if``: the answer to ``field`` equals a value or is ``in`` a list."""

    field: str
    equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in", min_length=1)

    @model_validator(mode="after")
    def _one_test(self) -> ConditionSpec:
        if (self.equals is None) == (self.in_ is None):
            raise ValueError("show_if needs 'field' and either 'equals' or 'in'")
        return self

    def values(self) -> tuple[str, ...]:
        return tuple(self.in_) if self.in_ is not None else (str(self.equals),)


class FieldSpec(Spec):
    """What every field has, whatever its type (each type's model narrows ``type`` and adds
    the type's options)."""

    name: str
    type: str
    label: Texts
    help: Texts | None = None
    required: bool = True
    required_message: Texts | None = None
    show_if: ConditionSpec | None = None

    def options(self) -> dict[str, Any]:
        """The type's options, defaults filled in."""
        kind = FIELD_TYPES[self.type]
        return self.model_dump(include=set(kind.options.model_fields))


def _field_model(name: str, **extra: Any) -> type[FieldSpec]:
    tag: Any = Literal[name]
    bases: Any = (FieldSpec, FIELD_TYPES[name].options)
    model: type[FieldSpec] = create_model(f"{name}_field", __base__=bases, type=(tag, ...), **extra)
    return model


def _union(models: dict[str, type[FieldSpec]]) -> Any:
    union: Any = None
    for model in models.values():
        union = model if union is None else union | model
    return union


# One model per field type, told apart by ``type``; a group holds any field but a group.
ITEM_MODELS = {name: _field_model(name) for name in FIELD_TYPES if name != "group"}
_item_field: Any = Annotated[_union(ITEM_MODELS), Discriminator("type")]
FIELD_MODELS: dict[str, type[FieldSpec]] = {
    **ITEM_MODELS,
    "group": _field_model("group", fields=(list[_item_field], Field(min_length=1))),
}
if TYPE_CHECKING:
    AnyField = FieldSpec
else:
    AnyField = Annotated[_union(FIELD_MODELS), Discriminator("type")]


class PageSpec(Spec):
    id: str
    title: Texts
    intro: Texts | None = None
    show_if: ConditionSpec | None = None
    fields: list[AnyField] = Field(min_length=1)


class RetentionSpec(Spec):
    draft_days: int = Field(default=30, ge=0)
    decided_years: int = Field(default=5, ge=0)
    method: Literal["delete", "anonymise"] = "anonymise"


class RuleSpec(Spec):
    when: list[Scalar] = Field(min_length=1)
    to: str
    road: Literal["regional"] | None = None


class RoutingSpec(Spec):
    field: str
    rules: list[RuleSpec] = []
    otherwise: str = "body"


class OneRunningSpec(Spec):
    """One running grant per answer (e.g. one parking card per plate): a case with the same
    answer that is open, or granted and not yet expired, stops a new application."""

    field: str
    starts: str = ""  # the date field from which the grant runs; else the decision date
    valid_days: int = Field(ge=1)
    running: Texts  # "already has a card until {until}", after the choice's label


class DefinitionSpec(Spec):
    procedure: str
    version: int = Field(default=1, ge=1)
    handling: Literal[HANDLING] = "body"  # type: ignore[valid-type]
    location_field: str = ""
    facts: list[FactName] = []
    documents: list[Literal[DOCUMENTS]] = Field(default=["receipt"], min_length=1)  # type: ignore[valid-type]
    retention: RetentionSpec = RetentionSpec()
    routing: RoutingSpec | None = None
    one_running_per: OneRunningSpec | None = None
    pages: list[PageSpec] = Field(min_length=1)


# -- explaining errors -------------------------------------------------------------------------

# A key that opens a list or mapping of named parts, and how a part is named in messages.
PARTS = {"pages": "page", "fields": "field", "rules": "rule", "choices": "choice"}


def explain(error: ValidationError, raw: dict[str, Any], filename: str) -> list[str]:
    """One line per problem: where it is (file, procedure, page, field) and what is wrong."""
    procedure = raw.get("procedure")
    origin = f"{filename}, procedure {procedure}" if isinstance(procedure, str) else filename
    return [_explain_one(detail, raw, origin) for detail in error.errors()]


def _explain_one(detail: ErrorDetails, raw: dict[str, Any], origin: str) -> str:
    where = [origin]  # the named parts: page, field, routing rule…
    keys: list[str] = []  # then the key inside the innermost part
    node: Any = raw
    model: type[BaseModel] | None = DefinitionSpec
    loc = list(detail["loc"])
    while loc:
        part = loc.pop(0)
        if not keys and part in PARTS and loc:
            index = loc.pop(0)
            node = _item(node.get(part) if isinstance(node, dict) else None, index)
            where.append(f"{PARTS[str(part)]} {_name_of(part, index, node)}")
            model = _model_for(model, str(part), node)
            if part == "fields" and loc and isinstance(node, dict) and loc[0] == node.get("type"):
                loc.pop(0)  # the tag of the union of field types
        elif not keys and part in ("routing", "retention", "one_running_per"):
            where.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
            model = _sub(model, part)
        else:
            keys.append(f" #{part + 1}" if isinstance(part, int) else str(part))
            if loc and not isinstance(part, int):
                model = _sub(model, part)
    return f"{', '.join(where)}: {_message(detail, keys, model)}"


def _item(items: Any, index: Any) -> Any:
    if isinstance(items, list) and isinstance(index, int) and 0 <= index < len(items):
        return items[index]
    if isinstance(items, dict):
        return items.get(index)
    return None


def _name_of(part: Any, index: Any, node: Any) -> str:
    if part == "pages" and isinstance(node, dict) and node.get("id"):
        return str(node["id"])
    if part == "fields" and isinstance(node, dict) and node.get("name"):
        return str(node["name"])
    if part == "choices":
        return str(index)
    return f"#{index + 1}" if isinstance(index, int) else str(index)


def _model_for(model: type[BaseModel] | None, part: str, node: Any) -> type[BaseModel] | None:
    if part == "fields":
        kind = node.get("type") if isinstance(node, dict) else None
        return FIELD_MODELS.get(kind) if isinstance(kind, str) else None
    return _sub(model, part)


def _sub(model: type[BaseModel] | None, key: Any) -> type[BaseModel] | None:
    """The model of the value under ``key`` (through lists, mappings and optional values)."""
    if model is None:
        return None
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return _model_in(info.annotation)
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _message(detail: ErrorDetails, keys: list[str], model: type[BaseModel] | None) -> str:
    kind, key = detail["type"], ".".join(keys).replace(". #", " #")
    given = detail.get("input")
    if kind == "extra_forbidden":
        unknown = keys[-1] if keys else key
        inside = ".".join(keys[:-1]).replace(". #", " #")
        message = f"{inside}: unknown key {unknown!r}" if inside else f"unknown key {unknown!r}"
        allowed = allowed_keys(model) if model is not None else []
        close = difflib.get_close_matches(unknown, allowed, n=1, cutoff=0.6)
        if close:
            return f"{message} (did you mean {close[0]!r}?)"
        return f"{message} (allowed: {', '.join(allowed)})" if allowed else message
    if kind == "union_tag_invalid":
        tag = str(detail.get("ctx", {}).get("tag", given))
        if tag in FIELD_TYPES:
            return f"a group cannot hold a {tag}"
        close = difflib.get_close_matches(tag, list(FIELD_TYPES), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"the types are {', '.join(FIELD_TYPES)}"
        return f"unknown type {tag!r} ({hint})"
    if kind == "union_tag_not_found":
        return "'type' is missing"
    if kind == "invalid_key" or "[key]" in detail["loc"]:
        return f"the key {given!r} must be text: write it in quotes"
    if isinstance(given, bool) and kind in ("string_type", "int_type", "literal_error"):
        return f'{key}: {given} is read as yes/no; write the value in quotes ("yes", "no")'
    if kind == "missing":
        return f"{key!r} is missing"
    text = detail["msg"].removeprefix("Value error, ")
    text = text[0].lower() + text[1:] if text else text
    if not key:
        return text
    return f"{key}: {text} (found {given!r})"
