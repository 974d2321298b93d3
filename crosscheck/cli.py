"""The command line: parse options, call the pipeline, map errors to exit codes.

Exit codes: 0 every report was produced and no ``--fail-on`` gate was met;
1 a gate was met; 2 usage error, bad input, or a pair that could not be
checked (one line on stderr says what and what to do); 3 an internal error (a
bug: one line on stderr, please report it). No traceback reaches the user.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from crosscheck import DISTRIBUTION, __version__, interrupts, plugins
from crosscheck.errors import AnalyzerError, CrosscheckError, InputError
from crosscheck.models import ChangeScope, Gate, Options, Severity

if TYPE_CHECKING:  # the stages are imported inside the commands, so --help and --version load none of them
    from crosscheck.load.config import Config
    from crosscheck.load.manifest import Manifest
    from crosscheck.load.sources import Resolver
    from crosscheck.results.gates import GateSpec
    from crosscheck.results.outcome import PairOutcome
    from crosscheck.results.report import Report
    from crosscheck.run.executors import Executor

EXIT_OK = 0
EXIT_GATE = 1
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
            sys.exit(interrupts.exit_code())  # 130 after Ctrl-C, 143 after SIGTERM
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as err:  # noqa: BLE001 - the promise is: never a traceback
            click.echo(f"crosscheck: internal error: {type(err).__name__}: {err} (please report this)", err=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def _decorated(wrapper: Callable[..., Any], decorators: Sequence[Callable[[Any], Any]]) -> Any:
    for decorator in reversed(decorators):
        wrapper = decorator(wrapper)
    return wrapper


def _format_names() -> list[str]:
    """The names ``--format`` takes, from the plugins' metadata (no format is loaded for ``--help``)."""
    return list(plugins.find(plugins.FORMATS))


def run_options(func: F) -> F:
    """Options that change what a check concludes; unset ones come from ``[tool.crosscheck]``, then defaults.

    The decorated command receives them as one ``options: Options`` argument and
    the formats ``[tool.crosscheck]`` names as ``formats`` (empty: the defaults, see :func:`_written`).
    """
    decorators = [
        click.option("--min-severity", type=click.Choice([s.value for s in Severity]), default=None,
                     help="Findings below this do not contradict a 'no defects' verdict.  [default: medium]"),
        click.option("--analyzer", "analyzer", multiple=True, metavar="NAME",
                     help="Run only this analyzer (repeatable; default: all installed)."),
        click.option("--rules", type=click.Path(exists=True), default=None,
                     help="Semgrep rule file or folder (default: crosscheck's own pack)."),
        click.option("--timeout", type=click.FloatRange(min=1), default=None,
                     help="Seconds each analyzer may run.  [default: 600]"),
        click.option("--timings", is_flag=True, help="Put analyzer durations into the report (not reproducible)."),
        click.option("--audit", is_flag=True,
                     help="Ignore # nosec and # nosemgrep: suppressed findings count like any other."),
        click.option("--test-pattern", "test_pattern", multiple=True, metavar="GLOB",
                     help="A glob naming test files (repeatable; replaces the defaults: test_*.py, *_test.py, "
                          "conftest.py, tests/*, */tests/*, test/*, */test/*)."),
        click.option("--include-test-findings", is_flag=True, default=None,
                     help="Let findings that are noise in test code (assert used, test passwords) count "
                          "in the verdict and the gates."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                     help="Read [tool.crosscheck] from this file instead of the nearest pyproject.toml."),
        click.option("--follow-links", is_flag=True, default=None,
                     help="Read files below a code folder whose symbolic links lead out of it (by default they "
                          "are left out and named in the report)."),
    ]

    @functools.wraps(func)
    def wrapper(*args: Any, min_severity: str | None, analyzer: tuple[str, ...], rules: str | None,
                timeout: float | None, timings: bool, audit: bool, test_pattern: tuple[str, ...],
                include_test_findings: bool | None, config_path: str | None, follow_links: bool | None,
                **kwargs: Any) -> Any:
        from crosscheck.load.config import load_config

        config = load_config(Path(config_path) if config_path else None)
        _info(f"crosscheck: configuration from {config.path}" if config.path else
              "crosscheck: no [tool.crosscheck] configuration found; defaults used", verbose=True)
        for warning in config.warnings:
            click.echo(f"crosscheck: warning: {warning}", err=True)
        click.get_current_context().meta[CONFIG] = config  # for the keys only one command reads
        options = Options(
            min_severity=Severity(min_severity) if min_severity else config.min_severity or Severity.MEDIUM,
            analyzers=analyzer or config.analyzers or (),
            rules=rules or config.rules,
            timeout_s=timeout or config.timeout_s or 600.0,
            timings=timings,
            audit=audit,
            test_patterns=test_pattern or config.test_patterns or (),
            test_findings=bool(include_test_findings or config.include_test_findings),
            follow_links=bool(follow_links or config.follow_links),
        )
        return func(*args, options=options, formats=_formats(config), **kwargs)

    return _decorated(wrapper, decorators)  # type: ignore[no-any-return]


