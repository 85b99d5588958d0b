"""The library's shape, read from its source with ast: no import circles, no reaching into another
module's private names, no file over 500 lines, the RCPSP code in one package, and packages that
import only downward. Each failure lists its offenders, so a regression names where it is."""
from __future__ import annotations

import ast
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from plans import ROOT

MAX_LINES = 500
RCPSP_MODULES = ("psplib", "propagate", "cumulative", "genetic", "rival", "reference")
# Bottom to top; a module may import its own package or one lower. Equal ranks share a level.
LAYERS = [("errors", "files", "progress"), ("plan",), ("instance",), ("structure",), ("mip",),
          ("solvers",), ("verify", "verify_policy"), ("result",), ("explain",), ("rcpsp",), ("pipeline",),
          ("analysis",), ("report",), ("web",), ("cli",), ("__init__",)]
RANK = {name: level for level, names in enumerate(LAYERS) for name in names}


@dataclass
class Graph:
    """Modules of one package tree and what each imports (imports inside functions count)."""
    files: dict[str, Path]
    edges: dict[str, set[str]] = field(default_factory=dict)
    private: list[tuple[str, str, str]] = field(default_factory=list)

    def is_package(self, mod: str) -> bool:
        return self.files[mod].name == "__init__.py"


def read_graph(root: Path) -> Graph:
    """The import graph of the package at `root` (a directory with __init__.py)."""
    files = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        files[".".join(parts)] = path
    graph = Graph(files, {m: set() for m in files})
    for mod, path in files.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for target, name in _targets(graph, mod, node):
                if target != root.name and not target.startswith(root.name + "."):
                    continue
                while target not in files and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target != mod:
                    graph.edges[mod].add(target)
                    if name and name.startswith("_") and not name.startswith("__"):
                        graph.private.append((mod, target, name))
    return graph


def _targets(graph: Graph, mod: str, node) -> list[tuple[str, str | None]]:
    """(module, imported name or None) for each name an import statement brings in."""
    if isinstance(node, ast.Import):
        return [(a.name, None) for a in node.names]
    if node.level:
        base = mod.split(".") if graph.is_package(mod) else mod.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    out = []
    for alias in node.names:
        full = f"{target}.{alias.name}"
        out.append((full, None) if full in graph.files else (target, alias.name))
    return out


