"""Level drift: how much the jaw follows a slow change of level that no mouth would make.

Each recording is played once as it is and once with its gain swung +-6 dB as a 1 Hz sine (a
talker rocking towards and away from the microphone). The JawOpen difference between the two
runs is compared with the gain curve: ``corr`` is their Pearson r (0: the jaw ignores the level,
1: it follows it), ``jaw_per_6db`` the regression slope of the difference on the gain, scaled to
+6 dB, and ``relative_change`` the RMS of the difference over the undrifted jaw's standard
deviation. Means over the recordings.

:func:`envelope_r` asks the same question of one run: how closely a jaw curve follows the
audio's level (Pearson r with the smoothed frame RMS, at the best lag within +-6 frames). On the
NeuroSync clips NeuroSync's own jaw scores 0.20-0.71 (mean 0.50) and v3's 0.65-0.87 (0.75).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from neurosync_lipsync.core.audio import SourceAudio, read_audio, resample
from neurosync_lipsync.core.constants import MODEL_FPS, SAMPLE_RATE
from neurosync_lipsync.core.loudness import frame_levels_db
from neurosync_lipsync.core.pipeline import generate
from scipy import ndimage

from .channels import JAW
from .evaluate import _shift, neurosync_shapes, pearson

SWING_DB = 6.0
SWING_HZ = 1.0


def gain_db(seconds: np.ndarray) -> np.ndarray:
    """The drift in dB at times ``seconds``."""
    return SWING_DB * np.sin(2 * np.pi * SWING_HZ * seconds)


def drifted(audio: SourceAudio) -> SourceAudio:
    """``audio`` with the drift applied (never clipping: scaled down when it would)."""
    t = np.arange(len(audio.samples)) / audio.rate
    y = audio.samples * 10 ** (gain_db(t) / 20)
    peak = float(np.abs(y).max())
    y = y if peak <= 1.0 else y / peak
    return SourceAudio(y.astype(np.float32), audio.rate, audio.name + " (drifted)")


def level_drift(loaded, wavs: list[Path]) -> dict:
    """The figures of the module docstring for ``wavs`` run through ``loaded`` (reference mode)."""
    corr, slope, relative = [], [], []
    for wav in wavs:
        audio = read_audio(wav)
        plain = generate(audio, model=loaded, reference=True).values[:, JAW]
        moved = generate(drifted(audio), model=loaded, reference=True).values[:, JAW]
        n = min(len(plain), len(moved))
        diff, gain = moved[:n] - plain[:n], gain_db(np.arange(n) / MODEL_FPS)
        corr.append(float(np.corrcoef(diff, gain)[0, 1]) if diff.std() > 0 else 0.0)
        slope.append(float(np.polyfit(gain, diff, 1)[0]) * SWING_DB)
        relative.append(float(np.sqrt(np.mean(diff**2)) / (plain[:n].std() + 1e-9)))
    return {
        "files": len(wavs),
        "corr": float(np.mean(corr)),
        "jaw_per_6db": float(np.mean(slope)),
        "relative_change": float(np.mean(relative)),
    }


def level_curve(audio: SourceAudio) -> np.ndarray:
    """The audio's RMS under each model frame (core's :func:`frame_levels_db` as a linear
    level), Gaussian-smoothed with sigma 1.5 frames."""
    samples = resample(audio.samples, audio.rate, SAMPLE_RATE)
    return ndimage.gaussian_filter1d(10 ** (frame_levels_db(samples) / 20), 1.5)


def envelope_r(jaw: np.ndarray, audio: SourceAudio, lags: range = range(-6, 7)) -> float:
    """Pearson r of ``jaw`` (60 fps) with :func:`level_curve` at the best lag in ``lags``."""
    level = level_curve(audio)
    return max(pearson(*_shift(jaw, level, k)) for k in lags)


def envelope_following(loaded, clips: list[Path]) -> dict:
    """Mean :func:`envelope_r` over NeuroSync validation ``clips`` (folders with audio.wav and
    shapes.csv) of ``loaded``'s jaw (reference mode) and of NeuroSync's own."""
    model, reference = [], []
    for clip in clips:
        audio = read_audio(clip / "audio.wav")
        model.append(
            envelope_r(generate(audio, model=loaded, reference=True).values[:, JAW], audio)
        )
        reference.append(envelope_r(neurosync_shapes(clip)[:, JAW], audio))
    return {"model": float(np.mean(model)), "neurosync": float(np.mean(reference))}


def describe(name: str, d: dict) -> str:
    """One line for the evaluation printout."""
    return (
        f"  {name} ({d['files']} files): r(jaw change, gain) = {d['corr']:.2f}, JawOpen "
        f"{d['jaw_per_6db']:+.3f} per +6 dB, change RMS {d['relative_change']:.2f} x the jaw's std"
    )
