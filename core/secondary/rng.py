"""The parts' random generators: one per part, spawned from the take's seed.

Building them (seed hashing, spawning) costs more than all the parts' draws on a short take, so
each thread keeps the generators of its last few seeds and rewinds them to their start state:
the draws are the same as from freshly built ones. Per thread, because a generator must not be
shared by two bakes running at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

_LOCAL = threading.local()
#: Seeds remembered per thread (a batch usually reuses one).
KEEP = 8


def part_generators(seed: int, count: int) -> list[np.random.Generator]:
    """``count`` independent generators from ``SeedSequence(seed).spawn(count)``, each at its
    start state; valid until the next call on the same thread."""
    cache = getattr(_LOCAL, "cache", None)
    if cache is None:
        cache = _LOCAL.cache = OrderedDict()
    key = (seed, count)
    entry = cache.get(key)
    if entry is None:
        spawned = np.random.SeedSequence(seed).spawn(count)
        generators = [np.random.default_rng(s) for s in spawned]
        entry = cache[key] = [(g, g.bit_generator.state) for g in generators]
        if len(cache) > KEEP:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
        for generator, state in entry:
            generator.bit_generator.state = state
    return [generator for generator, _ in entry]
