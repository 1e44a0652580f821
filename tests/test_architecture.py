"""Structural rules: one door to the registers, dependencies pointing down, no cycle between
apps (string foreign keys count), and the app graph in docs/architecture.md drawn from the code."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

import loket
from loket import cli
from loket.core import appgraph
from loket.core.appgraph import LAYERS, Reference, build, find_cycles

SOURCE = Path(loket.__file__).resolve().parent
ARCHITECTURE_DOC = SOURCE.parent.parent / "docs" / "architecture.md"

# Code that seeds the synthetic registers (never reads them for a procedure).
SEEDERS = {"web/demo.py", "web/management/commands/seed.py", "cli.py"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def python_files() -> list[tuple[str, Path]]:
    return [
        (path.relative_to(SOURCE).as_posix(), path)
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts
    ]


def test_only_the_sources_app_reads_the_registers() -> None:
    offenders = []
    for relative, path in python_files():
        if relative.startswith(("sources/", "registers/")):
            continue
        for name in imports_of(path):
            if name.startswith("loket.registers") and not (
                relative in SEEDERS and name == "loket.registers.generator"
            ):
                offenders.append(f"{relative} imports {name}")
    assert offenders == []


def test_only_the_demo_adapters_in_sources_touch_register_models() -> None:
    readers = {
        relative
        for relative, path in python_files()
        if relative.startswith("sources/")
        and any(n.startswith("loket.registers") for n in imports_of(path))
    }
    assert readers == {"sources/demo.py"}


def test_every_app_has_a_layer() -> None:
    assert sorted(build().nodes - LAYERS.keys()) == []


def test_lower_apps_never_depend_on_higher_ones() -> None:
    """Imports and models named by string ("cases.Case" in a foreign key) alike."""
    offenders = [
        f"{source} (layer {LAYERS[source]}) -> {target} (layer {LAYERS[target]}): {reference}"
        for (source, target), references in sorted(build().edges.items())
        if LAYERS[target] > LAYERS[source]
        for reference in references
    ]
    assert offenders == [], "\n".join(offenders)


def test_no_cycle_between_apps() -> None:
    graph = build()
    assert find_cycles(graph.successors()) == [], "\n" + appgraph.describe_cycles(graph)


def test_the_graph_in_the_architecture_doc_is_the_one_drawn_from_the_code() -> None:
    drawn = appgraph.drawn_in(ARCHITECTURE_DOC.read_text(encoding="utf-8"))
    assert drawn == appgraph.doc_block(build()), (
        "docs/architecture.md shows another app graph than the code's; redraw it with "
        "`loket appgraph --write-doc docs/architecture.md`"
    )


def test_the_command_prints_the_graph_in_the_same_order_every_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert appgraph.main([]) == 0
    first = capsys.readouterr().out
    assert appgraph.main([]) == 0
    assert capsys.readouterr().out == first
    assert first.startswith("graph TD\n")
    assert "  cases --> forms\n" in first


def test_loket_appgraph_prints_the_graph(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as finished:
        cli.main(["appgraph"])
    assert finished.value.code == 0
    assert capsys.readouterr().out == appgraph.mermaid(build())


# The detector itself: a cycle added on purpose must be found, named and make the check fail.


def test_a_cycle_in_a_graph_is_found_and_named_as_a_path() -> None:
    graph = {"web": {"cases"}, "cases": {"notify"}, "notify": {"cases", "core"}, "core": set()}
    assert find_cycles(graph) == [["cases", "notify", "cases"]]
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"web": {"cases"}, "cases": {"core"}, "core": set()}) == []


def test_every_dependency_on_a_cycle_is_in_some_reported_cycle() -> None:
    graph = {"a": {"b"}, "b": {"a", "c"}, "c": {"a"}}
    cycles = find_cycles(graph)
    assert cycles == [["a", "b", "a"], ["a", "b", "c", "a"]]
    edges_on_cycles = {(c[i], c[i + 1]) for c in cycles for i in range(len(c) - 1)}
    assert edges_on_cycles == {("a", "b"), ("b", "a"), ("b", "c"), ("c", "a")}


@pytest.fixture
def source_copy(tmp_path: Path) -> Path:
    """A copy of src/loket (code only) to add a cycle to."""
    copy = tmp_path / "loket"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("locale", "data", "*.pyc"))
    return copy


def cycles_in(root: Path) -> list[list[str]]:
    return find_cycles(build(root).successors())


def test_the_copy_of_the_tree_has_the_same_graph_as_the_tree(source_copy: Path) -> None:
    assert build(source_copy).edges == build(SOURCE).edges


@pytest.mark.parametrize(
    "code",
    [
        "from loket.cases.models import Case\n",
        "def later() -> None:\n    import loket.cases.selectors\n",
        "from loket import cases\n",
        "from ..cases.models import Case\n",
        "from .. import cases\n",
        "from django.db import models\n\n\nclass Seen(models.Model):\n"
        "    case = models.ForeignKey('cases.Case', on_delete=models.CASCADE)\n",
        "from django.apps import apps\n\nCase = apps.get_model('cases', 'Case')\n",
        "from django.apps import apps\n\nCase = apps.get_model('cases.Case')\n",
    ],
    ids=[
        "import",
        "function-level",
        "from-loket",
        "relative",
        "relative-package",
        "string-fk",
        "get_model",
        "get_model-dotted",
    ],
)
def test_a_cycle_added_on_purpose_makes_the_check_fail(source_copy: Path, code: str) -> None:
    # forms sits below cases (cases imports forms); forms naming cases closes a cycle.
    (source_copy / "forms" / "added_on_purpose.py").write_text(code, encoding="utf-8")
    assert ["cases", "forms", "cases"] in cycles_in(source_copy)
    graph = build(source_copy)
    assert "forms/added_on_purpose.py" in appgraph.describe_cycles(graph)


def test_a_string_foreign_key_upwards_breaks_the_layer_rule(source_copy: Path) -> None:
    (source_copy / "core" / "added_on_purpose.py").write_text(
        "from django.db import models\n\n\nclass Seen(models.Model):\n"
        "    case = models.ForeignKey(to='cases.Case', on_delete=models.CASCADE)\n",
        encoding="utf-8",
    )
    edges = build(source_copy).edges
    assert edges[("core", "cases")] == [
        Reference("core/added_on_purpose.py", 5, "ForeignKey 'cases.Case'", "model")
    ]


def test_the_app_label_is_read_from_the_apps_module(source_copy: Path) -> None:
    # forms' label is loket_forms: a string key "loket_forms.Attachment" points at forms.
    assert appgraph.app_labels(source_copy)["loket_forms"] == "forms"


def test_the_check_command_exits_1_naming_the_cycle(
    source_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (source_copy / "catalog" / "added_on_purpose.py").write_text(
        "import loket.cases.models\n", encoding="utf-8"
    )
    monkeypatch.setattr(appgraph, "ROOT", source_copy)
    assert appgraph.main(["--check"]) == 1
    output = capsys.readouterr().out
    assert "cycle: cases -> catalog -> cases\n" in output
    assert "catalog/added_on_purpose.py:1 import loket.cases.models" in output
