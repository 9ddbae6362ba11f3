"""Best-effort control of how many threads numpy's BLAS (OpenBLAS) uses, without extra packages.

Small models gain nothing from several BLAS threads, and on a busy machine two threads ran the
default model about 1.5x slower than one (measured on the 2-core VM), as with torch. numpy has
no API for this, so the OpenBLAS library numpy loaded is found and its own
``openblas_set_num_threads`` is called (the symbol names of numpy 1.x and 2.x wheels). Where no
OpenBLAS is found (Apple Accelerate, MKL builds) this is a no-op.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

_PREFIXES = ("scipy_openblas", "openblas")
_SUFFIXES = ("64_", "")


def _candidate_files() -> list[str]:
    if sys.platform.startswith("linux"):
        try:
            maps = Path("/proc/self/maps").read_text().splitlines()
        except OSError:
            maps = []
        found = {line.split()[-1] for line in maps if "openblas" in line.lower()}
        return sorted(p for p in found if p.startswith("/"))
    import numpy

    root = Path(numpy.__file__).resolve().parent
    folders = (root / ".dylibs", root / ".libs", root.parent / "numpy.libs")
    return [str(p) for f in folders if f.is_dir() for p in f.iterdir() if "openblas" in p.name]


@cache
def _functions() -> tuple | None:
    """(get, set) of the loaded OpenBLAS, or None when there is none to control."""
    for path in _candidate_files():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _PREFIXES:
            for suffix in _SUFFIXES:
                getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                if getter is not None and setter is not None:
                    getter.restype = ctypes.c_int
                    setter.argtypes = [ctypes.c_int]
                    return getter, setter
    log.debug("no OpenBLAS found to set the thread count of")
    return None


@contextlib.contextmanager
def blas_threads(threads: int | None) -> Iterator[None]:
    """Temporarily set numpy's BLAS thread count (None, or no OpenBLAS: leave it alone)."""
    functions = _functions() if threads else None
    if functions is None:
        yield
        return
    getter, setter = functions
    previous = getter()
    setter(max(1, int(threads)))
    try:
        yield
    finally:
        setter(previous)