def circles(graph: Graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan). A package's __init__ importing
    its own children is a re-export, not a circle, and is left out."""
    g = {m: {t for t in ts if not (graph.is_package(m) and t.startswith(m + "."))}
         for m, ts in graph.edges.items()}
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10000))
    try:
        for v in sorted(g):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)
    return found


def long_files(graph: Graph, limit: int = MAX_LINES) -> list[tuple[str, int]]:
    return [(str(p), n) for p in graph.files.values() if (n := len(p.read_text().splitlines())) > limit]


def layer(mod: str) -> str:
    """The layer a module belongs to: its first package under the root, or the top-level module."""
    parts = mod.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def upward_imports(graph: Graph) -> list[tuple[str, str]]:
    """Imports from a package higher in LAYERS (or of a layer not in the list at all)."""
    bad = []
    for mod, targets in graph.edges.items():
        here = RANK.get(layer(mod))
        for target in targets:
            there = RANK.get(layer(target))
            if here is None or there is None or (layer(target) != layer(mod) and there > here):
                bad.append((mod, target))
    return sorted(bad)


def misplaced_rcpsp(graph: Graph) -> list[str]:
    root = next(m for m in graph.files if "." not in m)
    return sorted(m for m in graph.files
                  if m.rsplit(".", 1)[-1] in RCPSP_MODULES and not m.startswith(f"{root}.rcpsp."))


@pytest.fixture(scope="module")
def planner_graph() -> Graph:
    return read_graph(ROOT / "planner")


def test_no_import_circles_between_modules(planner_graph):
    found = circles(planner_graph)
    assert found == [], f"{len(found)} import circles: {found}"


def test_no_module_imports_another_modules_private_names(planner_graph):
    assert planner_graph.private == [], \
        f"{len(planner_graph.private)} private imports (module, from, name): {planner_graph.private}"


def test_no_library_file_is_over_500_lines(planner_graph):
    found = long_files(planner_graph)
    assert found == [], f"{len(found)} files over {MAX_LINES} lines: {found}"


def test_rcpsp_modules_live_under_planner_rcpsp(planner_graph):
    found = misplaced_rcpsp(planner_graph)
    assert found == [], f"RCPSP modules outside planner/rcpsp/: {found}"


def test_packages_import_only_their_own_or_lower_layers(planner_graph):
    found = upward_imports(planner_graph)
    assert found == [], f"{len(found)} imports upward or from an unlisted layer (module, imported): {found}"


# The checker itself must be able to fail: a synthetic package with one of each offence.

def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root / "pkg"


def test_the_checker_finds_circles_private_imports_long_files_and_layers(tmp_path):
    pkg = _write(tmp_path, {
        "pkg/__init__.py": "from pkg.plan import a\n__version__ = '1'\n",
        "pkg/errors.py": "",
        "pkg/plan/__init__.py": "from pkg.plan.a import thing\n",  # re-export: not a circle
        "pkg/plan/a.py": "from pkg.plan import b\nthing = 1\n",
        "pkg/plan/b.py": "def f():\n    from pkg.plan.a import thing\n    return thing\n",  # in a function
        "pkg/mip/__init__.py": "",
        "pkg/mip/model.py": "from pkg.errors import _hidden\nfrom pkg import __version__\n"
                            "from . import helper\nfrom .helper import _own\n",
        "pkg/mip/helper.py": "_own = 1\nimport pkg.cli.main\n",  # upward: mip imports cli
        "pkg/cli/__init__.py": "",
        "pkg/cli/main.py": "import pkg.mip.model\n" + "x = 1\n" * 501,
        "pkg/solvers/propagate.py": "from ..errors import _secret as s\n",
        "pkg/odd/thing.py": "import pkg.errors\n",  # a layer not in the list
    })
    graph = read_graph(pkg)
    assert circles(graph) == [["pkg.cli.main", "pkg.mip.helper", "pkg.mip.model"],
                              ["pkg.plan.a", "pkg.plan.b"]]
    assert sorted(graph.private) == [("pkg.mip.model", "pkg.errors", "_hidden"),
                                     ("pkg.mip.model", "pkg.mip.helper", "_own"),  # a sibling's too
                                     ("pkg.solvers.propagate", "pkg.errors", "_secret")]
    assert long_files(graph) == [(str(pkg / "cli" / "main.py"), 502)]
    assert misplaced_rcpsp(graph) == ["pkg.solvers.propagate"]
    assert upward_imports(graph) == [("pkg.mip.helper", "pkg.cli.main"), ("pkg.mip.model", "pkg"),
                                     ("pkg.odd.thing", "pkg.errors")]


def test_the_checker_passes_a_clean_package(tmp_path):
    pkg = _write(tmp_path, {
        "pkg/__init__.py": "from pkg.cli.main import main\n",
        "pkg/errors.py": "class PlanError(Exception):\n    pass\n",
        "pkg/plan/__init__.py": "from pkg.plan.schema import Plan\n",
        "pkg/plan/schema.py": "from pkg.errors import PlanError\nclass Plan:\n    pass\n",
        "pkg/rcpsp/__init__.py": "",
        "pkg/rcpsp/psplib.py": "from pkg.plan import Plan\n",
        "pkg/cli/__init__.py": "",
        "pkg/cli/main.py": "def main():\n    from pkg.rcpsp.psplib import Plan\n    from pkg import errors\n",
    })
    graph = read_graph(pkg)
    assert (circles(graph), graph.private, long_files(graph)) == ([], [], [])
    assert (misplaced_rcpsp(graph), upward_imports(graph)) == ([], [])
