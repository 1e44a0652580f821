"""Form definitions refuse what they do not understand (issue #17, part 6).

Every level of a definition refuses unknown keys and values of the wrong type, with a message
that names the file, the procedure, the page, the field and the key; the field types and their
options come from one registry, which docs/forms.md is checked against.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from loket.forms.definitions import (
    DEFINITIONS_DIR,
    DefinitionError,
    available_definitions,
    load_file,
    load_text,
)
from loket.forms.fields import FIELD_TYPES, types_table
from loket.forms.schema import FIELD_MODELS, FieldSpec, allowed_keys

ROOT = Path(__file__).resolve().parent.parent
TEXT = {"fr": "a", "nl": "a", "en": "a"}
FILE = "permit.yaml"
WHERE = f"{FILE}, procedure terrace-permit"

BASE: dict[str, Any] = {
    "procedure": "terrace-permit",
    "version": 1,
    "handling": "municipality-of-location",
    "location_field": "place",
    "facts": ["population.identity"],
    "documents": ["receipt", "certificate"],
    "retention": {"draft_days": 30, "decided_years": 5, "method": "delete"},
    "routing": {
        "field": "kind",
        "rules": [{"when": ["big"], "to": "brussels-mobility", "road": "regional"}],
        "otherwise": "municipality-of-location",
    },
    "pages": [
        {
            "id": "where",
            "title": TEXT,
            "fields": [
                {
                    "name": "place",
                    "type": "location",
                    "label": TEXT,
                    "nearby_reports": {"url": "incidents:nearby", "category_from": "kind"},
                },
                {
                    "name": "kind",
                    "type": "choice",
                    "label": TEXT,
                    "choices": {"big": TEXT, "small": TEXT},
                },
            ],
        },
        {
            "id": "details",
            "title": TEXT,
            "show_if": {"field": "kind", "equals": "big"},
            "fields": [
                {"name": "tables", "type": "number", "label": TEXT, "min": 1, "max": 40},
                {
                    "name": "chairs",
                    "type": "group",
                    "label": TEXT,
                    "max": 5,
                    "fields": [{"name": "colour", "type": "text", "label": TEXT}],
                },
            ],
        },
    ],
}


def load(raw: dict[str, Any]) -> Any:
    return load_text(yaml.safe_dump(raw, allow_unicode=True), FILE, "terrace-permit")


def problems_of(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as refused:
        load(raw)
    return refused.value.problems


def changed(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(json.dumps(BASE))  # no text shared between parts
    change(raw)
    return raw


def test_the_example_loads_with_its_defaults_filled_in() -> None:
    definition = load(BASE)
    assert definition.documents == ("receipt", "certificate")  # kept for a later issue
    tables = definition.pages[1].fields[0]
    assert tables.options == {"min": 1, "max": 40, "decimals": True}  # the default: decimals
    colour = definition.pages[1].fields[1].fields[0]
    assert colour.options == {"max_length": 200}


def _page(raw: dict[str, Any]) -> dict[str, Any]:
    return raw["pages"][1]


def _tables(raw: dict[str, Any]) -> dict[str, Any]:
    return _page(raw)["fields"][0]


def _colour(raw: dict[str, Any]) -> dict[str, Any]:
    return _page(raw)["fields"][1]["fields"][0]


def _place(raw: dict[str, Any]) -> dict[str, Any]:
    return raw["pages"][0]["fields"][0]


# (what is changed, where the message says it is, the unknown key, the suggestion if any)
UNKNOWN_KEYS: list[tuple[str, Callable[[dict[str, Any]], None], str, str, str]] = [
    ("definition", lambda r: r.update(handlng="body"), WHERE, "handlng", "handling"),
    ("retention", lambda r: r["retention"].update(draft_dayz=3), f"{WHERE}, retention",
     "draft_dayz", "draft_days"),
    ("routing", lambda r: r["routing"].update(otherwize="body"), f"{WHERE}, routing",
     "otherwize", "otherwise"),
    ("routing rule", lambda r: r["routing"]["rules"][0].update(wen=["x"]),
     f"{WHERE}, routing, rule #1", "wen", "when"),
    ("page", lambda r: _page(r).update(titel=TEXT), f"{WHERE}, page details", "titel", "title"),
    ("page condition", lambda r: _page(r)["show_if"].update(equal="big"),
     f"{WHERE}, page details: show_if", "equal", "equals"),
    ("field", lambda r: _tables(r).update(requird=False), f"{WHERE}, page details, field tables",
     "requird", "required"),
    ("field option", lambda r: _colour(r).update(max_lenght=5),
     f"{WHERE}, page details, field chairs, field colour", "max_lenght", "max_length"),
    ("group", lambda r: _page(r)["fields"][1].update(maximum=3),
     f"{WHERE}, page details, field chairs", "maximum", "max"),
    ("option of another type", lambda r: _tables(r).update(max_length=5),
     f"{WHERE}, page details, field tables", "max_length", ""),
    ("text", lambda r: _tables(r)["label"].update(de="a"),
     f"{WHERE}, page details, field tables: label", "de", ""),
    ("choice", lambda r: r["pages"][0]["fields"][1]["choices"]["big"].update(end="a"),
     f"{WHERE}, page where, field kind, choice big", "end", "en"),
    ("nested option", lambda r: _place(r)["nearby_reports"].update(category="kind"),
     f"{WHERE}, page where, field place: nearby_reports", "category", "category_from"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "where", "key", "suggestion"),
    [case[1:] for case in UNKNOWN_KEYS],
    ids=[case[0] for case in UNKNOWN_KEYS],
)
def test_an_unknown_key_at_any_level_is_refused_with_file_procedure_field_and_key(
    change: Callable[[dict[str, Any]], None], where: str, key: str, suggestion: str
) -> None:
    [problem] = problems_of(changed(change))
    assert problem.startswith(f"{where}: unknown key {key!r}"), problem
    if suggestion:
        assert problem.endswith(f"(did you mean {suggestion!r}?)"), problem
    else:
        assert "(allowed: " in problem, problem


WRONG_TYPES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("required as text", lambda r: _tables(r).update(required="no"),
     f"{WHERE}, page details, field tables: required: input should be a valid boolean"),
    ("max_length in words", lambda r: _colour(r).update(max_length="five"),
     f"{WHERE}, page details, field chairs, field colour: max_length: input should be a valid "
     "integer"),
    ("label without languages", lambda r: _tables(r).update(label="Tables"),
     f"{WHERE}, page details, field tables: label: input should be a valid dictionary"),
    ("unknown type", lambda r: _tables(r).update(type="calendar"),
     f"{WHERE}, page details, field tables: unknown type 'calendar'"),
    ("misspelled type", lambda r: _tables(r).update(type="numbr"),
     f"{WHERE}, page details, field tables: unknown type 'numbr' (did you mean 'number'?)"),
    ("group in a group", lambda r: _colour(r).update(type="group", fields=[]),
     f"{WHERE}, page details, field chairs, field colour: a group cannot hold a group"),
    ("unknown document", lambda r: r.update(documents=["receipt", "licence"]),
     f"{WHERE}: documents #2: input should be 'receipt'"),
    ("unknown handling", lambda r: r.update(handling="region"),
     f"{WHERE}: handling: input should be 'body', 'municipality-of-residence' or "
     "'municipality-of-location' (found 'region')"),
    ("file kind", lambda r: _colour(r).update(type="file", accept=["pdf", "docx"]),
     f"{WHERE}, page details, field chairs, field colour: accept #2: input should be 'pdf', "
     "'jpeg' or 'png'"),
    ("version in words", lambda r: r.update(version="two"),
     f"{WHERE}: version: input should be a valid integer"),
    ("unquoted no", lambda r: _page(r)["show_if"].update(equals=False),
     f"{WHERE}, page details: show_if.equals: False is read as yes/no; write the value in quotes"),
    ("min above max", lambda r: _tables(r).update(min=50),
     f"{WHERE}, page details, field tables: min is above max"),
    ("fact not source.attribute", lambda r: r.update(facts=["population"]),
     f"{WHERE}: facts #1: write a fact as source.attribute"),
    ("no pages", lambda r: r.update(pages=[]),
     f"{WHERE}: pages: list should have at least 1 item"),
    ("missing label", lambda r: _tables(r).pop("label"),
     f"{WHERE}, page details, field tables: 'label' is missing"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "expected"), [case[1:] for case in WRONG_TYPES], ids=[c[0] for c in WRONG_TYPES]
)
def test_a_wrong_type_or_value_is_refused_with_where_it_is(
    change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    [problem] = problems_of(changed(change))
    assert problem.startswith(expected), problem


def test_every_problem_is_reported_at_once() -> None:
    def two_mistakes(raw: dict[str, Any]) -> None:
        _tables(raw)["requird"] = False
        raw["retention"]["method"] = "shred"

    assert len(problems_of(changed(two_mistakes))) == 2

    def two_references(raw: dict[str, Any]) -> None:
        _page(raw)["show_if"]["field"] = "later"
        raw["routing"]["field"] = "nowhere"

    assert problems_of(changed(two_references)) == [
        f"{WHERE}, page details: show_if refers to 'later', not an earlier field",
        f"{WHERE}, routing: 'field' must name a field of the form",
    ]


def test_a_definition_without_procedure_names_the_file() -> None:
    assert problems_of(changed(lambda r: r.pop("procedure"))) == [f"{FILE}: 'procedure' is missing"]


@pytest.mark.parametrize("procedure_id", available_definitions())
def test_every_shipped_definition_loads(procedure_id: str) -> None:
    definition = load_file(DEFINITIONS_DIR / f"{procedure_id}.yaml")
    assert definition.procedure_id == procedure_id


def test_there_are_32_shipped_definitions() -> None:
    assert len(available_definitions()) == 32


def test_each_field_type_accepts_exactly_the_common_keys_and_its_options_from_the_registry() -> (
    None
):
    common = set(FieldSpec.model_fields)
    assert set(FIELD_MODELS) == set(FIELD_TYPES)
    for name, kind in FIELD_TYPES.items():
        structure = {"fields"} if name == "group" else set()
        expected = common | set(kind.options.model_fields) | structure
        assert set(allowed_keys(FIELD_MODELS[name])) == expected, name


def test_docs_list_the_field_types_of_the_registry() -> None:
    docs = (ROOT / "docs" / "forms.md").read_text(encoding="utf-8")
    start = docs.index("<!-- field types: generated by `loket definitions types` -->\n")
    table = docs[docs.index("\n", start) + 1 : docs.index("<!-- end of field types -->")]
    assert table == types_table(), "run `loket definitions types` and paste it in docs/forms.md"
    out = StringIO()
    call_command("definitions", "types", stdout=out)
    assert out.getvalue() == table


def _type_names_listed(node: ast.AST) -> set[str]:
    """The field type names a set, list, tuple or dict literal holds (as items or keys)."""
    items: list[ast.expr | None] = []
    if isinstance(node, ast.Set | ast.List | ast.Tuple):
        items = list(node.elts)
    elif isinstance(node, ast.Dict):
        items = list(node.keys)
    return {
        item.value for item in items if isinstance(item, ast.Constant) and item.value in FIELD_TYPES
    }


def test_no_other_module_keeps_its_own_list_of_field_types() -> None:
    old_list = ast.parse("{'text', 'date', 'file', 'group'}", mode="eval").body
    assert _type_names_listed(old_list) == {"text", "date", "file", "group"}
    registry = ROOT / "src" / "loket" / "forms" / "fields.py"
    for path in (ROOT / "src" / "loket").rglob("*.py"):
        if path == registry:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            listed = _type_names_listed(node)
            assert len(listed) < 4, f"{path}:{getattr(node, 'lineno', '?')} lists field types"


@pytest.mark.django_db
def test_the_check_command_names_a_published_version_that_no_longer_loads() -> None:
    from loket.catalog.models import Procedure
    from loket.forms.models import DefinitionVersion

    out = StringIO()
    call_command("definitions", "check", stdout=out)
    assert "Every form definition loads." in out.getvalue()
    source = (DEFINITIONS_DIR / "residents-parking-card.yaml").read_text(encoding="utf-8")
    DefinitionVersion.objects.create(
        procedure=Procedure.objects.get(id="residents-parking-card"),
        version=2,
        source=source.replace("version: 1", "version: 2\nhandlng: body"),
    )
    out = StringIO()
    with pytest.raises(CommandError, match="1 problems"):
        call_command("definitions", "check", stdout=out)
    assert (
        "residents-parking-card version 2, procedure residents-parking-card: "
        "unknown key 'handlng' (did you mean 'handling'?)" in out.getvalue()
    )


def test_a_key_given_twice_is_refused_with_its_line() -> None:
    text = yaml.safe_dump(BASE, sort_keys=False).replace(
        "handling: municipality-of-location\n",
        "handling: municipality-of-location\nhandling: body\n",
    )
    with pytest.raises(DefinitionError) as refused:
        load_text(text, FILE, "terrace-permit")
    assert (
        str(refused.value) == f"{FILE}, line 4: not valid YAML (the key 'handling' is given twice)"
    )