def _formats(config: Config) -> tuple[str, ...]:
    """The formats ``[tool.crosscheck]`` names, checked against the installed ones; () when it names none,
    which means the defaults (see :func:`_written`)."""
    from crosscheck.formats import names

    if config.formats is None:
        return ()
    unknown = [f for f in config.formats if f not in names()]
    if unknown:
        raise InputError(f"{config.path}: [tool.crosscheck] formats: unknown format(s) {', '.join(unknown)} "
                         f"(known: {', '.join(names())})")
    return config.formats


def _written(formats: Sequence[str]) -> tuple[str, ...]:
    """The formats a folder of reports gets: ``formats``, else every format written by default, found
    only now: finding them loads every format module, which must not delay the analyzers' start."""
    from crosscheck.formats import defaults

    return tuple(formats) or defaults()


def fetch_options(func: F) -> F:
    """Options that say where code fetched at run time (the Nova samples) may come from.

    The decorated command receives a ``resolver`` factory.
    """
    decorators = [
        click.option("--code-source", type=click.Path(exists=True), default=None,
                     help="Take upstream code from this file, or from this folder laid out like the upstream "
                          "project (a checkout or an unpacked wheel)."),
        click.option("--git-dir", type=click.Path(exists=True, file_okay=False), default=None,
                     help="A local git clone of the upstream project; files are read with git show COMMIT:PATH."),
        click.option("--offline", is_flag=True, help="Never download code (no HTTPS, no PyPI); cache and local only."),
    ]

    @functools.wraps(func)
    def wrapper(*args: Any, code_source: str | None, git_dir: str | None, offline: bool, **kwargs: Any) -> Any:
        def resolver(manifest: Manifest) -> Resolver:
            from crosscheck.load.sources import Resolver

            return Resolver(manifest.upstream_map(), user_path=Path(code_source) if code_source else None,
                            git_dir=Path(git_dir) if git_dir else None, network=not offline)
        return func(*args, resolver=resolver, **kwargs)

    return _decorated(wrapper, decorators)  # type: ignore[no-any-return]


def _gate_specs(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> frozenset[GateSpec]:
    from crosscheck.results.gates import parse_gate

    try:
        return frozenset(parse_gate(v) for v in values)
    except InputError as err:
        raise click.BadParameter(str(err)) from None


DEFAULT_FAIL_ON = ("ungrounded", "contradicted", "self-contradictory", "missed:high")
"""What ``check`` and ``pre-commit`` fail on when neither ``--fail-on`` nor ``fail-on`` in ``[tool.crosscheck]``
says: a claim citing code that is not there, an assurance or verdict an analyzer refutes, a review that
contradicts itself, a high-severity finding the review missed (exit 1, as bandit and ruff exit 1 on what
they find)."""

GATE_HELP = (f"Exit 1 when a report has a claim or finding of this kind (repeatable): "
             f"{', '.join(g.value for g in Gate)}; missed and contradicted take a severity, "
             "as in missed:high.")


def gate_options(default: Sequence[str]) -> Callable[[F], F]:
    """``--fail-on``, ``--exit-zero`` and ``--require``, else ``fail-on`` and ``require`` from ``[tool.crosscheck]``,
    else ``default`` gates and no required analyzer; the command receives ``fail_on`` (gate specs),
    ``exit_zero`` and ``require`` (analyzer names). Inside :func:`run_options`, which reads the config."""
    shown = ", ".join(default) or "none"
    decorators = [
        click.option("--fail-on", "fail_on", multiple=True, metavar="OUTCOME[:SEVERITY]", callback=_gate_specs,
                     help=f"{GATE_HELP}  [default: fail-on in [tool.crosscheck], else {shown}]"),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when a --fail-on gate is met."),
        click.option("--require", "require", multiple=True, metavar="ANALYZER",
                     help="Exit 2 when this analyzer is missing, failed or did not run for a pair "
                          "(repeatable; the reports are still written).  [default: require in [tool.crosscheck]]"),
    ]

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, fail_on: frozenset[GateSpec], require: tuple[str, ...], **kwargs: Any) -> Any:
            from crosscheck.results.gates import parse_gate

            config = click.get_current_context().meta[CONFIG]
            where = f"{config.path}: [tool.crosscheck] fail-on"
            try:
                gates = fail_on or frozenset(parse_gate(g) for g in (
                    config.fail_on if config.fail_on is not None else default))
            except InputError as err:
                raise InputError(f"{where}: {err}") from None
            return func(*args, fail_on=gates, require=require or config.require or (), **kwargs)

        return _decorated(wrapper, decorators)  # type: ignore[no-any-return]

    return decorate


