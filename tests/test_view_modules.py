"""The browser views and presenters are split by page group (issue 21): no module in a cycle, none over 500 lines.

The import graph is grimp's (the library import-linter runs on); imports inside functions count. Only the
modules of this split are held here; a check over every module belongs to the import-direction test.
"""

import sys

import grimp
import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
APPS = ("assessments", "committee", "reports", "config", "accounts")
SPLIT = ("assessments.views", "assessments.presenters", "assessments.templatetags", "committee.home")
SPLIT += ("committee.pipeline", "committee.templatetags")
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


def mine(module):
    return any(module == name or module.startswith(name + ".") for name in SPLIT)


@pytest.fixture(scope="module")
def graph():
    sys.path.insert(0, str(ROOT))
    try:
        return grimp.build_graph(*APPS, cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))


def test_no_module_of_the_split_is_in_an_import_cycle(graph):
    assert "assessments.views.bias" in graph.modules  # the graph is the real one
    assert [sorted(c) for c in cycles(graph) if any(mine(m) for m in c)] == []


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


def test_the_submodules_never_import_their_own_package(graph):
    for package in ("assessments.views", "assessments.presenters"):
        importers = graph.find_modules_that_directly_import(package)
        assert importers == set(), f"{package} is imported by {sorted(importers)}: import the submodule"


@pytest.mark.parametrize("package", ["assessments/views", "assessments/presenters"])
def test_every_module_of_the_split_is_under_500_lines(package):
    sizes = {p.name: len(p.read_text().splitlines()) for p in (ROOT / package).glob("*.py")}
    assert len(sizes) > 1
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
