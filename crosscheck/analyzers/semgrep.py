"""The semgrep analyzer: semgrep OSS with crosscheck's own rule pack, fully offline."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from crosscheck.analyzers.base import (
    Analyzer,
    FileComments,
    OutputTooLarge,
    ProcessTimeout,
    ReportError,
    child_env,
    completed_run,
    fingerprint,
    json_report,
    run_process,
    snippet_of,
)
from crosscheck.models import AnalyzerRun, CodeTarget, Confidence, Finding, Options, RunStatus, Severity

_SEVERITY = {"ERROR": "high", "CRITICAL": "high", "HIGH": "high", "WARNING": "medium", "MEDIUM": "medium",
             "INFO": "low", "LOW": "low"}
_CWE = re.compile(r"CWE-(\d+)")

# Offline and quiet: no metrics, no version check, no registry; and no silent
# skipping of tests/ folders (semgrep's default ignore list) or large files.
OFFLINE_FLAGS = ("--metrics=off", "--disable-version-check")
# --disable-nosem: findings under a "# nosemgrep" comment are reported too, and marked
# as suppressed here (nosemgrep_suppression), so the report keeps them.
SCAN_FLAGS = ("--json", "--quiet", "--no-git-ignore", "--x-ignore-semgrepignore-files", "--max-target-bytes=0",
              "--disable-nosem")
# semgrep's command line in OCaml (osemgrep, in the semgrep-core binary) instead of its Python one, for runs
# of up to OCAML_FILES_MAX files: the same JSON (a test compares them on every test case), without the
# Python start-up (3.5 s of CPU a run; 0.25 s instead). Measured with --jobs 1: 150 files 3.7-4.8 s instead
# of 7.1-8.5, 300 files 5.8-7.9 instead of 9.3-11.4, with 10 % more memory; on nova's 844 test files it
# is no faster (52-65 s against 58-62) and peaks 50-90 MB higher (537-579 MB), so larger runs keep the
# Python one. When it prints no report (a semgrep without it), the run is made again without it.
ENGINE_FLAGS = ("--experimental",)
OCAML_FILES_MAX = 300
# semgrep's reading of a suppression comment: "# nosemgrep", "# nosemgrep: rule-a, rule-b" ("nosem" too).
_NOSEM = re.compile(r"#\s*nosem(?:grep)?\b(?:\s*:\s*(?P<ids>[^\s,#]+(?:\s*,\s*[^\s,#]+)*))?", re.IGNORECASE)


def default_rules_dir() -> Path:
    """The rule pack that ships with crosscheck.

    In a wheel it is packaged as ``crosscheck/_rules``; in a source checkout it
    is the repository's ``rules/`` folder next to the package.
    """
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_rules"
    return packaged if packaged.is_dir() else here.parent / "rules"


def semgrep_executable() -> str | None:
    """The semgrep installed beside this Python, else the one on PATH."""
    beside = Path(sys.executable).parent / "semgrep"
    if beside.is_file():
        return str(beside)
    return shutil.which("semgrep")


def offline_env(state_dir: str) -> dict[str, str]:
    """Environment that keeps semgrep off the network and out of the user's home."""
    return child_env({
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
        "SEMGREP_SEND_METRICS": "off",
        "SEMGREP_SETTINGS_FILE": str(Path(state_dir) / "settings.yml"),
        "SEMGREP_LOG_FILE": str(Path(state_dir) / "semgrep.log"),
        "SEMGREP_VERSION_CACHE_PATH": str(Path(state_dir) / "version"),
    })


