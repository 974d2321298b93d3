"""Shared fixtures: paths into the repository, a JSON Schema validator for reports, golden files, and
a report on a hostile review for the format tests."""

from __future__ import annotations

import base64
import dataclasses
import gc
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Generator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

if TYPE_CHECKING:
    from crosscheck.results.report import Report

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_golden(path: Path, actual: str, mask: Callable[[str], str] = lambda text: text) -> None:
    """``actual`` equals the golden file at ``path``, both passed through ``mask`` (which hides what may
    differ between machines). With ``CROSSCHECK_UPDATE_GOLDEN`` set, the file is (re)written from
    ``actual`` and the test fails once, saying so."""
    actual = mask(actual)
    if os.environ.get("CROSSCHECK_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8", newline="\n")
        pytest.fail(f"wrote {path.relative_to(REPO)}; unset CROSSCHECK_UPDATE_GOLDEN and run again")
    assert path.is_file(), f"{path} is missing: run with CROSSCHECK_UPDATE_GOLDEN=1 to write it"
    assert actual == mask(path.read_text(encoding="utf-8"))


def loaded_after(code: str) -> list[str]:
    """The modules a fresh interpreter has loaded after running ``code`` in the repository, sorted."""
    script = f"import sys\n{code}\nimport json\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    return list(json.loads(done.stdout.splitlines()[-1]))


def growth(run: Callable[[str], object], make: Callable[[int], str], size: int) -> float:
    """How much longer ``run`` takes on ``make(4 * size)`` than on ``make(size)``, best of three runs each:
    about 4 for linear work, about 16 for quadratic; a test asserts growth, never a wall time. The garbage
    collector is off while each run is timed: its passes cost in proportion to everything the test session
    holds, not to the work measured (a linear splitter measured 12x in a full run, 5.5x alone)."""
    def best(n: int) -> float:
        text = make(n)
        times = []
        for _ in range(3):
            gc.collect()
            gc.disable()
            try:
                started = time.perf_counter()
                run(text)
                times.append(time.perf_counter() - started)
            finally:
                gc.enable()
        return max(min(times), 1e-4)

    return best(4 * size) / best(size)


@pytest.fixture(scope="session")
def report_schema() -> dict:
    return json.loads(resources.files("crosscheck").joinpath("schema/report.schema.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def validate_report(report_schema):
    validator = jsonschema.Draft202012Validator(report_schema)

    def validate(data: dict) -> None:
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])

    return validate


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Every test shares one fresh crosscheck cache; the user's own cache is never touched."""
    import os

    folder = tmp_path_factory.mktemp("crosscheck-cache")
    old = os.environ.get("CROSSCHECK_CACHE_DIR")
    os.environ["CROSSCHECK_CACHE_DIR"] = str(folder)
    yield folder
    if old is None:
        del os.environ["CROSSCHECK_CACHE_DIR"]
    else:
        os.environ["CROSSCHECK_CACHE_DIR"] = old


HOSTILE_CODE = '''import os
import pickle

BANNER = "<script>alert(1)</script>"


def run(cmd, blob):
    os.system(cmd)
    return pickle.loads(blob)
'''
HOSTILE_REVIEW = (
    "# Review <script>alert(1)</script>\n\n"
    "I found these security vulnerabilities:\n\n"
    "1. **Command Injection <img src=x onerror=alert(1)>:** In line 8, `os.system(cmd)` runs "
    "\"><svg onload=alert(1)> \x1b[31mred\x1b[0m in a shell.\n"
    "2. ![x](http://e.example/) [c](javascript:alert(1)) <b>b</b> @octocat #1 www.e.example *em* _em_ ~~g~~ | $x$: "
    "in line 8 `os.system(cmd)` allows command injection.\n"
    "3. **Banner:** line 4 sets `BANNER = \"<script>alert(1)</script>\"`, an XSS payload `\"><svg onload=alert(1)>`.\n"
    "4. **Debug <script>alert(1)</script>:** line 99 enables `app.debug = \"<img src=x onerror=alert(1)>\"`.\n"
)


@pytest.fixture(scope="session")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """A report on a review full of HTML, Markdown and terminal injection, quoting code that holds some too."""
    from crosscheck.run import pipeline

    folder = tmp_path_factory.mktemp("hostile")
    (folder / "app.py").write_text(HOSTILE_CODE, encoding="utf-8")
    (folder / "review.md").write_text(HOSTILE_REVIEW, encoding="utf-8")
    return pipeline.run(str(folder / "app.py"), str(folder / "review.md"))


