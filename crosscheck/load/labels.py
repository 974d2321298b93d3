"""Ground-truth labels: reading the file that lists the known defects of the code.

Security-review datasets say which defects a file has (CWE categories and lines);
:mod:`crosscheck.reconcile.labels` compares the review and the analyzers with them.

The label file is TOML, or JSON of the same shape (``{"defect": [{...}, ...]}``), told apart by its
extension::

    [[defect]]
    id = "L1"                      # optional; default L1, L2, ... in file order; unique
    cwe = [22]                     # or "CWE-22", or ["CWE-22", 23]; at least one
    lines = [41, 44]               # or a single line; the inclusive span [first, last]
    file = "restore.py"            # optional: relative to the code root, or the file's name
    description = "tar members extracted without a path check"   # optional

``defect = []`` says the code has no known defect. Unknown keys are warned about; anything else
wrong is a :class:`LabelsError` naming the file and the defect.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crosscheck.errors import InputError
from crosscheck.load.files import parse_json, parse_toml, read_input

__all__ = ["LABEL_KEYS", "Label", "Labels", "LabelsError", "load_labels"]

LABEL_KEYS = ("id", "cwe", "lines", "file", "description")
"""The keys a ``[[defect]]`` table may have."""

_CWE_TEXT = re.compile(r"^\s*(?:cwe[\s_:\-]*)?0*([1-9][0-9]{0,5})\s*$", re.IGNORECASE)


class LabelsError(InputError):
    """The label file cannot be used; the message names the file and the defect at fault."""


@dataclass(frozen=True)
class Label:
    """One known defect: its CWE categories and the lines (and maybe the file) it is on."""

    id: str
    cwe: tuple[int, ...]
    """Sorted, distinct, at least one."""
    first: int
    last: int
    """The inclusive line span, ``1 <= first <= last``."""
    path: str | None
    """The file, relative to the code root or just its name; None: whichever file."""
    description: str = ""


@dataclass(frozen=True)
class Labels:
    """A parsed label file."""

    path: str
    """The file as given."""
    labels: tuple[Label, ...]
    """In file order."""
    warnings: tuple[str, ...] = ()


def load_labels(path: str | Path) -> Labels:
    """Read and check a label file (``.toml`` or ``.json``); every problem is a :class:`LabelsError`."""
    source = str(path)
    data = _read(Path(path), source)
    if not isinstance(data, dict):
        raise LabelsError(f"{source}: must hold a 'defect' list of tables, not a {type(data).__name__}")
    warnings = [f"{source}: unknown top-level key {key!r} ignored" for key in sorted(set(data) - {"defect"})]
    if "defect" not in data:
        raise LabelsError(f"{source}: no [[defect]] entries; write 'defect = []' for code with no known defect")
    entries = data["defect"]
    if not isinstance(entries, list):
        raise LabelsError(f"{source}: 'defect' must be a list of tables ([[defect]])")
    labels: list[Label] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, 1):
        label = _label(entry, number, source, warnings)
        if label.id in seen:
            raise LabelsError(f"{source}: defect {number}: duplicate id {label.id!r}")
        seen.add(label.id)
        labels.append(label)
    return Labels(source, tuple(labels), tuple(warnings))


def _read(path: Path, source: str) -> Any:
    kind = {".toml": "TOML", ".json": "JSON"}.get(path.suffix.lower())
    if kind is None:
        raise LabelsError(f"labels file {source!r}: unknown format; name it *.toml or *.json")
    try:
        text = read_input(path, "labels file").decode("utf-8-sig")
    except FileNotFoundError:
        raise LabelsError(f"labels file {source!r} does not exist") from None
    except UnicodeDecodeError:
        raise LabelsError(f"labels file {source!r} is not UTF-8 text") from None
    except OSError as err:
        raise LabelsError(f"labels file {source!r} cannot be read: {err.strerror or err}") from None
    except InputError as err:  # not a regular file
        raise LabelsError(str(err)) from None
    try:
        where = f"labels file {source!r}"
        return parse_toml(text, where) if kind == "TOML" else parse_json(text, where)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as err:
        message = " ".join(str(err).split())
        raise LabelsError(f"labels file {source!r} is not valid {kind}: {message}") from None
    except InputError as err:  # nested too deeply
        raise LabelsError(str(err)) from None


def _label(entry: object, number: int, source: str, warnings: list[str]) -> Label:
    where = f"{source}: defect {number}"
    if not isinstance(entry, Mapping):
        raise LabelsError(f"{where}: must be a table")
    label_id = _id(entry.get("id", f"L{number}"), where)
    if "id" in entry:
        where += f" ({label_id!r})"
    warnings += [f"{where}: unknown key {key!r} ignored" for key in sorted(set(entry) - set(LABEL_KEYS))]
    if "cwe" not in entry:
        raise LabelsError(f"{where}: missing 'cwe' (a CWE id such as 22 or \"CWE-22\", or a list of them)")
    if "lines" not in entry:
        raise LabelsError(f"{where}: missing 'lines' (a line number, or [first, last])")
    first, last = _lines(entry["lines"], where)
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise LabelsError(f"{where}: description must be a string")
    return Label(id=label_id, cwe=_cwes(entry["cwe"], where), first=first, last=last,
                 path=_file(entry["file"], where) if "file" in entry else None, description=description)


def _id(value: object, where: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise LabelsError(f"{where}: id must be a non-empty string, not {value!r}")
    return value.strip()


def _cwes(value: object, where: str) -> tuple[int, ...]:
    values = value if isinstance(value, list) else [value]
    if not values:
        raise LabelsError(f"{where}: cwe is empty; give at least one CWE id")
    return tuple(sorted({_cwe(v, where) for v in values}))


def _cwe(value: object, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 1_000_000:
        return value
    match = _CWE_TEXT.match(value) if isinstance(value, str) else None
    if match is None:
        raise LabelsError(f"{where}: bad cwe {value!r}; give a positive CWE id such as 22 or \"CWE-22\"")
    return int(match.group(1))


def _lines(value: object, where: str) -> tuple[int, int]:
    items = value if isinstance(value, list) else [value]
    span = [n for n in items if isinstance(n, int) and not isinstance(n, bool)]
    if not 1 <= len(span) <= 2 or len(span) != len(items):
        raise LabelsError(f"{where}: lines must be a line number or [first, last], not {value!r}")
    first, last = span[0], span[-1]
    if first < 1:
        raise LabelsError(f"{where}: lines must be 1 or more, not {first}")
    if first > last:
        raise LabelsError(f"{where}: lines [{first}, {last}] end before they start")
    return first, last


def _file(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise LabelsError(f"{where}: file must be a path string, not {value!r}")
    path = value.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    if not path or path.endswith("/"):
        raise LabelsError(f"{where}: file must name a file, not {value!r}")
    return path

