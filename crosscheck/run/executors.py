"""Where a batch's work runs: the two things a batch hands out, and the executors that run them.

A batch hands out two kinds of work (:mod:`crosscheck.run.batch`): the analysis of its distinct files
(``analyze``, the same contract as :func:`crosscheck.run.cache.analyze`: through the cache, telling as
files become ready) and the checking of pairs whose files are analyzed (``checkers``: groups of the
reviews of one code in, outcomes out). :class:`LocalExecutor` runs them on this machine: the analyzers
as child processes, the pairs in worker processes from :data:`~crosscheck.run.checkers.POOL_FROM` pairs
up. :mod:`crosscheck.run.dask_executor` runs both on a Dask cluster. Reports do not depend on the
executor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from crosscheck.models import CodeTarget, Options
from crosscheck.run.cache import Analysis, AnalysisCache, analyze
from crosscheck.run.checkers import POOL_FROM, Checkers

if TYPE_CHECKING:
    from crosscheck.analyzers.base import Analyzer
    from crosscheck.results.outcome import PairOutcome


@dataclass(frozen=True)
class CheckSetup:
    """What checking a pair needs besides the pair: the same for every pair of a batch."""

    options: Options
    output_dir: Path | None
    formats: tuple[str, ...]
    cache_base: Path | None


class PairCheckers(Protocol):
    """Checks groups of pairs (see :class:`~crosscheck.run.checkers.Checkers`)."""

    def __enter__(self) -> PairCheckers: ...

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None: ...

    def submit(self, tasks: list[Any]) -> None: ...

    def done(self) -> list[PairOutcome]: ...

    def rest(self) -> list[PairOutcome]: ...


class Executor(Protocol):
    """Runs a batch's analysis and its pairs' checks."""

    def analyze(self, plugins: Sequence[Analyzer], targets: Iterable[CodeTarget], options: Options,
                cache: AnalysisCache | None, *, started: Callable[[Analysis], None],
                ready: Callable[[frozenset[str]], None]) -> Analysis: ...

    def checkers(self, setup: CheckSetup, pairs: int) -> PairCheckers: ...

    def stop(self) -> None:
        """Give up the analysis under way (Ctrl-C): :meth:`analyze` returns soon, with what it has."""


class LocalExecutor:
    """This machine: the analyzers as child processes, the pairs in ``processes`` worker processes when
    there are :data:`~crosscheck.run.checkers.POOL_FROM` of them or more, else in this process."""

    def __init__(self, processes: int = 1) -> None:
        self.processes = processes

    def analyze(self, plugins: Sequence[Analyzer], targets: Iterable[CodeTarget], options: Options,
                cache: AnalysisCache | None, *, started: Callable[[Analysis], None],
                ready: Callable[[frozenset[str]], None]) -> Analysis:
        return analyze(plugins, targets, options, cache, started=started, ready=ready)

    def checkers(self, setup: CheckSetup, pairs: int) -> PairCheckers:
        import functools

        from crosscheck.run.pairs import check_group

        check = functools.partial(check_group, options=setup.options, output_dir=setup.output_dir,
                                  formats=setup.formats, cache_base=setup.cache_base)
        return Checkers(check, self.processes if pairs >= POOL_FROM else 1)

    def stop(self) -> None:
        """Nothing to do: Ctrl-C and SIGTERM kill the analyzers' processes (:mod:`crosscheck.interrupts`)."""
