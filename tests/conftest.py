"""Shared test fixtures: locations of the golden data and the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEUROSYNC_SHARED", REPO.parent / "shared"))
FIXTURES = SHARED / "fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"golden fixtures not found at {FIXTURES}; set NEUROSYNC_SHARED")
    return FIXTURES


@pytest.fixture(scope="session")
def reference(fixtures_dir):
    import numpy as np

    return dict(np.load(fixtures_dir / "reference_outputs.npz"))
