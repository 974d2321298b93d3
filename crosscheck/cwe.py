"""The CWE lexicon: which CWE categories a piece of prose names, and how those categories relate."""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

__all__ = ["DEFAULT_PATH", "Category", "Lexicon", "LexiconError"]

DEFAULT_PATH = Path(__file__).parent / "data" / "cwe.toml"
"""The lexicon shipped with crosscheck."""

# Spaces and hyphens inside a term are the same separator, which matches any run of
# whitespace and hyphens in the text ("hard-coded" ~ "hard coded" ~ "hard-\n coded").
_SEPARATORS = re.compile(r"[\s\-]+")
_AROUND_EQUALS = re.compile(r" ?= ?")
_WORD_CHAR = re.compile(r"\w")
_WORD = re.compile(r"\w+")

# A literal mention of a CWE id: "CWE-89", "CWE 89", "cwe89", "CWE: 89", "CWE‑89".
# It is matched against the lowercased text.
_CWE_LITERAL = re.compile(r"(?<!\w)cwe[ \t]*+(?:[-\u2010-\u2015:#_][ \t]*+)?0*+([1-9][0-9]{0,5})(?![0-9])")

_TOP_LEVEL_KEYS = frozenset({"cwe", "ignore"})
_CATEGORY_KEYS = frozenset({"id", "name", "parents", "terms"})


_FOUND_KEPT = 4096
"""How many texts' answers :meth:`Lexicon.find` keeps."""


class LexiconError(ValueError):
    """The lexicon data is malformed; the message names the file and the entry at fault."""


@dataclass(frozen=True)
class Category:
    """One CWE category: its id, a short name, its parents in the lexicon, and the phrases that name it."""

    id: int
    name: str
    parents: tuple[int, ...]
    terms: tuple[str, ...]


def _bad_edge(char: str) -> bool:
    return char in "-=" or char.isspace()


def _term_key(term: str) -> str:
    """The canonical form of a term: one space per separator run, no spaces around '='.

    Two terms with the same key match the same texts, and the key of any text a term matches (lowercased)
    is the key of that term.
    """
    return _AROUND_EQUALS.sub("=", _SEPARATORS.sub(" ", term))


def _fold(text: str) -> str:
    """``text`` lowercased, character by character, so that offsets into it are offsets into ``text``."""
    folded = text.lower()
    if len(folded) == len(text):  # lower() never shortens a character, so every one stayed one
        return folded
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)


def _term_atoms(term: str) -> list[str]:
    """The regex atoms of a term's key: one per character, separator or '='.

    Terms are lowercase and are matched against lowercased text. The atoms that can follow one another are
    disjoint (a separator needs at least one whitespace or hyphen, and a key has no separator next to '='),
    so a text can follow at most one path through a trie of atoms.
    """
    atoms: list[str] = []
    for char in _term_key(term):
        if char == " ":
            atoms.append(r"[\s\-]+")
        elif char == "=":
            atoms.append(r"\s*=\s*")
        else:
            atoms.append(re.escape(char))
    return atoms


# A trie of term atoms. Two keys that are never regex atoms mark where a term ends: _END_WORD when the
# term ends with a word character (so a word boundary must follow), _END otherwise.
_Trie: TypeAlias = dict[str, "_Trie"]
_END = "\0"
_END_WORD = "\0w"


def _trie_regex(node: _Trie) -> str:
    """The regex for a trie: continuations are tried before the end of a term.

    As a text follows at most one path through the trie, this makes the regex match the longest term that
    starts where it is tried.
    """
    alternatives = [atom + _trie_regex(child) for atom, child in sorted(node.items()) if not atom.startswith("\0")]
    if _END_WORD in node:
        alternatives.append(r"(?!\w)")
    elif _END in node:
        alternatives.append("")
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


def _trie(terms: Iterable[str]) -> _Trie:
    """The trie of the terms' atoms."""
    root: _Trie = {}
    for term in terms:
        node = root
        for atom in _term_atoms(term):
            node = node.setdefault(atom, {})
        node[_END_WORD if _WORD_CHAR.match(term[-1]) else _END] = {}
    return root


