"""The shipped default model: loads without arguments, gives sane curves, moves with speech.

The clip is a held-out voice (flite rms, never trained on) with 0.5 s of silence before and
1.0 s after the speech, committed under training/fixtures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from neurosync_lipsync.core.checkpoint import DEFAULT_MODEL_PATH, load_checkpoint
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES, EMOTION_NAMES, NUM_ARKIT_CHANNELS
from neurosync_lipsync.core.pipeline import generate

from .conftest import NEEDS_TORCH

CLIP = Path(__file__).resolve().parents[2] / "training" / "fixtures" / "held_out_rms.wav"
JAW = BLENDSHAPE_NAMES.index("JawOpen")
LEAD, TAIL = 0.5, 1.0


@pytest.fixture(scope="module")
def loaded():
    return load_checkpoint()


@pytest.fixture(scope="module")
def speech(loaded):
    return generate(CLIP, model=loaded, reference=True)


def test_default_model_loads_with_its_config(loaded):
    assert loaded.path == DEFAULT_MODEL_PATH
    assert DEFAULT_MODEL_PATH.stat().st_size <= 20 * 1024 * 1024
    assert DEFAULT_MODEL_PATH.with_suffix(".json").is_file()
    assert loaded.config.family == "v01a"
    assert loaded.config.band_limit_rate == 16000
    assert loaded.config.output_dim == 68


def test_output_shape_and_range(speech):
    import soundfile as sf

    seconds = sf.info(CLIP).duration
    assert speech.values.shape[1] == 61 and speech.emotions.shape[1] == 7
    assert abs(speech.num_frames - seconds * 60) <= 2
    assert np.isfinite(speech.values).all() and np.isfinite(speech.emotions).all()
    assert speech.values.min() > -0.1 and speech.values.max() < 1.1
    neutral = EMOTION_NAMES.index("Neutral")
    assert (speech.emotions.argmax(axis=1) == neutral).mean() > 0.95


def test_jaw_moves_with_speech_and_rests_in_silence(speech):
    jaw = speech.values[:, JAW]
    t = speech.times
    talking = jaw[(t > LEAD + 0.1) & (t < t[-1] - TAIL - 0.1)]
    quiet = jaw[t > t[-1] - TAIL + 0.3]
    # The targets' jaw contrast curve puts open vowels near 0.2 on this voice and rests near 0.
    assert talking.max() > 0.15 and talking.std() > 0.03
    assert quiet.max() < 0.1
    assert talking.mean() > 3 * max(quiet.mean(), 0.01)


def test_silence_and_noise_give_a_resting_face(loaded):
    rng = np.random.default_rng(0)
    for audio in (
        np.zeros(3 * 16000, np.float32),
        0.003 * rng.standard_normal(3 * 16000).astype(np.float32),
    ):
        out = generate(audio, model=loaded, rate=16000, reference=True)
        assert out.values[:, JAW].max() < 0.12
        assert np.abs(out.values).max() < 0.3


def test_product_mode_is_clamped(loaded):
    out = generate(CLIP, model=loaded)
    keys = out.values[:, :NUM_ARKIT_CHANNELS]  # shape keys; head and eye rotations are signed
    assert keys.min() >= 0.0 and keys.max() <= 1.0
    assert np.abs(out.values[:, NUM_ARKIT_CHANNELS:]).max() <= 0.5


@NEEDS_TORCH
def test_numpy_engine_runs_the_default_model_as_torch_does(speech):
    """The shipped model through the numpy engine (what Blender runs) equals the torch module."""
    torch_out = generate(CLIP, model=load_checkpoint(backend="torch"), reference=True)
    np.testing.assert_allclose(speech.values, torch_out.values, atol=1e-5)
    np.testing.assert_allclose(speech.emotions, torch_out.emotions, atol=1e-5)
