"""The house's floors, read from the package's own imports with ``ast`` (issue 10).

Floors, bottom to top; a module imports its own floor and those below, never one above, and the
import graph has no circle (function-local imports included: hiding an import in a function does
not change where a module stands):

0. base: ``errors``, ``knobs`` (each knob declared once), ``config``, ``palette`` and ``standins`` (stdlib-only programs, and how to start them)
1. engine: ``catalog``, ``reasons`` (the engine's sentences), ``engines``, ``engine``, ``fixes``, ``prediction``,
   ``recipe``, ``lessons`` (claims held to it)
2. pictures: ``graph``, ``mermaid``, ``drawing_sizes`` (the picture's size variants), ``drawing_layout`` (where its boxes go), ``drawing``, ``describe``, ``export``, ``cheatsheet``, ``cheatsheet_engines``, ``cheatsheet_print`` and ``presentation`` (the one
   renderer: plain HTML, which the widgets, the doctor's report and the service's pages use)
3. running and diagnosing: ``docker_api``, ``environment``, ``lab``, ``diagnosis``, ``paste`` (what people
   paste, read by the doctor's reader), ``truth`` (the
   grid's recordings), and ``classroom`` (how a learner's kernel asks the classroom service)
4. widgets: ``widgets``, and the notebooks' shim ``exercises``
5. the doors: ``commands``, ``cli``, ``__main__``, ``service``, and the package itself (its
   ``__init__`` re-exports every floor; no module imports it back)

Only ``docker_api`` imports the Docker SDK. Only the heavy optional libraries (matplotlib, networkx,
ipywidgets, docker) may be imported inside a function; a function-local import of one of the kit's
own modules is allowed only when that module is heavy itself (it imports one of them at load).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "owui_lab"
HEAVY = {"matplotlib", "networkx", "ipywidgets", "docker", "numpy", "PIL"}

FLOORS: dict[str, int] = {
    "owui_lab.errors": 0, "owui_lab.knobs": 0, "owui_lab.config": 0, "owui_lab.palette": 0,
    "owui_lab.standins": 0, "owui_lab.compose_file": 0,
    "owui_lab.catalog": 1, "owui_lab.reasons": 1, "owui_lab.engines": 1, "owui_lab.engine": 1, "owui_lab.fixes": 1,
    "owui_lab.prediction": 1,
    "owui_lab.recipe": 1, "owui_lab.recipe_engines": 1, "owui_lab.lessons": 1,
    "owui_lab.graph": 2, "owui_lab.mermaid": 2, "owui_lab.drawing": 2, "owui_lab.drawing_sizes": 2, "owui_lab.drawing_layout": 2,
    "owui_lab.describe": 2, "owui_lab.export": 2,
    "owui_lab.cheatsheet": 2, "owui_lab.cheatsheet_engines": 2, "owui_lab.cheatsheet_print": 2, "owui_lab.presentation": 2,
    "owui_lab.docker_api": 3, "owui_lab.environment": 3, "owui_lab.lab": 3, "owui_lab.diagnosis": 3,
    "owui_lab.truth": 3, "owui_lab.classroom": 3, "owui_lab.paste": 3,
    "owui_lab.widgets": 4, "owui_lab.exercises": 4,
    "owui_lab.commands": 5, "owui_lab.cli": 5, "owui_lab.__main__": 5, "owui_lab.service": 5, "owui_lab": 5,
}
#: Within the engine floor, the order that keeps it free of circles (catalog < reasons < engines < engine < ...).
ENGINE_ORDER = ["owui_lab.catalog", "owui_lab.reasons", "owui_lab.engines", "owui_lab.engine", "owui_lab.fixes",
                "owui_lab.prediction"]


@dataclass(frozen=True)
class Import:
    importer: str
    target: str  # a module of the kit ("owui_lab.x.y") or a top-level distribution ("docker")
    line: int
    local: bool  # inside a function


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def kit_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts}


def imports_of(name: str, path: Path, known: set[str]) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(name, _kit_or_top(alias.name, known), child.lineno, local))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    module = ".".join(base + ([child.module] if child.module else []))
                else:
                    module = child.module or ""
                for alias in child.names:
                    sub = f"{module}.{alias.name}"
                    target = sub if sub in known else module
                    found.append(Import(name, _kit_or_top(target, known), child.lineno, local))
            if _is_type_checking_block(child):
                # only the body is for type checkers; an else branch runs
                visit(ast.Module(body=child.orelse, type_ignores=[]), inner)
            elif not isinstance(child, (ast.Import, ast.ImportFrom)):
                visit(child, inner)

    visit(tree, False)
    return found


def _kit_or_top(module: str, known: set[str]) -> str:
    if module == "owui_lab" or module.startswith("owui_lab."):
        while module not in known and "." in module:
            module = module.rpartition(".")[0]
        return module
    return module.split(".")[0]


def _is_type_checking_block(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``): imports for type checkers, never run."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def floor_of(module: str) -> int:
    if module == "owui_lab":
        return FLOORS[module]
    probe = module
    while probe != "owui_lab":
        if probe in FLOORS:
            return FLOORS[probe]
        probe = probe.rpartition(".")[0]
    raise AssertionError(f"{module} has no floor: add it to FLOORS in tests/test_imports.py (and to the README's map)")


def with_parent_packages(imports: list[Import], known: set[str]) -> list[Import]:
    """Importing ``a.b.c`` runs ``a/b/__init__.py`` first: that is an import of ``a.b`` too."""
    importing = {i.importer for i in imports}
    out = list(imports)
    for i in imports:
        parent = i.target.rpartition(".")[0]
        while parent and parent != "owui_lab" and parent in known:
            # A package whose __init__ imports nothing (a docstring) ties no one to its floor.
            if parent in importing and not i.importer.startswith(parent + ".") and i.importer != parent:
                out.append(Import(i.importer, parent, i.line, i.local))
            parent = parent.rpartition(".")[0]
    return out


MODULES = kit_modules()
KNOWN = set(MODULES)
ALL_IMPORTS = with_parent_packages([i for name, path in MODULES.items() for i in imports_of(name, path, KNOWN)], KNOWN)
KIT_IMPORTS = [i for i in ALL_IMPORTS if i.target in KNOWN and i.target != i.importer]


def heavy_modules() -> set[str]:
    """Kit modules that import a heavy library at load, directly or through other kit modules."""
    heavy = {i.importer for i in ALL_IMPORTS if not i.local and i.target in HEAVY}
    changed = True
    while changed:
        changed = False
        for i in KIT_IMPORTS:
            if not i.local and i.target in heavy and i.importer not in heavy:
                heavy.add(i.importer)
                changed = True
    return heavy


def test_every_module_has_a_floor():
    for name in MODULES:
        floor_of(name)


def test_every_floor_names_a_module_that_exists():
    stale = sorted(set(FLOORS) - KNOWN)
    assert not stale, f"FLOORS names modules that no longer exist: {stale} (drop them here and in the README's map)"


def upward_imports() -> list[tuple[str, str]]:
    out = []
    for i in KIT_IMPORTS:
        if i.importer == "owui_lab":
            continue  # the package's front door re-exports every floor
        if floor_of(i.target) > floor_of(i.importer):
            out.append((i.importer, f"{i.importer}:{i.line} imports {i.target} "
                                    f"(floor {floor_of(i.importer)} -> {floor_of(i.target)})"))
        elif i.importer in ENGINE_ORDER and i.target in ENGINE_ORDER and \
                ENGINE_ORDER.index(i.target) > ENGINE_ORDER.index(i.importer):
            out.append((i.importer, f"{i.importer}:{i.line} imports {i.target} "
                                    "(the engine floor runs catalog < reasons < engines < engine < fixes < prediction)"))
    return out


def sdk_imports() -> list[tuple[str, str]]:
    return sorted({(i.importer, f"{i.importer}:{i.line} imports the Docker SDK") for i in ALL_IMPORTS
                   if i.target == "docker" and i.importer != "owui_lab.docker_api"})


def light_local_imports() -> list[tuple[str, str]]:
    heavy = heavy_modules()
    return sorted({(i.importer, f"{i.importer}:{i.line} imports {i.target} inside a function") for i in KIT_IMPORTS
                   if i.local and i.target not in heavy})


CHECKS = {
    "upward": (upward_imports, "an import runs up a floor"),
    "docker-sdk": (sdk_imports, "only owui_lab/docker_api.py imports the Docker SDK"),
    "light-local": (light_local_imports, "a function-local import of a light module of the kit (import it at "
                                         "the top: a module's place should be readable from its first lines)"),
}


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_the_house_rules_hold(check):
    find, rule = CHECKS[check]
    broken = [text for _module, text in find()]
    assert not broken, rule + ":\n" + "\n".join(broken)


def test_the_import_graph_has_no_circle():
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for i in KIT_IMPORTS:
        if i.target.startswith(i.importer + "."):
            continue  # a package importing its own submodules is not a circle
        graph[i.importer].add(i.target)
    # Tarjan's strongly connected components.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in graph:
        if v not in index:
            strongconnect(v)
    assert not circles, f"import circles: {circles}"


def test_the_engine_floor_loads_nothing_heavy():
    heavy = heavy_modules()
    assert not {m for m in MODULES if floor_of(m) <= 1} & heavy


# ---- the checker itself can fail -------------------------------------------------------------------


def test_the_walker_skips_imports_for_type_checkers_only(tmp_path):
    source = tmp_path / "owui_lab_probe.py"
    source.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import docker\n"
                      "    from .engine import Verdict\nelse:\n    from . import cli\n")
    found = imports_of("owui_lab.probe", source, KNOWN)
    assert {i.target for i in found} == {"typing", "owui_lab.cli"}


def test_the_walker_sees_local_relative_and_sdk_imports(tmp_path):
    source = tmp_path / "owui_lab_probe.py"
    source.write_text("from .engine import evaluate\n\ndef f():\n    from . import cli\n    import docker\n")
    found = imports_of("owui_lab.probe", source, KNOWN)
    assert Import("owui_lab.probe", "owui_lab.engine", 1, False) in found
    assert Import("owui_lab.probe", "owui_lab.cli", 4, True) in found
    assert Import("owui_lab.probe", "docker", 5, True) in found


@pytest.mark.parametrize("module", ["owui_lab.engine", "owui_lab.catalog"])
def test_an_upward_import_would_be_caught(module):
    assert floor_of("owui_lab.cli") > floor_of(module)
    assert floor_of("owui_lab.presentation") > floor_of(module)
