"""The Microsoft SARIF validator (the npm package ``@microsoft/sarif-multitool``), run with GitHub's rules.

``validate --rule-kind "Sarif;Gh"`` checks a log against the SARIF specification's rules and against what
GitHub code scanning requires (rules with help and a full description, results with a location...). It
exits 0 whatever it finds, so its verdict is read from the SARIF log it writes (``--output``).

Found through ``CROSSCHECK_SARIF_MULTITOOL`` (the path of the native ``Sarif.Multitool`` executable the npm
package installs, or of npm's ``sarif-multitool`` wrapper), else on the PATH. npm's wrapper runs the
executable through a shell, so its arguments are shell-quoted; the native executable gets them as they are.
The validator is a self-contained .NET program: it runs with invariant globalization, which spares it
the ICU libraries.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ENV = "CROSSCHECK_SARIF_MULTITOOL"
REQUIRE_ENV = "CROSSCHECK_REQUIRE_SARIF_MULTITOOL"
RULE_KINDS = "Sarif;Gh"
NAMES = ("sarif-multitool", "Sarif.Multitool")
TIMEOUT_S = 300


@dataclass(frozen=True)
class Problem:
    """One result of the validator: its level (error, warning, note), rule, file, line and message."""

    level: str
    rule: str
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{Path(self.file).name}:{self.line}: {self.level} {self.rule}: {self.message}"


def executable() -> str | None:
    """The validator's path: ``$CROSSCHECK_SARIF_MULTITOOL``, else the first of :data:`NAMES` on the PATH."""
    return os.environ.get(ENV) or next((found for name in NAMES if (found := shutil.which(name))), None)


def _through_a_shell(tool: str) -> bool:
    """Whether ``tool`` is npm's wrapper, a node script that hands its arguments to a shell."""
    try:
        with open(tool, "rb") as file:
            first = file.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and b"node" in first


def validate(tool: str, logs: list[Path], output: Path) -> list[Problem]:
    """Validate ``logs`` with ``tool``, writing its own log to ``output`` (which must not exist yet), and
    return every problem it reports. Raises AssertionError when the validator itself fails."""
    args = ["validate", "--rule-kind", RULE_KINDS, "--output", str(output), *map(str, logs)]
    if _through_a_shell(tool):
        args = [shlex.quote(a) for a in args]
    env = dict(os.environ, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1", DOTNET_CLI_TELEMETRY_OPTOUT="1")
    done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=TIMEOUT_S, env=env, check=False)
    said = (done.stdout + done.stderr)[-3000:]
    assert done.returncode == 0 and output.is_file(), f"{tool} failed (exit {done.returncode}):\n{said}"
    log = json.loads(output.read_text(encoding="utf-8-sig"))
    (run,) = log["runs"]
    invocation = run["invocations"][0]
    failures = [n["message"].get("text", "") for n in invocation.get("toolExecutionNotifications", [])
                if n.get("level") == "error"]
    assert invocation.get("executionSuccessful", False) and not failures, f"{tool} failed: {failures}\n{said}"
    rules = {rule["id"]: rule for rule in run["tool"]["driver"].get("rules", [])}
    return [_problem(result, rules) for result in run.get("results", [])]


def _problem(result: dict, rules: dict[str, dict]) -> Problem:
    """A validator result, its message template filled in."""
    message = result["message"]
    text = message.get("text", "")
    if not text and "id" in message:
        template = rules.get(result["ruleId"], {}).get("messageStrings", {}).get(message["id"], {}).get("text", "")
        arguments = [str(a) for a in message.get("arguments", [])]
        try:
            text = template.format(*arguments) if template else " ".join(arguments)
        except (IndexError, KeyError, ValueError):
            text = f"{message['id']}: {' | '.join(arguments)}"
    place = result["locations"][0]["physicalLocation"] if result.get("locations") else {}
    return Problem(level=result.get("level", "warning"), rule=result["ruleId"],
                   file=place.get("artifactLocation", {}).get("uri", ""),
                   line=place.get("region", {}).get("startLine", 0), message=text)
