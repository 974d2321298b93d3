"""Reliability case review-regex-linear: reading a review takes time linear in its length.

Every compiled pattern of the review reader's modules (all of ``crosscheck.review``, the comment
export reader and the CWE lexicon, whose patterns read claim text) is found by looking through their
globals, so a new pattern is covered without a word here. Each is run with ``finditer`` over
adversarial texts: a short unit repeated, after a prefix that leads into the pattern and before an end
that makes it fail. The units are the three that made the reader take the square of a line's length (a
heading line of " \\t#" repeated, "a`" repeated after "``", "``a" repeated), the pattern's own words and
characters, and pieces of texts it matches (drawn by hypothesis, derandomized).

Each text is timed at sizes doubling from 8 characters to 16 KiB, which stops a backtracking blow-up
before it hangs the run; the text whose time grew most is then timed at 64 KiB and up to 1 MiB. The
time may grow with the size, 16 times from 64 KiB to 1 MiB, and more for noise, but not 40 times (the
square of the size would be 256). Timings are the processor time this process takes (other work on a
busy machine adds none), the least of a few runs, and tiny ones count as a floor. The whole reader is timed the same way on texts built to make
it slow.
"""

from __future__ import annotations

import collections
import dataclasses
import importlib
import math
import pkgutil
import random
import re
import time
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

import crosscheck.review
from crosscheck.cwe import Lexicon
from crosscheck.review.reader import read_review

READER_MODULES = ("crosscheck.load.comments", "crosscheck.cwe")
"""Modules outside ``crosscheck.review`` whose patterns read a review's text."""
BOUND = 40
"""Most that time may grow for 16 times the size (from 64 KiB to 1 MiB; from 1 KiB to 16 KiB): linear
time grows 16 times, the square of the size 256 times."""
SCREEN_BOUND = 64
"""Most that time may grow from 1 KiB to 16 KiB, a blow-up short of the square (caches and noise weigh more
at these sizes): whatever grows more is measured to 1 MiB."""
STEP_BOUND = 8
"""Most that time may grow when the size doubles: more is a blow-up (the square would be 4)."""
SMALL_FLOOR = 100e-6
"""Least time that counts at the screening sizes, in seconds."""
LARGE_FLOOR = 0.5e-3
"""Least time that counts from 64 KiB on."""
SCREEN = tuple(8 << k for k in range(12))
"""The screening sizes: 8 characters (where an exponential blow-up is still quick) to 16 KiB."""
LARGE = tuple(64 * 1024 << k for k in range(5))
"""64 KiB to 1 MiB."""

NAMED = (("# x\n#", " \t#", "x"), ("``", "a`", ""), ("", "``a", ""))
"""The texts that took the reader the square of their length (15 to 32 seconds for 100 KB)."""
UNITS = (" ", "\t", "\n", " \n", "a", "a ", "a.", "-", "*", "**", "_", "`", ".", ",", ":", "<", "#", "1", "=a", "/a")
ENDS = ("", "x", "!", "\n", " ", "`")
"""What ends a text: a character that many patterns cannot take, or nothing."""


