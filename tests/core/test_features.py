"""The numpy feature extractor against the librosa-based one it replaced, to 1e-5.

``librosa_features`` below is the previous ``core/features.py`` path verbatim (librosa MFCC and
deltas, librosa framing, scipy FFTs). It runs on the fixtures, on real speech, at the input rates
people use, on odd lengths, digital silence and the shortest accepted clip. These tests need no
torch, so they also run on numpy 2 (see the module notes of tests/core/test_dsp.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from neurosync_lipsync.core.audio import peak_normalize, read_audio, resample_to_model_rate
from neurosync_lipsync.core.constants import FRAME_LENGTH, HOP_LENGTH, MIN_ANALYSIS_FRAMES
from neurosync_lipsync.core.features import (
    _AUTOCORR_FFT,
    NUM_AUTOCORR,
    NUM_MFCC,
    _pair_average,
    extract_features,
    log_mel_spectrogram,
)

librosa = pytest.importorskip("librosa")
scipy_fft = pytest.importorskip("scipy.fft")

REPO = Path(__file__).resolve().parents[2]
SPEECH = {
    "speechlike": REPO / "tests" / "fixtures" / "speechlike.wav",
    "voice": REPO / "demo" / "voice.ogg",
    "held_out": REPO / "training" / "fixtures" / "held_out_rms.wav",
}
FAMILIES = ("v01a", "v2025")
TOLERANCE = 1e-5
#: The fewest samples at 88.2 kHz that give MIN_ANALYSIS_FRAMES uncentred frames.
SHORTEST = FRAME_LENGTH + (MIN_ANALYSIS_FRAMES - 1) * HOP_LENGTH


def librosa_features(y: np.ndarray, family: str) -> np.ndarray:
    """The librosa/scipy feature path this project used before core/dsp.py (the yardstick)."""
    n_mfcc = NUM_MFCC[family]
    mfcc = librosa.feature.mfcc(
        y=y, sr=88200, n_mfcc=n_mfcc, n_fft=FRAME_LENGTH, hop_length=HOP_LENGTH
    )
    mfcc = (mfcc - mfcc.mean(axis=1, keepdims=True)) / (mfcc.std(axis=1, keepdims=True) + 1e-10)
    delta = librosa.feature.delta(mfcc)
    delta2 = librosa.feature.delta(mfcc, order=2)
    parts = [_pair_average(np.vstack([mfcc, delta, delta2]).T)]
    if family == "v2025":
        framed = librosa.util.frame(
            np.pad(y, FRAME_LENGTH // 2, mode="reflect"),
            frame_length=FRAME_LENGTH,
            hop_length=HOP_LENGTH,
        )
        window = np.hanning(FRAME_LENGTH).astype(np.float32)
        n_fft = scipy_fft.next_fast_len(2 * FRAME_LENGTH - 1, real=True)
        block = framed.T.astype(np.float64)
        block -= block.mean(axis=1, keepdims=True)
        block *= window
        spec = scipy_fft.rfft(block, n=n_fft, axis=1)
        corr = scipy_fft.irfft(spec.real**2 + spec.imag**2, n=n_fft, axis=1)[:, : NUM_AUTOCORR + 1]
        energy = corr[:, :1]
        corr = np.divide(corr, energy, out=np.zeros_like(corr), where=energy > 0)
        out = corr[:, 1:].astype(np.float32)
        for edge, neighbour in ((0, 1), (-1, -2)):
            if len(out) > 1 and np.all(np.abs(out[edge]) < 1e-7):
                out[edge] = out[neighbour]
        parts.append(_pair_average(out))
    return np.hstack(parts).astype(np.float32)


def speech_88k(name: str) -> np.ndarray:
    audio = read_audio(SPEECH[name])
    return resample_to_model_rate(audio.samples, audio.rate)


def at_rate(rate: int, length_offset: int) -> np.ndarray:
    """The fixture speech carried to ``rate`` (odd lengths), then to 88.2 kHz like the pipeline."""
    audio = read_audio(SPEECH["speechlike"])
    y = librosa.resample(audio.samples, orig_sr=audio.rate, target_sr=rate, res_type="soxr_hq")
    return resample_to_model_rate(y[: len(y) - length_offset], rate)


def assert_features_match(y: np.ndarray, family: str) -> None:
    if family == "v2025":
        y = peak_normalize(y)
    ours = extract_features(y, family)
    expected = librosa_features(y, family)
    assert ours.dtype == np.float32 and ours.shape == expected.shape
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, expected, rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("name", sorted(SPEECH))
def test_speech(name, family):
    assert_features_match(speech_88k(name), family)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(
    ("rate", "length_offset"), [(8000, 1), (22050, 7), (44100, 3), (48000, 0), (96000, 5)]
)
def test_input_rates_and_odd_lengths(rate, length_offset, family):
    assert_features_match(at_rate(rate, length_offset), family)


@pytest.mark.parametrize("family", FAMILIES)
def test_speech_between_digital_silences(family):
    """Frames at librosa's amin floor and its 80 dB top_db clamp, in one clip."""
    y = speech_88k("speechlike")
    silence = np.zeros(44_100, np.float32)
    assert_features_match(np.concatenate([silence, y, silence]), family)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("seconds", [0.5, 3.0])
def test_digital_silence(family, seconds):
    assert_features_match(np.zeros(int(seconds * 88200), np.float32), family)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("extra", [0, 1, HOP_LENGTH, HOP_LENGTH + 1, 3 * HOP_LENGTH - 1])
def test_shortest_clips(family, extra):
    """From the shortest clip the deltas accept (11 centred frames) up."""
    y = speech_88k("voice")
    assert_features_match(y[44_100 : 44_100 + SHORTEST + extra], family)


def test_log_mel_matches_librosa():
    y = speech_88k("voice")
    expected = librosa.power_to_db(
        librosa.feature.melspectrogram(y=y, sr=88200, n_fft=FRAME_LENGTH, hop_length=HOP_LENGTH)
    ).T
    ours = log_mel_spectrogram(y)
    assert ours.dtype == expected.dtype == np.float32
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-4)


def test_autocorrelation_fft_is_long_enough_for_linear_correlation():
    # Shorter than this, the circular correlation would wrap into the lags kept.
    assert _AUTOCORR_FFT >= FRAME_LENGTH + NUM_AUTOCORR
