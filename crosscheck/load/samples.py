"""The sample pairs that ship with crosscheck and that ``crosscheck demo`` checks."""

from __future__ import annotations

from pathlib import Path

from crosscheck.load.manifest import Manifest, load_manifest


def samples_dir() -> Path:
    """``crosscheck/_samples`` in a wheel, the repository's ``samples/`` in a checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_samples"
    return packaged if packaged.is_dir() else here.parent / "samples"


def sample_manifest() -> Manifest:
    """The embedded manifest, ``samples.toml``."""
    return load_manifest(samples_dir() / "samples.toml")
