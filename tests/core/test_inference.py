"""Windowing, cross-fading, batching, cancel and progress."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from neurosync_lipsync.core.checkpoint import load_checkpoint
from neurosync_lipsync.core.errors import CancelledError
from neurosync_lipsync.core.inference import run_model

from .conftest import BACKENDS


@pytest.fixture(scope="module", params=("v01a", "v2025"))
def family(request):
    return request.param


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request, family, fixtures_dir):
    backend = request.param
    return load_checkpoint(fixtures_dir / f"tiny_{family}.pth", backend=backend)


def one_window(loaded, chunk, mode):
    """Pad to 128 like the publishing code and decode alone (batch size 1)."""
    missing = 128 - len(chunk)
    if missing > 0:
        if mode == "reflect":
            tail = np.pad(chunk, ((0, missing), (0, 0)), mode="reflect")[-missing:]
        else:
            tail = np.repeat(chunk[-1:], missing, axis=0)
        chunk = np.vstack([chunk, tail])
    return loaded(chunk[None])[0]


def straightforward_loop(features, loaded):
    """The publishing code's loops, one window at a time, written out plainly."""
    n = len(features)
    if loaded.config.family == "v01a":
        outs = [
            one_window(loaded, features[s : s + 128], "reflect")[: min(128, n - s)]
            for s in range(0, n, 128)
        ]
        return np.concatenate(outs)[:n]
    acc, start = None, 0
    while start < n:
        end = min(start + 128, n)
        out = one_window(loaded, features[start:end], "replicate")[: end - start]
        if acc is None:
            acc = out
        else:
            k = min(32, len(acc), len(out))
            blended = acc.copy()
            for i in range(k):
                a = i / k
                blended[len(acc) - k + i] = (1 - a) * acc[len(acc) - k + i] + a * out[i]
            acc = np.vstack([blended, out[k:]])
        start += 96
    if len(acc) < n:
        acc = np.vstack(
            [acc, one_window(loaded, features[len(acc) : n], "replicate")[: n - len(acc)]]
        )
    return acc[:n]


@pytest.mark.parametrize("frames", [10, 96, 128, 129, 200, 224, 300, 517])
def test_batched_windows_equal_reference_loop(loaded, frames):
    rng = np.random.default_rng(frames)
    features = rng.standard_normal((frames, loaded.config.input_dim)).astype(np.float32)
    expected = straightforward_loop(features, loaded)
    for batch_size in (1, 4, 64):
        got = run_model(features, loaded, batch_size=batch_size)
        assert got.shape == (frames, 68)
        np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)


def test_cancel_event_stops_inference(loaded):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        run_model(np.zeros((300, loaded.config.input_dim), np.float32), loaded, cancel=cancel)


def test_progress_reaches_one(loaded):
    seen = []
    run_model(
        np.zeros((600, loaded.config.input_dim), np.float32),
        loaded,
        batch_size=2,
        progress=lambda f, stage: seen.append(f),
    )
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 1
