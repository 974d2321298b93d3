"""Pair manifests: files listing code + review pairs, with paths relative to them.

TOML (``.toml``)::

    [[pair]]
    id = "login-gpt4"                  # unique; names the pair's report files
    code = "src/login.py"              # a file or folder, or instead an [pair.upstream] table
    review = "reviews/login-gpt4.md"
    labels = "labels/login.toml"       # optional ground truth (see crosscheck.load.labels)
    description = "optional"
    [pair.metadata]                    # optional free values, kept in the summary
    model = "gpt-4"

JSON Lines (``.jsonl``): one object per line with the same keys (``metadata`` an
object; upstream pairs are TOML only). CSV (``.csv``): a header row naming the
columns ``id``, ``code``, ``review`` and optionally ``labels`` and ``description``;
every other column is metadata (``model``, ``prompt``, ``run``, ...), and an empty
cell is left out.

A pair whose code belongs to another project names it with ``[pair.upstream]``
(see :mod:`crosscheck.load.sources`), and ``[upstream.NAME]`` says where that project
can be had. Paths may not leave the manifest's folder.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crosscheck.errors import InputError
from crosscheck.load.files import parse_json, parse_toml, read_input
from crosscheck.load.sources import Upstream, UpstreamFile, upstream_file_from_toml, upstreams_from_toml

RESERVED_IDS = frozenset({"index", "summary"})
"""Pair ids that would name the run's own files in an output folder (``index.html``, ``summary.json``)."""
PAIR_KEYS = ("id", "code", "review", "labels", "description", "upstream", "metadata")


def _typos(unknown: Sequence[str]) -> str:
    """What to add to an error about a pair's keys: its unknown keys, with the known key each may stand for."""
    if not unknown:
        return ""
    named = []
    for key in unknown:
        close = difflib.get_close_matches(str(key), PAIR_KEYS, n=1)
        named.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return f"; unknown key{'s' if len(named) > 1 else ''} {', '.join(named)}"
SUFFIXES = (".toml", ".jsonl", ".csv")
"""The manifest formats, by file extension."""


@dataclass(frozen=True)
class Pair:
    """One code + review pair of a manifest."""

    id: str
    review: Path
    code: Path | None
    """The code on disk, or None when it is an upstream file resolved at run time."""
    upstream: UpstreamFile | None
    description: str = ""
    metadata: tuple[tuple[str, str], ...] = ()
    labels: Path | None = None
    """Ground-truth labels of the pair's code (:mod:`crosscheck.load.labels`), if the manifest names them."""
    author: str | None = None
    """When the review is a pull request's comment export: only this author's comments are the review
    (see :func:`crosscheck.run.batch.by_reviewer`)."""

    def display_paths(self, root: Path) -> tuple[str, str]:
        """(code, review) as reports show them: relative to the manifest, or the upstream path."""
        code = self.upstream.path if self.upstream else _relative(self.code, root) if self.code else ""
        return code, _relative(self.review, root)


@dataclass(frozen=True)
class Manifest:
    """A parsed manifest file."""

    path: Path
    pairs: tuple[Pair, ...]
    upstreams: tuple[Upstream, ...]
    warnings: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        """The folder paths are relative to."""
        return self.path.parent

    def upstream_map(self) -> dict[str, Upstream]:
        """Upstream projects by name."""
        return {u.project: u for u in self.upstreams}


def load_manifest(path: Path) -> Manifest:
    """Read and check a manifest (TOML, JSON Lines or CSV, by extension); every problem is an
    :class:`InputError` naming the pair."""
    path = path.resolve()
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(f"manifest {str(path)!r}: unknown format {path.suffix or '(no extension)'!r}; "
                         f"use one of {', '.join(SUFFIXES)}")
    try:
        text = read_input(path, "manifest").decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"manifest {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"manifest {str(path)!r} cannot be read: {err}") from None
    warnings: list[str] = []
    if path.suffix.lower() == ".toml":
        try:
            data = parse_toml(text, f"manifest {str(path)!r}")
        except tomllib.TOMLDecodeError as err:
            raise InputError(f"manifest {str(path)!r} cannot be read: {err}") from None
        warnings += [f"{path.name}: unknown top-level key {key!r} ignored"
                     for key in sorted(set(data) - {"pair", "upstream"})]
        entries = data.get("pair", [])
        upstreams = upstreams_from_toml(data)
    else:
        entries = _jsonl_entries(text, path) if path.suffix.lower() == ".jsonl" else _csv_entries(text, path)
        upstreams = {}
    if not isinstance(entries, list) or not entries:
        kind = ": no [[pair]] entries" if path.suffix.lower() == ".toml" else ""
        raise InputError(f"manifest {path.name} lists no pairs{kind}")
    pairs: list[Pair] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, 1):
        pair = _pair(entry, number, path, warnings)
        if pair.id in seen:
            raise InputError(f"{path.name}: pair {number}: duplicate id {pair.id!r}")
        if pair.upstream and pair.upstream.project not in upstreams:
            raise InputError(f"{path.name}: pair {pair.id!r}: no [upstream.{pair.upstream.project}] table")
        seen.add(pair.id)
        pairs.append(pair)
    return Manifest(path=path, pairs=tuple(pairs), upstreams=tuple(upstreams[k] for k in sorted(upstreams)),
                    warnings=tuple(warnings))


