"""The command line: parse options, call the pipeline, map errors to exit codes.

Exit codes: 0 a report was produced; 2 usage error, bad input, or no analyzer
produced a result (one line on stderr says what and what to do); 3 an internal
error (a bug: one line on stderr, please report it). No traceback reaches the
user.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from crosscheck import __version__, pipeline
from crosscheck.errors import CrosscheckError
from crosscheck.formats import Format, render
from crosscheck.models import Options, Severity
from crosscheck.samples import sample_pairs

EXIT_OK = 0
EXIT_ERROR = 2
EXIT_INTERNAL = 3

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn every exception into one line on stderr and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CrosscheckError as err:
            click.echo(f"crosscheck: error: {err}", err=True)
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("crosscheck: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as err:  # noqa: BLE001 - the promise is: never a traceback
            click.echo(f"crosscheck: internal error: {type(err).__name__}: {err} (please report this)", err=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _options(min_severity: str, analyzer: tuple[str, ...], rules: str | None, timeout: float,
             timings: bool) -> Options:
    return Options(min_severity=Severity(min_severity), analyzers=analyzer, rules=rules, timeout_s=timeout,
                   timings=timings)


def common_options(func: F) -> F:
    """Options shared by ``check`` and ``demo``."""
    decorators = [
        click.option("--min-severity", type=click.Choice([s.value for s in Severity]), default="medium",
                     show_default=True, help="Findings below this do not contradict a 'no defects' verdict."),
        click.option("--analyzer", "analyzer", multiple=True, metavar="NAME",
                     help="Run only this analyzer (repeatable; default: all installed)."),
        click.option("--rules", type=click.Path(exists=True), default=None,
                     help="Semgrep rule file or folder (default: crosscheck's own pack)."),
        click.option("--timeout", type=click.FloatRange(min=1), default=600.0, show_default=True,
                     help="Seconds each analyzer may run."),
        click.option("--timings", is_flag=True, help="Put analyzer durations into the report (not reproducible)."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


@click.group()
@click.version_option(__version__, prog_name="crosscheck")
def cli() -> None:
    """Hold a prose security review of code up against bandit and semgrep."""


@cli.command()
@click.argument("code", type=click.Path())
@click.argument("review", type=click.Path(allow_dash=True))
@click.option("--format", "fmt", type=click.Choice([f.value for f in Format]), default="text", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report here instead of stdout.")
@common_options
@handle_errors
def check(code: str, review: str, fmt: str, output: str | None, min_severity: str, analyzer: tuple[str, ...],
          rules: str | None, timeout: float, timings: bool) -> None:
    """Check REVIEW (a text or Markdown file, or - for stdin) against CODE (a Python file or directory)."""
    report = pipeline.run(code, review, _options(min_severity, analyzer, rules, timeout, timings))
    _emit(render(report, Format(fmt), color=output is None and _color()), output)


@cli.command()
@click.option("--output-dir", type=click.Path(file_okay=False), default=None,
              help="Also write each pair's JSON and text report into this folder.")
@common_options
@handle_errors
def demo(output_dir: str | None, min_severity: str, analyzer: tuple[str, ...], rules: str | None, timeout: float,
         timings: bool) -> None:
    """Check the sample pairs that ship with crosscheck and print their reports."""
    options = _options(min_severity, analyzer, rules, timeout, timings)
    color = _color()
    summary = []
    for pair in sample_pairs():
        report = pipeline.run(str(pair.code), str(pair.review), options)
        click.echo(render(report, Format.TEXT, color=color))
        if output_dir:
            for fmt, suffix in ((Format.JSON, "json"), (Format.TEXT, "txt")):
                write_atomic(Path(output_dir) / f"{pair.id}.{suffix}", render(report, fmt))
        rec = report.reconciliation
        outcomes = ", ".join(f"{k} {v}" for k, v in rec.metrics.claims_by_outcome if v)
        missed = sum(f.status.value == "missed" for f in rec.findings)
        summary.append(f"  {pair.id}: verdict {rec.verdict.stated.value} -> {rec.verdict.consistency.value}; "
                       f"claims: {outcomes or 'none'}; findings {len(rec.findings)} ({missed} missed)")
    click.echo("Summary:\n" + "\n".join(summary))
    if output_dir:
        click.echo(f"Reports written to {output_dir}")


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _emit(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(Path(output), text)


def main() -> None:
    """Entry point of the ``crosscheck`` command."""
    cli(prog_name="crosscheck")
