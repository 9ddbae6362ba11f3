"""Core-test helpers: the inference backends available here."""

from __future__ import annotations

import importlib.util

import pytest


#: torch is the optional backend and the reference the numpy engine is checked against; the
#: Blender matrix venvs (bpy 4.5, 5.3) have no torch, and run the numpy rows only.
def _has_torch() -> bool:
    try:
        return importlib.util.find_spec("torch") is not None
    except ImportError:  # a test that blocks torch on purpose
        return False


HAS_TORCH = _has_torch()
NEEDS_TORCH = pytest.mark.skipif(not HAS_TORCH, reason="torch (the optional backend) is absent")
BACKENDS = ("numpy", pytest.param("torch", marks=NEEDS_TORCH))