def _jsonl_entries(text: str, path: Path) -> list[Any]:
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(parse_json(line, f"{path.name}: line {number}"))
        except json.JSONDecodeError as err:
            raise InputError(f"{path.name}: line {number} is not JSON: {err.msg}") from None
    return entries


def _csv_entries(text: str, path: Path) -> list[Any]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _csv_rows(reader, path)
    except csv.Error as err:
        line = reader.line_num + 1  # the lines read before the one in error
        if "field limit" in str(err):
            raise InputError(f"{path.name}: line {line}: a cell is larger than the CSV field limit of "
                             f"{csv.field_size_limit():,} characters; shorten it") from None
        raise InputError(f"{path.name}: line {line} is not CSV: {err}") from None


def _csv_rows(reader: csv.DictReader[str], path: Path) -> list[Any]:
    header = [name.strip() for name in reader.fieldnames or ()]
    missing = [name for name in ("id", "review") if name not in header]
    if missing:
        raise InputError(f"{path.name}: the header row has no {' or '.join(missing)} column")
    if len(set(header)) != len(header):
        raise InputError(f"{path.name}: the header row names a column twice")
    entries = []
    for row in reader:
        if None in row:
            raise InputError(f"{path.name}: line {reader.line_num} has more cells than the header")
        cells = {key.strip(): value.strip() for key, value in row.items() if value is not None and value.strip()}
        if not cells:
            continue
        entry: dict[str, Any] = {k: v for k, v in cells.items() if k in PAIR_KEYS}
        entry["metadata"] = {k: v for k, v in cells.items() if k not in PAIR_KEYS}
        entries.append(entry)
    return entries


def _pair(entry: Any, number: int, path: Path, warnings: list[str]) -> Pair:
    where = f"{path.name}: pair {number}"
    if not isinstance(entry, Mapping):
        raise InputError(f"{where}: must be a table")
    pair_id = entry.get("id")
    if not isinstance(pair_id, str) or not pair_id or not all(c.isalnum() or c in "-_." for c in pair_id):
        raise InputError(f"{where}: id must be a non-empty string of letters, digits, '-', '_' or '.', "
                         f"not {pair_id!r}")
    if pair_id in RESERVED_IDS:
        raise InputError(f"{where}: id {pair_id!r} is reserved: --output-dir writes {pair_id}.html or "
                         f"{pair_id}.json for the whole run; choose another")
    where = f"{path.name}: pair {pair_id!r}"
    unknown = sorted(set(entry) - set(PAIR_KEYS))
    warnings += [f"{where}: unknown key {key!r} ignored" for key in unknown]
    if "review" not in entry:
        raise InputError(f"{where}: missing 'review'{_typos(unknown)}")
    if ("code" in entry) == ("upstream" in entry):
        raise InputError(f"{where}: give exactly one of 'code' and [pair.upstream]{_typos(unknown)}")
    metadata = entry.get("metadata", {})
    if not isinstance(metadata, Mapping):
        raise InputError(f"{where}: metadata must be a table")
    upstream = entry.get("upstream")
    return Pair(
        id=pair_id,
        review=_inside(path.parent, entry["review"], where, "review"),
        code=_inside(path.parent, entry["code"], where, "code") if "code" in entry else None,
        upstream=upstream_file_from_toml(upstream) if upstream is not None else None,
        description=str(entry.get("description", "")),
        metadata=tuple((str(k), str(v)) for k, v in metadata.items()),
        labels=_inside(path.parent, entry["labels"], where, "labels") if entry.get("labels") else None,
    )


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _inside(root: Path, value: object, where: str, key: str) -> Path:
    if not isinstance(value, str) or not value:
        raise InputError(f"{where}: {key} must be a non-empty path string")
    full = (root / value).resolve()
    if not full.is_relative_to(root):
        raise InputError(f"{where}: {key} {value!r} leaves the manifest's folder; refused")
    return full


REVIEW_SUFFIXES = (".review.md", ".review.txt")


def review_pairs(changed: Iterable[Path]) -> list[tuple[Path, Path]]:
    """(code, review) pairs touched by ``changed`` files, by the naming convention reviews kept next to code
    follow: ``NAME.review.md`` or ``NAME.review.txt`` reviews ``NAME.py``, or the folder ``NAME`` (a change
    anywhere below it counts). Relative paths, as pre-commit passes them, are searched up to their first part."""
    pairs: set[tuple[Path, Path]] = set()
    for path in changed:
        owners = (path, *path.parents[:-1])  # the file itself, then each folder it is in
        reviews = [path] if path.name.endswith(REVIEW_SUFFIXES) else [
            owner.with_name(owner.name.removesuffix(".py") + suffix) for owner in owners for suffix in REVIEW_SUFFIXES]
        for review in reviews:
            stem = review.name[: -len(next(s for s in REVIEW_SUFFIXES if review.name.endswith(s)))]
            for code in (review.with_name(stem + ".py"), review.with_name(stem)):
                if review.is_file() and code.exists() and code != review:
                    pairs.add((code, review))
                    break
    return sorted(pairs)
