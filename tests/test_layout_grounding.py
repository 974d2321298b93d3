"""The layout of grounding/, reconcile/ and load/labels: what importing each module pulls in, and no cycles."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "crosscheck"

# crosscheck/__init__.py imports the public API, hence every module; a bare package object in
# its place shows what the module under test pulls in by itself.
_BARE_PACKAGE = f"""
import json, sys, types
package = types.ModuleType("crosscheck")
package.__path__ = [{str(PACKAGE)!r}]
package.__version__ = "0"
sys.modules["crosscheck"] = package
"""


def _loaded_after(code: str, *, bare: bool = True) -> set[str]:
    """The modules loaded once ``code`` has run in a fresh interpreter."""
    script = (_BARE_PACKAGE if bare else "import json, sys\n") + code + "\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize("module", ["crosscheck.grounding.model", "crosscheck.grounding.file_index",
                                    "crosscheck.grounding.ast_index", "crosscheck.grounding.index"])
def test_grounding_modules_do_not_load_libcst_or_the_grounder(module):
    loaded = _loaded_after(f"import {module}")
    assert module in loaded
    assert "libcst" not in loaded
    assert "crosscheck.grounding.ground" not in loaded and "rapidfuzz" not in loaded


def test_reconcile_model_does_not_load_the_reconciler():
    loaded = _loaded_after("import crosscheck.reconcile.model")
    assert "crosscheck.grounding.model" in loaded
    assert not loaded & {"crosscheck.reconcile.claims", "crosscheck.reconcile.labels", "crosscheck.grounding.ground"}


def test_loading_labels_does_not_load_the_comparison():
    loaded = _loaded_after("import crosscheck.load.labels")
    assert not {m for m in loaded if m.startswith(("crosscheck.reconcile", "crosscheck.grounding"))}


def test_the_whole_cli_does_not_load_libcst():
    loaded = _loaded_after("import crosscheck.cli", bare=False)
    assert "crosscheck.grounding.ground" in loaded and "libcst" not in loaded


def test_build_index_loads_libcst_only_for_a_file_ast_cannot_read():
    code = """
from crosscheck.grounding.index import build_index
from crosscheck.models import SourceFile
def index(text):
    return build_index(SourceFile(path="a.py", abspath="/a.py", sha256="0", text=text))
assert index("import os\\nos.system('ls')\\n").parser == "ast"
assert "libcst" not in sys.modules
assert index('import os\\nprint "x"\\n').parser == "text"
"""
    assert "libcst" in _loaded_after(code)


def _imports(path: Path) -> set[str]:
    """The crosscheck modules ``path`` imports anywhere, function bodies included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            # "from crosscheck.grounding import cst_index" imports a module, not a name
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return {name for name in found if name.startswith("crosscheck.")}


def test_no_import_cycle_in_grounding_and_reconcile():
    paths = [*sorted((PACKAGE / "grounding").glob("*.py")), *sorted((PACKAGE / "reconcile").glob("*.py")),
             PACKAGE / "load" / "labels.py"]
    modules = {".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"): p for p in paths}
    graph = {name: _imports(path) & set(modules) for name, path in modules.items()}
    assert graph["crosscheck.grounding.index"] >= {"crosscheck.grounding.ast_index",
                                                    "crosscheck.grounding.cst_index"}  # the lazy one is seen
    for start in graph:
        seen, stack = set(), list(graph[start])
        while stack:
            name = stack.pop()
            assert name != start, f"{start} imports itself back through {sorted(seen)}"
            if name not in seen:
                seen.add(name)
                stack.extend(graph[name])