VERBOSITY = "crosscheck.verbosity"
"""Where a command keeps its verbosity in click's context: -1 with ``-q``, 0 by default, 1 with ``-v``."""


def verbosity_options(func: F) -> F:
    """``-q``/``--quiet`` and ``-v``/``--verbose``, kept in the context for :func:`_info`: what goes to stderr
    besides warnings and errors, and the closing line saying where the reports are. Reports asked for are
    written and printed whatever the verbosity; warnings, errors and met gates are always said."""
    decorators = [
        click.option("-q", "--quiet", is_flag=True,
                     help="Say only warnings, errors and met gates besides the reports (no progress, no "
                          "closing line)."),
        click.option("-v", "--verbose", is_flag=True,
                     help="Also say the configuration file read and, for each pair, each analyzer's status, "
                          "findings and time."),
    ]

    @functools.wraps(func)
    def wrapper(*args: Any, quiet: bool, verbose: bool, **kwargs: Any) -> Any:
        if quiet and verbose:
            raise click.UsageError("give -q (--quiet) or -v (--verbose), not both")
        click.get_current_context().meta[VERBOSITY] = -1 if quiet else int(verbose)
        return func(*args, **kwargs)

    return _decorated(wrapper, decorators)  # type: ignore[no-any-return]


def _info(message: str, *, verbose: bool = False, err: bool = True) -> None:
    """Say ``message`` unless ``-q`` was given (``verbose``: only with ``-v``); on stderr unless not ``err``."""
    if _verbosity() >= (1 if verbose else 0):
        click.echo(message, err=err)


def _verbosity() -> int:
    """The command's verbosity (see :data:`VERBOSITY`); 0 outside a command."""
    ctx = click.get_current_context(silent=True)
    return int(ctx.meta.get(VERBOSITY, 0)) if ctx is not None else 0


def _tell_runs(pair_id: str, report: Report) -> None:
    """With ``-v``: each analyzer's status, findings and time for the pair."""
    from crosscheck.formats.untrusted import one_line as clean

    for run in sorted(report.runs, key=lambda r: r.name):
        why = f" ({clean(run.message, 200)})" if run.message else ""
        _info(f"crosscheck: {clean(pair_id)}: {run.name} {run.version}: {run.status.value}{why}, "
              f"{len(run.findings)} finding(s), {run.duration_s:.2f} s", verbose=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="crosscheck")
