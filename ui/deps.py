"""Which heavy dependencies are importable, checked without importing them."""

from __future__ import annotations

import importlib.util
from functools import cache

#: What a bake needs besides Blender: its own numpy and the extension's wheels. torch is not
#: among them: it is an optional engine (see the preferences).
HEAVY = ("numpy", "soundfile", "soxr")


@cache
def missing_modules() -> tuple[str, ...]:
    return tuple(name for name in HEAVY if importlib.util.find_spec(name) is None)


@cache
def has_torch() -> bool:
    return importlib.util.find_spec("torch") is not None
