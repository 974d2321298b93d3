"""Report formats: found through the ``crosscheck.formats`` entry points, loaded only when one is used.

Built-in formats are registered through the same entry-point group as third-party
ones (``pyproject.toml``), so they are found and loaded the same way. Loading is two
phase, as in flake8: first find, from the installed distributions' metadata alone
(:func:`available`, :func:`names`: what ``--format`` offers, without importing any
format module), then load only the format asked for (:func:`load`), once per
process; a plugin that fails to load is named with its distribution. An entry point
names a :class:`~crosscheck.formats.base.ReportFormat` instance.

Formatters only render a :class:`~crosscheck.results.report.Report`; they decide nothing.
Every function takes a format's name; :class:`Format` holds the built-in names.
"""

from __future__ import annotations

import enum
import functools
import importlib.metadata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from crosscheck import plugins
from crosscheck.errors import InputError, PluginError
from crosscheck.formats.base import ReportFormat

if TYPE_CHECKING:  # only named in annotations: listing the formats (for --help) does not load the whole pipeline
    from crosscheck.results.report import Report

GROUP = plugins.FORMATS

__all__ = ["GROUP", "Format", "ReportFormat", "available", "defaults", "load", "names", "render", "suffix"]

EntryPoints = Iterable[importlib.metadata.EntryPoint]


class Format(str, enum.Enum):
    """The built-in formats, by the name ``--format`` takes: those written by default, in the order they are
    written, then those written only when asked for (:attr:`ReportFormat.default` false)."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    MARKDOWN = "markdown"
    HTML = "html"
    GITHUB = "github"
    GITLAB = "gitlab"
    JUNIT_GITLAB = "junit-gitlab"
    PR_SUMMARY = "pr-summary"
    SARIF_ALL = "sarif-all"


def installed() -> tuple[importlib.metadata.EntryPoint, ...]:
    """Every entry point of the group, as the installed distributions declare them (read once per process)."""
    return plugins.installed(GROUP)


def available(entry_points: EntryPoints | None = None) -> dict[str, importlib.metadata.EntryPoint]:
    """The format plugins installed (default: :func:`installed`), by name, without loading any: the built-in
    names in :class:`Format` order, then the others sorted. Of two plugins of one name, the first by value wins."""
    return _table(installed() if entry_points is None else tuple(entry_points))


@functools.lru_cache(maxsize=8)
def _table(entry_points: tuple[importlib.metadata.EntryPoint, ...]) -> dict[str, importlib.metadata.EntryPoint]:
    """The formats of ``entry_points`` by name, in order (made once for the same entry points: every report
    written asks for its format). Not to be changed by the caller."""
    found = plugins.find(GROUP, entry_points)
    builtin = [f.value for f in Format if f.value in found]
    return {name: found[name] for name in builtin + sorted(set(found) - set(builtin))}


def names(entry_points: EntryPoints | None = None) -> tuple[str, ...]:
    """The names of the installed formats (see :func:`available`): what ``--format`` takes."""
    return tuple(available(entry_points))


def load(name: str, entry_points: EntryPoints | None = None) -> ReportFormat:
    """The installed format called ``name``; :class:`InputError` naming the known ones if there is none."""
    found = available(entry_points)
    if name not in found:
        raise InputError(f"unknown format {name!r} (known: {', '.join(found) or 'none; reinstall crosscheck'})")
    return _load(found[name])


@functools.cache
def _load(ep: importlib.metadata.EntryPoint) -> ReportFormat:
    fmt = plugins.load(ep, "format")
    if not isinstance(fmt, ReportFormat):
        raise PluginError(f"format plugin {ep.name!r}{plugins.origin(ep)} is not a crosscheck ReportFormat ({ep.value})")
    if fmt.name != ep.name:
        raise PluginError(f"format plugin {ep.name!r}{plugins.origin(ep)} calls itself {fmt.name!r}; "
                          "the two names must agree")
    return fmt


def defaults(entry_points: EntryPoints | None = None) -> tuple[str, ...]:
    """The names of the installed formats written when no format is chosen (:attr:`ReportFormat.default`),
    in the order they are written (:attr:`ReportFormat.order`, then name); loads them all."""
    loaded = [fmt for fmt in (load(name, entry_points) for name in names(entry_points)) if fmt.default]
    return tuple(f.name for f in sorted(loaded, key=lambda f: (f.order, f.name)))


def suffix(name: str) -> str:
    """The file name extension of format ``name``, for reports written into a folder."""
    return load(name).suffix


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """Render ``report`` in the format named ``fmt``; ``color`` only matters to terminal formats."""
    return load(fmt).render(report, color)


def __getattr__(attr: str) -> object:
    """``SUFFIXES`` and ``RENDERERS``: name -> suffix and name -> renderer of every format written by default,
    in :func:`defaults` order, made when asked for (the tables of the closed registry this once was; the
    formats only written when asked for are not in them)."""
    if attr == "SUFFIXES":
        return {name: suffix(name) for name in defaults()}
    if attr == "RENDERERS":
        return {name: load(name).render for name in defaults()}
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