def cli() -> None:
    """Hold a prose security review of code up against bandit and semgrep."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True), metavar="[CODE REVIEW]...")
@click.option("--manifest", type=click.Path(dir_okay=False), default=None,
              help="Check every pair this TOML manifest lists, instead of CODE REVIEW pairs.")
@click.option("-f", "--format", "fmt", multiple=True, type=click.Choice(_format_names()),
              help="Format of the report printed or written to the matching --output (repeatable: the n-th "
                   "--format goes to the n-th --output; one may be left without, for stdout).  [default: text]")
@click.option("-o", "--output", multiple=True, type=click.Path(allow_dash=True),
              help="Write the report in the matching --format here, - for stdout (repeatable; one pair only).")
@click.option("--output-dir", type=click.Path(file_okay=False), default=None,
              help="Write every pair's report in every format written by default here, with index.html and "
                   "summary.json.")
@click.option("--labels", "labels_path", type=click.Path(dir_okay=False), default=None,
              help="Ground-truth labels of the code's known defects (TOML or JSON): adds the three-way "
                   "comparison of review, analyzers and labels (one pair only).")
@click.option("--base", default=None, metavar="REV",
              help="Pull-request mode: the change is git diff REV...HEAD of the work tree holding CODE; only "
                   "its Python files are analyzed.")
@click.option("--diff", "diff_path", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Pull-request mode from a unified diff (gh pr diff, git format-patch) instead of --base.")
@click.option("--scope", type=click.Choice([s.value for s in ChangeScope]), default=ChangeScope.LINE.value,
              show_default=True,
              help="Pull-request mode: where a finding counts as missed or contradicts an assurance: the "
                   "changed lines, the changed files, or the whole tree (which is then analyzed).")
@handle_errors
@verbosity_options
@run_options
@fetch_options
@gate_options(DEFAULT_FAIL_ON)
def check(paths: tuple[str, ...], manifest: str | None, fmt: tuple[str, ...], output: tuple[str, ...],
          output_dir: str | None, labels_path: str | None, base: str | None, diff_path: str | None, scope: str,
          options: Options, formats: tuple[str, ...], resolver: Callable[[Manifest], Resolver],
          fail_on: frozenset[GateSpec], exit_zero: bool, require: tuple[str, ...]) -> None:
    """Check REVIEW against CODE: usage is CODE REVIEW [CODE REVIEW]... or --manifest FILE.

    CODE is a Python file or directory; REVIEW a text or Markdown file, a JSON export of a pull
    request's comments (GitHub or GitLab API), or - for stdin. With --base or --diff (pull-request
    mode) the usage is CODE REVIEW [REVIEW]...: every REVIEW is a comment export of the one change.
    """
    from crosscheck.load.labels import load_labels
    from crosscheck.run import pipeline

    _check_required(require)
    if output_dir:
        from crosscheck.atomic import check_output_folder

        check_output_folder(Path(output_dir))  # now, not after the analysis
    pr_mode = base is not None or diff_path is not None
    if pr_mode and (manifest is not None or len(paths) < 2):
        raise click.UsageError("--base and --diff take CODE REVIEW [REVIEW]... (not --manifest)")
    if manifest is None and (len(paths) == 2 or pr_mode):
        targets = _targets(fmt, output)
        labels = load_labels(labels_path) if labels_path else None
        if pr_mode:
            options = dataclasses.replace(options, scope=ChangeScope(scope))
            report = pipeline.run_change(paths[0], paths[1:], options, base=base, diff=diff_path, labels=labels)
        else:
            report = pipeline.run(paths[0], paths[1], options, labels=labels)
        # imported once the analyzers have run: in pull-request mode they start before the later stages load
        from crosscheck.formats import render
        from crosscheck.results.outcome import PairOutcome
        from crosscheck.run.outputs import write_reports, write_summary

        for form, path in targets:
            _emit(render(report, form, color=path is None and _color()), path)
        outcome = PairOutcome(_report_name(paths[1]), paths[0], paths[1], report, None)
        _tell_runs(outcome.id, report)
        if output_dir:
            files = write_reports(report, Path(output_dir), outcome.id, _written(formats))
            write_summary([dataclasses.replace(outcome, files=files)], Path(output_dir), title="crosscheck")
        _exit_for_gates([outcome], fail_on, exit_zero, require)
        return
    if output:
        raise click.UsageError("--output takes one CODE REVIEW pair; use --output-dir for several")
    if labels_path:
        raise click.UsageError("--labels takes one CODE REVIEW pair")
    if manifest is not None and paths:
        raise click.UsageError("give either CODE REVIEW pairs or --manifest, not both")
    if manifest is None and (not paths or len(paths) % 2):
        raise click.UsageError("give CODE REVIEW (one or more pairs), or --manifest FILE")
    if set(fmt) - {"text"} and not output_dir:
        raise click.UsageError(f"several pairs in {', '.join(fmt)} need --output-dir (stdout takes text reports only)")
    from crosscheck.load.manifest import load_manifest

    loaded = load_manifest(Path(manifest)) if manifest else None
    outcomes = _check_many(loaded, paths, options, formats, resolver, output_dir, show="text" in (fmt or ("text",)))
    _exit_for_gates(outcomes, fail_on, exit_zero, require)


def _targets(fmt: Sequence[str], output: Sequence[str]) -> list[tuple[str, str | None]]:
    """Pair each ``--format`` with its ``--output`` in order (None: stdout).

    With one format more than outputs, the last format goes to stdout; a lone
    ``--output`` with no ``--format`` takes the text report.
    """
    formats = list(fmt) or ["text"]
    if len(output) not in (len(formats), len(formats) - 1):
        raise click.UsageError(f"{len(formats)} --format and {len(output)} --output: give one --output per "
                               "--format, or one fewer for a report on stdout")
    paths = [None if o == "-" else o for o in output] + [None] * (len(formats) - len(output))
    from crosscheck.atomic import check_output_file

    for path in paths:
        if path is not None:
            check_output_file(Path(path))  # now, not after the analysis
    if sum(p is None for p in paths) > 1:
        raise click.UsageError("only one report can go to stdout; give the others an --output file")
    resolved = [os.path.realpath(p) for p in paths if p is not None]
    if len(set(resolved)) != len(resolved):
        raise click.UsageError("two --format reports would be written to the same --output file")
    return list(zip(formats, paths, strict=True))


CONFIG = "crosscheck.config"
"""The click context's ``meta`` key of the ``[tool.crosscheck]`` values (set by the run options)."""


