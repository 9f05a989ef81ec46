"""The layers of `binance_sandbox` only point down, and nothing imports in a circle
(docs/architecture.md). Imports are read from the source with `ast`, so the test sees every
import, in functions and under `TYPE_CHECKING` too, without running any of them."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import binance_sandbox

ROOT = Path(binance_sandbox.__file__).parent
PACKAGE = "binance_sandbox"

# Bottom to top. A top-level module or package of `binance_sandbox` may import only from its
# own layer or from below; within a layer the imports between packages must not go round.
# "" is the package's own `__init__`.
LAYERS: list[tuple[str, set[str]]] = [
    (
        "foundation",
        {
            "",
            "access",
            "admin_errors",
            "admin_fields",
            "cache",
            "clock",
            "codes",
            "config",
            "wire",
            "market",
            "serving",
            "signing",
            "statemachine",
        },
    ),
    ("storage", {"storage"}),
    ("shared machinery", {"chain", "delivery", "ledger", "observability", "platform", "web"}),
    ("what the Connect families share", {"connect"}),
    ("API families", {"deposit", "pay", "prime", "wallet"}),
    ("the sandbox's own surface", {"console", "control", "faults", "hosted"}),
    ("entry points", {"__main__", "app", "asgi", "cli", "demo", "runner", "testing"}),
]
# The SDK and the merchant kit ship beside the server and never import it: they stand on the
# foundation only (the merchant kit on the SDK too), and only the entry points use them.
BESIDE = {"client": {"client"}, "merchant": {"client", "merchant"}}
ENTRY_POINTS = LAYERS[-1][1]

RANK = {name: rank for rank, (_, names) in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in ROOT.rglob("*.py")}


def imports_of(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """The `binance_sandbox` modules that `name` imports, with the line of each import."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from package import module` imports the module; `from module import name`, the
            # module.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                while target not in MODULES and "." in target:
                    target = target.rpartition(".")[0]
                yield target, node.lineno


GRAPH = {name: sorted(set(imports_of(name, path))) for name, path in MODULES.items()}


def top(module: str) -> str:
    """The top-level module or package of `binance_sandbox` that `module` belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_every_top_level_module_has_a_layer() -> None:
    placed = set(RANK) | set(BESIDE)
    missing = sorted({top(name) for name in MODULES} - placed)
    assert not missing, (
        f"{missing} are in no layer: add them to LAYERS here and to docs/architecture.md"
    )


def test_imports_only_point_down() -> None:
    upward = []
    for name, targets in GRAPH.items():
        source = top(name)
        for target, line in targets:
            destination = top(target)
            if source == destination:
                continue
            if source in BESIDE:
                allowed = destination in BESIDE[source] or RANK.get(destination) == 0
            elif destination in BESIDE:
                allowed = source in ENTRY_POINTS
            else:
                allowed = RANK[destination] <= RANK[source]
            if not allowed:
                upward.append(f"{name}:{line} imports {target}")
    assert not upward, "imports that go up a layer:\n" + "\n".join(upward)


def test_no_two_packages_import_each_other() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for name, targets in GRAPH.items():
        for target, _ in targets:
            if top(target) != top(name):
                graph[top(name)].add(top(target))
    assert not cycles(graph), f"packages that import each other: {cycles(graph)}"


def test_no_two_modules_import_each_other() -> None:
    graph = {name: {target for target, _ in targets} - {name} for name, targets in GRAPH.items()}
    assert not cycles(graph), f"modules that import each other: {cycles(graph)}"
