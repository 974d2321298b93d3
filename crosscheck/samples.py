"""The sample pairs that ship with crosscheck and that ``crosscheck demo`` checks."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from crosscheck.errors import InputError


@dataclass(frozen=True)
class SamplePair:
    """One embedded code + review pair."""

    id: str
    code: Path
    review: Path
    description: str


def samples_dir() -> Path:
    """``crosscheck/_samples`` in a wheel, the repository's ``samples/`` in a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "_samples"
    return packaged if packaged.is_dir() else here.parent / "samples"


def sample_pairs(root: Path | None = None) -> tuple[SamplePair, ...]:
    """The pairs listed in ``samples.toml``, in file order."""
    root = root or samples_dir()
    manifest = root / "samples.toml"
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise InputError(f"sample manifest {manifest} cannot be read ({err}); reinstall crosscheck") from None
    pairs = []
    for entry in data.get("pair", []):
        pairs.append(SamplePair(id=str(entry["id"]), code=root / entry["code"], review=root / entry["review"],
                                description=str(entry.get("description", ""))))
    return tuple(pairs)
