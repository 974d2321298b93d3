"""Ground-truth labels: the known defects of the code, and how the review and the analyzers measure up.

Security-review datasets say which defects a file has (CWE categories and lines). Given such labels,
crosscheck compares three ways: the review against the labels, the analyzers against the labels, and,
on that ground truth, the review against the analyzers.

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

Matching rules (:func:`compare`):

- *Same place*: two line spans are near when they overlap once the label's span is widened by
  :data:`~crosscheck.grounding.model.NEAR_LINES` lines on each side, and they are in the same file. A label
  with no ``file`` is in whichever file; otherwise its ``file`` names a file when it is equal to the
  file's path or a ``/``-separated suffix of it (``"util.py"`` names ``pkg/util.py``). When the code is
  a single file (``code`` given, and not a directory), a label whose ``file`` ends with
  ``/`` + that file's name names it too (a dataset's ``src/app/util.py`` for the target ``util.py``).
- *Same kind*: the CWE categories are :meth:`~crosscheck.cwe.Lexicon.compatible_any` (equal, or one
  an ancestor of the other in the lexicon).
- A **claim** hits a label when it is a defect claim whose outcome is not ``ungrounded``, of the same
  kind, and one of its places (:func:`~crosscheck.reconcile.claims.claim_places`; a place with no file is in
  whichever file) is near the label. A defect claim with no place and no anchor at all ("the code has
  a SQL injection") hits a label only when exactly one label of the whole set is of its kind; with
  several it cannot be credited with any one of them. A claim whose anchors were all not found hits
  nothing.
- A **finding** hits a label when it is of the same kind (its own CWEs, not those of the findings
  overlapping it) and its lines are near the label's. Suppressed findings (status ``suppressed``) are
  not reported by the analyzers: they neither hit nor count.

Scores (:class:`Score`; ratios rounded to 4 places, None when the denominator is 0):

- the review: TP = labels some claim hits, FN = labels no claim hits, FP = defect claims that hit no
  label. Ungrounded defect claims are always FP: they assert a defect at code that is not there.
  Defect claims with no CWE category hit nothing and are FP too.
- the analyzers: TP = labels some finding hits, FN = labels none hits, FP = findings that hit no label.

TP and FN count labels while FP counts claims or findings, as usual for detection scores: precision
is TP / (TP + FP), recall TP / (TP + FN), F1 2·TP / (2·TP + FP + FN). Several claims on one label make
one TP; one claim on two labels makes two. ``agreement`` splits the labels by who found them: both,
the review only, the analyzers only, neither.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crosscheck.cwe import Lexicon
from crosscheck.errors import InputError
from crosscheck.grounding.model import NEAR_LINES
from crosscheck.models import CodeTarget
from crosscheck.reconcile.claims import claim_places
from crosscheck.reconcile.model import ClaimResult, FindingResult, Outcome, Reconciliation, ratio
from crosscheck.review.model import ClaimKind

__all__ = ["LABEL_KEYS", "Agreement", "Label", "LabelComparison", "LabelResult", "Labels", "LabelsError",
           "Score", "compare", "comparison_dict", "load_labels"]

LABEL_KEYS = ("id", "cwe", "lines", "file", "description")
"""The keys a ``[[defect]]`` table may have."""

SUPPRESSED = "suppressed"
"""The finding status that means the analyzers do not report the finding."""

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


# -- loading ---------------------------------------------------------------------------------------


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
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LabelsError(f"labels file {source!r} does not exist") from None
    except UnicodeDecodeError:
        raise LabelsError(f"labels file {source!r} is not UTF-8 text") from None
    except OSError as err:
        raise LabelsError(f"labels file {source!r} cannot be read: {err.strerror or err}") from None
    try:
        return tomllib.loads(text) if kind == "TOML" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as err:
        message = " ".join(str(err).split())
        raise LabelsError(f"labels file {source!r} is not valid {kind}: {message}") from None


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


# -- comparison ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelResult:
    """One label and what hit it."""

    label: Label
    claims: tuple[str, ...]
    """Ids of the review's claims that hit it, in report order."""
    findings: tuple[str, ...]
    """Ids of the findings that hit it, in report order."""

    @property
    def found_by(self) -> str:
        """``both``, ``review``, ``analyzers`` or ``neither``."""
        if self.claims:
            return "both" if self.findings else "review"
        return "analyzers" if self.findings else "neither"