@contextlib.contextmanager
def _executor(name: str, scheduler: str | None, workers: int | None) -> Iterator[Executor | None]:
    """The batch's executor: None for this machine's (the default), else a Dask one, closed at the end."""
    if name != "dask":
        yield None
        return
    from crosscheck.run.cores import usable_cores
    from crosscheck.run.dask_executor import connect

    runner = connect(scheduler, workers or (None if scheduler else usable_cores()))
    try:
        yield runner
    finally:
        runner.close()


@cli.command()
@click.argument("manifest", type=click.Path(dir_okay=False))
@click.option("--output-dir", type=click.Path(file_okay=False), required=True,
              help="Write each pair's reports and the dataset summary (index.html, summary.csv, summary.json) here.")
@click.option("-f", "--format", "fmt", multiple=True, type=click.Choice(_format_names()),
              help="Format of each pair's report (repeatable).  [default: formats in [tool.crosscheck], else the six general ones]")
@click.option("--group-by", "group_by", multiple=True, metavar="KEY",
              help="Metadata key the summary groups pairs by (repeatable; default: every metadata key).")
@click.option("--no-cache", is_flag=True, help="Analyze every file afresh; neither read nor write the cache.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default=None,
              help="Where the analysis and the pairs run: this machine's cores, or a Dask cluster "
                   f"(pip install '{DISTRIBUTION}[dask]').  [default: executor in [tool.crosscheck], else local]")
@click.option("--scheduler", metavar="ADDRESS",
              help="The Dask scheduler to use (tcp://HOST:8786); without it, --executor dask starts a local cluster.")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="Worker processes of the local Dask cluster (default: one per core).")
