"""Structural rules: one door to the registers, dependencies pointing down."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import loket

SOURCE = Path(loket.__file__).resolve().parent

# Code that seeds the synthetic registers (never reads them for a procedure).
SEEDERS = {"web/demo.py", "web/management/commands/seed.py", "cli.py"}
LAYERS = {
    "web": 3,
    "api": 3,
    "accounts": 3,
    "cases": 2,
    "certificates": 2,
    "notify": 2,
    "forms": 2,
    "incidents": 2,
    "mandates": 2,
    "privacy": 2,
    "opendata": 2,
    "appointments": 2,
    "sources": 1,
    "audit": 1,
    "geo": 1,
    "catalog": 1,
    "core": 0,
    "registers": 0,
    "tasks": 0,
}


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


def test_lower_apps_never_import_higher_ones() -> None:
    offenders = []
    for relative, path in python_files():
        app = relative.split("/")[0]
        if app not in LAYERS:
            continue
        for name in imports_of(path):
            parts = name.split(".")
            is_loket_app = len(parts) > 1 and parts[0] == "loket" and parts[1] in LAYERS
            if is_loket_app and LAYERS[parts[1]] > LAYERS[app]:
                offenders.append(f"{relative} imports {name}")
    assert offenders == []


# Circles that were there before this test; they may shrink, never grow, and no other app may
# join one. (Lower apps should tell higher ones through signals, tasks or registered hooks.)
KNOWN_CYCLES = (
    frozenset({"cases", "forms", "mandates", "notify", "privacy"}),
    frozenset({"accounts", "api", "web"}),
)
MODEL_REFERENCE = re.compile(r"[a-z_]+\.[A-Z][A-Za-z]+")


def app_labels() -> dict[str, str]:
    """Django app label → package name under loket/ (``loket_forms`` → ``forms``)."""
    labels = {}
    for apps_file in SOURCE.glob("*/apps.py"):
        found = re.search(r'label\s*=\s*"([^"]+)"', apps_file.read_text(encoding="utf-8"))
        package = apps_file.parent.name
        labels[found.group(1) if found else package] = package
    return labels


def app_dependencies() -> dict[str, set[str]]:
    """Which app each app uses: its imports, and the models it names in strings
    (``ForeignKey("cases.Case")`` is a dependency as much as an import is)."""
    packages = {path.parent.name for path in SOURCE.glob("*/apps.py")}
    labels = app_labels()
    graph: dict[str, set[str]] = {package: set() for package in packages}
    for relative, path in python_files():
        app = relative.split("/")[0]
        if app not in packages:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in imports_of(path):
            parts = name.split(".")
            if len(parts) > 1 and parts[0] == "loket" and parts[1] in packages:
                graph[app].add(parts[1])
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and MODEL_REFERENCE.fullmatch(text):
                label = text.split(".")[0]
                if label in labels:
                    graph[app].add(labels[label])
        graph[app].discard(app)
    for migration in SOURCE.glob("*/migrations/*.py"):
        app = migration.parent.parent.name
        for label in re.findall(r'to="([a-z_]+)\.', migration.read_text(encoding="utf-8")):
            if label in labels and labels[label] != app:
                graph[app].add(labels[label])
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        for used in graph.get(app, ()):
            if used not in index:
                visit(used)
                low[app] = min(low[app], low[used])
            elif used in stack:
                low[app] = min(low[app], index[used])
        if low[app] == index[app]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == app:
                    break
            if len(group) > 1:
                found.append(frozenset(group))

    for app in sorted(graph):
        if app not in index:
            visit(app)
    return found


def test_the_cycle_finder_sees_string_foreign_keys() -> None:
    graph = app_dependencies()
    assert "cases" in graph["certificates"]  # ForeignKey("cases.Case"), and imports
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]


def test_no_new_dependency_cycle_and_none_through_certificates() -> None:
    graph = app_dependencies()
    assert "certificates" not in graph["cases"]
    for group in cycles(graph):
        assert "certificates" not in group
        assert any(group <= known for known in KNOWN_CYCLES), sorted(group)
