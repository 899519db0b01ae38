"""The house rules of docs/engine.md ("Layers"), checked over the source: every `gankit` import (module level or
inside a function) points down the layer order, there is no import circle, and no module exceeds 400 lines.

Run it alone to see the whole picture: ``python -m pytest tests/test_layers.py -q``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "gankit"
MAX_LINES = 400

# Bottom to top. A module may import its own layer's modules and any layer below; never one above.
LAYERS = [
    ("errors", "atomic", "paths", "assets"),
    ("config",),
    ("losses", "data", "metrics", "nn", "previews"),
    ("models",),
    ("games",),
    ("training",),
    ("doctor",),
    ("sampling",),
    ("evaluation",),
    ("reporting",),
    ("api", "tabular"),
    ("experiments",),
    ("cli", "cli_latent"),
]
RANK = {top: rank for rank, tops in enumerate(LAYERS) for top in tops}
# DESIGN.md: networks stay usable on their own, with explicit arguments; they never read a config or a game.
FORBIDDEN = {"models": ("config", "games", "training")}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def imported_modules(path: Path, known: dict[str, Path]) -> set[str]:
    """Every gankit module `path` imports, wherever the import statement stands (functions included)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for block in ast.walk(tree):  # `if TYPE_CHECKING:` imports name types for annotations; nothing runs them
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test):
            block.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("gankit"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("gankit"):
                continue
            for alias in node.names:  # `from gankit import api` imports the module gankit.api
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target)
    return {m for m in found if m in known and m != name}


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported_modules(path, known) for name, path in known.items()}


def test_every_top_level_module_has_a_layer():
    unplaced = sorted({layer(m) for m in modules() if layer(m) and layer(m) not in RANK})
    assert not unplaced, f"modules outside the layer table: {unplaced}"


def test_imports_point_down():
    upward = []
    for module, targets in graph().items():
        source = layer(module)
        if source is None:  # the package's own __init__ re-exports the API
            continue
        for target in targets:
            dest = layer(target)
            if dest is not None and (RANK[dest] > RANK[source] or dest in FORBIDDEN.get(source, ())):
                upward.append(f"{module} -> {target}")
    assert not upward, "imports pointing up the layers:\n" + "\n".join(sorted(upward))


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_circle():
    edges = {m: {t for t in ts if not m.startswith(t + ".") and not t.startswith(m + ".")}
             for m, ts in graph().items() if m != "gankit"}  # a package importing its own members is no circle
    cycle = find_cycle(edges)
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_module_is_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(SRC)} has {lines} lines (at most {MAX_LINES})"
