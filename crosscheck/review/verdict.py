"""Finding the review's overall verdict: "no security defects" or "defects found".

LLM reviews state the verdict in a handful of stock shapes, first or last, in
bold or in a code fence. The patterns below are whole phrases, not bag-of-words
tests, so disclaimers such as "the absence of detected defects does not mean the
software is free from vulnerabilities" are not mistaken for a verdict.
"""

from __future__ import annotations

import re

from crosscheck.review.model import StatedVerdict, VerdictEvidence

_PROBLEM = r"(?:defects?|vulnerabilit(?:y|ies)|issues?|flaws?|weakness(?:es)?|problems?|concerns?|risks?|findings?)"
_WORDS = r"(?:[\w'-]+,?\s+)"

_NO_DEFECTS = [
    # "No security defects are detected in the code", "no explicit security defects ... are evident"
    rf"\bno\s+{_WORDS}{{0,3}}?security[\s-]+(?:related\s+)?{_PROBLEM}\b(?:[^.!?\n]|\b(?:etc|e\.g|i\.e)\.){{0,200}}?"
    r"\b(?:are|were|is|was|have\s+been|has\s+been|could\s+be|can\s+be)\s+(?:\w+\s+)?"
    r"(?:detected|found|identified|evident|apparent|present|observed|spotted|seen|noted)",
    # "I did not find direct security vulnerabilities", "we could not identify any security issues"
    rf"\b(?:did|do|does|could|can)(?:\s*+n['\u2019]t|\s++not)\s+(?:find|detect|identify|see|spot|observe|discover)"
    rf"\s+(?:any\s+)?{_WORDS}{{0,3}}?(?:security[\s-]+)?{_PROBLEM}\b",
    # "found no direct indications of security defects", "identified no vulnerabilities"
    rf"\b(?:found|find|detected|identified|see|saw|observed)\s+no\s+{_WORDS}{{0,4}}?(?:security[\s-]+)?{_PROBLEM}\b",
    # "there are no immediately apparent security defects"
    rf"\bthere\s+(?:are|is|were|was)\s+no\s+{_WORDS}{{0,3}}?security[\s-]+{_PROBLEM}\b",
    # "no security defects detected" (terse, table or heading style)
    rf"\bno\s+security\s+{_PROBLEM}\s+(?:detected|found|identified)\b",
    # "The code does not contain any security defects", "I have no security findings to report"
    rf"\b(?:code|module|file)\s+(?:does\s+not|doesn['\u2019]t)\s+(?:contain|have|exhibit)\s+any\s+{_WORDS}{{0,2}}?"
    rf"security[\s-]+{_PROBLEM}\b",
    rf"\bno\s+security\s+{_PROBLEM}\s+to\s+report\b",
    r"\b(?:the\s+)?code\s+is\s+secure\b",
    r"\bverdict\s*:\s*(?:secure|safe|clean|no\s+(?:security\s+)?(?:defects?|issues?|vulnerabilit(?:y|ies)))\b",
    # "the code is free of security defects"
    rf"\bcode\s+(?:is|appears\s+to\s+be|seems\s+to\s+be)\s+free\s+(?:of|from)\s+{_WORDS}{{0,2}}?(?:security\s+)?{_PROBLEM}",
]
_DEFECTS = [
    # "the following security defects were found", "security vulnerabilities are detected"
    rf"(?<!\bno\s)(?<!\bno\s\s)\b(?:following\s+)?security\s+{_PROBLEM}\s+(?:are|were|have\s+been)\s+"
    r"(?:detected|found|identified)",
    # "I found the following vulnerabilities", "I have identified 3 security issues"
    rf"\b(?:i|we)\s+(?:have\s+)?(?:found|identified|detected|discovered)\s+(?:the\s+following|several|some|a\s+few|"
    rf"multiple|many|two|three|four|five|\d+|a|an|one)\s+{_WORDS}{{0,3}}?(?:security\s+)?{_PROBLEM}\b",
    # "Security defects detected:" as a heading or lead-in
    # (the lines of marks alone before it are read again from each line start: eight at most, or a text of
    # blank lines would cost the square of its length)
    rf"^(?:[^\w\n]*+\n){{0,8}}[^\w\n]*+security\s+{_PROBLEM}\s+(?:detected|found|identified)\b",
    # "There are two security issues in this code:"
    rf"\bthere\s+(?:are|is)\s+(?:a\s+few|several|multiple|some|two|three|four|five|\d+|a|an|one)\s+"
    rf"(?:(?!potential\b|possible\b)[\w-]+\s+){{0,2}}?security[\s-]+(?:related\s+)?{_PROBLEM}\b",
    r"\bverdict\s*:\s*(?:vulnerable|insecure|(?:security\s+)?(?:defects?|issues?|vulnerabilit(?:y|ies))\s+found)\b",
    # "the code contains the following security vulnerabilities"
    rf"\b(?:code|module|file|script|service|application|implementation|function|class)\s+(?:contains|has)\s+"
    rf"(?:the\s+following|several|multiple|some|a|an|\d+)\s+{_WORDS}{{0,3}}?"
    rf"(?:security\s+)?(?:vulnerabilit(?:y|ies)|defects?|flaws?)\b",
]
_EMPTY_SECTION = r"(?![ \t]*+\n?[ \t]*+[-*_(]*+[ \t]*+(?:none\b|no\s+(?:issues?|findings?|problems?)\b|n/?a\b|nothing\b))"
"""Not followed (on the next line, or the one after a blank) by "None", "No issues found" and the like."""
SECURITY_LABEL = r"(?:issue\s*\(security\)|security\s*\([\w.:-]{1,200}\))"
"""Sourcery's label of a security comment: "issue (security)", "security (python.lang.security.audit.x)"."""
_DEFECT_MARKUP = [
    # review bots' severity badges: CodeRabbit's "_⚠️ Potential issue_ | _🟠 Major_", "🔴 Critical"
    r"(?:\u26a0\ufe0f?|\U0001f6a8)\s*(?:_\s*)?potential\s+issue(?![a-z])",  # (?![a-z]), not \b: _italics_
    r"(?:\U0001f534|\U0001f7e0)\s*(?:_\s*)?(?:\*+\s*)?(?:critical|major)(?![a-z])(?![ \t]+(?:issues|findings|vulnerabilities|defects))",
    # "**High Severity**", "High-severity:", and severity fields: "Severity: HIGH", "**Severity:** CRITICAL"
    r"\b(?:critical|high|medium)[ \t-]+severity\b(?![ \t]+(?:issues?|findings?|vulnerabilit))",
    r"\bseverity\s*(?:\*+\s*)?[:\uff1a]\s*(?:\*+\s*)?`?(?:critical|high|medium)\b",
    # labels and headings of finding lists: "[critical]", "### CRITICAL: SQL injection (Lines 10-24)",
    # "[Security] Command injection in ..."
    r"\[(?:critical|high)\]",
    # Gemini Code Assist's priority image, "![high](https://.../high-priority.svg)"; the priority badges of
    # Codex ("![P1 Badge](https://img.shields.io/badge/P1-orange)") and Qodo (".../badge/High-634FD1")
    r"!\[(?:critical|high|medium)\]\(",
    r"\bimg\.shields\.io/badge/(?:critical|high|medium|p[0-2])-",
    # Sourcery's comment labels, "**issue (security):**", "**security (python.lang.security.audit.x):**"
    rf"^\W{{0,4}}{SECURITY_LABEL}[*_\s]{{0,4}}:",
    r"^[ \t]{0,3}#{1,6}[ \t]+\W{0,4}(?:critical|high)(?:[ \t]+severity)?[ \t]*[:\-\u2013\u2014][ \t]*\w",
    r"^[ \t]{0,3}(?:[-*][ \t]+|#{1,6}[ \t]+)?\**\[security\]\**[ \t]+\w",
    # a section of findings by tier that is not empty: "## 🔴 Critical Issues", "### Major issues"
    rf"^[ \t]{{0,3}}#{{1,6}}[ \t]+(?:(?!no\b)[^\n]){{0,20}}?\b(?:critical|major|high[ -]severity|security)[ \t]+"
    rf"(?:issues|findings|vulnerabilities|defects)\b[^\n]{{0,80}}\n{_EMPTY_SECTION}",
]
"""Markup that states a defect without a verdict sentence: a review made only of findings under such
badges, labels and headings says the code has defects, as a person reading it would take it."""
_NO_RE = [re.compile(p, re.IGNORECASE | re.MULTILINE) for p in _NO_DEFECTS]
_DEFECT_SENTENCE_RE = [re.compile(p, re.IGNORECASE | re.MULTILINE) for p in _DEFECTS]
_DEFECT_RE = [*_DEFECT_SENTENCE_RE, *(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in _DEFECT_MARKUP)]
_CONCLUDING = re.compile(
    r"^\W*(?:in\s+(?:conclusion|summary|short|sum)|overall|to\s+(?:summari[sz]e|conclude|sum\s+up)|all\s+in\s+all"
    r"|conclusion|summary|(?:final\s+)?verdict|bottom\s+line)\b",
    re.IGNORECASE,
)
"""The opening of a sentence that concludes the whole review."""
_NEGATED_LEAD = re.compile(r"\b(?:no|not|none|without)\b[^.!?\n]{0,40}$", re.IGNORECASE)