@handle_errors
@verbosity_options
@run_options
@fetch_options
@gate_options(())
def batch(manifest: str, output_dir: str, fmt: tuple[str, ...], group_by: tuple[str, ...], no_cache: bool,
          executor: str | None, scheduler: str | None, workers: int | None, options: Options, formats: tuple[str, ...], resolver: Callable[[Manifest], Resolver],
          fail_on: frozenset[GateSpec], exit_zero: bool, require: tuple[str, ...]) -> None:
    """Check every pair of a dataset MANIFEST (TOML, JSONL or CSV) and summarise them by metadata.

    Each distinct file is analyzed once per analyzer, whatever the number of reviews citing
    it, and the results are cached (see crosscheck cache).
    """
    from crosscheck.load.manifest import load_manifest
    from crosscheck.run.batch import run_batch
    from crosscheck.run.cache import AnalysisCache
    from crosscheck.run.cores import usable_cores
    from crosscheck.run.outputs import write_batch_summary

    _check_required(require)
    loaded = load_manifest(Path(manifest))
    for warning in loaded.warnings:
        click.echo(f"crosscheck: warning: {warning}", err=True)
    chosen = tuple(fmt) or _written(formats)
    out = Path(output_dir)
    from crosscheck.atomic import check_output_folder

    check_output_folder(out)  # now, not after the analysis
    config = click.get_current_context().meta[CONFIG]
    executor = executor or config.executor or "local"
    scheduler = scheduler or (config.scheduler if executor == "dask" else None)
    if executor == "local" and (scheduler or workers):
        raise click.UsageError("--scheduler and --workers go with --executor dask")
    from crosscheck.formats.untrusted import one_line as clean

    cache = None if no_cache else AnalysisCache()
    if cache is not None and (why := cache.unusable()) is not None:
        click.echo(f"crosscheck: warning: the cache folder {clean(str(cache.base))} cannot be used ({why}); "
                   "this batch runs without a cache", err=True)
        cache = None
    with resolver(loaded) as fetch, _executor(executor, scheduler, workers) as runner, _progress() as progress:
        result = run_batch(loaded, options, fetch, output_dir=out, formats=chosen, cache=cache, progress=progress,
                           processes=usable_cores(), executor=runner,
                           on_result=functools.partial(_told, verbose=True))
    write_batch_summary(result.outcomes, out, title=f"crosscheck: {loaded.path.name}", group_by=group_by)
    checked = sum(o.error is None for o in result.outcomes)
    analysis = result.analysis
    reuse = f"; {analysis.cached} analyzer result(s) from the cache, {analysis.analyzed} computed" if analysis else ""
    _info(f"{checked} of {len(loaded.pairs)} pair(s) checked{reuse}; reports in {out} (open {out / 'index.html'})",
          err=False)
    if result.interrupted:
        click.echo(f"crosscheck: interrupted: the {len(result.outcomes)} finished pair(s) are kept in {out}", err=True)
        sys.exit(interrupts.exit_code())
    _exit_for_gates(result.outcomes, fail_on, exit_zero, require)


@cli.group()
def cache() -> None:
    """The cache of analyzer results (and of fetched upstream code)."""


@cache.command("clear")
@handle_errors
def cache_clear() -> None:
    """Remove every cached analyzer result and pair report (fetched upstream code stays)."""
    from crosscheck.run.cache import AnalysisCache

    store = AnalysisCache()
    click.echo(f"removed {store.clear()} cached analyzer result(s) and report(s) from {store.base}")


@cache.command("dir")
def cache_dir() -> None:
    """Print the cache folder."""
    from crosscheck.run.cache import AnalysisCache

    click.echo(str(AnalysisCache().base))


@cli.command()
@click.option("--output-dir", type=click.Path(file_okay=False), default=None,
              help="Write every pair's report in every format written by default here, with index.html and "
                   "summary.json.")
@handle_errors
@verbosity_options
@run_options
@fetch_options
def demo(output_dir: str | None, options: Options, formats: tuple[str, ...],
         resolver: Callable[[Manifest], Resolver]) -> None:
    """Check every sample pair that ships with crosscheck (fetching the Nova code) and print a summary."""
    from crosscheck.load.samples import sample_manifest

    if output_dir:
        from crosscheck.atomic import check_output_folder

        check_output_folder(Path(output_dir))
    outcomes = _check_many(sample_manifest(), (), options, formats, resolver, output_dir, show=False)
    _exit_for_gates(outcomes, frozenset(), exit_zero=False)


@cli.group()
def samples() -> None:
    """The sample pairs that ship with crosscheck."""


@samples.command("list")
@handle_errors
def samples_list() -> None:
    """List the sample pairs and where their code comes from."""
    from crosscheck.load.samples import sample_manifest

    manifest = sample_manifest()
    for pair in manifest.pairs:
        code, review = pair.display_paths(manifest.root)
        where = (f"{pair.upstream.project} {pair.upstream.commit[:12]} (nearest release {pair.upstream.release})"
                 if pair.upstream else "shipped")
        click.echo(f"{pair.id}\t{code}\t{where}\t{review}")


