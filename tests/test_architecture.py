"""Structural rules: one door to the registers, dependencies pointing down."""

from __future__ import annotations

import ast
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
