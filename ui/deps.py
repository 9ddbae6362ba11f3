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


#: The Blender versions this release is tested on (README; the manifest's blender_version_min).
TESTED_BLENDER = "Blender 4.2 LTS to 5.3 (Python 3.11 and 3.13)"
NEWEST_TESTED = (5, 3)


def untested_blender(version: tuple[int, ...]) -> str | None:
    """A warning when ``version`` (bpy.app.version) is newer than the tested ones, else None."""
    if tuple(version[:2]) <= NEWEST_TESTED:
        return None
    return f"Blender {version[0]}.{version[1]} is newer than the tested {TESTED_BLENDER}"