@samples.command("fetch")
@click.argument("ids", nargs=-1)
@handle_errors
@fetch_options
def samples_fetch(ids: tuple[str, ...], resolver: Callable[[Manifest], Resolver]) -> None:
    """Fetch and verify the upstream code of the sample pairs (all, or the IDS given) into the cache."""
    from crosscheck.load.samples import sample_manifest

    manifest = sample_manifest()
    unknown = sorted(set(ids) - {p.id for p in manifest.pairs})
    if unknown:
        raise InputError(f"no sample pair {', '.join(unknown)}; see crosscheck samples list")
    failures = 0
    with resolver(manifest) as fetch:
        for pair in manifest.pairs:
            if pair.upstream is None or (ids and pair.id not in ids):
                continue
            try:
                resolved = fetch.resolve(pair.upstream)
            except CrosscheckError as err:
                failures += 1
                click.echo(f"{pair.id}: not fetched: {err}", err=True)
                continue
            p = resolved.provenance
            exact = "reviewed revision" if p.exact else f"{p.revision}, not the reviewed revision"
            click.echo(f"{pair.id}\t{resolved.path}\t{p.source.value}{' (cached)' if p.cached else ''}\t{exact}")
    if failures:
        raise InputError(f"{failures} sample pair(s) could not be fetched")


@cli.command("pre-commit")
@click.argument("files", nargs=-1, type=click.Path())
@handle_errors
@verbosity_options
@run_options
@gate_options(DEFAULT_FAIL_ON)
def pre_commit(files: tuple[str, ...], options: Options, formats: tuple[str, ...],
               fail_on: frozenset[GateSpec], exit_zero: bool, require: tuple[str, ...]) -> None:
    """Check the reviews kept next to the changed FILES (what the pre-commit hook runs).

    A review ``NAME.review.md`` (or ``.review.txt``) reviews ``NAME.py``, or the
    folder ``NAME/``, next to it. A changed review or a changed reviewed file
    brings its pair in; files with no pair are ignored.
    """
    from crosscheck.load.manifest import review_pairs
    from crosscheck.load.sources import Resolver

    pairs = review_pairs(Path(f) for f in files)
    if not pairs:
        return
    paths = [str(path) for pair in pairs for path in pair]
    _check_required(require)
    outcomes = _check_many(None, paths, options, formats, lambda m: Resolver({}, network=False), None, show=True)
    _exit_for_gates(outcomes, fail_on, exit_zero, require)


def _report_name(review: str) -> str:
    """The name of a pair's report files: the review's file name without its extension, kept clear of
    the names of the run's own files (``index.html``, ``summary.json``)."""
    from crosscheck.load.manifest import RESERVED_IDS

    name = "report" if review == "-" else Path(review).stem
    return f"{name}-2" if name in RESERVED_IDS else name


def _pairs_manifest(paths: Sequence[str]) -> Manifest:
    """CODE REVIEW pairs from the command line, as a manifest rooted at the working directory."""
    from crosscheck.load.manifest import Manifest, Pair

    pairs, ids = [], set()
    for code, review in zip(paths[::2], paths[1::2], strict=True):
        if review == "-":
            raise click.UsageError("reading the review from stdin (-) needs exactly one CODE REVIEW pair")
        name = base = "".join(c if c.isalnum() or c in "-_." else "_" for c in _report_name(review))
        number = 1
        while name in ids:
            number += 1
            name = f"{base}-{number}"
        ids.add(name)
        pairs.append(Pair(id=name, review=Path(review).absolute(), code=Path(code).absolute(), upstream=None))
    return Manifest(path=Path.cwd() / "command-line", pairs=tuple(pairs), upstreams=())


