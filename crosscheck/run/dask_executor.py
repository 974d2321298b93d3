"""Running a batch on a Dask cluster (``crosscheck batch --executor dask``): the optional ``dask`` extra.

The batch's process is the driver. It looks every file up in the cache first and sends only the misses,
in chunks of distinct files with their bytes (a worker needs no access to the batch's disk), to be
analyzed by a worker with the analyzers that lack them. Workers write their results and grounding indexes
into the cache at the cache folder's path, which on a filesystem every worker sees is the batch's own; the
driver caches only the results it cannot see there. Then it sends the pairs, in groups of the reviews of
one code with their share of the analysis; a worker reads, grounds, reconciles and renders them and sends
back each pair's summary row and report texts, which the driver writes (so the output folder need not be
shared).

Dask retries the tasks of a worker that dies on another one; a task that fails (a worker without the
analyzers installed) fails the files or pairs it carried, with its message, not the batch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import heapq
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from crosscheck import DISTRIBUTION
from crosscheck.errors import CrosscheckError
from crosscheck.models import AnalyzerRun, CodeTarget, Options, RunStatus, SourceFile
from crosscheck.run.cache import Analysis, AnalysisCache, look_up
from crosscheck.run.checkers import Watched
from crosscheck.run.executors import CheckSetup, PairCheckers

if TYPE_CHECKING:
    from crosscheck.analyzers.base import Analyzer
    from crosscheck.results.outcome import PairOutcome

__all__ = ["DaskExecutor", "connect"]

EXTRA = f"pip install '{DISTRIBUTION}[dask]'"
CONNECT_TIMEOUT_S = 10
CHUNK_FILES = (8, 256)
"""The fewest and the most files an analysis task gets on average: each task pays every analyzer's start-up
(about 0.5 s of CPU with semgrep's OCaml command line, 4 s past its file limit), so a batch's files go into
one task per worker thread, within these bounds."""


def connect(scheduler: str | None, workers: int | None) -> DaskExecutor:
    """An executor on the Dask scheduler at ``scheduler``, or on a local cluster of ``workers`` processes
    (one thread each); a :class:`CrosscheckError` when Dask is not installed or the scheduler is out of
    reach within :data:`CONNECT_TIMEOUT_S` seconds."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:
        raise CrosscheckError(f"the dask executor needs Dask: {EXTRA}") from err
    if scheduler:
        try:
            client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as err:
            raise CrosscheckError(f"cannot reach the Dask scheduler at {scheduler} within {CONNECT_TIMEOUT_S} s: "
                                  f"{err}") from err
        return DaskExecutor(client, None)
    cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=1,  # type: ignore[no-untyped-call]
                           processes=True, dashboard_address=":0")  # no dashboard: an HTTP port of its own
    return DaskExecutor(Client(cluster), cluster)  # type: ignore[no-untyped-call]


class DaskExecutor:
    """Runs a batch's analysis and checks on the cluster of ``client`` (see the module)."""

    def __init__(self, client: Any, cluster: Any) -> None:
        self.client = client
        self.cluster = cluster
        self._analyzing: list[Any] = []

    def stop(self) -> None:
        """Cancel the analysis tasks not finished: their files' runs fail, and :meth:`analyze` returns."""
        self.client.cancel(list(self._analyzing))

    def close(self) -> None:
        """Disconnect (and stop the local cluster this executor started)."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def analyze(self, plugins: Sequence[Analyzer], targets: Iterable[CodeTarget], options: Options,
                cache: AnalysisCache | None, *, started: Callable[[Analysis], None],
                ready: Callable[[frozenset[str]], None]) -> Analysis:
        unique, analysis, lookup = look_up(plugins, targets, options, cache)
        lacking: dict[str, tuple[str, ...]] = defaultdict(tuple)  # by sha256: the analyzers without its result
        for plugin in plugins:
            for source in lookup.missing[plugin.name]:
                lacking[source.sha256] += (plugin.name,)
        ready(frozenset(unique.keys() - lacking.keys()))
        started(analysis)
        groups: dict[tuple[str, ...], list[SourceFile]] = defaultdict(list)
        for sha, names in sorted(lacking.items()):
            groups[names].append(unique[sha])
        threads = sum(self.client.nthreads().values())
        base = cache.base if cache is not None else None
        futures = {self.client.submit(analyze_chunk, names, options, _shipped(chunk), base, pure=False, priority=1):
                   (names, chunk) for names, files in sorted(groups.items()) for chunk in _chunks(files, threads)}
        self._analyzing = list(futures)
        from distributed import as_completed

        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            names, chunk = futures[future]
            _merge(analysis, chunk, future, names, lookup.keys, cache)
            ready(frozenset(s.sha256 for s in chunk))
        return analysis

    def checkers(self, setup: CheckSetup, pairs: int) -> PairCheckers:
        return _DaskCheckers(self.client, setup)


def _chunks(files: Sequence[SourceFile], threads: int) -> list[list[SourceFile]]:
    """``files`` in analysis tasks: one a worker thread, of :data:`CHUNK_FILES` files on average, and of
    about equal size in bytes (each file, the largest first, goes to the lightest task) so that the workers
    end together: an analyzer's work on a file grows with its size, and chunks of equal counts of nova's
    tests took 4.3 and 2.6 s of bandit."""
    low, high = CHUNK_FILES
    count = -(-len(files) // max(low, min(high, -(-len(files) // max(1, threads)))))
    chunks: list[list[SourceFile]] = [[] for _ in range(count)]
    lightest = [(0, n) for n in range(count)]
    for source in sorted(files, key=lambda s: (-len(s.text), s.sha256)):
        load, n = heapq.heappop(lightest)
        chunks[n].append(source)
        heapq.heappush(lightest, (load + len(source.text) + 1, n))
    return [sorted(chunk, key=lambda s: s.sha256) for chunk in chunks]


def _shipped(chunk: Sequence[SourceFile]) -> list[tuple[str, str, bytes | None]]:
    """Each file of ``chunk`` as (sha256, path, its bytes): None when it is gone or changed since it was read."""
    shipped = []
    for source in chunk:
        try:
            data: bytes | None = Path(source.abspath).read_bytes()
        except OSError:
            data = None
        if data is not None and hashlib.sha256(data).hexdigest() != source.sha256:
            data = None
        shipped.append((source.sha256, source.path, data))
    return shipped


def analyze_chunk(names: tuple[str, ...], options: Options, files: list[tuple[str, str, bytes | None]],
                  cache_base: Path | None = None) -> Analysis:
    """In a worker: every analyzer named over ``files`` (written into a folder of this machine first).

    The results are also written into the cache at ``cache_base`` as this machine sees it: where it is the
    batch's (a shared or the same filesystem), the batch need not write them itself (:func:`_merge`)."""
    from crosscheck import analyzers
    from crosscheck.load.code import load_code
    from crosscheck.run.cache import analyze

    plugins = analyzers.load(names)
    with tempfile.TemporaryDirectory(prefix="crosscheck-dask-") as folder:
        targets, gone = [], []
        for sha, path, data in files:
            if data is None:
                gone.append(sha)
                continue
            dest = Path(folder) / sha / path
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
            loaded = load_code(str(dest))
            targets.append(CodeTarget(str(dest), False, tuple(dataclasses.replace(f, path=path) for f in loaded.files)))
        # the worker's share of its machine (its threads), not every core
        analysis = analyze(plugins, targets, dataclasses.replace(options, jobs=_threads()),
                           AnalysisCache(cache_base) if cache_base is not None else None)
    for sha in gone:
        for plugin in plugins:
            analysis.failures[plugin.name, sha] = AnalyzerRun(
                plugin.name, "", RunStatus.FAILED, message="the file was removed or changed before it was analyzed",
                info=plugin.info())
    return analysis


