"""The package's shape: no import cycle, a cheap ``import crosscheck``, and a command line whose
``--help`` and ``--version`` load no stage."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from conftest import REPO, loaded_after

PACKAGE = REPO / "crosscheck"
STAGES = ("load", "analyzers", "review", "grounding", "reconcile", "results", "formats", "run")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every module name an import statement of ``tree`` names, at module level or inside a function
    (a lazy import is still an edge), except under ``if TYPE_CHECKING:``."""
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def import_graph() -> dict[str, set[str]]:
    """Edges between crosscheck's modules. Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__``
    first, so an import is also an edge to every package above the module it names: a cycle through a
    package's ``__init__`` is a cycle here too."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets: set[str] = set()
        for imported in _imported(tree, name, path.name == "__init__.py"):
            parts = imported.split(".")
            targets.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        graph[name] = {t for t in targets if t in modules and t != name and not name.startswith(t + ".")}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle_through_a_package_init():
    graph = {"p": {"p.a"}, "p.a": {"p.b"}, "p.b": {"p"}, "q": set()}
    assert find_cycle(graph) == ["p", "p.a", "p.b", "p"]
    assert find_cycle({"p": {"p.a"}, "p.a": set()}) is None


def test_the_graph_sees_lazy_relative_and_package_imports(tmp_path):
    tree = ast.parse("from . import x\nif TYPE_CHECKING:\n    import hidden\ndef f():\n    from .y import z\n")
    assert _imported(tree, "crosscheck.run.batch", False) == {
        "crosscheck.run", "crosscheck.run.x", "crosscheck.run.y", "crosscheck.run.y.z"}


def test_no_import_cycle_in_the_package():
    """The package's own lazy names (``crosscheck.check`` and the like, through ``__getattr__``) are the one
    exception by construction: they are resolved only after the package is fully imported, by name."""
    graph = import_graph()
    assert "crosscheck.run.pipeline" in graph and graph["crosscheck.run.pipeline"]  # the walk sees imports
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def _not_stdlib(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] not in sys.stdlib_module_names and m != "__main__"
            and not m.startswith("_")]


def test_import_crosscheck_loads_few_modules_and_the_api_on_demand():
    loaded = _not_stdlib(loaded_after("import crosscheck"))
    assert len(loaded) <= 40, loaded
    assert loaded == ["crosscheck"]
    used = loaded_after("import crosscheck\ncrosscheck.check, crosscheck.render, crosscheck.Report")
    assert "crosscheck.api" in used and "crosscheck.results.report" in used


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["check", "--help"], ["batch", "--help"],
                                  ["demo", "--help"], ["pre-commit", "--help"], ["cache", "--help"]])
def test_version_and_help_load_no_stage(argv):
    code = ("from crosscheck.cli import main\nsys.argv = ['crosscheck'] + " + repr(argv)
            + "\ntry:\n    main()\nexcept SystemExit as exit:\n    assert exit.code in (0, None), exit.code")
    loaded = loaded_after(code)
    stages = [m for m in loaded if m.split(".")[:2][-1] in STAGES and m.startswith("crosscheck.")]
    assert "crosscheck.cli" in loaded
    assert stages == [], stages


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_no_function_is_over_60_lines():
    long = [f"{path.relative_to(REPO)}:{f.lineno} {f.name} ({f.end_lineno - f.lineno + 1} lines)"
            for path in sorted(PACKAGE.rglob("*.py"))
            for f in _functions(ast.parse(path.read_text(encoding="utf-8")))
            if (f.end_lineno or f.lineno) - f.lineno + 1 > 60]
    assert long == []


def _code_strings_and_names(tree: ast.AST) -> list[str]:
    """Every identifier of ``tree``, and every string constant that is a word, a key or an address (no
    whitespace): what code uses to tell one tool from another. Prose (docstrings, help texts) may name one."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and not any(
                c.isspace() for c in node.value):
            found.append(node.value)
        elif isinstance(node, ast.Name):
            found.append(node.id)
        elif isinstance(node, ast.Attribute):
            found.append(node.attr)
    return found


def test_no_analyzer_is_named_outside_its_plugin():
    """Adding an analyzer is its module plus one entry point: no other module's code names one."""
    import re

    from crosscheck import analyzers

    names = sorted(analyzers.available())
    assert {"bandit", "semgrep"} <= set(names)
    word = re.compile(r"(?<![\w-])(?:" + "|".join(names) + r")(?![\w-])", re.IGNORECASE)
    leaks = [f"{path.relative_to(REPO)}: {text[:80]!r}"
             for path in sorted(PACKAGE.rglob("*.py")) if "analyzers" not in path.relative_to(PACKAGE).parts
             for text in _code_strings_and_names(ast.parse(path.read_text(encoding="utf-8")))
             if word.search(text)]
    assert leaks == []


RANKS = {"load": 0, "analyzers": 1, "review": 1, "grounding": 2, "reconcile": 3, "results": 4, "formats": 5,
         "run": 6}
"""The stages in the order data flows through them: a stage may use its own modules and earlier stages'."""
ENTRY = ("crosscheck", "crosscheck.api", "crosscheck.cli", "crosscheck.__main__")
"""Where the stages are put together: free to use any of them."""


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANKS else None


def test_each_stage_uses_only_itself_and_earlier_stages():
    """A line knows its room: data flows load -> analyzers, review -> grounding -> reconcile -> results ->
    formats -> run; the shared modules (models, errors, cwe, atomic, plugins) use no stage at all."""
    backwards = []
    for module, imported in import_graph().items():
        if module in ENTRY:
            continue
        stage = _stage(module)
        for target in imported:
            other = _stage(target)
            if other is not None and (stage is None or RANKS[other] > RANKS[stage]):
                backwards.append(f"{module} -> {target}")
    assert sorted(backwards) == []


def test_what_conclude_imports_is_loaded_while_the_analyzers_run():
    """The pipeline imports the stages after the analyzers lazily, but before they end: conclude's imports
    are the prepared ones (prepare loads the lexicon), so nothing is imported once the analyzers are done."""
    from crosscheck.run import pipeline

    tree = ast.parse((REPO / "crosscheck" / "run" / "pipeline.py").read_text(encoding="utf-8"))
    conclude = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "conclude")
    imported = {n.module for n in ast.walk(conclude) if isinstance(n, ast.ImportFrom)}
    assert imported, "conclude imports its stages lazily"
    assert imported - {"crosscheck.cwe"} <= set(pipeline._LATER_STAGES)