@dataclass(frozen=True)
class Score:
    """How one side fares against the labels (see the module docs for what counts)."""

    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float | None
    recall: float | None
    f1: float | None
    unmatched: tuple[str, ...] = ()
    """Ids of the claims or findings counted as false positives, in report order."""


@dataclass(frozen=True)
class Agreement:
    """How many labels each side found: the review against the analyzers, on the ground truth."""

    both: int
    review_only: int
    analyzers_only: int
    neither: int


@dataclass(frozen=True)
class LabelComparison:
    """The three-way comparison of one pair with its labels."""

    labels: tuple[LabelResult, ...]
    """In label-file order."""
    review: Score
    analyzers: Score
    agreement: Agreement
    path: str = ""
    """The label file."""
    notes: tuple[str, ...] = ()
    """The label file's warnings, then what the comparison noticed (a label in a file the code does not
    have, a line past a file's end, a CWE the lexicon does not know)."""

    def to_dict(self) -> dict[str, Any]:
        """The comparison as plain JSON-ready data; see :func:`comparison_dict`."""
        return comparison_dict(self)


def compare(labels: Labels, reconciliation: Reconciliation, lexicon: Lexicon | None = None, *,
            code: CodeTarget | None = None) -> LabelComparison:
    """Compare the review's claims and the analyzers' findings with the labels (rules: module docs).

    ``code`` is the code that was checked: when it is one file, a label may name it by a longer path,
    and labels that no file of it can hold are noted.
    """
    lexicon = lexicon or Lexicon.default()
    single = code is not None and not code.is_dir
    defects = [c for c in reconciliation.claims if c.grounded.claim.kind is ClaimKind.DEFECT]
    reported = [f for f in reconciliation.findings if f.status.value != SUPPRESSED]
    claim_hits = {c.grounded.claim.id: _claim_hits(c, labels.labels, lexicon, single) for c in defects}
    finding_hits = {f.id: _finding_hits(f, labels.labels, lexicon, single) for f in reported}
    results = tuple(
        LabelResult(label,
                    tuple(cid for cid, hits in claim_hits.items() if n in hits),
                    tuple(fid for fid, hits in finding_hits.items() if n in hits))
        for n, label in enumerate(labels.labels)
    )
    found = [r.found_by for r in results]
    agreement = Agreement(found.count("both"), found.count("review"), found.count("analyzers"), found.count("neither"))
    notes = labels.warnings + _notes(labels.labels, lexicon, code)
    return LabelComparison(
        labels=results,
        review=_score(sum(bool(r.claims) for r in results), len(results),
                      tuple(cid for cid, hits in claim_hits.items() if not hits)),
        analyzers=_score(sum(bool(r.findings) for r in results), len(results),
                         tuple(fid for fid, hits in finding_hits.items() if not hits)),
        agreement=agreement,
        path=labels.path,
        notes=notes,
    )


def _claim_hits(claim: ClaimResult, labels: Sequence[Label], lexicon: Lexicon, single: bool) -> frozenset[int]:
    """Indexes of the labels a defect claim hits: none when it is ungrounded."""
    if claim.outcome is Outcome.UNGROUNDED:
        return frozenset()
    grounded = claim.grounded
    kin = [n for n, label in enumerate(labels) if lexicon.compatible_any(grounded.claim.cwe, label.cwe)]
    places = claim_places(grounded)
    if places:
        return frozenset(n for n in kin if any(_near(p.path, p.first, p.last, labels[n], single) for p in places))
    if not grounded.anchors and len(kin) == 1:
        return frozenset(kin)
    return frozenset()


def _finding_hits(result: FindingResult, labels: Sequence[Label], lexicon: Lexicon, single: bool) -> frozenset[int]:
    """Indexes of the labels a finding hits."""
    f = result.finding
    return frozenset(n for n, label in enumerate(labels)
                     if lexicon.compatible_any(f.cwe, label.cwe) and _near(f.path, f.line, f.end_line, label, single))


