"""Project defaults from ``[tool.crosscheck]`` in ``pyproject.toml``.

The command line always wins: a value given as an option replaces the file's,
and the file's replaces crosscheck's built-in default. The file is found by
walking up from the working directory to the first ``pyproject.toml`` that has a
``[tool.crosscheck]`` table, the way ruff and black find theirs.

```toml
[tool.crosscheck]
analyzers = ["bandit", "semgrep"]   # default: every installed plugin but opt-in ones
rules = "security/semgrep"          # relative to this pyproject.toml
min-severity = "medium"
timeout = 600
formats = ["json", "text"]          # what --output-dir writes
test-patterns = ["tests/*", "test_*.py"]   # globs naming test files (default: the usual conventions)
include-test-findings = false       # let test-code noise (assert, test passwords) count in the verdict
follow-links = false                # read files whose symbolic links lead out of a code folder
executor = "dask"                   # where `crosscheck batch` runs: "local" (default) or "dask"
scheduler = "tcp://HOST:8786"       # the Dask scheduler (default: a local cluster)
```
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crosscheck.errors import InputError
from crosscheck.load.files import parse_toml, read_input
from crosscheck.models import Severity

KEYS = ("analyzers", "rules", "min-severity", "timeout", "formats", "test-patterns", "include-test-findings",
        "executor", "scheduler", "fail-on", "require", "follow-links")
EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class Config:
    """The ``[tool.crosscheck]`` values; ``None`` where the file says nothing."""

    path: Path | None = None
    """The pyproject.toml the values came from, or None when there is none."""
    analyzers: tuple[str, ...] | None = None
    rules: str | None = None
    """Absolute path, resolved against the pyproject.toml's folder."""
    min_severity: Severity | None = None
    timeout_s: float | None = None
    formats: tuple[str, ...] | None = None
    test_patterns: tuple[str, ...] | None = None
    include_test_findings: bool | None = None
    follow_links: bool | None = None
    """Read the files below a code folder whose symbolic links lead out of it (``--follow-links``)."""
    executor: str | None = None
    """Where ``crosscheck batch`` runs (one of :data:`EXECUTORS`)."""
    scheduler: str | None = None
    """The Dask scheduler's address, for the ``dask`` executor."""
    fail_on: tuple[str, ...] | None = None
    """The gates of ``--fail-on`` (``OUTCOME[:SEVERITY]``, checked by the command line); ``()`` fails on none."""
    require: tuple[str, ...] | None = None
    """The analyzers of ``--require``."""
    warnings: tuple[str, ...] = field(default=())
    """Unknown keys and the like: worth telling the user, not worth stopping for."""


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` with a ``[tool.crosscheck]`` table."""
    for folder in (start.resolve(), *start.resolve().parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "crosscheck" in _read(candidate).get("tool", {}):
            return candidate
    return None


def load_config(path: Path | None = None, *, start: Path | None = None) -> Config:
    """Read ``[tool.crosscheck]`` from ``path``, or from the file found above ``start`` (default: cwd)."""
    if path is None:
        path = find_pyproject(start or Path.cwd())
        if path is None:
            return Config()
    elif not path.exists():
        raise InputError(f"config file {str(path)!r} does not exist")
    table = _read(path).get("tool", {}).get("crosscheck", {})
    if not isinstance(table, Mapping):
        raise InputError(f"{path}: [tool.crosscheck] must be a table")
    return parse_config(table, path)


def parse_config(table: Mapping[str, Any], path: Path) -> Config:
    """Check and convert one ``[tool.crosscheck]`` table; ``path`` anchors relative paths."""
    where = f"{path}: [tool.crosscheck]"
    warnings = tuple(f"{where}: unknown key {key!r} ignored (known: {', '.join(KEYS)})"
                     for key in sorted(set(table) - set(KEYS)))
    rules = table.get("rules")
    if rules is not None:
        rules_path = (path.parent / _string(rules, "rules", where)).resolve()
        if not rules_path.exists():
            raise InputError(f"{where}: rules path {str(rules_path)!r} does not exist")
        rules = str(rules_path)
    severity = table.get("min-severity")
    if severity is not None and severity not in {s.value for s in Severity}:
        raise InputError(f"{where}: min-severity must be one of low, medium, high, not {severity!r}")
    timeout = table.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 1):
        raise InputError(f"{where}: timeout must be a number of seconds >= 1, not {timeout!r}")
    executor = table.get("executor")
    if executor is not None and executor not in EXECUTORS:
        raise InputError(f"{where}: executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    scheduler = table.get("scheduler")
    include, follow = table.get("include-test-findings"), table.get("follow-links")
    for key, value in (("include-test-findings", include), ("follow-links", follow)):
        if value is not None and not isinstance(value, bool):
            raise InputError(f"{where}: {key} must be true or false, not {value!r}")
    return Config(
        path=path,
        analyzers=_strings(table.get("analyzers"), "analyzers", where),
        rules=rules,
        min_severity=Severity(severity) if severity is not None else None,
        timeout_s=float(timeout) if timeout is not None else None,
        formats=_strings(table.get("formats"), "formats", where),
        test_patterns=_strings(table.get("test-patterns"), "test-patterns", where),
        include_test_findings=include,
        follow_links=follow,
        executor=executor,
        scheduler=_string(scheduler, "scheduler", where) if scheduler is not None else None,
        fail_on=_strings(table.get("fail-on"), "fail-on", where),
        require=_strings(table.get("require"), "require", where),
        warnings=warnings,
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        return parse_toml(read_input(path, "config file").decode("utf-8"), f"config file {str(path)!r}")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise InputError(f"cannot read {path}: {err}") from None


def _string(value: object, key: str, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(f"{where}: {key} must be a non-empty string, not {value!r}")
    return value


def _strings(value: object, key: str, where: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InputError(f"{where}: {key} must be a list of non-empty strings, not {value!r}")
    return tuple(value)
