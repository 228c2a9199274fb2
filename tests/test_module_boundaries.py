"""Rooms that say what they hold (issue 21): no import cycle between any two modules, none over 500 lines.

The import graph is grimp's (the library import-linter runs on): it reads every import statement of a module,
inside functions too, so a function-level import is no way around a cycle. The direction between the apps is
import-linter's contract (``tests/test_import_direction.py``); this file holds the modules inside them.
Migrations are left out: they are history (each carries its own frozen copy of what it needs).
"""

import re
import sys
import tomllib

import grimp
import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
APPS = ("assessments", "committee", "reports", "config", "accounts")
MAX_LINES = 500


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan), migrations left out."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if ".migrations" in imported:
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = set()
            while not component or module not in component:
                component.add(stack.pop())
            on_stack.difference_update(component)
            if len(component) > 1:
                found.append(component)

    for module in sorted(graph.modules):
        if ".migrations" not in module and module not in index:
            visit(module)
    return found


@pytest.fixture(scope="module")
def graph():
    sys.path.insert(0, str(ROOT))
    try:
        return grimp.build_graph(*APPS, cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))


def test_no_module_is_in_an_import_cycle(graph):
    assert "assessments.views.bias" in graph.modules  # the graph is the real one
    assert [sorted(c) for c in cycles(graph)] == []


def test_the_cycle_finder_sees_a_cycle_and_only_that_one():
    graph = grimp.ImportGraph()
    for module in ("views.common", "views.bias", "views.detail", "app.migrations.0001_x"):
        graph.add_module(module)
    graph.add_import(importer="views.detail", imported="views.bias")
    graph.add_import(importer="views.bias", imported="views.common")
    graph.add_import(importer="app.migrations.0001_x", imported="views.detail")
    graph.add_import(importer="views.detail", imported="app.migrations.0001_x")
    assert cycles(graph) == []

    graph.add_import(importer="views.common", imported="views.bias")  # as a function-level import would

    assert cycles(graph) == [{"views.common", "views.bias"}]


def packages_of(graph):
    return {
        m for m in graph.modules if ".migrations" not in m and (ROOT / m.replace(".", "/") / "__init__.py").exists()
    }


def test_no_module_imports_the_package_it_belongs_to(graph):
    """A package's ``__init__`` may gather its modules for callers outside; its own modules import each other."""
    inside = {}
    for package in packages_of(graph):
        importers = {m for m in graph.find_modules_that_directly_import(package) if m.startswith(package + ".")}
        if importers:
            inside[package] = sorted(importers)
    assert "assessments.services" in packages_of(graph)
    assert inside == {}


def test_every_module_is_under_500_lines():
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text().splitlines())
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }
    assert len(sizes) > 100
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def architecture_sections():
    """docs/architecture.md's section of each app: its text, from its heading to the next."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    parts = re.split(r"^## (\w+)\n", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def modules_of(app):
    """An app's own modules and packages, one level down (``name`` or ``name/``), migrations and tests left out."""
    found = set()
    for path in (ROOT / app).iterdir():
        if path.suffix == ".py" and path.stem != "__init__":
            found.add(path.stem)
        elif path.is_dir() and path.name not in ("migrations", "__pycache__", "templates", "static"):
            found.add(path.name)
    return found


def names_under(app):
    """Every module and package name at any depth of an app (what a backticked name on the page may refer to)."""
    return {p.stem for p in (ROOT / app).rglob("*.py")} | {p.name for p in (ROOT / app).rglob("*") if p.is_dir()}


@pytest.mark.parametrize("app", APPS)
def test_the_architecture_page_names_every_module_and_only_real_ones(app):
    section = architecture_sections()[app]
    named = {name.rstrip("/") for name in re.findall(r"`([a-z_][a-z0-9_]*/?)`", section)}

    assert modules_of(app) - named == set(), f"docs/architecture.md does not name these {app} modules"
    assert named - names_under(app) == set(), f"docs/architecture.md names {app} modules that do not exist"


def test_the_architecture_page_draws_the_layers_of_the_contract():
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    text = (ROOT / "docs" / "architecture.md").read_text()
    drawing = text.split("```")[1]
    drawn = [line.split()[0] for line in drawing.splitlines() if line.strip() and line.strip() != "|"]

    assert drawn == contract["layers"]
