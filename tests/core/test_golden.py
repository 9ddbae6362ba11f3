"""The engine against the golden outputs of the original NeuroSync code."""

from __future__ import annotations

import numpy as np
import pytest
from neurosync_lipsync.core.audio import peak_normalize, read_audio, resample_to_model_rate
from neurosync_lipsync.core.checkpoint import load_checkpoint
from neurosync_lipsync.core.features import extract_features
from neurosync_lipsync.core.pipeline import generate

from .conftest import BACKENDS

FAMILIES = ("v01a", "v2025")


@pytest.fixture(scope="module")
def speech_88k(fixtures_dir):
    audio = read_audio(fixtures_dir / "speechlike.wav")
    return resample_to_model_rate(audio.samples, audio.rate)


def test_resampling_matches_librosa_load(fixtures_dir, speech_88k):
    librosa = pytest.importorskip("librosa")  # the reference; not part of the runtime

    expected, _ = librosa.load(fixtures_dir / "speechlike.wav", sr=88200)
    np.testing.assert_array_equal(speech_88k, expected)


@pytest.mark.parametrize("family", FAMILIES)
def test_features_match_reference(family, speech_88k, reference):
    y = peak_normalize(speech_88k) if family == "v2025" else speech_88k
    features = extract_features(y, family)
    expected = reference[f"features_{family}"]
    assert features.shape == expected.shape
    np.testing.assert_allclose(features, expected, atol=1e-4, rtol=0)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("family", FAMILIES)
def test_one_chunk_matches_reference(family, backend, fixtures_dir, reference):
    loaded = load_checkpoint(fixtures_dir / f"tiny_{family}.pth", backend=backend)
    raw = loaded(reference[f"features_{family}"][:128][None])[0]
    np.testing.assert_allclose(raw, reference[f"raw_chunk_{family}"], atol=1e-4, rtol=0)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("batch_size", [1, 3])
def test_reference_mode_matches_final_output(family, batch_size, backend, fixtures_dir, reference):
    result = generate(
        fixtures_dir / "speechlike.wav",
        model=str(fixtures_dir / f"tiny_{family}.pth"),
        reference=True,
        batch_size=batch_size,
        backend=backend,
    )
    expected = reference[f"final_{family}"]
    assert result.fps == 60.0 and result.family == family
    np.testing.assert_allclose(
        np.hstack([result.values, result.emotions]), expected, atol=1e-4, rtol=0
    )


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("family", FAMILIES)
def test_batched_windows_equal_batch_size_one(family, backend, fixtures_dir):
    loaded = load_checkpoint(fixtures_dir / f"tiny_{family}.pth", backend=backend)
    rng = np.random.default_rng(0)
    windows = rng.standard_normal((4, 128, loaded.config.input_dim)).astype(np.float32)
    batched = loaded(windows)
    single = np.stack([loaded(w[None])[0] for w in windows])
    np.testing.assert_allclose(batched, single, atol=1e-5, rtol=0)
