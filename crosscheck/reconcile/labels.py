"""The three-way comparison with ground-truth labels: the review and the analyzers against the known defects.

Security-review datasets say which defects a file has (CWE categories and lines; read by
:mod:`crosscheck.load.labels`). Given such labels, crosscheck compares three ways: the review
against the labels, the analyzers against the labels, and, on that ground truth, the review
against the analyzers.

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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from crosscheck.cwe import Lexicon
from crosscheck.grounding.model import NEAR_LINES
from crosscheck.load.labels import Label, Labels
from crosscheck.models import CodeTarget
from crosscheck.reconcile.claims import claim_places
from crosscheck.reconcile.model import ClaimResult, FindingResult, FindingStatus, Outcome, Reconciliation, ratio
from crosscheck.review.model import ClaimKind

__all__ = ["Agreement", "LabelComparison", "LabelResult", "Score", "compare", "comparison_dict", "score"]


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
    reported = [f for f in reconciliation.findings if f.status is not FindingStatus.SUPPRESSED]
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
        elif all(label.first > f.line_count for f in files):
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