class SemgrepAnalyzer(Analyzer):
    """Runs ``semgrep scan`` once over the target with local rules only.

    Since semgrep 1.100, logged-out runs hide the matched lines and fingerprints,
    so snippets are read from the source and fingerprints computed here.
    """

    name = "semgrep"
    information_uri = "https://semgrep.dev"
    # rules of crosscheck's pack (no rule of it has a documentation page, so no help_uris)
    test_noise = frozenset({
        "hardcoded-credential", "hardcoded-tmp-path", "insecure-random-for-secret", "assert-used-for-authorization",
    })

    def cache_key(self, options: Options) -> str | None:
        """semgrep's version and the content of every rule file (OSS semgrep looks at one file at a time)."""
        rules = Path(options.rules) if options.rules else default_rules_dir()
        try:
            version = importlib.metadata.version("semgrep")
        except importlib.metadata.PackageNotFoundError:
            return None  # a semgrep from elsewhere: its version is not known before it runs
        files = sorted(p for p in ([rules] if rules.is_file() else rules.rglob("*"))
                       if p.is_file() and p.suffix in (".yaml", ".yml"))
        digest = hashlib.sha256()
        for path in files:
            digest.update(f"{path.relative_to(rules) if rules.is_dir() else path.name}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return f"semgrep {version} {' '.join(SCAN_FLAGS)} rules {digest.hexdigest()}"

    def run(self, target: CodeTarget, options: Options) -> AnalyzerRun:
        exe = semgrep_executable()
        if exe is None:
            return AnalyzerRun(self.name, "", RunStatus.MISSING, message="semgrep is not installed: pip install semgrep")
        rules = Path(options.rules) if options.rules else default_rules_dir()
        if not rules.exists():
            return AnalyzerRun(self.name, "", RunStatus.FAILED, message=f"semgrep rules not found at {rules}")
        with tempfile.TemporaryDirectory(prefix="crosscheck-semgrep-") as state:
            try:
                config = merge_rules(rules, Path(state)) if rules.is_dir() else rules
            except (OSError, ValueError, yaml.YAMLError) as err:
                return AnalyzerRun(self.name, "", RunStatus.FAILED, message=f"semgrep rules unusable: {err}")
            jobs = ["--jobs", str(options.jobs)] if options.jobs else []  # else semgrep takes every core
            scan = [exe, "scan", "--config", str(config), *OFFLINE_FLAGS, *SCAN_FLAGS, *jobs, "--", target.root]
            report = None
            try:
                if len(target.files) <= OCAML_FILES_MAX:
                    proc = run_process([*scan[:2], *ENGINE_FLAGS, *scan[2:]], timeout_s=options.timeout_s,
                                       env=offline_env(state), cwd=state)
                    with contextlib.suppress(ReportError):
                        report = json_report("semgrep", proc)
                if report is None:  # a larger run, a semgrep without it, or it failed: the Python command line
                    proc = run_process(scan, timeout_s=options.timeout_s, env=offline_env(state), cwd=state)
            except ProcessTimeout as err:
                return AnalyzerRun(self.name, "", RunStatus.FAILED, message=f"semgrep timed out: {err}")
            except OutputTooLarge as err:
                return AnalyzerRun(self.name, "", RunStatus.FAILED, message=f"semgrep failed: {err}")
        try:
            report = report or json_report("semgrep", proc)
        except ReportError as err:
            return AnalyzerRun(self.name, "", RunStatus.FAILED, message=str(err), duration_s=proc.duration_s)
        return parse_report(report, target, proc.duration_s)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's safe loader and dumper when PyYAML has them (its wheels do): about 25 times faster than the
pure-Python ones, and merging the rules is on the way to every semgrep run."""


def merge_rules(folder: Path, into: Path) -> Path:
    """Write every rule of a rule folder into one file, and return its path.

    semgrep spends seconds per run loading a folder of small rule files; one
    file with the same rules loads in a fraction of that. Duplicate rule ids
    are refused, since findings would become ambiguous.
    """
    rules: list[Any] = []
    seen: set[str] = set()
    for path in sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
                       and not any(part.startswith(".") for part in p.relative_to(folder).parts)):
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
            raise ValueError(f"{path.name} has no 'rules' list")
        for rule in document["rules"]:
            rule_id = str(rule.get("id")) if isinstance(rule, dict) else ""
            if not rule_id or rule_id in seen:
                raise ValueError(f"{path.name}: missing or duplicate rule id {rule_id!r}")
            seen.add(rule_id)
            rules.append(rule)
    if not rules:
        raise ValueError(f"no rules found in {folder}")
    merged = into / "rules.yaml"
    merged.write_text(yaml.dump({"rules": rules}, Dumper=_DUMPER, sort_keys=True), encoding="utf-8")
    return merged


def rule_id_of(check_id: str) -> str:
    """Drop the config-path prefix semgrep puts before a rule id (``rules.x`` -> ``x``)."""
    return check_id.rsplit(".", 1)[-1]


def parse_report(report: dict[str, Any], target: CodeTarget, duration_s: float) -> AnalyzerRun:
    """Turn semgrep's JSON report into a normalized run."""
    version = str(report.get("version", ""))
    relative = {f.abspath: f.path for f in target.files}
    nosem = FileComments(target, "nosem")
    findings = []
    for item in report["results"]:
        path = relative.get(str(Path(str(item.get("path", ""))).resolve()))
        if path is None:
            continue
        extra = item.get("extra") or {}
        metadata = extra.get("metadata") or {}
        rule_id = rule_id_of(str(item.get("check_id", "")))
        line = int((item.get("start") or {}).get("line") or 1)
        end_line = max(line, int((item.get("end") or {}).get("line") or line))
        snippet = snippet_of(target, path, line, end_line)
        cwe_field = metadata.get("cwe") or []
        cwe = tuple(sorted({int(m) for text in ([cwe_field] if isinstance(cwe_field, str) else cwe_field)
                            for m in _CWE.findall(str(text))}))
        findings.append(Finding(
            analyzer="semgrep",
            rule_id=rule_id,
            cwe=cwe,
            severity=Severity(_SEVERITY.get(str(extra.get("severity", "")).upper(), "medium")),
            confidence=Confidence(str(metadata.get("confidence", "medium")).lower()
                                  if str(metadata.get("confidence", "")).lower() in ("low", "medium", "high")
                                  else "medium"),
            path=path,
            line=line,
            end_line=end_line,
            message=" ".join(str(extra.get("message", "")).split()),
            snippet=snippet,
            fingerprint=fingerprint("semgrep", rule_id, path, snippet),
            vocabulary=tuple(str(t) for t in metadata.get("vocabulary") or ()),
            suppression=nosemgrep_suppression(nosem.comments(path), _lines_of(target, path), line, rule_id),
        ))
    errors = []
    fatal = []
    for err in report.get("errors") or []:
        where = err.get("path") or (err.get("spans") or [{}])[0].get("file") or ""
        text = " ".join(str(err.get("message") or err.get("type") or "error").split())[:300]
        where_rel = relative.get(str(Path(where).resolve()), where) if where else ""
        if where_rel in relative.values():
            errors.append(f"{where_rel}: {text}")
        elif str(err.get("level", "")).lower() == "error":
            fatal.append(text)
    scanned = {relative.get(str(Path(p).resolve())) for p in (report.get("paths") or {}).get("scanned") or []}
    unscanned = sorted(f.path for f in target.files if f.path not in scanned)
    errors.extend(f"{p}: not scanned by semgrep" for p in unscanned if not any(e.startswith(f"{p}: ") for e in errors))
    if fatal:
        return AnalyzerRun("semgrep", version, RunStatus.FAILED, errors=tuple(sorted(errors)),
                           message=f"semgrep reported an error: {fatal[0]}", duration_s=duration_s)
    return completed_run("semgrep", version, findings, errors, duration_s)


def _lines_of(target: CodeTarget, path: str) -> tuple[str, ...]:
    source = target.file(path)
    return source.lines if source is not None else ()


def nosemgrep_suppression(file_comments: dict[int, str], lines: tuple[str, ...], line: int, rule_id: str) -> str:
    """The ``# nosemgrep`` comment that suppresses rule ``rule_id`` at ``line``, or "".

    As semgrep reads it: a comment on the finding's first line, or on the line
    before when that line holds nothing else; with rule ids after a colon, only
    those rules are suppressed.
    """
    for number in (line, line - 1):
        comment = file_comments.get(number, "")
        match = _NOSEM.search(comment)
        if match is None:
            continue
        if number != line and not lines[number - 1].lstrip().startswith("#"):
            continue
        ids = [rule_id_of(i.strip()) for i in (match.group("ids") or "").split(",") if i.strip()]
        if not ids or rule_id in ids:
            return match.group(0).strip()
    return ""
