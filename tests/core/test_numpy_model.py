"""The numpy engine against the torch reference modules (same weights, same windows)."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from neurosync_lipsync.core.checkpoint import ModelConfig, load_checkpoint
from neurosync_lipsync.core.numpy_model import NumpySeq2Seq, expected_layout

torch = pytest.importorskip("torch")
from neurosync_lipsync.core.model import Seq2Seq  # noqa: E402 - needs torch
from neurosync_lipsync.core.torch_backend import TorchRunner  # noqa: E402

FF_KEYS = {
    "v01a": "encoder.transformer_encoder.layers.0.linear1.weight",
    "v2025": "encoder.transformer_encoder.0.ffn.linear1.weight",
}


def both(config: ModelConfig, seed: int = 0) -> tuple[NumpySeq2Seq, TorchRunner]:
    """A randomly initialised torch model and the numpy engine holding the same weights."""
    torch.manual_seed(seed)
    module = Seq2Seq.from_config(config).eval()
    state = {k: v.numpy().copy() for k, v in module.state_dict().items()}
    return NumpySeq2Seq(config, state), TorchRunner(module)


@pytest.mark.parametrize("family", ["v01a", "v2025"])
def test_layout_matches_the_torch_modules_and_the_published_files(family, fixtures_dir):
    small = ModelConfig(family, 78, 32, 2, 4, 68, 64)
    module = Seq2Seq.from_config(small)
    assert expected_layout(small) == {k: tuple(v.shape) for k, v in module.state_dict().items()}
    published = json.loads((fixtures_dir / "checkpoint_layouts.json").read_text())[family]
    stated = {k: v for k, v in published["config"].items() if k != "frame_size"}
    ff_dim = published["state_dict"][FF_KEYS[family]][0]
    full = ModelConfig(family, ff_dim=ff_dim, **stated)
    assert expected_layout(full) == {k: tuple(v) for k, v in published["state_dict"].items()}


@pytest.mark.parametrize("family", ["v01a", "v2025"])
@pytest.mark.parametrize("batch", [1, 3])
def test_tiny_fixtures_numpy_equals_torch(family, batch, fixtures_dir):
    path = fixtures_dir / f"tiny_{family}.pth"
    numpy_model, torch_model = load_checkpoint(path), load_checkpoint(path, backend="torch")
    assert numpy_model.backend == "numpy" and torch_model.backend == "torch"
    assert numpy_model.parameter_count == torch_model.parameter_count
    rng = np.random.default_rng(batch)
    x = rng.standard_normal((batch, 128, numpy_model.config.input_dim)).astype(np.float32)
    got, expected = numpy_model(x), torch_model(x)
    assert got.dtype == np.float32 and got.shape == (batch, 128, 68)
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)


@pytest.mark.parametrize("length", [1, 37, 128])
def test_any_window_length(length, fixtures_dir):
    for family in ("v01a", "v2025"):
        path = fixtures_dir / f"tiny_{family}.pth"
        numpy_model, torch_model = load_checkpoint(path), load_checkpoint(path, backend="torch")
        x = np.ones((2, length, numpy_model.config.input_dim), np.float32)
        np.testing.assert_allclose(numpy_model(x), torch_model(x), atol=1e-5, rtol=0)


def test_full_size_v01a_numpy_equals_torch():
    """The published 0.1a architecture (88 M parameters), random weights, one window."""
    start = time.perf_counter()
    config = ModelConfig("v01a", 78, 1024, 4, 4, 68, 2048)
    numpy_model, torch_model = both(config)
    assert numpy_model.parameter_count == torch_model.parameter_count == 88_353_860
    x = np.random.default_rng(0).standard_normal((1, 128, 78)).astype(np.float32)
    expected = torch_model(x)
    np.testing.assert_allclose(numpy_model(x), expected, atol=1e-4, rtol=0)
    assert np.abs(expected).max() > 0.1  # a real signal, not a vanishing output
    assert time.perf_counter() - start < 60


def test_moderate_v2025_numpy_equals_torch():
    """The 2025 architecture at 512 wide, 4 layers, 8 heads (about 30 M parameters)."""
    config = ModelConfig("v2025", 256, 512, 4, 8, 68, 2048)
    numpy_model, torch_model = both(config, seed=1)
    x = np.random.default_rng(1).standard_normal((2, 128, 256)).astype(np.float32)
    expected = torch_model(x)
    np.testing.assert_allclose(numpy_model(x), expected, atol=1e-4, rtol=0)
    assert np.abs(expected).max() > 0.1


@pytest.mark.parametrize("scale", [1.0, 30.0, -100.0])
def test_softmax_attention_at_any_score_range(scale):
    """Small scores take the unshifted path; large ones overflow it, very negative rows
    underflow it, and both must fall back to the shifted softmax."""
    from neurosync_lipsync.core.numpy_model import _softmax_attention

    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((3, 16, 2, 8)).astype(np.float32) for _ in range(3))
    k[..., :] = np.abs(k) if scale < 0 else k  # negative scale: every score is negative
    q = q if scale > 0 else -np.abs(q)
    q *= abs(scale)
    scores = np.einsum("bthd,bshd->bhts", q.astype(np.float64), k.astype(np.float64))
    if scale > 1:
        assert scores.max() > 60  # past the unshifted path's limit
    if scale < 0:
        assert np.exp(scores.astype(np.float32)).sum(axis=-1).min() == 0  # whole rows underflow
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    expected = np.einsum("bhts,bshd->bthd", weights, v.astype(np.float64)).reshape(48, 16)
    got = _softmax_attention(q, k, v)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-4)
