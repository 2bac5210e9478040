"""The import structure of src/: no module imports one in a higher layer, and no import cycle.

Every import counts, those inside functions too (a lazy import still ties the modules)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Bottom first. A module may import its own layer or any layer below, never one above.
LAYERS = (
    "foundation",  # settings, unbound extensions, errors, metric objects: import nothing of src
    "plumbing",  # database, HTTP, caching, outbound clients
    "models",
    "capabilities",  # each package's repository, service, schemas
    "queue",  # the worker's tasks call the services
    "web",  # blueprints, the API spec, the limits
    "commands",
    "app factory",
)
# Which layer a module is in: the first rule whose pattern matches its dotted name.
RULES: tuple[tuple[str, str], ...] = (
    ("src", "app factory"),
    ("src.cli", "commands"),
    ("src.worker.cli", "commands"),
    ("src.*.routes", "web"),
    ("src.pricing.pages", "web"),
    ("src.openapi", "web"),
    ("src.ratelimit", "web"),
    ("src.docs", "web"),
    ("src.worker", "queue"),
    ("src.worker.tasks", "queue"),
    ("src.worker.storage", "models"),
    ("src.*.models", "models"),
    ("src.accounts.principal", "models"),
    ("src.database", "plumbing"),
    ("src.dialects", "plumbing"),
    ("src.pagination", "plumbing"),
    ("src.http", "plumbing"),
    ("src.caching", "plumbing"),
    ("src.limit_counts", "plumbing"),
    ("src.repeat_reads", "web"),
    ("src.revisions", "plumbing"),
    ("src.direct_reads", "plumbing"),
    ("src.direct_connections", "plumbing"),
    ("src.clients.*", "plumbing"),
    ("src.*.*", "capabilities"),
    ("src.*", "foundation"),
    ("config", "foundation"),
    ("config.*", "foundation"),
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    files = [*ROOT.joinpath("src").rglob("*.py"), *ROOT.joinpath("config").rglob("*.py")]
    return {_module_name(path): path for path in files}


def _imported(node: ast.AST, module: str, is_package: bool, known: set[str]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = module.split(".")[: len(module.split(".")) - node.level + is_package]
            base = ".".join([*package, *([base] if base else [])])
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            yield submodule if submodule in known else base


def import_graph() -> dict[str, set[str]]:
    """module -> the src/config modules it imports."""
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        is_package = path.name == "__init__.py"
        targets = {
            target
            for node in ast.walk(tree)
            for target in _imported(node, module, is_package, known)
        }
        graph[module] = {target for target in targets if target in known and target != module}
    return graph


def layer_of(module: str) -> int:
    for pattern, layer in RULES:
        if fnmatch(module, pattern):
            return LAYERS.index(layer)
    raise AssertionError(f"{module} is in no layer: add a rule to RULES in {__file__}")


def _layer_name(index: int) -> str:
    return f"{LAYERS[index]} ({index})"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        for target in sorted(graph.get(module, ())):
            cycle = visit(target, [*path, module])
            if cycle:
                return cycle
        done.add(module)
        return None

    for module in sorted(graph):
        cycle = visit(module, [])
        if cycle:
            return cycle
    return None


def test_every_module_is_in_a_layer() -> None:
    for module in import_graph():
        layer_of(module)


def test_no_module_imports_a_module_of_a_higher_layer() -> None:
    breaches = [
        f"{module} ({_layer_name(layer_of(module))}) imports {target} "
        f"({_layer_name(layer_of(target))}), a layer above it"
        for module, targets in sorted(import_graph().items())
        for target in sorted(targets)
        if layer_of(target) > layer_of(module)
    ]
    assert not breaches, "\n".join(breaches)


def test_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_checks_see_a_cycle_and_a_breach() -> None:
    # The rules themselves: a cycle is found, and a route imported from a model is a breach.
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert layer_of("src.catalog.models") < layer_of("src.catalog.routes")