def find_verdicts(text: str) -> tuple[VerdictEvidence, ...]:
    """Every verdict statement in the review, in order: the first of each kind on a line."""
    found: dict[int, VerdictEvidence] = {}
    for stated, patterns in ((StatedVerdict.NO_DEFECTS, _NO_RE), (StatedVerdict.DEFECTS, _DEFECT_RE)):
        for pattern in patterns:
            line, counted = 1, 0  # the matches come in order: the text is counted once for each pattern
            for match in pattern.finditer(text):
                start = match.start()
                if stated is StatedVerdict.DEFECTS and _NEGATED_LEAD.search(text[max(0, start - 40) : start]):
                    continue
                line += text.count("\n", counted, start)
                counted = start
                key = line * 2 + (stated is StatedVerdict.DEFECTS)
                if key not in found:  # the sentence once for each line: a line may hold many matches
                    found[key] = VerdictEvidence(stated, line, _sentence(text, start, match.end()))
    return tuple(found[k] for k in sorted(found))


def stated_verdict(evidence: tuple[VerdictEvidence, ...]) -> StatedVerdict:
    """The verdict a reader takes away.

    A concluding sentence ("In conclusion, ...", "Overall: ...") outranks every other: "no weakness
    there" said of one function is a local remark. Without one, the stock "no defects" phrase wins when
    both kinds appear: a review that says "no defects" and then lists defects stated no defects, and
    contradicts itself; reconciliation reports that.
    """
    closing = [e for e in evidence if _CONCLUDING.match(e.text)]
    if closing:
        return closing[-1].stated
    kinds = {e.stated for e in evidence}
    if StatedVerdict.NO_DEFECTS in kinds:
        return StatedVerdict.NO_DEFECTS
    if StatedVerdict.DEFECTS in kinds:
        return StatedVerdict.DEFECTS
    return StatedVerdict.UNCLEAR


def is_verdict_sentence(sentence: str) -> StatedVerdict | None:
    """The verdict a single sentence states, if it states one."""
    for pattern in _NO_RE:
        if pattern.search(sentence):
            return StatedVerdict.NO_DEFECTS
    return None


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around ``text[start:end]``, on its own line, Markdown marks stripped."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    left = text.rfind(". ", line_start, start)
    left = line_start if left == -1 else left + 2
    right = text.find(". ", end, line_end)
    right = line_end if right == -1 else right + 1
    return " ".join(text[left:right].replace("`", "").replace("**", "").split())[:300]


def is_verdict_only(text: str) -> bool:
    """True for a block that says nothing but the verdict (it is not a claim of its own)."""
    rest, found = text, False
    for pattern in (*_NO_RE, *_DEFECT_SENTENCE_RE):  # markup labels a finding, which is a claim
        rest, count = pattern.subn(" ", rest)
        found = found or count > 0
    return found and len(re.findall(r"[A-Za-z]{2,}", rest)) < 6
