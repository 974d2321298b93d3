"""Where crosscheck keeps what it caches (fetched sources, analyses, reports) unless told otherwise.

A module of its own, so that what only needs the place (the analysis cache, on the way to every
analyzer run) does not load what fetches sources over the network.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_cache_dir"]


def default_cache_dir() -> Path:
    """``$CROSSCHECK_CACHE_DIR`` if set, else the user cache directory; sources live in ``<cache>/sources/``."""
    env = os.environ.get("CROSSCHECK_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs  # only when the environment does not say

    return Path(platformdirs.user_cache_dir("crosscheck"))
