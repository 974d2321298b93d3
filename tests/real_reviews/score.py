"""Score the review reader on a corpus of real, publicly posted LLM security reviews.

The corpus itself is not in this repository: the reviews are other people's prose and the code is
other projects' code, so both stay where they were collected (``--corpus DIR``, default
``$CROSSCHECK_REAL_REVIEWS``). Each pair is a folder ``DIR/pairs/ID/`` with ``review.md``, the
reviewed file(s) under ``code/`` and a ``pair.toml`` that records the source (tool, repository,
commit, URL) and what a careful reader says the review states, written before the tool was run on
it (see ``FORMAT.md`` beside this script). ``manifest.toml`` here records, for every pair, where it
came from and the sha256 of its review and code, so a corpus that drifted is refused.

    python tests/real_reviews/score.py --corpus DIR [--write-manifest] [--verbose]

Scores, over the pairs: the stated verdict, every written line citation read (with its file when
it names one), claim recall (each expected claim overlapped by a claim of the tool), the kind of
the recalled claims, and claims made ungrounded by text that is not code (a path, a payload, a
proposed fix). Analyzers run for the last one, as ``crosscheck check`` runs them. An expected claim
is the tool's claim where it starts, else the one that overlaps it most; claims that share a line
are paired in review order. Kinds play no part in the pairing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.toml"
WRITTEN_LINES = {"path:line", "path:range", "#L", "permalink", "tool-line", "L-prefix", "line-word",
                 "heading-range"}


@dataclass
class Score:
    pairs: int = 0
    verdicts: int = 0
    citations: int = 0
    citations_read: int = 0
    claims: int = 0
    recalled: int = 0
    kinds: int = 0
    made_ungrounded: int = 0
    split_misses: int = 0
    """Kind misses where the annotation splits one block of the review into claims of different kinds."""
    misses: list[str] = field(default_factory=list)

    def table(self) -> str:
        def pct(a: int, b: int) -> str:
            return f"{a}/{b} ({100 * a / b:.0f}%)" if b else "-"
        return "\n".join([
            f"pairs                          {self.pairs}",
            f"stated verdict right           {pct(self.verdicts, self.pairs)}",
            f"line citations read            {pct(self.citations_read, self.citations)}",
            f"claim recall                   {pct(self.recalled, self.claims)}",
            f"kind right (recalled claims)   {pct(self.kinds, self.recalled)}"
            f"; {self.split_misses} of the misses are in a block the annotation splits",
            f"claims made ungrounded by text that is not code: {self.made_ungrounded}",
        ])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _code_digest(code: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in code.rglob("*") if p.is_file()):
        digest.update(path.relative_to(code).as_posix().encode() + b"\0" + _sha256(path).encode() + b"\n")
    return digest.hexdigest()


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]) + 1)


def _same_file(read: str | None, written: str | None) -> bool:
    """Whether the file the tool read names the file written (by name, or by a diff anchor's path digest)."""
    if not written:
        return True
    if read is None:
        return False
    if read.startswith("diff-"):
        return read == "diff-" + hashlib.sha256(written.encode("utf-8")).hexdigest()
    return Path(read).name == Path(written).name


def score_pair(folder: Path, score: Score, verbose: bool) -> None:
    from crosscheck.api import check
    from crosscheck.errors import CrosscheckError

    pair = tomllib.loads((folder / "pair.toml").read_text(encoding="utf-8"))
    expected = pair["expected"]
    try:
        report = check(folder / "code", folder / "review.md")
    except CrosscheckError as error:
        score.misses.append(f"{folder.name}: not checked: {error}")
        return
    review = report.grounded.review
    results = report.reconciliation.claims
    name = pair.get("id", folder.name)
    score.pairs += 1
    if review.verdict.value == expected["verdict"]:
        score.verdicts += 1
    else:
        score.misses.append(f"{name}: verdict {review.verdict.value}, expected {expected['verdict']}")
    spans = [((r.grounded.claim.start_line, r.grounded.claim.end_line), r) for r in results]
    citations = [c for claim in review.claims for c in claim.citations if c.line is not None]
    last, taken = 0, set()
    for number, claim in enumerate(expected.get("claims", []), start=1):
        span = (claim["review_lines"][0], claim["review_lines"][-1])
        for cited in claim.get("citations", []):
            if cited.get("form") not in WRITTEN_LINES:
                continue
            score.citations += 1
            end = cited.get("end_line", cited["line"])
            if any(c.line == cited["line"] and c.end_line == end and span[0] <= c.review_line <= span[1]
                   and _same_file(c.file, cited.get("file")) for c in citations):
                score.citations_read += 1
            else:
                score.misses.append(f"{name} claim {number}: citation {cited} not read")
        if claim["kind"] == "context":
            continue
        score.claims += 1
        # the claim of the tool where it starts, else the one that overlaps it most; on a tie (claims that
        # share a line), the first one not behind the previous match and not taken yet, as both sides list
        # their claims in review order
        overlapping = sorted(((_overlap(span, s), index, r) for index, (s, r) in enumerate(spans) if _overlap(span, s)),
                             key=lambda o: (not _overlap((span[0], span[0]), spans[o[1]][0]), -o[0], o[1] < last,
                                            o[1] in taken, o[1]))
        if not overlapping:
            score.misses.append(f"{name} claim {number} ({claim['kind']}, lines {span}): not recalled")
            continue
        score.recalled += 1
        _, last, best = overlapping[0]
        taken.add(last)
        if best.grounded.claim.kind.value == claim["kind"]:
            score.kinds += 1
        else:
            # a reader claim is a block; the annotation may split one paragraph into several claims
            split = any(other is not claim and _overlap(span, (other["review_lines"][0], other["review_lines"][-1]))
                        for other in expected.get("claims", []))
            score.split_misses += split
            score.misses.append(f"{name} claim {number}: kind {best.grounded.claim.kind.value}, expected "
                                f"{claim['kind']}{' [split paragraph]' if split else ''} ({claim.get('what', '')})")
        not_code = set(claim.get("not_code", []))
        for _, _, result in overlapping:
            bad = [g for g in result.grounded.groundings if g.status.value == "absent"
                   and (g.citation.code in not_code or g.citation.role.value == "suggestion")]
            if bad and result.outcome.value == "ungrounded":
                score.made_ungrounded += 1
                score.misses.append(f"{name} claim {number}: made ungrounded by {[g.citation.code for g in bad]}")
    if verbose:
        print(f"{name}: verdict {review.verdict.value}, {len(results)} claims", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=os.environ.get("CROSSCHECK_REAL_REVIEWS"))
    parser.add_argument("--write-manifest", action="store_true",
                        help="record every pair's source and digests in manifest.toml")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if not args.corpus:
        parser.error("give --corpus DIR or set CROSSCHECK_REAL_REVIEWS")
    pairs = sorted(p for p in (Path(args.corpus) / "pairs").iterdir() if (p / "pair.toml").is_file())
    if args.write_manifest:
        _write_manifest(pairs)
    known = tomllib.loads(MANIFEST.read_text(encoding="utf-8")).get("pair", []) if MANIFEST.exists() else []
    digests = {p["id"]: (p["review_sha256"], p["code_sha256"]) for p in known}
    score = Score()
    for folder in pairs:
        pair_id = folder.name
        if pair_id in digests and digests[pair_id] != (_sha256(folder / "review.md"), _code_digest(folder / "code")):
            print(f"{pair_id}: review or code differs from manifest.toml; skipped", file=sys.stderr)
            continue
        score_pair(folder, score, args.verbose)
    print(score.table())
    for miss in score.misses:
        print("  -", miss)
    return 0


def _write_manifest(pairs: list[Path]) -> None:
    out = ["# The real-review corpus: where each pair came from, and the digests of its review and code.",
           "# The texts and code are not kept here (see score.py).", ""]
    for folder in pairs:
        pair = tomllib.loads((folder / "pair.toml").read_text(encoding="utf-8"))
        out += ["[[pair]]", f"id = {_toml_str(folder.name)}"]
        for key in ("tool", "shape", "url", "repo", "commit"):
            if key in pair:
                out.append(f"{key} = {_toml_str(pair[key])}")
        # how the code was recovered, in one word: the notes quote the code, which is not kept here
        out.append(f"recovered = {_toml_str(str(pair.get('recovered', '')).split(':')[0].split()[0])}")
        out.append(f"files = [{', '.join(_toml_str(f) for f in pair.get('files', []))}]")
        out.append(f'review_sha256 = "{_sha256(folder / "review.md")}"')
        out.append(f'code_sha256 = "{_code_digest(folder / "code")}"')
        expected = pair["expected"]
        out.append(f'verdict = "{expected["verdict"]}"')
        kinds = [c["kind"] for c in expected.get("claims", [])]
        out.append(f"kinds = [{', '.join(repr(k).replace(chr(39), chr(34)) for k in kinds)}]")
        out.append("")
    MANIFEST.write_text("\n".join(out), encoding="utf-8")


def _toml_str(value: str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


if __name__ == "__main__":
    sys.exit(main())
