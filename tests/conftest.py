"""Shared fixtures: paths into the repository and a JSON Schema validator for reports."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"


@pytest.fixture(scope="session")
def report_schema() -> dict:
    return json.loads(resources.files("crosscheck").joinpath("schema/report.schema.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def validate_report(report_schema):
    validator = jsonschema.Draft202012Validator(report_schema)

    def validate(data: dict) -> None:
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])

    return validate


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Every test shares one fresh crosscheck cache; the user's own cache is never touched."""
    import os

    folder = tmp_path_factory.mktemp("crosscheck-cache")
    old = os.environ.get("CROSSCHECK_CACHE_DIR")
    os.environ["CROSSCHECK_CACHE_DIR"] = str(folder)
    yield folder
    if old is None:
        del os.environ["CROSSCHECK_CACHE_DIR"]
    else:
        os.environ["CROSSCHECK_CACHE_DIR"] = old
