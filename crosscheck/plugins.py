"""Finding plugins through entry points: analyzers and report formats alike, as flake8 finds both.

Finding reads the installed distributions' metadata only (nothing is imported), so
the command line can offer every plugin's name cheaply; loading imports one plugin
and names its distribution when that fails. Of two plugins of one name, the first
by value wins, so the choice does not depend on the order distributions are found.
"""

from __future__ import annotations

import functools
import importlib.metadata
from collections.abc import Iterable
from typing import Protocol, cast

from crosscheck.errors import PluginError

ANALYZERS = "crosscheck.analyzers"
"""The entry-point group of analyzer plugins (:class:`crosscheck.analyzers.base.Analyzer` subclasses)."""
FORMATS = "crosscheck.formats"
"""The entry-point group of report formats (:class:`crosscheck.formats.base.ReportFormat` instances)."""

EntryPoints = Iterable[importlib.metadata.EntryPoint]


@functools.cache
def installed(group: str) -> tuple[importlib.metadata.EntryPoint, ...]:
    """Every entry point of ``group`` the installed distributions declare (read once per process)."""
    return tuple(_every_entry_point().select(group=group))


class _Selectable(Protocol):
    def select(self, *, group: str) -> importlib.metadata.EntryPoints: ...


@functools.cache
def _every_entry_point() -> _Selectable:
    """The entry points of every group, read in one pass over the installed distributions (each pass reads
    every distribution's metadata, so a pass per group costs as much again). Python 3.11 returns them as
    ``SelectableGroups``, later ones as ``EntryPoints``: both select by group."""
    return cast(_Selectable, importlib.metadata.entry_points())


def find(group: str, entry_points: EntryPoints | None = None) -> dict[str, importlib.metadata.EntryPoint]:
    """The plugins of ``group`` (default: the :func:`installed` ones) by name, sorted by name."""
    found: dict[str, importlib.metadata.EntryPoint] = {}
    for ep in sorted(installed(group) if entry_points is None else entry_points, key=lambda e: (e.name, e.value)):
        found.setdefault(ep.name, ep)
    return found


def load(ep: importlib.metadata.EntryPoint, kind: str) -> object:
    """What ``ep`` names, imported; a :class:`PluginError` naming the ``kind`` of plugin, its name and its
    distribution when it cannot be."""
    try:
        return ep.load()
    except Exception as err:  # noqa: BLE001 - a broken plugin must not take the tool down unnamed
        raise PluginError(f"{kind} plugin {ep.name!r}{origin(ep)} failed to load: {err}") from err


def origin(ep: importlib.metadata.EntryPoint) -> str:
    """`` (from DIST VERSION)`` for a plugin that comes from a distribution, else ``""``."""
    return f" (from {ep.dist.name} {ep.dist.version})" if ep.dist is not None else ""
