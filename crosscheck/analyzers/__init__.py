"""Analyzers: find plugins through the ``crosscheck.analyzers`` entry points and run them.

Built-in analyzers are registered through the same entry-point group as
third-party ones, so they are found and loaded the same way. Loading is two
phase, as in flake8: first find (sorted by name, for determinism), then load
only the ones asked for; a plugin that fails to load is named with its
distribution. With no names given, the plugins whose class is ``default``
run; an opt-in one (``default = False``, like ``ruff``) runs only when named.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from crosscheck import plugins
from crosscheck.analyzers.base import Analyzer
from crosscheck.errors import PluginError
from crosscheck.models import AnalyzerRun, CodeTarget, Options, RunStatus

GROUP = plugins.ANALYZERS

__all__ = ["GROUP", "Analyzer", "available", "load", "run_all"]


def available(entry_points: Iterable[importlib.metadata.EntryPoint] | None = None) -> dict[str, importlib.metadata.EntryPoint]:
    """The analyzer plugins installed (or those of ``entry_points``), by name, in sorted order."""
    return plugins.find(GROUP, entry_points)


def load(names: Sequence[str] = (), entry_points: Iterable[importlib.metadata.EntryPoint] | None = None) -> tuple[Analyzer, ...]:
    """Instantiate the named analyzers (when ``names`` is empty, every installed ``default`` one)."""
    found = available(entry_points)
    if not found:
        raise PluginError(f"no analyzer plugins are installed (entry-point group {GROUP!r}); reinstall crosscheck")
    unknown = sorted(set(names) - set(found))
    if unknown:
        raise PluginError(f"unknown analyzer {unknown[0]!r}; installed: {', '.join(found)}")
    analyzers = []
    for name in sorted(set(names)) if names else list(found):
        cls = plugins.load(found[name], "analyzer")
        if not (isinstance(cls, type) and issubclass(cls, Analyzer)):
            raise PluginError(f"analyzer plugin {name!r}{plugins.origin(found[name])} is not a crosscheck "
                              "Analyzer subclass")
        if names or cls.default:
            analyzers.append(_checked(cls(), name, plugins.origin(found[name])))
    return tuple(analyzers)


def _checked(analyzer: Analyzer, name: str, dist: str) -> Analyzer:
    """``analyzer``, once its metadata is known to be readable (it is read again for each run)."""
    try:
        analyzer.info()
    except Exception as err:  # noqa: BLE001 - a broken plugin must not take the tool down unnamed
        raise PluginError(f"analyzer plugin {name!r}{dist} has unreadable metadata: {err}") from err
    return analyzer


def run_all(analyzers: Sequence[Analyzer], target: CodeTarget, options: Options, *,
            done: Callable[[], None] | None = None) -> tuple[AnalyzerRun, ...]:
    """Run the analyzers concurrently (they are child processes) and keep every result.

    An analyzer that raises is recorded as failed instead of losing the others'
    results. A file whose content changed while they ran makes each run partial
    (:func:`changed_files`). ``done`` is called as each analyzer ends.
    """
    runs = run_guarded(analyzers, target, options, done=done)
    return mark_changed(runs, changed_files(target))


def run_guarded(analyzers: Sequence[Analyzer], target: CodeTarget, options: Options, *,
                done: Callable[[], None] | None = None) -> tuple[AnalyzerRun, ...]:
    """:func:`run_all` without the check that the files are still what was read."""

    def guarded(analyzer: Analyzer) -> AnalyzerRun:
        try:
            run = analyzer.run(target, options)
        except Exception as err:  # noqa: BLE001 - one plugin's bug must not lose the other results
            run = AnalyzerRun(analyzer.name, "", RunStatus.FAILED, message=f"{analyzer.name} crashed: {err!r}")
        finally:
            if done is not None:
                done()
        # stamped here, not by each plugin's run(): every run, a crashed one too, says what its plugin knows
        return replace(run, info=analyzer.info())

    if not analyzers:
        return ()
    # the ones that spread over the cores themselves (the slow ones) start first: the run ends with them
    first = sorted(range(len(analyzers)), key=lambda n: analyzers[n].jobs != 1)
    with ThreadPoolExecutor(max_workers=len(analyzers), thread_name_prefix="analyzer") as pool:
        started = {n: pool.submit(guarded, analyzers[n]) for n in first}
        return tuple(started[n].result() for n in range(len(analyzers)))


def changed_files(target: CodeTarget) -> dict[str, str]:
    """The files of ``target`` whose content on disk is no longer what was read (sha256), by path,
    with what happened: the analyzers may have seen other code than the report shows."""
    changed = {}
    for source in target.files:
        try:
            now = hashlib.sha256(Path(source.abspath).read_bytes()).hexdigest()
        except OSError as err:
            changed[source.path] = f"removed or unreadable while being checked ({err.strerror or err})"
            continue
        if now != source.sha256:
            changed[source.path] = (f"changed while being checked (sha256 {source.sha256[:12]} when read, "
                                    f"{now[:12]} after the analyzers ran); its findings may not match the code shown")
    return changed


def mark_changed(runs: tuple[AnalyzerRun, ...], changed: dict[str, str]) -> tuple[AnalyzerRun, ...]:
    """``runs`` marked partial for the files that changed under them (a failed run stays failed)."""
    if not changed:
        return runs
    errors = tuple(f"{path}: {why}" for path, why in changed.items())
    return tuple(replace(run, status=RunStatus.PARTIAL, errors=tuple(sorted(run.errors + errors)),
                         message=f"{run.name} analyzed {len(changed)} file(s) that changed while being checked")
                 if run.produced_result else run for run in runs)
