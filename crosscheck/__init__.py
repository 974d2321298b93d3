"""crosscheck: hold a prose security review of code up against real static analyzers.

The Python API is :func:`check` (one pair in, a :class:`Report` out) and
:func:`render` (a report in any output format); see :mod:`crosscheck.api`.
They are loaded on first use, so ``import crosscheck`` (and the command line's
``--help`` and ``--version``) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
DISTRIBUTION = "crosscheck-review"
"""The name crosscheck is published under (``pip install crosscheck-review``): ``crosscheck`` on PyPI is
another project. The import package and the command are ``crosscheck``."""

__all__ = ["Report", "__version__", "check", "render"]

_LAZY = {"check": "crosscheck.api", "render": "crosscheck.api", "Report": "crosscheck.results.report"}

if TYPE_CHECKING:
    from crosscheck.api import check, render
    from crosscheck.results.report import Report


def __getattr__(name: str) -> Any:
    """The API's names, imported when first asked for (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'crosscheck' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
