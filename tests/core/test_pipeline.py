"""The shared synchronous path: product mode, long-audio segmentation, inputs."""

from __future__ import annotations

import numpy as np
import pytest
from neurosync_lipsync.core import pipeline
from neurosync_lipsync.core.audio import SourceAudio, read_audio
from neurosync_lipsync.core.checkpoint import load_checkpoint
from neurosync_lipsync.core.postprocess import ProductOptions


@pytest.fixture(scope="module")
def tiny(fixtures_dir):
    return load_checkpoint(fixtures_dir / "tiny_v01a.pth")


def test_product_mode_defaults(fixtures_dir, tiny):
    result = pipeline.generate(fixtures_dir / "speechlike.wav", model=tiny)
    assert not result.reference and result.fps == 60.0
    assert result.values.shape == (210, 61) and result.emotions.shape == (210, 7)
    # shape keys are weights in [0, 1]; head and eye rotations are signed radians (secondary
    # motion turns the head both ways), kept within a plausible +-0.5 rad
    shapes, rotations = result.values[:, :52], result.values[:, 52:]
    assert shapes.min() >= 0 and shapes.max() <= 1
    assert np.abs(rotations).max() <= 0.5
    assert result.marked[0] == "TongueOut" and len(result.marked) == 10


def test_bytes_and_array_inputs_agree(fixtures_dir, tiny):
    path = fixtures_dir / "speechlike.wav"
    audio = read_audio(path)
    a = pipeline.generate(path.read_bytes(), model=tiny, options=ProductOptions(fps=24))
    b = pipeline.generate(
        audio.samples, rate=audio.rate, model=tiny, options=ProductOptions(fps=24)
    )
    np.testing.assert_array_equal(a.values, b.values)
    assert len(a.times) == 84


def test_progress_is_monotonic(fixtures_dir, tiny):
    seen = []
    pipeline.generate(
        fixtures_dir / "speechlike.wav", model=tiny, progress=lambda f, s: seen.append(f)
    )
    assert seen == sorted(seen) and seen[0] == 0.0 and seen[-1] == 1.0


def speech_with_pauses(seconds: float, rate: int = 16000) -> SourceAudio:
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * rate)) / rate
    envelope = (np.sin(2 * np.pi * 0.23 * t) > -0.2).astype(np.float32)  # ~1 s pauses every 4.3 s
    samples = (0.3 * rng.standard_normal(len(t)) * envelope).astype(np.float32)
    return SourceAudio(samples=samples, rate=rate, name="long")


def test_long_audio_is_cut_at_pauses_on_frame_boundaries(monkeypatch):
    audio = speech_with_pauses(30.0)
    monkeypatch.setattr(pipeline, "PAUSE_SEARCH_SECONDS", 3.0)
    bounds = pipeline.segment_bounds(audio, max_seconds=8.0)
    assert bounds[0][0] == 0 and bounds[-1][1] == 30 * 60 and len(bounds) >= 4
    for (_, end), (start, _) in zip(bounds, bounds[1:], strict=False):
        assert end == start
        cut = audio.samples[int(end / 60 * audio.rate) : int((end + 1) / 60 * audio.rate)]
        assert np.abs(cut).max() == 0.0  # the cut lies in a pause
    assert all(last - first <= 8 * 60 for first, last in bounds)


def test_segmented_output_covers_the_whole_timeline(monkeypatch, tiny):
    audio = speech_with_pauses(20.0)
    whole = pipeline.generate(audio, model=tiny, reference=True)
    monkeypatch.setattr(pipeline, "SEGMENT_SECONDS", 6.0)
    monkeypatch.setattr(pipeline, "PAUSE_SEARCH_SECONDS", 2.0)
    cut = pipeline.generate(audio, model=tiny, reference=True)
    assert cut.values.shape == whole.values.shape
    # Away from the cuts, segment-wise CMVN barely changes the curves.
    assert np.median(np.abs(cut.values - whole.values)) < 0.05 * np.abs(whole.values).mean() + 1e-3


@pytest.mark.parametrize(
    ("seconds", "fps", "rows"), [(4.0, 24, 96), (4.0, 60, 240), (3.5, 30, 105)]
)
def test_row_count_follows_the_audio_length(seconds, fps, rows, tiny):
    audio = speech_with_pauses(seconds)
    result = pipeline.generate(audio, model=tiny, options=ProductOptions(fps=fps))
    assert result.num_frames == rows and result.times[-1] < seconds


def test_silence_gate_closes_the_mouth_in_silence(tiny):
    from neurosync_lipsync.core.postprocess import region_of

    rate = 16000
    loud = 0.1 * np.random.default_rng(3).standard_normal(3 * rate).astype(np.float32)
    audio = SourceAudio(np.concatenate([np.zeros(2 * rate, np.float32), loud]), rate, "gap")
    mouth = [i for i, n in enumerate(pipeline.BLENDSHAPE_NAMES) if region_of(n) == "mouth"]
    # Emotion offsets stay on in pauses by design; switch them off to see the speech motion.
    gated = pipeline.generate(audio, model=tiny, options=ProductOptions(emotion_strength=0))
    open_ = pipeline.generate(
        audio, model=tiny, options=ProductOptions(emotion_strength=0, silence_gate=False)
    )
    quiet = gated.times < 1.8  # well inside the leading silence
    assert np.abs(gated.values[quiet][:, mouth]).max() == 0.0
    assert np.abs(open_.values[quiet][:, mouth]).max() > 0.0  # random weights move in silence
    talking = gated.times > 2.2  # continuous sound: the gate is fully open
    np.testing.assert_allclose(gated.values[talking], open_.values[talking], atol=1e-6)
