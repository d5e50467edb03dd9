"""The house's boundaries, read from the source (issue 10): no import cycle between modules, no
arrow from the app into the command line, no module over 400 lines, no function over 60.

The import-linter contracts in ``pyproject.toml`` (``lint-imports``, run by ``.ci/run``) say which
room may import which; these tests check what they do not: a cycle between two modules of one
room, and sizes. grimp reads every import statement, those inside functions too, so a cycle
hidden in a lazy import counts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cnnquiz"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("cnnquiz", cache_dir=None)


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of modules that import each other round, each sorted, sorted: a module and
    every module it imports (perhaps through others) that imports it back."""
    imports = {module: graph.find_upstream_modules(module) for module in graph.modules}
    groups = {
        tuple(sorted({module} | {other for other in imported if module in imports[other]}))
        for module, imported in imports.items()
    }
    return sorted(list(group) for group in groups if len(group) > 1)


def _arrows(graph: grimp.ImportGraph, group: list[str]) -> list[str]:
    """``a -> b (line 12)`` for each import between the modules of ``group``."""
    arrows = []
    for importer in group:
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported in group:
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = ", ".join(str(d["line_number"]) for d in details)
                arrows.append(f"{importer} -> {imported} (line {lines})")
    return arrows


def test_the_cycle_finder_finds_a_cycle_and_only_the_cycle():
    fake = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        fake.add_import(importer=importer, imported=imported)
    fake.add_import(importer="p.d", imported="p.e")
    assert import_cycles(fake) == [["p.a", "p.b", "p.c"]]


def test_no_import_cycle_between_modules(graph):
    found = [" | ".join(_arrows(graph, group)) for group in import_cycles(graph)]
    assert not found, "modules that import each other round:\n" + "\n".join(found)


def test_the_app_never_imports_the_command_line(graph):
    chains = graph.find_shortest_chains(importer="cnnquiz.app", imported="cnnquiz.cli")
    assert not chains, [" -> ".join(chain) for chain in sorted(chains)]


def _too_long() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE.parent).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    return found


def test_no_module_over_400_lines_and_no_function_over_60():
    """Counted as ``wc -l`` counts a module, and a function from its ``def`` line to its last
    (its decorators apart, its docstring in)."""
    found = _too_long()
    assert not found, "\n".join(found)