def with_data(report: Report, change: Callable[[dict[str, Any]], None]) -> Report:
    """``report`` whose ``to_dict`` is changed by ``change``: to show values the report may gain later."""
    from crosscheck.results.report import Report

    class Changed(Report):
        def to_dict(self) -> dict[str, Any]:
            data = super().to_dict()
            change(data)
            return data

    return Changed(**{f.name: getattr(report, f.name) for f in dataclasses.fields(report)})


@pytest.fixture
def at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the test from the repository root, where reports name files by repository-relative paths."""
    monkeypatch.chdir(REPO)


@pytest.fixture(scope="session")
def checked_at_root() -> Callable[[str, str], Report]:
    """``pipeline.run(code, review)`` from the repository root, once per pair for the whole session:
    the format tests render the same few reports."""
    from crosscheck.run import pipeline

    cache: dict[tuple[str, str], Report] = {}

    def check(code: str, review: str) -> Report:
        if (code, review) not in cache:
            with pytest.MonkeyPatch.context() as patch:
                patch.chdir(REPO)
                cache[code, review] = pipeline.run(code, review)
        return cache[code, review]

    return check


@pytest.fixture(scope="session")
def validate_sarif() -> Callable[[str], dict[str, Any]]:
    """Parse a SARIF document and check it against the official SARIF 2.1.0 schema (OASIS)."""
    schema = json.loads((Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)

    def validate(text: str) -> dict[str, Any]:
        data = json.loads(text)
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
        return data

    return validate


# --- headless Chromium (Debian's chromium package), for the HTML pages -----------------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
"""Headless, and nothing that reaches the network on its own."""


def chromium() -> str:
    """The Chromium binary; skips the test without one, unless CROSSCHECK_REQUIRE_CHROMIUM is set."""
    binary = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)
    if binary is None:
        if os.environ.get("CROSSCHECK_REQUIRE_CHROMIUM"):
            pytest.fail("CROSSCHECK_REQUIRE_CHROMIUM is set but no chromium is installed (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return binary


def browse(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on ``page`` with a fresh profile and ``args``; it must exit 0."""
    with tempfile.TemporaryDirectory(prefix="crosscheck-chromium-") as profile:
        result = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
                                capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def with_probe(html: str, script_hash: str, probe: str) -> str:
    """``html`` with a test script ``probe`` at the end of the body, which the page's CSP admits by its hash
    beside the page's own script (``script_hash``)."""
    digest = base64.b64encode(hashlib.sha256(probe.encode("utf-8")).digest()).decode()
    html = html.replace(f"script-src &#39;{script_hash}&#39;",
                        f"script-src &#39;{script_hash}&#39; &#39;sha256-{digest}&#39;")
    return html.replace("</body>", f"<script>{probe}</script>\n</body>")


# --- reliability cases (tests/reliability.py): each test that claims one is recorded ------------------------------

_CASE_RESULTS: dict[str, dict[str, Any]] = {}
_RANK = {"failed": 3, "passed": 2, "xfailed": 1, "skipped": 0}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "case(id): the reliability case of tests/reliability.py this test checks")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    from reliability import CASES

    unknown = sorted({m.args[0] for item in items for m in item.iter_markers("case")} - set(CASES))
    if unknown:
        raise pytest.UsageError(f"@pytest.mark.case names no registered case: {', '.join(unknown)}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """Record the result of each reliability case: passed, failed (a crash, lost data, or wrong behaviour),
    an expected failure (a known gap), or skipped; a case several tests claim takes the worst of them."""
    from reliability import Crash, DataLoss

    outcome = yield
    report = outcome.get_result()
    cases = [m.args[0] for m in item.iter_markers("case")]
    if not cases or not (report.when == "call" or (report.when == "setup" and not report.passed)):
        return
    result = "xfailed" if hasattr(report, "wasxfail") and report.skipped else report.outcome
    kind = None
    if report.failed and call.excinfo is not None:
        if call.excinfo.errisinstance(DataLoss):
            kind = "data-lost"
        elif call.excinfo.errisinstance(Crash) or not call.excinfo.errisinstance(AssertionError):
            kind = "crash"
    for case in cases:
        entry = _CASE_RESULTS.setdefault(case, {"outcome": result, "kind": None, "tests": []})
        entry["tests"].append(item.nodeid)
        if _RANK[result] > _RANK[entry["outcome"]]:
            entry["outcome"] = result
        entry["kind"] = entry["kind"] or kind


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the recorded cases (only when this run tried some) for ``python tests/reliability.py``."""
    from reliability import RESULTS

    if _CASE_RESULTS:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(_CASE_RESULTS, indent=2, sort_keys=True) + "\n", encoding="utf-8")