class Lexicon:
    """CWE categories with the phrases that name them and MITRE's ChildOf hierarchy between them.

    Construct one with :meth:`load` (a TOML file) or :meth:`default` (the packaged lexicon, cached); the
    constructor validates the data and raises :class:`LexiconError` when it is inconsistent:

    * ids are positive and unique, names non-empty;
    * every parent is a category of the lexicon, and the parent relation has no cycle;
    * every category has at least one term; terms are lowercase, with no leading or trailing space, hyphen
      or ``=``;
    * no term occurs twice, in one category or across categories or the ignore list, where a space and a
      hyphen count as the same separator. This is deliberate: a phrase names exactly one category, and
      relations between categories are expressed through ``parents``, never through a shared phrase.

    In text, a term matches case-insensitively, at word boundaries where it starts or ends with a word
    character; each space or hyphen in it matches any run of whitespace and hyphens, and ``=`` may have
    whitespace around it.
    """

    def __init__(self, categories: Iterable[Category], ignore: Iterable[str] = (), *,
                 source: str = "<lexicon>") -> None:
        cats = tuple(sorted(categories, key=lambda c: c.id))
        ignored = tuple(ignore)
        self._source = source
        self._slots = self._validate(cats, ignored)
        self._categories = cats
        self._by_id: dict[int, Category] = {c.id: c for c in cats}
        self._ancestors = self._closure(cats)
        self._groups, self._other = self._index([*ignored, *(t for c in cats for t in c.terms)])
        self._patterns: dict[str, re.Pattern[str]] = {}
        self._found: dict[str, tuple[tuple[int, int, int], ...]] = {}

    # -- construction -------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        """Read a lexicon from a TOML file (by default the one packaged with crosscheck)."""
        path = DEFAULT_PATH if path is None else Path(path)
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except OSError as err:
            raise LexiconError(f"{path}: cannot read the CWE lexicon: {err.strerror or err}") from err
        except tomllib.TOMLDecodeError as err:
            raise LexiconError(f"{path}: the CWE lexicon is not valid TOML: {err}") from err
        categories, ignore = cls._parse(data, str(path))
        return cls(categories, ignore, source=str(path))

    @classmethod
    def default(cls) -> Lexicon:
        """The packaged lexicon, loaded once per process."""
        return _default_lexicon()

    @staticmethod
    def _parse(data: Mapping[str, Any], source: str) -> tuple[list[Category], list[str]]:
        unknown = sorted(set(data) - _TOP_LEVEL_KEYS)
        if unknown:
            raise LexiconError(f"{source}: unknown top-level key(s) {', '.join(unknown)}; expected [[cwe]] tables "
                               "and an optional ignore list")
        ignore = data.get("ignore", [])
        if not isinstance(ignore, list) or not all(isinstance(t, str) for t in ignore):
            raise LexiconError(f"{source}: 'ignore' must be a list of strings")
        entries = data.get("cwe")
        if not isinstance(entries, list) or not entries:
            raise LexiconError(f"{source}: no [[cwe]] tables")
        categories: list[Category] = []
        for n, entry in enumerate(entries, 1):
            where = f"{source}: [[cwe]] #{n}"
            if not isinstance(entry, dict):
                raise LexiconError(f"{where}: not a table")
            if isinstance(entry.get("id"), int):
                where += f" (id {entry['id']})"
            missing = sorted({"id", "name", "terms"} - set(entry))
            if missing:
                raise LexiconError(f"{where}: missing key(s) {', '.join(missing)}")
            extra = sorted(set(entry) - _CATEGORY_KEYS)
            if extra:
                raise LexiconError(f"{where}: unknown key(s) {', '.join(extra)}")
            cid, name, parents, terms = entry["id"], entry["name"], entry.get("parents", []), entry["terms"]
            if not isinstance(cid, int) or isinstance(cid, bool):
                raise LexiconError(f"{where}: id must be an integer")
            if not isinstance(name, str):
                raise LexiconError(f"{where}: name must be a string")
            if not isinstance(parents, list) or not all(isinstance(p, int) and not isinstance(p, bool)
                                                        for p in parents):
                raise LexiconError(f"{where}: parents must be a list of CWE ids")
            if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
                raise LexiconError(f"{where}: terms must be a list of strings")
            categories.append(Category(cid, name, tuple(parents), tuple(terms)))
        return categories, list(ignore)

    def _validate(self, cats: Sequence[Category], ignore: Sequence[str]) -> dict[str, int | None]:
        """Check the data; return the map from each term's key to its CWE id (``None``: ignored)."""
        src = self._source
        if not cats:
            raise LexiconError(f"{src}: the lexicon has no categories")
        ids: set[int] = set()
        for c in cats:
            if c.id <= 0:
                raise LexiconError(f"{src}: CWE-{c.id}: ids must be positive")
            if c.id in ids:
                raise LexiconError(f"{src}: CWE-{c.id} is defined twice")
            ids.add(c.id)
        owner: dict[str, str] = {}
        slots: dict[str, int | None] = {}

        def claim(term: str, who: str, cwe: int | None) -> None:
            if not term or _bad_edge(term[0]) or _bad_edge(term[-1]):
                raise LexiconError(f"{src}: {who}: term {term!r} must not be empty or start or end with a space, "
                                   "hyphen or '='")
            if term != term.lower():
                raise LexiconError(f"{src}: {who}: term {term!r} must be lowercase")
            key = _term_key(term)
            if key in owner:
                raise LexiconError(f"{src}: {who}: term {term!r} duplicates {owner[key]}; a phrase may name only "
                                   "one category (a space and a hyphen count as the same)")
            owner[key] = f"{term!r} of {who}"
            slots[key] = cwe

        for term in ignore:
            claim(term, "ignore", None)
        for c in cats:
            who = f"CWE-{c.id}"
            if not c.name.strip():
                raise LexiconError(f"{src}: {who}: empty name")
            if not c.terms:
                raise LexiconError(f"{src}: {who}: no terms")
            if len(set(c.parents)) != len(c.parents):
                raise LexiconError(f"{src}: {who}: a parent is listed twice")
            for p in c.parents:
                if p == c.id:
                    raise LexiconError(f"{src}: {who} lists itself as a parent")
                if p not in ids:
                    raise LexiconError(f"{src}: {who}: parent CWE-{p} is not in the lexicon")
            for term in c.terms:
                claim(term, who, c.id)
        self._check_acyclic(cats)
        return slots

    def _check_acyclic(self, cats: Sequence[Category]) -> None:
        parents = {c.id: c.parents for c in cats}
        done: set[int] = set()
        for root in parents:
            if root in done:
                continue
            path: list[int] = []
            on_path: set[int] = set()
            stack: list[tuple[int, int]] = [(root, 0)]
            while stack:
                node, i = stack.pop()
                if i == 0:
                    path.append(node)
                    on_path.add(node)
                if i < len(parents[node]):
                    stack.append((node, i + 1))
                    nxt = parents[node][i]
                    if nxt in on_path:
                        cycle = path[path.index(nxt):] + [nxt]
                        raise LexiconError(f"{self._source}: the parent relation has a cycle: "
                                           + " -> ".join(f"CWE-{n}" for n in cycle))
                    if nxt not in done:
                        stack.append((nxt, 0))
                else:
                    path.pop()
                    on_path.discard(node)
                    done.add(node)

    @staticmethod
    def _closure(cats: Sequence[Category]) -> dict[int, frozenset[int]]:
        parents = {c.id: c.parents for c in cats}
        memo: dict[int, frozenset[int]] = {}

        def anc(cid: int) -> frozenset[int]:
            if cid not in memo:
                acc: set[int] = set()
                for p in parents[cid]:
                    acc.add(p)
                    acc |= anc(p)
                memo[cid] = frozenset(acc)
            return memo[cid]

        return {cid: anc(cid) for cid in parents}

    @staticmethod
    def _index(terms: Iterable[str]) -> tuple[dict[str, list[str]], re.Pattern[str] | None]:
        """The terms that start with a word character by their first word, and a scanner for the others.

        Compiling every term costs a fifth of a second, which a short run would pay for a handful of words:
        the terms of one first word (its first run of word characters) are compiled when a text holds that
        word (see :meth:`_pattern`). The few terms that start otherwise are compiled at once, into one
        scanner inside a lookahead, so one ``finditer`` reports the longest of them starting at each
        position.
        """
        groups: dict[str, list[str]] = {}
        others: list[str] = []
        for term in terms:
            first = _WORD.match(term)
            (groups.setdefault(first.group(), []) if first else others).append(term)
        return groups, re.compile("(?=(" + _trie_regex(_trie(others)) + "))") if others else None

    def _pattern(self, word: str) -> re.Pattern[str]:
        """The regex of the terms that start with ``word``, compiled on first use.

        The trie shape makes it match the longest of them where it is tried (see :func:`_trie_regex`); it
        is tried where ``word`` starts a word.
        """
        pattern = self._patterns.get(word)
        if pattern is None:
            pattern = self._patterns[word] = re.compile(_trie_regex(_trie(self._groups[word])))
        return pattern

    # -- queries --------------------------------------------------------------------------------------

    def __contains__(self, cwe: object) -> bool:
        return isinstance(cwe, int) and cwe in self._by_id

    def __repr__(self) -> str:
        return f"<Lexicon {self._source}: {len(self._categories)} categories>"

    def categories(self) -> tuple[Category, ...]:
        """All categories, sorted by id."""
        return self._categories

    def category(self, cwe: int) -> Category | None:
        """The category with that id, or ``None``."""
        return self._by_id.get(cwe)

    def name(self, cwe: int) -> str:
        """``"CWE-78 OS Command Injection"``; just ``"CWE-<n>"`` for an id the lexicon does not know."""
        cat = self._by_id.get(cwe)
        return f"CWE-{cwe} {cat.name}" if cat else f"CWE-{cwe}"

    def find(self, text: str) -> tuple[tuple[int, int, int], ...]:
        """Every place ``text`` names a CWE category, as ``(cwe, start, end)`` sorted by start.

        Terms match case-insensitively at word boundaries; literal mentions such as "CWE-89" count for any
        id, known or not. Where matches overlap the longest wins (the earlier one on a tie), and a match of
        the ignore list wins its overlaps but reports nothing.

        The last few thousand texts' answers are kept: reading a review asks about each sentence
        several times (its label, its claim's kind, the title's categories).
        """
        found = self._found.get(text)
        if found is None:
            if len(self._found) >= _FOUND_KEPT:
                self._found.clear()
            found = self._found[text] = self._find(text)
        return found

    def _find(self, text: str) -> tuple[tuple[int, int, int], ...]:
        folded = _fold(text)
        candidates: list[tuple[int, int, int | None]] = []
        slots = self._slots
        groups = self._groups
        for word in _WORD.finditer(folded):
            if word.group() in groups and (m := self._pattern(word.group()).match(folded, word.start())):
                key = _term_key(m.group())
                if key in slots:
                    candidates.append((m.start(), m.end(), slots[key]))
        for m in self._other.finditer(folded) if self._other else ():
            key = _term_key(m.group(1))
            if key in slots:
                candidates.append((m.start(1), m.end(1), slots[key]))
        for m in _CWE_LITERAL.finditer(folded):
            candidates.append((m.start(), m.end(), int(m.group(1))))
        if not candidates:
            return ()
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
        taken = bytearray(len(text))
        kept: list[tuple[int, int, int]] = []
        for start, end, cwe in candidates:
            if taken.find(1, start, end) != -1:
                continue
            taken[start:end] = b"\x01" * (end - start)
            if cwe is not None:
                kept.append((cwe, start, end))
        kept.sort(key=lambda k: (k[1], k[2]))
        return tuple(kept)

    def match(self, text: str) -> tuple[int, ...]:
        """The sorted, distinct CWE ids that ``text`` names (see :meth:`find`)."""
        return tuple(sorted({cwe for cwe, _, _ in self.find(text)}))

    def ancestors(self, cwe: int) -> frozenset[int]:
        """All ancestors of ``cwe`` in the lexicon (transitive parents); empty for an unknown id."""
        return self._ancestors.get(cwe, frozenset())

    def compatible(self, a: int, b: int) -> bool:
        """True when ``a`` and ``b`` are the same category or one is an ancestor of the other.

        Siblings and cousins are not compatible: CWE-78 and CWE-89 are both injections, yet a review that
        says "SQL injection" is not talking about an OS command injection finding.
        """
        return a == b or a in self.ancestors(b) or b in self.ancestors(a)

    def compatible_any(self, a: Iterable[int], b: Iterable[int]) -> bool:
        """True when some id of ``a`` is :meth:`compatible` with some id of ``b``."""
        bs = tuple(b)
        return any(self.compatible(x, y) for x in a for y in bs)


@functools.cache
def _default_lexicon() -> Lexicon:
    return Lexicon.load(DEFAULT_PATH)