def _near(path: str | None, first: int, last: int, label: Label, single: bool) -> bool:
    """True when lines ``first``-``last`` of ``path`` are within NEAR_LINES of the label's lines."""
    return (_names(label.path, path, single)
            and first <= label.last + NEAR_LINES and label.first - NEAR_LINES <= last)


def _names(label_path: str | None, path: str | None, single: bool) -> bool:
    """True when a label's ``file`` names the file at ``path`` (None on either side: any file)."""
    if label_path is None or path is None:
        return True
    if path == label_path or path.endswith("/" + label_path):
        return True
    return single and label_path.endswith("/" + path)


def _score(true_positives: int, labels: int, unmatched: tuple[str, ...]) -> Score:
    return score(true_positives, len(unmatched), labels - true_positives, unmatched)


def score(tp: int, fp: int, fn: int, unmatched: tuple[str, ...] = ()) -> Score:
    """The :class:`Score` of these counts: precision, recall and F1 (ratios as in
    :func:`crosscheck.reconcile.model.ratio`)."""
    return Score(true_positives=tp, false_positives=fp, false_negatives=fn, precision=ratio(tp, tp + fp),
                 recall=ratio(tp, tp + fn), f1=ratio(2 * tp, 2 * tp + fp + fn), unmatched=unmatched)


def _notes(labels: Iterable[Label], lexicon: Lexicon, code: CodeTarget | None) -> tuple[str, ...]:
    notes: list[str] = []
    for label in labels:
        unknown = [c for c in label.cwe if c not in lexicon]
        if unknown:
            notes.append(f"label {label.id}: {', '.join(f'CWE-{c}' for c in unknown)} not in the CWE lexicon; "
                         "only the same id matches it")
        if code is None:
            continue
        files = [f for f in code.files if _names(label.path, f.path, not code.is_dir)]
        if not files:
            notes.append(f"label {label.id}: file {label.path!r} is not part of the code; nothing can find it")
        elif all(label.first > len(f.lines) for f in files):
            where = files[0].path if len(files) == 1 else f"any of the {len(files)} files"
            notes.append(f"label {label.id}: line {label.first} is past the end of {where}")
    return tuple(notes)


def comparison_dict(comparison: LabelComparison) -> dict[str, Any]:
    """The comparison as plain JSON-ready data, for the report's ``"labels"`` entry.

    Shape (lists in label-file or report order, so the same inputs give the same data)::

        {
          "file": "samples/archive/labels.toml",
          "defects": [
            {"id": "L1", "cwe": [22], "lines": [20, 21], "file": "restore.py" | null,
             "description": "...", "claims": ["C2"], "findings": ["F2", "F3"],
             "found_by": "both" | "review" | "analyzers" | "neither"}
          ],
          "review":    {"true_positives": 6, "false_positives": 0, "false_negatives": 0,
                        "precision": 1.0, "recall": 1.0, "f1": 1.0, "unmatched": []},
          "analyzers": {... the same keys; "unmatched" lists finding ids ...},
          "agreement": {"both": 5, "review_only": 1, "analyzers_only": 0, "neither": 0},
          "notes": ["..."]
        }

    ``unmatched`` lists the ids counted as false positives; ratios are null when undefined.
    """
    return {
        "file": comparison.path,
        "defects": [_result_dict(r) for r in comparison.labels],
        "review": _score_dict(comparison.review),
        "analyzers": _score_dict(comparison.analyzers),
        "agreement": {"both": comparison.agreement.both, "review_only": comparison.agreement.review_only,
                      "analyzers_only": comparison.agreement.analyzers_only, "neither": comparison.agreement.neither},
        "notes": list(comparison.notes),
    }


def _result_dict(result: LabelResult) -> dict[str, Any]:
    label = result.label
    return {"id": label.id, "cwe": list(label.cwe), "lines": [label.first, label.last], "file": label.path,
            "description": label.description, "claims": list(result.claims), "findings": list(result.findings),
            "found_by": result.found_by}


def _score_dict(score: Score) -> dict[str, Any]:
    return {"true_positives": score.true_positives, "false_positives": score.false_positives,
            "false_negatives": score.false_negatives, "precision": score.precision, "recall": score.recall,
            "f1": score.f1, "unmatched": list(score.unmatched)}
