"""Shared test fixtures: locations of the golden data and the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Golden data from the original NeuroSync code, kept in the repo (see tests/fixtures/README.md).
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"golden fixtures not found at {FIXTURES}")
    return FIXTURES


@pytest.fixture(scope="session")
def reference(fixtures_dir):
    import numpy as np

    return dict(np.load(fixtures_dir / "reference_outputs.npz"))
