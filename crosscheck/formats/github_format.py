"""GitHub Actions workflow commands: one annotation per result that needs attention, as ``ruff
--output-format github`` writes them.

Each line is ``::error file=PATH,line=N,endLine=M,title=TITLE::MESSAGE`` (``::warning``, ``::notice``); a
result at no place in the code (the verdict, a claim none of whose anchors was found) has no ``file``:
``::error title=TITLE::MESSAGE``, which GitHub shows on the run's summary. What gets a line, at what level
and where, is :mod:`crosscheck.formats.attention`'s selection: a contradicted claim or verdict is an error,
an ungrounded claim or a missed medium finding a warning, a missed high finding an error, an unsupported
defect claim a notice; nothing outside the pull request's change. The message of a claim read from a
pull-request comment names that comment (its URL).

Paths are relative to the working directory, which is the repository's root (the workspace) in a GitHub
Actions job: run crosscheck from there, as for the SARIF report. The lines come in a fixed order: those
without a file first, then by path and line. GitHub turns only a few commands of each level per step into
annotations (ten, as documented when this was written); the others stay in the log.

Text is escaped as GitHub's toolkit does it (``@actions/core``, ``command.ts``): in the message ``%``,
``\\r`` and ``\\n`` become ``%25``, ``%0D`` and ``%0A``; in a property ``:`` and ``,`` also become ``%3A``
and ``%2C``. So no review text can end a command early or start another one (a workflow command is a
line of the job's log that starts with ``::``). Control characters (terminal escape sequences among them,
which the log would play) are taken out of the untrusted text first.
"""

from __future__ import annotations

from collections.abc import Sequence

from crosscheck.formats import attention
from crosscheck.formats.base import ReportFormat
from crosscheck.formats.untrusted import printable
from crosscheck.results.report import Report


def escape_data(value: str) -> str:
    """A command's message, escaped as the toolkit's ``escapeData``."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A command's property value, escaped as the toolkit's ``escapeProperty``."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: Sequence[tuple[str, str | int | None]], message: str) -> str:
    """``::name key=value,key=value::message``, with the properties that have a value, in order."""
    given = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties if value not in (None, ""))
    return f"::{name}{' ' if given else ''}{given}::{escape_data(message)}"


def _title(item: attention.Item) -> str:
    if item.subject is attention.Subject.FINDING:
        return f"crosscheck: {item.id} missed by the review ({attention.plain(item.rule.replace('/', ' ', 1), 80)})"
    if item.subject is attention.Subject.CLAIM:
        return f"crosscheck: {item.id} {item.status} claim"
    return f"crosscheck: the review's verdict is {item.status}"


def annotation(item: attention.Item) -> str:
    """The workflow command of one item."""
    place = item.place
    properties: list[tuple[str, str | int | None]] = [
        ("file", printable(place.path) if place else None),
        ("line", place.line if place else None),
        ("endLine", place.end_line if place else None),
        ("title", _title(item)),
    ]
    return command(item.level.value, properties, "\n".join(attention.lines(item)))


def render(report: Report, color: bool = False) -> str:
    """One workflow command per line; empty when nothing needs attention."""
    return "".join(annotation(item) + "\n" for item in attention.items(report))


FORMAT = ReportFormat(name="github", suffix="github.txt", order=70, default=False, render=render)
"""``--format github``, registered as the entry point ``github`` of ``crosscheck.formats``."""
