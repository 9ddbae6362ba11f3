"""Which heavy dependencies are importable, checked without importing them."""

from __future__ import annotations

import importlib.util
from functools import cache

HEAVY = ("numpy", "torch", "soundfile", "soxr")


@cache
def missing_modules() -> tuple[str, ...]:
    return tuple(name for name in HEAVY if importlib.util.find_spec(name) is None)