def _threads() -> int:
    """The threads of the Dask worker this runs in (1 outside one)."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1


def _merge(analysis: Analysis, chunk: Sequence[SourceFile], future: Any, names: tuple[str, ...],
           keys: dict[str, str | None], cache: AnalysisCache | None) -> None:
    """Put a chunk's analysis into ``analysis`` and the cache; a failed task fails its files' runs."""
    try:
        part: Analysis = future.result()
    except Exception as err:  # noqa: BLE001 - whatever the worker raised fails this chunk's files only
        message = f"the Dask task analyzing these files failed: {type(err).__name__}: {err}"
        for source in chunk:
            for name in names:
                analysis.failures[name, source.sha256] = AnalyzerRun(name, "", RunStatus.FAILED, message=message,
                                                                     info=analysis.info[name])
        return
    for (name, sha), result in sorted(part.results.items()):
        analysis.results[name, sha] = result
        analysis.analyzed += 1
        key = keys.get(name)
        if cache is not None and key is not None and sha not in part.changed and not cache.has(key, sha):
            cache.put(key, sha, result)  # the worker could not write it where this batch reads it
    analysis.failures.update(part.failures)
    for name, seconds in part.durations.items():
        analysis.durations[name] = max(analysis.durations.get(name, 0.0), seconds)


class _DaskCheckers(Watched["PairOutcome"]):
    """Pairs checked on the cluster: groups go out as tasks, their :class:`~crosscheck.run.pairs.Rendered`
    results come back and are written here."""

    def __init__(self, client: Any, setup: CheckSetup) -> None:
        super().__init__()
        self._client = client
        self._setup = setup
        self._cache = AnalysisCache(setup.cache_base) if setup.cache_base is not None else None

    def __enter__(self) -> _DaskCheckers:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is not None:
            with contextlib.suppress(Exception):
                self._client.cancel([f for f in self._pending if not f.done()])

    def submit(self, tasks: list[Any]) -> None:
        from crosscheck.run.pairs import render_group

        self.watch(self._client.submit(render_group, tasks, options=self._setup.options, formats=self._setup.formats,
                                       cache_base=self._setup.cache_base, pure=False), tasks)

    def collect(self, future: Any, tasks: list[Any]) -> list[PairOutcome]:
        from crosscheck.results.outcome import PairOutcome
        from crosscheck.run.pairs import finish

        if future.cancelled():
            return []
        try:
            rendered = future.result()
        except Exception as err:  # noqa: BLE001 - a failed task fails its pairs, each with the reason
            message = f"the Dask task checking this pair failed: {type(err).__name__}: {err}"
            return [PairOutcome(t.item.pair.id, t.item.code_name, t.item.review_name, None, message,
                                metadata=t.item.pair.metadata) for t in tasks]
        return [finish(r, self._setup.output_dir, self._cache) for r in rendered]
