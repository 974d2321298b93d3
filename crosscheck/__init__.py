"""crosscheck: hold a prose security review of code up against real static analyzers."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
