"""crosscheck: hold a prose security review of code up against real static analyzers.

The Python API is :func:`check` (one pair in, a :class:`Report` out) and
:func:`render` (a report in any output format); see :mod:`crosscheck.api`.
"""

from __future__ import annotations

__version__ = "0.1.0"

from crosscheck.api import check, render  # noqa: E402  (the modules below read __version__)
from crosscheck.results.report import Report  # noqa: E402

__all__ = ["Report", "__version__", "check", "render"]
