"""Deciding what kind of statement a claim is, and how hedged.

Each sentence is labelled first (defect assertion, assurance, advice or neutral);
the claim's kind follows from its sentences, its CWE categories and whether it
points at a location. A claim that names a vulnerability class together with a
location is a defect even when hedged; without a location, a hedged defect
sentence inside a recommendation is advice.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable

from crosscheck.review.blocks import ADVICE_FIELDS, REPORT_FIELDS, label_alternatives
from crosscheck.review.model import Citation, CitationKind, CitationRole, ClaimKind, Hedge
from crosscheck.review.verdict import SECURITY_LABEL, is_verdict_sentence


class _Sentence(enum.Enum):
    DEFECT = "defect"
    ASSURANCE = "assurance"
    ADVICE = "advice"
    NEUTRAL = "neutral"


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)


_DEFECT = _rx(
    r"\b(?:is|are|was|were|be|becomes?)\s+(?:\w+\s+)?(?:vulnerable|susceptible|exposed|exploitable)\s+(?:to|by)\b",
    r"\b(?:allows?|enables?|permits?|lets)\s+(?:an?\s+)?(?:remote\s+|local\s+)?(?:attackers?|malicious|unauthori[sz]ed|arbitrary)",
    r"\bwithout\s+(?:any\s+|proper\s+|adequate\s+|sufficient\s+|prior\s+)?(?:authori[sz]ation|authentication|validation"
    r"|sanitation|sanitization|escaping|quoting|access\s+control|permission\s+checks?|(?:input\s+)?checks?)\b",
    r"\b(?:insecure|unsafe|vulnerable|dangerous|unsanitized|unvalidated|unescaped|hard-?coded)\b",
    r"\b(?:vulnerability|security\s+(?:defect|flaw|bug|hole))\s+(?:in|at|on)\s+line",
    r"\b(?:leads?\s+to|results?\s+in|introduces?|causes?)\s+(?:an?\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:vulnerabilit\w+|injection|exposure|leak\w*|traversal|overflow|bypass|escalation)",
    r"\b(?:disables?|turns?\s+off|skips?)\s+(?:\w+\s+){0,2}(?:verification|validation|checks?|escaping)\b",
    r"\b(?:uses?|using|relies\s+on|calls?)\s+(?:the\s+|a\s+)?(?:weak|broken|deprecated|insecure|outdated)\b",
    r"\battackers?\b(?:\s+\w+){0,4}?\s+(?:can|could|may|is\s+able\s+to|would\s+be\s+able\s+to)\b",
    r"\b(?:can|could)\s+(?:run|execute|read|write|inject|access|modify|delete|forge)\s+arbitrary\b",
    r"\b(?:can|could|may)\s+(?:easily\s+|still\s+|trivially\s+)?be\s+bypassed\b|\b(?:is|are)\s+(?:easily\s+|trivially\s+)?bypassable\b",
    r"\b(?:easier|easy|possible|trivial)\s+to\s+exploit\b",
    r"\b(?:has|have|with)\s+no\s+(?:\w+\s+)?(?:authentication|authori[sz]ation|access\s+control)\b"
    r"|\b(?:complete\s+|total\s+)?lack\s+of\s+(?:any\s+)?(?:authentication|authori[sz]ation|access\s+control|validation)\b",
    r"\bis\s+(?:a|an)\s+(?:[\w-]+\s+){0,2}?(?:security\s+)?(?:vulnerability|risk|flaw|hole)\b",
)
_ASSURANCE = _rx(  # negated statements: the code does not do something bad
    r"\b(?:is|are)\s+not\s+(?:possible|exploitable|reachable|feasible)\b",
    r"\bcannot\s+(?:be\s+)?(?:exploited|injected|occur|happen|reach\w*|abused)\b",
    r"\bnever\s+(?:calls?|becomes?|pass(?:es)?|executes?|evaluates?|reach(?:es)?|logs?|writes?|"
    r"unpickled|executed|evaluated|deserializ\w+|exposed|returned|processed|parsed|handled|accepted|trusted|loaded)\b",
    r"\b(?:users?|attackers?|callers?|clients?)\s+cannot\b",
    r"\bcannot\s+be\s+(?:\w+ed|misused|abused)\b",
    r"(?<!\bto\s)\bprevents?\s+(?:[\w-]+\s+){0,3}?(?:injection|scripting|xss|traversal|attacks?|tampering|leaks?|exposure)\b",
    r"\b(?:does|do|did)(?:\s*+n['\u2019]t|\s++not)\s+(?:\w+\s+){0,2}?(?:show|contain|include|expose|reveal|leak|have|"
    r"perform|use|introduce|pose|present|process|handle|affect|call|invoke|import|log|store|expose)\b",
    r"\bthere(?:['\u2019]s|\s+is|\s+are|\s+were|\s+was)\s+no\b",
    r"\bno\s+(?:explicit\s+|direct\s+|obvious\s+|apparent\s+|evident\s+)?(?:indications?|signs?|evidence|hard-?coded|"
    r"sensitive|use\s+of|usage\s+of)\b",
    r"\bwithout\s+(?:revealing|exposing|leaking|introducing|indications?)\b",
    r"\bnot\s+(?:a\s+)?(?:security\s+)?(?:concern|issue|risk|vulnerab\w+)\b",
    r"\b(?:risks?|exposure)\s+(?:\w+\s+){0,6}?(?:are|is)\s+minimal\b",
)
_WEAK_ASSURANCE = _rx(  # approving statements: the code does something well
    r"\b(?:which|this|that)\s+is\s+(?:correct|fine|good\s+practice|the\s+right\s+(?:approach|choice))\b",
    r"\bis\s+fine\s+from\s+a\s+security\b",
    r"\btherefore\s+(?:safe|secure)\b",
    r"\b(?:are|is)\s+(?:\w+\s+)?(?:parameteri[sz]ed|escaped|sanitized|validated|encrypted)\b",
    r"\b(?:appears|seems)\s+to\s+(?:handle|implement|enforce|perform|manage|address|follow)\b",
    r"\b(?:handles?|handled|handling|managed?|implemented|confined|encapsulated|validated|sanitized|escaped|isolated|"
    r"contained)\s+(?:\w+\s+){0,2}?(?:appropriately|properly|correctly|securely|safely|well)\b",
    r"\b(?:is|are|seems|appears)\s+(?:to\s+be\s+)?(?:appropriate|appropriately\s+\w+|safe|secure|well[\s-]contained|"
    r"properly\s+\w+|minimal|not\s+a\s+(?:security\s+)?concern)\b",
)
_ADVICE = _rx(
    r"\b(?:ensure|make\s+sure|consider|recommend\w*|advis\w+|should|must|always|avoid|best\s+practices?|"
    r"it\s+is\s+(?:important|crucial|critical|essential|advisable|good\s+practice)|it['\u2019]s\s+(?:important|crucial"
    r"|critical|essential|advisable)|is\s+(?:key|crucial|essential|important)|encouraged|to\s+maintain|review\s+\w+\s+"
    r"continuously|to\s+(?:avoid|prevent|mitigate|protect|reduce)|in\s+order\s+to)\b",
    # the remedy named as such: "The safe alternative is ...", "... are the standard mitigation", "Secrets belong in ..."
    r"\b(?:safer?|secure|recommended|proper|correct|standard|usual)\s+(?:alternatives?|mitigations?|remed(?:y|ies)|fix(?:es)?)\b",
    r"\bbelongs?\s+in\b",
)
_IMPERATIVE = re.compile(
    r"(?:^\W*(?:(?:\w+\s*)?:\s*)?|;\s*)(?:make\s+sure|ensure|consider|always|avoid|prefer|use(?!\s+of\b)|replace|rewrite|"
    r"switch|add|pin|validate|sanitize|escape)\b",
    re.IGNORECASE,
)
_OPEN_QUESTION = re.compile(r"^\W*whether\b", re.IGNORECASE)
_COUNTERFACTUAL = re.compile(r"\bif\b[^.;]{0,80}\b(?:were|ever)\b", re.IGNORECASE)
_MISSING_CONTROL = re.compile(r"\bwithout\s+(?:proper|any|adequate|sufficient)\b", re.IGNORECASE)
_HEDGE = re.compile(
    r"\b(?:potential(?:ly)?|could|might|may|possibl[ey]|seems?|appears?|likely|perhaps|probably|if|unclear|"
    r"difficult\s+to\s+(?:assess|say|determine)|challenging\s+to)\b",
    re.IGNORECASE,
)
# A wrapped line goes on with its sentence; a blank line or a new list item starts a new one.
# A code fence stands apart.
_SENTENCE = re.compile(
    r"(?<=[.!?])\s+(?=[A-Z\"'(*_`])|(?<=[.!?]\*\*)\s+(?=[A-Z\"'(*_`])|\n\s*\n\s*|\n\s*(?=[-*+\u2022#|]|\d+[.)]\s|```|~~~)|(?<=```|~~~)\n"
)


def sentences(text: str) -> list[str]:
    """A rough sentence split, good enough for labelling."""
    return [text[start:end] for start, end in _sentence_spans(text)]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence of :func:`sentences` lies in ``text``, surrounding blanks left out."""
    spans, pos = [], 0
    for match in [*_SENTENCE.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[pos:end]
        if piece.strip():
            start = pos + len(piece) - len(piece.lstrip())
            spans.append((start, start + len(piece.strip())))
        pos = match.end() if match else pos
    return spans


def remedy_start(text: str, title: str) -> int | None:
    """Where the remedy a claim ends with begins, as an offset in ``text``, or None.

    Findings often close with what to do ("... enabling code execution from malicious YAML. The safe
    alternative is `yaml.safe_load(f)`."). The remedy is the first advice sentence after the last
    sentence that asserts a defect or an assurance, with at least one sentence before it and not on a
    quoted line; sentences after it that assert nothing elaborate it.
    """
    body = _without_title(text, title)
    offset = len(text) - len(body)
    start: int | None = None
    said = False  # a sentence other than the title came before
    ticks, counted = 0, 0  # backticks before the sentence: a cut inside code is no cut
    quoted = False  # whether the sentence is on a blockquote line: quoted text (a bot's prompt, a reply) is no remedy
    for a, b in _sentence_spans(body):
        sentence = body[a:b]
        newline = body.rfind("\n", counted, a)
        if newline != -1 or not counted:  # read once for each line, so that a long one stays linear
            quoted = body[newline + 1 : a + 1].lstrip().startswith(">")
        ticks, counted = ticks + body.count("`", counted, a), a
        label = _label(sentence)
        if label in (_Sentence.DEFECT, _Sentence.ASSURANCE):
            start = None
        elif label is _Sentence.ADVICE and start is None and said and ticks % 2 == 0 and not quoted:
            start = a
        said = said or _plain(sentence) != _plain(title)
    return None if start is None else offset + start


@functools.lru_cache(maxsize=4096)
def _label(sentence: str) -> _Sentence:
    """One label per sentence; negated assurances first, approving ones last (kept for the last few
    thousand sentences: a claim's kind and where its remedy starts both ask)."""
    if is_verdict_sentence(sentence):
        return _Sentence.ASSURANCE
    if _OPEN_QUESTION.match(sentence):
        return _Sentence.NEUTRAL
    if _IMPERATIVE.search(sentence) or _COUNTERFACTUAL.search(sentence):
        return _Sentence.ADVICE
    defect = bool(_DEFECT.search(sentence))
    if _ASSURANCE.search(sentence) and not (defect and _MISSING_CONTROL.search(sentence)):
        return _Sentence.ASSURANCE
    if defect:
        return _Sentence.DEFECT
    if _ADVICE.search(sentence):
        return _Sentence.ADVICE
    if _WEAK_ASSURANCE.search(sentence):
        return _Sentence.ASSURANCE
    return _Sentence.NEUTRAL


def hedge_of(text: str) -> Hedge:
    """How many hedging words the claim uses."""
    count = len(_HEDGE.findall(text))
    if count == 0:
        return Hedge.NONE
    return Hedge.HEDGED if count == 1 else Hedge.SPECULATIVE


def kind_of(text: str, title: str, cwe_of: Callable[[str], tuple[int, ...]],
            citations: tuple[Citation, ...], *, advice_list: bool = False, pointed: bool = False) -> ClaimKind:
    """The kind of a claim from its sentences, the categories they name and its citations.

    ``cwe_of`` maps text to the CWE categories it names (the lexicon). A claim is
    a defect when it points at a location and asserts a problem there (hedged
    or not) in a sentence that names a category, or states facts there under a
    title that names one. Items of a list the review introduces as
    considerations or best practices (``advice_list``) need the explicit
    assertion. A title alone asserts nothing. A claim ``pointed`` at a place by a location of its own
    ("**File:** `x.py` (line 106)" above it, as finding lists and scanners write) that names a category
    states a defect there, even as a general rule ("pickle should not be used on untrusted input").
    """
    if _PROPOSAL.match(text):
        return ClaimKind.ADVICE
    if _DEFECT_FIELD.search(text) and cwe_of(text) or _FINDING_LABEL.search(text):
        return ClaimKind.DEFECT
    labels = [(_label(s), s) for s in sentences(_without_title(text, title))]
    located = any(
        c.role is CitationRole.ANCHOR and (c.line is not None or c.kind in (CitationKind.CODE, CitationKind.IDENTIFIER))
        for c in citations
    )
    assures = any(label is _Sentence.ASSURANCE for label, _ in labels)
    titled = bool(cwe_of(title))
    marked = pointed or _SEVERITY_TAG.match(title) or _SECURITY_LABEL.match(title) or _SECURITY_LABEL_LINE.search(text)
    if marked and not assures and (titled or any(cwe_of(s) for _, s in labels)):
        return ClaimKind.DEFECT
    defects = [s for label, s in labels if label is _Sentence.DEFECT]
    neutral = [s for label, s in labels if label is _Sentence.NEUTRAL]
    factual = [s for s in neutral if not _HEDGE.search(s)]
    if located:
        if any(cwe_of(s) for s in defects):
            return ClaimKind.DEFECT
        if not advice_list and (any(cwe_of(s) for s in neutral) or (titled and (defects or factual))):
            return ClaimKind.DEFECT
        if advice_list and titled and defects:
            return ClaimKind.DEFECT
    if any(not _HEDGE.search(s) and not _ADVICE.search(s) and (cwe_of(s) or titled) for s in defects):
        return ClaimKind.DEFECT
    if assures:
        return ClaimKind.ASSURANCE
    if any(label in (_Sentence.ADVICE, _Sentence.DEFECT) for label, _ in labels):
        return ClaimKind.ADVICE
    return ClaimKind.CONTEXT


_ADVICE_TITLE = re.compile(rf"^\W*(?:{label_alternatives(ADVICE_FIELDS)})\b", re.IGNORECASE)
_REPORT_TITLE = re.compile(rf"^\W*(?:{label_alternatives(REPORT_FIELDS)})\b", re.IGNORECASE)


_SEVERITY_TAG = re.compile(
    r"^\W*+(?:\d{1,3}[.)]?\s*+)?\W*+(?:critical|high|medium|low|major|minor)(?:\s+(?:severity|risk|priority))?\s*[:\-\u2013\u2014]",
    re.IGNORECASE,
)
"""A finding's title tagged with its severity: "1. 🔴 CRITICAL: Pickle deserialization", "HIGH - SSRF"."""
_SECURITY_LABEL = re.compile(rf"^{SECURITY_LABEL}\s*:?$", re.IGNORECASE)
"""Sourcery's label of a security finding, as a claim's title."""
_SECURITY_LABEL_LINE = re.compile(rf"^[ \t]*\*\*{SECURITY_LABEL}\s*:?\*\*", re.IGNORECASE | re.MULTILINE)
"""The same label starting a line inside a claim (the English original under a translated comment)."""
_PROPOSAL = re.compile(r"\A[ \t]*(```|~~~)[ \t]*(?:suggestion|diff|patch)[ \t]*\n.*?^[ \t]*\1[ \t]*\Z",
                       re.IGNORECASE | re.DOTALL | re.MULTILINE)
"""A claim that is nothing but a proposed change: a suggestion or diff block on its own."""
_DEFECT_FIELD = re.compile(
    r"^[ \t]*+[^\w\s]{0,3}[ \t]*+(?:\*\*|__)?(?:vulnerability|issue|bug|problem|finding|weakness)(?:\*\*|__)?[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)
"""A field that names what is wrong: "💡 **Vulnerability:** ...", "**Issue:** ..."."""


_FINDING_LABEL = re.compile(
    r"^[ \t]*<summary>[ \t]*\d{1,3}\.[ \t][^\n]{0,300}?<code>[^<\n]{0,6}(?:bug|security|rule\s+violation)[ \t]*</code>",
    re.IGNORECASE | re.MULTILINE,
)
"""The summary of a finding that a bot labels as a bug, a security issue or a rule violation (Qodo:
"<summary> 1. <s>Title</s> <code>✓ Resolved</code> <code>🐞 Bug</code> <code>⛨ Security</code>")."""


def field_kind(title: str) -> ClaimKind | None:
    """The kind a field or section label gives its claim: what to do ("Fix", "Recommendation",
    "Proposed Solutions") is advice, what was done ("Verification", "Testing") is context."""
    if _ADVICE_TITLE.match(title):
        return ClaimKind.ADVICE
    if _REPORT_TITLE.match(title):
        return ClaimKind.CONTEXT
    return None


_ADVICE_LIST = re.compile(
    r"\b(?:considerations?|best\s+practices?|recommendations?|suggestions?|points?\s+to\s+(?:consider|keep)|"
    r"things\s+to\s+(?:consider|keep\s+in\s+mind)|tips|general\s+(?:advice|observations?)|practices\s+in\s+mind)\b",
    re.IGNORECASE,
)


def introduces_advice_list(text: str) -> bool:
    """True for a paragraph that introduces the list after it as advice, not findings."""
    stripped = text.rstrip().rstrip("*_ ")
    return stripped.endswith(":") and bool(_ADVICE_LIST.search(stripped.rsplit("\n", 1)[-1]))


def is_lead_in(text: str) -> bool:
    """A short line that only introduces what follows ("Points to consider:")."""
    stripped = text.strip().rstrip("*_ ")
    return "\n" not in stripped and stripped.endswith(":") and len(stripped.split()) <= 8 and "`" not in stripped


def _without_title(text: str, title: str) -> str:
    """The claim's text without a title that stands on a line of its own: its first line, or the first
    line after the heading of a section it is the first heading of ("## Features to Add" over "### 1.
    Hash Verification"), blanked there, so that the text keeps its length."""
    first, _, rest = text.partition("\n")
    if not title or not rest:
        return text
    if _plain(first) == _plain(title):
        return rest
    start = len(first) + 1
    while start < len(text) and text[start] == "\n":
        start += 1
    end = text.find("\n", start)
    if end > 0 and _plain(text[start:end]) == _plain(title):
        return text[:start] + " " * (end - start) + text[end:]
    return text


_PROBLEM = r"(?:[\w-]+\s+)?(?:vulnerability|issue|problem|flaw|bug|pattern|weakness|defect|risk)\s+"
_THERE = r"(?:present|exists?|occurs?|appears?|found|applies)\b"
_ELSEWHERE = re.compile(
    rf"^(?:\W*\w+,\s+)?(?:the\s+|a\s+)?(?:same|similar)\s+{_PROBLEM}(?:is\s+|are\s+|also\s+|likely\s+){{0,3}}{_THERE}"
    rf"|^(?:\W*\w+,\s+)?(?:this|that)\s+{_PROBLEM}(?:is\s+|are\s+)?also\s+{_THERE}"
    r"|^(?:\W*\w+,\s+)?the\s+same\s+(?:applies|goes|holds)\s+(?:to|for)\b",
    re.IGNORECASE,
)
"""A sentence that says the problem just described is also somewhere else: "This vulnerability is also
present in `file_writer.py`.", "The same issue exists at lines 120-125.", "The same applies to `b.py`"."""


def elsewhere_starts(text: str, title: str) -> list[int]:
    """Where each sentence of ``text`` after its first that says the same problem is elsewhere begins."""
    body = _without_title(text, title)
    offset = len(text) - len(body)
    return [offset + a for number, (a, b) in enumerate(_sentence_spans(body))
            if number and _ELSEWHERE.match(body[a:b])]


def _plain(text: str) -> str:
    """Text without its markup, to compare a line with a title."""
    return re.sub(r"[*_`:#\s]+", " ", text).strip(" .")
