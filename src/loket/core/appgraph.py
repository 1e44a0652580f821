"""The graph of Loket's apps, read from the code, its cycles, and its drawing in Mermaid.

``python -m loket.core.appgraph`` (or ``loket appgraph``) prints the graph as a Mermaid
``graph TD``; ``--check`` exits 1 naming every cycle; ``--write-doc docs/architecture.md``
redraws the graph between the markers in that page. Only the standard library is used, so it
runs without Django, settings or a database.

An app depends on another when one of its modules

- imports it, at any level (module or function, ``if TYPE_CHECKING`` included):
  ``import loket.x``, ``from loket.x import y``, ``from loket import x``, relative imports; or
- names one of its models by string: ``"label.Model"`` as the target (or ``through``) of a
  ``ForeignKey``, ``OneToOneField`` or ``ManyToManyField``, or in ``get_model("label", ...)`` /
  ``get_model("label.Model")``. The app label comes from the app's ``apps.py``.

The nodes are the top-level packages and modules of ``loket`` except the project's wiring
(``settings``, ``urls``, ``cli``, ``wsgi``), which may import everything. Migrations are left
out: they are frozen history, and the models they describe are read from ``models.py``.
A foreign key to ``settings.AUTH_USER_MODEL`` (the user, in ``core``) is not counted: it always
points down to the base.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # src/loket
WIRING = frozenset({"settings", "urls", "cli", "wsgi", "__init__", "__main__"})
MODEL_FIELDS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})

# The layers of docs/architecture.md: an app may depend on its own layer or lower ones only.
LAYERS: dict[str, int] = {
    "web": 3, "api": 3, "accounts": 3,
    "cases": 2, "forms": 2, "incidents": 2, "mandates": 2, "privacy": 2, "opendata": 2,
    "appointments": 2, "certificates": 2, "payments": 2, "assist": 2, "performance": 2,
    "sources": 1, "audit": 1, "geo": 1, "catalog": 1, "notify": 1,
    "doors": 1,
    "core": 0, "registers": 0, "tasks": 0, "config": 0, "formats": 0, "observe": 0, "db": 0,
}  # fmt: skip
LAYER_NAMES = {3: "top", 2: "middle", 1: "bottom", 0: "base"}

DOC_START = "<!-- appgraph:start: drawn by `loket appgraph --write-doc docs/architecture.md` -->"
DOC_END = "<!-- appgraph:end -->"


@dataclass(frozen=True, order=True)
class Reference:
    """One place in the code that makes an app depend on another."""

    path: str  # relative to src/loket, with forward slashes
    line: int
    what: str  # "import loket.cases.models" or "ForeignKey 'cases.Case'"
    kind: str  # "import" or "model"

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.what}"


@dataclass
class AppGraph:
    nodes: set[str] = field(default_factory=set)
    edges: dict[tuple[str, str], list[Reference]] = field(default_factory=dict)

    def successors(self) -> dict[str, set[str]]:
        graph: dict[str, set[str]] = {node: set() for node in self.nodes}
        for source, target in self.edges:
            graph[source].add(target)
        return graph

    def add(self, source: str, target: str, reference: Reference) -> None:
        if source != target and target in self.nodes:
            self.edges.setdefault((source, target), []).append(reference)


def node_of(relative: Path) -> str | None:
    """The app (node) a file under src/loket belongs to, or None for the project's wiring."""
    top = relative.parts[0]
    name = top.removesuffix(".py") if len(relative.parts) == 1 else top
    return None if name in WIRING else name


def _python_files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*.py")
        if "migrations" not in path.relative_to(root).parts
        and node_of(path.relative_to(root)) is not None
    )


def app_labels(root: Path) -> dict[str, str]:
    """Django app label → node, from each app's ``apps.py`` (the label defaults to its name)."""
    labels: dict[str, str] = {}
    for apps_file in sorted(root.glob("*/apps.py")):
        node = apps_file.parent.name
        label = node
        for statement in ast.walk(ast.parse(apps_file.read_text(encoding="utf-8"))):
            if (
                isinstance(statement, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "label" for t in statement.targets)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            ):
                label = statement.value.value
        labels[label] = node
    return labels


