"""The secondary layer's fast numpy helpers give the same bits as the plain numpy they replace."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES
from neurosync_lipsync.core.secondary import FLAT_RANGE, PART_CHANNELS, PARTS, flat_channels
from neurosync_lipsync.core.secondary.prosody import decimate
from neurosync_lipsync.core.secondary.rng import KEEP, part_generators
from neurosync_lipsync.core.secondary.shapes import edge_pad, median, percentile, sliding_max


def _samples(rng: np.random.Generator, n: int) -> np.ndarray:
    x = (rng.standard_normal(n) * 10 ** rng.uniform(-6, 0)).astype(np.float32)
    x[rng.uniform(size=n) < 0.2] = -0.0  # signed zeros: numpy's sum starts from +0.0
    x[rng.uniform(size=n) < 0.1] = 0.0
    return x


@pytest.mark.parametrize("step", [*range(1, 13), 22, 200])
def test_decimate_is_numpys_row_mean(step):
    rng = np.random.default_rng(step)
    for n in (0, step - 1, 4099):
        x = _samples(rng, n)
        want = x[: n // step * step].reshape(-1, step).mean(axis=1)
        got = decimate(x, step)
        assert got.dtype == want.dtype
        assert np.array_equal(got, want)
        assert np.array_equal(np.signbit(got), np.signbit(want))


def test_decimate_takes_float64_samples():
    x = np.random.default_rng(1).standard_normal(1001)
    want = x[:1000].astype(np.float32).reshape(-1, 5).mean(axis=1)
    assert np.array_equal(decimate(x, 5), want)


@pytest.mark.parametrize(("before", "after"), [(0, 0), (1, 0), (0, 3), (9, 9), (15, 14)])
def test_edge_pad_and_sliding_max_match_numpy(before, after):
    rng = np.random.default_rng(before * 31 + after)
    for n in (1, 2, 10, 333):
        x = rng.standard_normal(n)
        padded = np.pad(x, (before, after), mode="edge")
        assert np.array_equal(edge_pad(x, before, after), padded)
        window = np.lib.stride_tricks.sliding_window_view(padded, before + after + 1)
        assert np.array_equal(sliding_max(x, before, after), window.max(axis=1))


def test_flat_channels_is_the_percentile_span_rule():
    rng = np.random.default_rng(3)
    names = [n for part in PARTS for n in PART_CHANNELS[part]]
    idx = [BLENDSHAPE_NAMES.index(n) for n in names]
    for trial in range(20):
        values = np.full((300, 61), 0.3) + rng.normal(0, 0.001, (300, 61))
        # spans straddling FLAT_RANGE, spikes that the percentiles ignore, and constant channels
        span = rng.uniform(0.8, 1.2, len(idx)) * FLAT_RANGE
        values[:, idx] += np.linspace(0, 1, 300)[:, None] * span
        values[rng.integers(0, 300, 2), idx[trial % len(idx)]] += 0.5
        values[:, idx[(trial + 1) % len(idx)]] = 0.2
        lo, hi = np.percentile(values[:, idx], [1, 99], axis=0)
        want = {n for n, s in zip(names, hi - lo, strict=True) if s < FLAT_RANGE}
        assert flat_channels(values) == want
    assert flat_channels(np.zeros((0, 61))) == set(names)


@pytest.mark.parametrize("n", [*range(1, 12), 210, 741])
def test_percentile_and_median_are_numpys_to_the_bit(n):
    rng = np.random.default_rng(n)
    for trial in range(10):
        x = rng.standard_normal(n) * 10 ** rng.uniform(-3, 3)
        if trial % 2:
            x = np.round(x, 1)  # ties
        for q in (0, 1, 5, 33.3, 50, 95, 99, 100):
            assert percentile(x, q) == np.percentile(x, q)
        assert median(x) == np.median(x)
        cols = rng.standard_normal((n, 4))
        assert np.array_equal(percentile(cols, [1, 99]), np.percentile(cols, [1, 99], axis=0))


def _draws(generators) -> list[np.ndarray]:
    return [g.uniform(size=5) for g in generators]


def test_part_generators_restart_from_their_seed():
    fresh = [np.random.default_rng(s) for s in np.random.SeedSequence(42).spawn(4)]
    want = _draws(fresh)
    assert np.array_equal(_draws(part_generators(42, 4)), want)
    for seed in range(KEEP + 2):  # other seeds push 42 out of the cache and back in
        part_generators(seed, 4)[0].uniform()
        assert np.array_equal(_draws(part_generators(42, 4)), want)
    assert not np.array_equal(_draws(part_generators(43, 4))[0], want[0])


def test_part_generators_are_not_shared_between_threads():
    here = part_generators(5, 4)
    there = []
    worker = threading.Thread(target=lambda: there.extend(part_generators(5, 4)))
    worker.start()
    worker.join()
    assert not any(a is b for a in here for b in there)
    assert np.array_equal(_draws(here), _draws(there))
