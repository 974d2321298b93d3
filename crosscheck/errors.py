"""The errors crosscheck raises on purpose, one family per stage.

The command line catches :class:`CrosscheckError` once and turns it into a single
line on stderr and exit code 2; anything else is a bug.
"""

from __future__ import annotations


class CrosscheckError(Exception):
    """A problem the user can act on; ``str(err)`` says what and what to do."""


class InputError(CrosscheckError):
    """The code or review given cannot be used (missing, unreadable, wrong kind)."""


class AnalyzerError(CrosscheckError):
    """No analyzer produced a result, so no honest report can be made."""


class PluginError(CrosscheckError):
    """An analyzer plugin could not be found or loaded."""


class OutputError(CrosscheckError):
    """A report or summary could not be written where it was asked for (a file in the way, a full disk)."""