def _loket_node(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "loket" else None


def _imported_nodes(node: ast.Import | ast.ImportFrom, package: list[str]) -> list[tuple[str, str]]:
    """(node, what) for every loket app an import statement reaches."""
    found: list[tuple[str, str]] = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if target := _loket_node(alias.name):
                found.append((target, f"import {alias.name}"))
        return found
    if node.level:
        base = package[: len(package) - (node.level - 1)]
        module = ".".join([*base, *([node.module] if node.module else [])])
    else:
        module = node.module or ""
    for alias in node.names:
        # ``from loket import cases`` names the app in the alias; ``from loket.cases import x``
        # in the module.
        target = _loket_node(f"{module}.{alias.name}") if module == "loket" else None
        target = target or _loket_node(module)
        if target:
            found.append((target, f"from {module} import {alias.name}"))
    return found


def _call_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _model_labels(call: ast.Call) -> list[tuple[str, str]]:
    """(app label, what) for each model a call names by string."""
    name = _call_name(call)
    found: list[tuple[str, str]] = []
    if name in MODEL_FIELDS:
        targets = [call.args[0]] if call.args else []
        targets += [k.value for k in call.keywords if k.arg in ("to", "through")]
        for target in targets:
            text = _string(target)
            if text and "." in text:
                found.append((text.split(".")[0], f"{name} '{text}'"))
    elif name == "get_model" and call.args:
        first = _string(call.args[0])
        if first and len(call.args) > 1:
            found.append((first, f"get_model('{first}', ...)"))
        elif first and "." in first:
            found.append((first.split(".")[0], f"get_model('{first}')"))
    return found


def references_of(path: Path, root: Path, labels: Mapping[str, str]) -> list[tuple[str, Reference]]:
    """(target node, reference) for every dependency written in one file."""
    relative = path.relative_to(root)
    package = ["loket", *relative.parts[:-1]]
    shown = relative.as_posix()
    found: list[tuple[str, Reference]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target, what in _imported_nodes(node, package):
                found.append((target, Reference(shown, node.lineno, what, "import")))
        elif isinstance(node, ast.Call):
            for label, what in _model_labels(node):
                if label in labels:
                    found.append((labels[label], Reference(shown, node.lineno, what, "model")))
    return found


def build(root: Path | None = None) -> AppGraph:
    """The graph of the apps under ``root`` (src/loket, or a copy of it), read from their code."""
    root = root or ROOT
    graph = AppGraph()
    files = _python_files(root)
    for path in files:
        graph.nodes.add(node_of(path.relative_to(root)) or "")
    labels = app_labels(root)
    for path in files:
        source = node_of(path.relative_to(root)) or ""
        for target, reference in references_of(path, root, labels):
            graph.add(source, target, reference)
    for references in graph.edges.values():
        references.sort()
    return graph


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, each sorted, in a stable order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def _shortest_path(graph: Mapping[str, Iterable[str]], start: str, goal: str) -> list[str]:
    """The shortest path from ``start`` to ``goal`` (both included), breadth first, taking
    successors in name order so that the answer is always the same; [] if there is none."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [goal]
            while path[-1] != start:
                path.append(previous[path[-1]])
            return path[::-1]
        for successor in sorted(graph.get(node, ())):
            if successor not in previous and successor != start:
                previous[successor] = node
                queue.append(successor)
    return []


def find_cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The shortest cycle through each dependency that lies on a cycle, as a path that ends
    where it starts, starting from its first app by name (``["cases", "notify", "cases"]``);
    empty when the graph has no cycle."""
    cycles: set[tuple[str, ...]] = set()
    for component in strongly_connected(graph):
        members = set(component)
        inside = {node: [s for s in graph.get(node, ()) if s in members] for node in component}
        for source in component:
            for target in inside[source]:
                loop = [source, *_shortest_path(inside, target, source)[:-1]]
                first = loop.index(min(loop))
                rotated = loop[first:] + loop[:first]
                cycles.add((*rotated, rotated[0]))
    return [list(cycle) for cycle in sorted(cycles)]


def describe_cycles(graph: AppGraph) -> str:
    """Each cycle as a path, then every dependency inside the group of apps that reach each
    other, with where it is written: what to change to break the cycle."""
    successors = graph.successors()
    lines = []
    for cycle in find_cycles(successors):
        lines.append("cycle: " + " -> ".join(cycle))
    for component in strongly_connected(successors):
        if len(component) == 1:
            continue
        members = set(component)
        lines.append(f"apps that reach each other: {', '.join(component)}")
        for (source, target), references in sorted(graph.edges.items()):
            if source in members and target in members:
                lines.append(f"  {source} -> {target}:")
                lines.extend(f"    {reference}" for reference in references)
    return "\n".join(lines)


def mermaid(graph: AppGraph) -> str:
    """The graph as Mermaid ``graph TD``: one box per layer, top first; a solid arrow for an
    import, a dotted one where the only link is a model named by string. Same code, same text."""
    lines = ["graph TD"]
    unlayered = sorted(graph.nodes - LAYERS.keys())
    for layer in sorted(LAYER_NAMES, reverse=True):
        members = sorted(n for n in graph.nodes if LAYERS.get(n) == layer)
        if members:
            lines.append(f'  subgraph layer{layer} ["{layer} {LAYER_NAMES[layer]}"]')
            lines.extend(f"    {member}" for member in members)
            lines.append("  end")
    lines.extend(f"  {node}" for node in unlayered)
    for (source, target), references in sorted(graph.edges.items()):
        arrow = "-->" if any(r.kind == "import" for r in references) else "-.->"
        lines.append(f"  {source} {arrow} {target}")
    return "\n".join(lines) + "\n"


def doc_block(graph: AppGraph) -> str:
    return f"{DOC_START}\n```mermaid\n{mermaid(graph)}```\n{DOC_END}"


def drawn_in(text: str) -> str | None:
    """The graph block (markers included) written in a document, or None."""
    start, end = text.find(DOC_START), text.find(DOC_END)
    if start < 0 or end < start:
        return None
    return text[start : end + len(DOC_END)]


def write_doc(path: Path, graph: AppGraph) -> bool:
    """Redraw the graph between the markers in ``path``; True if the file changed."""
    text = path.read_text(encoding="utf-8")
    current = drawn_in(text)
    if current is None:
        raise SystemExit(f"{path}: no lines {DOC_START!r} … {DOC_END!r} to draw between")
    updated = text.replace(current, doc_block(graph))
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="loket appgraph", description="Draw the graph of Loket's apps from the code."
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the graph has a cycle")
    parser.add_argument("--write-doc", metavar="FILE", type=Path, help="redraw the graph in FILE")
    options = parser.parse_args(argv)
    graph = build()
    if options.check:
        problems = describe_cycles(graph)
        print(problems or "no cycle between apps")
        return 1 if problems else 0
    if options.write_doc:
        changed = write_doc(options.write_doc, graph)
        print(f"{options.write_doc}: {'redrawn' if changed else 'already up to date'}")
        return 0
    sys.stdout.write(mermaid(graph))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
