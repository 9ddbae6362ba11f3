"""training/drift.py: the level-drift figures of a model whose jaw does or does not follow level."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from neurosync_lipsync.core.audio import SourceAudio, read_audio
from neurosync_lipsync.core.constants import MODEL_FPS

from training import drift
from training.channels import JAW


def test_drifted_swings_the_gain_six_db_each_way_without_clipping():
    audio = SourceAudio(np.full(8000, 0.5, np.float32), 8000, "flat")
    y = drift.drifted(audio).samples
    assert 20 * np.log10(y[2000] / 0.5) == pytest.approx(6.0, abs=0.01)  # t = 0.25 s, peak
    assert 20 * np.log10(y[6000] / y[2000]) == pytest.approx(-12.0, abs=0.01)
    assert np.abs(y).max() <= 1.0


def _fake_generate(follows_level: bool):
    """A stand-in for core.pipeline.generate whose JawOpen is the frame level in dB / 60, or a
    fixed curve of the frame index that ignores the audio."""

    def generate(audio, *, model, reference):
        frames = int(len(audio.samples) / audio.rate * MODEL_FPS)
        hop = audio.rate / MODEL_FPS
        values = np.zeros((frames, 61))
        for i in range(frames):
            chunk = audio.samples[int(i * hop) : int((i + 1) * hop)]
            level = 10 * np.log10(np.mean(chunk.astype(np.float64) ** 2) + 1e-12)
            values[i, JAW] = level / 60 if follows_level else np.sin(i / 7) * 0.1 + 0.2
        return SimpleNamespace(values=values)

    return generate


def test_a_jaw_that_follows_the_level_scores_high_and_one_that_ignores_it_zero(
    monkeypatch, fixtures_dir
):
    wav = fixtures_dir / "speechlike.wav"
    assert read_audio(wav).rate  # the fixture reads
    monkeypatch.setattr(drift, "generate", _fake_generate(True))
    follows = drift.level_drift(None, [wav])
    assert follows["files"] == 1 and follows["corr"] > 0.95
    assert follows["jaw_per_6db"] == pytest.approx(0.1, rel=0.05)  # 6 dB / 60
    monkeypatch.setattr(drift, "generate", _fake_generate(False))
    ignores = drift.level_drift(None, [wav])
    assert ignores["corr"] == 0.0 and ignores["jaw_per_6db"] == 0.0
    assert ignores["relative_change"] == 0.0
    assert "r(jaw change, gain) = 0.00" in drift.describe("clips", ignores)


def test_envelope_r_is_high_for_a_jaw_that_is_the_level_and_finds_its_lag(fixtures_dir):
    audio = read_audio(fixtures_dir / "speechlike.wav")
    frames = int(len(audio.samples) / audio.rate * MODEL_FPS)
    hop = audio.rate / MODEL_FPS
    level = np.array(
        [
            np.sqrt(np.mean(audio.samples[int(i * hop) : int((i + 1) * hop)] ** 2))
            for i in range(frames)
        ]
    )
    late = np.concatenate([np.zeros(3), level[:-3]])  # the jaw 3 frames behind the sound
    assert drift.envelope_r(late, audio) > 0.95
    unrelated = np.sin(np.arange(frames) / 3.0)
    assert drift.envelope_r(unrelated, audio) < 0.5