def _check_many(manifest: Manifest | None, paths: Sequence[str], options: Options, formats: Sequence[str],
                resolver: Callable[[Manifest], Resolver], output_dir: str | None,
                show: bool) -> list[PairOutcome]:
    """Several pairs (or a manifest) through the batch runner, without its cache: each pair's text report
    on stdout as it is finished (with ``show``), a line per pair on stderr, then the summary table."""
    from crosscheck.formats import render
    from crosscheck.formats.text_format import render_summary
    from crosscheck.run.batch import run_batch
    from crosscheck.run.outputs import write_summary

    manifest = manifest or _pairs_manifest(paths)
    for warning in manifest.warnings:
        click.echo(f"crosscheck: warning: {warning}", err=True)
    color = _color()

    def finished(outcome: PairOutcome) -> None:
        if show and outcome.report is not None:
            click.echo(render(outcome.report, "text", color=color), nl=False)
        _told(outcome)

    out = Path(output_dir) if output_dir else None
    with resolver(manifest) as fetch:
        result = run_batch(manifest, options, fetch, output_dir=out, formats=_written(formats), cache=None,
                           on_result=finished)
    if result.interrupted:
        raise KeyboardInterrupt  # the finished pairs' reports are written; no summary of a part
    outcomes = list(result.outcomes)
    if out:
        write_summary(outcomes, out, title=f"crosscheck: {manifest.path.name}")
    click.echo(render_summary(outcomes, color=color), nl=False)
    if output_dir:
        _info(f"Reports written to {output_dir} (open {Path(output_dir) / 'index.html'})", err=False)
    return outcomes


def _check_required(require: Sequence[str]) -> None:
    """``--require`` names installed analyzers (a typo must not pass silently)."""
    from crosscheck import analyzers

    unknown = sorted(set(require) - set(analyzers.available()))
    if unknown:
        raise click.UsageError(f"--require: unknown analyzer {unknown[0]!r}; installed: "
                               f"{', '.join(analyzers.available())}")


def _exit_for_gates(outcomes: Sequence[PairOutcome], gates: frozenset[GateSpec], exit_zero: bool,
                    require: Sequence[str] = ()) -> None:
    from crosscheck.formats.untrusted import one_line as clean  # not text_format: one line needs no rich

    failed = [o for o in outcomes if o.error is not None]
    if failed:
        raise InputError(f"{len(failed)} of {len(outcomes)} pair(s) could not be checked: "
                         + ", ".join(o.id for o in failed))
    unmet = [(o.id, name, o.analyzer_statuses().get(name)) for o in outcomes for name in require
             if o.analyzer_statuses().get(name) not in ("ok", "partial")]
    if unmet:
        pair_id, name, status = unmet[0]
        state = f"is {status}" if status else "did not run"
        raise AnalyzerError(f"required analyzer {name} {state} for {clean(pair_id)}"
                            f"{f' and {len(unmet) - 1} more' if len(unmet) > 1 else ''}; see the report's "
                            "analyzers section, and fix the analyzer or drop --require")
    met = [(o.id, line) for o in outcomes for line in o.gate_lines(gates)]
    for pair_id, line in met:
        click.echo(f"crosscheck: gate met: {clean(pair_id)}: {line}", err=True)
    if met and not exit_zero:
        sys.exit(EXIT_GATE)


def _told(outcome: PairOutcome, *, verbose: bool = False) -> None:
    """A finished pair's line (unless ``-q``; ``verbose``: only with ``-v``, as a batch's), and with ``-v`` its
    analyzers' runs when its report was made now."""
    from crosscheck.formats.untrusted import one_line as clean

    state = "checked" if outcome.error is None else f"not checked: {outcome.error}"
    _info(f"crosscheck: {clean(outcome.id)}: {state}", verbose=verbose)
    if outcome.report is not None:
        _tell_runs(outcome.id, outcome.report)


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on stderr when it is a terminal and ``-q`` was not given; nothing otherwise (CI logs
    stay short)."""
    if not sys.stderr.isatty() or _verbosity() < 0:
        yield lambda stage, done, total: None
        return
    from rich.console import Console
    from rich.progress import Progress, TaskID

    with Progress(console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task({"load": "loading pairs", "check": "checking pairs"}.get(stage, stage),
                                            total=total)
            bar.update(tasks[stage], completed=done)

        yield update


def _color() -> bool:
    """Colour on a terminal; never with ``NO_COLOR`` set and not empty, always with ``FORCE_COLOR`` set and not
    empty (the no-color.org and force-color.org conventions)."""
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def _emit(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        from crosscheck.atomic import write_output

        write_output(Path(output), text)


def main() -> None:
    """Entry point of the ``crosscheck`` command."""
    interrupts.install()
    cli(prog_name="crosscheck")