@dataclasses.dataclass(frozen=True, order=True)
class Text:
    """``unit`` repeated to a size, after ``prefix`` and before ``end``."""

    prefix: str
    unit: str
    end: str

    def of(self, size: int) -> str:
        return self.prefix + (self.unit * (size // len(self.unit) + 1))[:size] + self.end


def _modules() -> list[ModuleType]:
    names = [f"crosscheck.review.{m.name}" for m in pkgutil.iter_modules(crosscheck.review.__path__)]
    return [importlib.import_module(name) for name in [*names, *READER_MODULES]]


def _within(label: str, value: object, depth: int = 0) -> Iterator[tuple[str, re.Pattern[str]]]:
    """The patterns in ``value``: itself, or in a list, tuple or dataclass (a role cue) it is."""
    if isinstance(value, re.Pattern):
        yield label, value
    elif depth < 2 and isinstance(value, list | tuple):
        for number, item in enumerate(value):
            yield from _within(f"{label}[{number}]", item, depth + 1)
    elif depth < 2 and dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _within(f"{label}.{field.name}", getattr(value, field.name), depth + 1)


def _patterns() -> dict[str, re.Pattern[str]]:
    """Every pattern of the reader's modules (and the default lexicon's), by where it is; each once."""
    spaces = [(module.__name__.rsplit(".", 1)[-1], vars(module)) for module in _modules()]
    spaces.append(("Lexicon.default()", vars(Lexicon.default())))
    labels: dict[re.Pattern[str], str] = {}
    for space, names in spaces:
        for name, value in names.items():
            for label, pattern in _within(f"{space}.{name}", value):
                labels.setdefault(pattern, label)
    return {label: pattern for pattern, label in labels.items()}


PATTERNS = _patterns()


def _texts(pattern: re.Pattern[str]) -> list[Text]:
    """The adversarial texts for ``pattern``: the named ones, the common units, its words and characters,
    and pieces of texts it matches."""
    rnd = random.Random(pattern.pattern)
    source = re.sub(r"\\(?:[a-zA-Z]|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})", " ", pattern.pattern)
    words = sorted(set(re.findall(r"[A-Za-z]{2,}", source)))
    chars = sorted({c for c in source if not c.isalnum() and not c.isspace()} | {" ", "\t", "\n"})
    texts = {Text(*named) for named in NAMED}
    texts |= {Text(prefix, unit, rnd.choice(ENDS)) for unit in UNITS for prefix in ("", "``")}
    texts |= {Text("", char, rnd.choice(ENDS)) for char in chars}
    for word in rnd.sample(words, min(len(words), 12)):
        texts |= {Text("", word + " ", rnd.choice(ENDS)), Text(word, rnd.choice(chars), rnd.choice(ENDS))}
    return sorted(texts | _drawn(pattern))


def _drawn(pattern: re.Pattern[str], count: int = 20) -> set[Text]:
    """Texts from what ``pattern`` matches: a match repeated, and a prefix of a match then a piece of it
    repeated (of a text with a match in it, for a pattern that matches only empty text, as a lookahead does)."""
    found: set[Text] = set()
    for whole in (True, False):

        @settings(max_examples=count, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(st.from_regex(pattern, fullmatch=whole), st.integers(0, 10**6), st.integers(1, 3), st.sampled_from(ENDS))
        def draw(match: str, at: int, length: int, end: str) -> None:
            if match:
                at %= len(match)
                found.update({Text("", match, end), Text(match[:at], match[at : at + length], end)})

        try:
            draw()
            return found
        except Unsatisfiable:
            continue
    return found


def _seconds(run: Callable[[str], object], text: str, times: int) -> float:
    """The least processor time of ``times`` runs: other work on the machine takes none of it."""
    best = math.inf
    for _ in range(times):
        start = time.process_time()
        run(text)
        best = min(best, time.process_time() - start)
    return best


def _scan(pattern: re.Pattern[str]) -> Callable[[str], object]:
    return lambda text: collections.deque(pattern.finditer(text), maxlen=0)


def _timed(run: Callable[[str], object], text: Text, sizes: tuple[int, ...], since: int, floor: float,
           times: int, most: float = BOUND) -> dict[int, float]:
    """The time of ``run`` on ``text`` at each of the doubling ``sizes``. It fails as soon as the time grew
    more than :data:`STEP_BOUND` times from one size to the next, or more than ``most`` times from size
    ``since`` on (each measured again first): a slow text stops before it takes long."""
    took: dict[int, float] = {}
    for size in sizes:
        took[size] = _seconds(run, text.of(size), times)
        for base, bound in ((size // 2, STEP_BOUND), (since, most)):
            if base in took and base < size and took[size] > bound * max(took[base], floor):
                took[base] = min(took[base], _seconds(run, text.of(base), 3))  # noise, or not
                took[size] = min(took[size], _seconds(run, text.of(size), 3))
                grew = took[size] / max(took[base], floor)
                assert grew <= bound, f"{text}: {grew:.0f} times the time for {size // base} times the size: {took}"
    return took


def _grows_linearly(run: Callable[[str], object], texts: list[Text]) -> None:
    """Each text's time grows linearly to 16 KiB; the one whose time grew most, and the slowest, to 1 MiB."""
    screened = {text: _timed(run, text, SCREEN, SCREEN[-5], SMALL_FLOOR, 1, SCREEN_BOUND) for text in texts}
    growth = {text: took[SCREEN[-1]] / max(took[SCREEN[-5]], SMALL_FLOOR) for text, took in screened.items()}
    for text in sorted({max(growth, key=growth.__getitem__), max(texts, key=lambda t: screened[t][SCREEN[-1]])}):
        _timed(run, text, LARGE, LARGE[0], LARGE_FLOOR, 2)


@pytest.mark.case("review-regex-linear")
@pytest.mark.parametrize("label", sorted(PATTERNS))
def test_each_pattern_takes_linear_time(label):
    pattern = PATTERNS[label]
    _grows_linearly(_scan(pattern), _texts(pattern))


WHOLE = (
    *NAMED,
    ("", "`x = y` (line 12) ", ""),  # a line reference paired with the code next to it, many times
    ("SQL injection in `a.py`.", " The same issue exists in b.py.", ""),  # the same problem elsewhere
    ("", "no security issues found ", ""),  # a verdict, many times on one line
    ("## SQL injection\n", "It is vulnerable to injection. Use `x()` instead. ", ""),  # a remedy, again and again
    ("", "a_b.c ", ""),  # names
    ("", "- a\n", ""),  # list items
)


@pytest.mark.case("review-regex-linear")
@pytest.mark.parametrize("text", [Text(*w) for w in WHOLE], ids=[repr(w[1]) for w in WHOLE])
def test_the_reader_takes_linear_time(text):
    """The reader on a text that made it slow: 64 KiB and 1 MiB for the named three, which it must read
    (the reader admits reviews up to 1 MiB); a sixteenth of that for the rest, which are slow for their size."""
    small, large = (64 * 1024, 1024 * 1024) if text in {Text(*named) for named in NAMED} else (16 * 1024, 256 * 1024)
    sizes = tuple(small >> k for k in range(4, -1, -1))
    _timed(read_review, text, sizes, sizes[0], LARGE_FLOOR, 1)  # 16 times the size: the square stops here
    _timed(read_review, text, (small, large), small, LARGE_FLOOR, 1)
