"""NeuroSync audio features at exactly 60 frames per second.

Both families analyse 88.2 kHz audio in 1470-sample frames every 735 samples (120 per second)
and average adjacent frames in pairs (an odd last frame is kept as is):

- ``v01a``: 26 MFCC with per-utterance cepstral mean-variance normalisation, plus delta and
  delta-delta -> (T, 78).
- ``v2025``: 23 MFCC the same way (69) plus 187 normalised autocorrelation coefficients of
  mean-removed, Hann-windowed, reflect-padded frames -> (T, 256).

The autocorrelation is computed with an FFT instead of the reference's per-frame
``np.correlate``; the values agree to float32 precision and it is two orders of magnitude faster.

Only numpy is used (the primitives are in :mod:`core.dsp`): the MFCC and deltas equal the
reference's ``librosa.feature.mfcc`` / ``librosa.feature.delta`` path to 1e-5 (measured: < 5e-6),
on numpy 1.x and 2.x alike (tests/core/test_features.py keeps the librosa path as the yardstick).
"""

from __future__ import annotations

import numpy as np

from . import dsp
from .constants import (
    FAMILY_V01A,
    FAMILY_V2025,
    FRAME_LENGTH,
    HOP_LENGTH,
    MIN_ANALYSIS_FRAMES,
    SAMPLE_RATE,
)
from .errors import AudioTooShortError, OptionsError

NUM_MFCC = {FAMILY_V01A: 26, FAMILY_V2025: 23}
NUM_AUTOCORR = 187
NUM_MELS = 128
DELTA_WIDTH = 9
FEATURE_DIMS = {FAMILY_V01A: 78, FAMILY_V2025: 3 * 23 + NUM_AUTOCORR}
_BLOCK = 256  # frames per FFT block: bounds memory, stays in cache
#: Any length >= FRAME_LENGTH + NUM_AUTOCORR gives the linear (not circular) correlation at lags
#: 0-187; 1680 = 2^4 * 3 * 5 * 7 is a fast one.
_AUTOCORR_FFT = 1680


def feature_frame_count(num_samples: int) -> int:
    """Number of 60 fps feature frames for ``num_samples`` samples at 88.2 kHz."""
    analysis = 1 + num_samples // HOP_LENGTH
    return (analysis + 1) // 2


def check_length(num_samples: int, name: str = "audio") -> None:
    """Raise :class:`AudioTooShortError` when the reference would refuse the audio."""
    frames = (num_samples - FRAME_LENGTH) // HOP_LENGTH + 1
    if frames < MIN_ANALYSIS_FRAMES:
        seconds = (FRAME_LENGTH + (MIN_ANALYSIS_FRAMES - 1) * HOP_LENGTH) / SAMPLE_RATE
        raise AudioTooShortError(
            f"{name}: {num_samples / SAMPLE_RATE:.3f} s of audio gives {max(frames, 0)} analysis "
            f"frames; at least {MIN_ANALYSIS_FRAMES} ({seconds:.3f} s) are needed"
        )


def extract_features(samples: np.ndarray, family: str, *, name: str = "audio") -> np.ndarray:
    """Compute the features a model of ``family`` expects.

    Parameters
    ----------
    samples : np.ndarray
        Mono float32 audio at 88.2 kHz, shape (n,), already loudness-handled for the family.
    family : {"v01a", "v2025"}
        Model family.
    name : str
        Label for error messages.

    Returns
    -------
    np.ndarray
        float32 array of shape (T, 78) for v01a or (T, 256) for v2025, T = 60 fps frames.
    """
    if family not in NUM_MFCC:
        raise OptionsError(f"unknown model family {family!r}; expected one of {tuple(NUM_MFCC)}")
    y = np.ascontiguousarray(samples, dtype=np.float32)
    check_length(len(y), name)
    parts = [_pair_average(_mfcc_with_deltas(y, NUM_MFCC[family]))]
    if family == FAMILY_V2025:
        parts.append(_pair_average(_autocorrelation(y)))
    return np.ascontiguousarray(np.hstack(parts).astype(np.float32))


def log_mel_spectrogram(y: np.ndarray) -> np.ndarray:
    """Mel power in dB of centred 1470-sample frames every 735 samples, float32 (frames, 128).

    ``librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=88200, n_fft=1470,
    hop_length=735))``: periodic Hann window, zero padding, power 2, 128 Slaney mel bands.
    """
    window = dsp.periodic_hann(FRAME_LENGTH)
    mel_t = dsp.mel_filterbank(SAMPLE_RATE, FRAME_LENGTH, NUM_MELS).T
    frames = dsp.frame(np.pad(y, FRAME_LENGTH // 2), FRAME_LENGTH, HOP_LENGTH)
    mel = np.empty((len(frames), NUM_MELS), dtype=np.float32)
    for start in range(0, len(frames), _BLOCK):
        # float64 frames (as librosa's float64 window makes them), stored as complex64 like its STFT
        spec = np.fft.rfft(frames[start : start + _BLOCK] * window, axis=1).astype(np.complex64)
        mel[start : start + len(spec)] = np.abs(spec) ** 2 @ mel_t
    return dsp.power_to_db(mel)


def _mfcc_with_deltas(y: np.ndarray, n_mfcc: int) -> np.ndarray:
    mfcc = dsp.dct(log_mel_spectrogram(y).T, n_mfcc)  # (n_mfcc, frames)
    mfcc = (mfcc - mfcc.mean(axis=1, keepdims=True)) / (mfcc.std(axis=1, keepdims=True) + 1e-10)
    # librosa.feature.delta: Savitzky-Golay over 9 frames of degree = order, 'interp' edges
    delta = dsp.savgol_filter(mfcc.T, DELTA_WIDTH, 1, deriv=1)
    delta2 = dsp.savgol_filter(mfcc.T, DELTA_WIDTH, 2, deriv=2)
    return np.hstack([mfcc.T, delta, delta2])  # (frames, 3 * n_mfcc)


def _pair_average(frames: np.ndarray) -> np.ndarray:
    """Average frames (rows) in adjacent pairs; an odd last frame is kept unchanged."""
    n = frames.shape[0]
    paired = frames[: n // 2 * 2].reshape(n // 2, 2, -1).mean(axis=1)
    return np.vstack([paired, frames[-1:]]) if n % 2 else paired


def _autocorrelation(y: np.ndarray) -> np.ndarray:
    pad = FRAME_LENGTH // 2
    framed = dsp.frame(np.pad(y, pad, mode="reflect"), FRAME_LENGTH, HOP_LENGTH)
    window = np.hanning(FRAME_LENGTH).astype(np.float32)
    out = np.empty((len(framed), NUM_AUTOCORR), dtype=np.float32)
    for start in range(0, len(framed), _BLOCK):
        block = framed[start : start + _BLOCK].astype(np.float64)
        block -= block.mean(axis=1, keepdims=True)
        block *= window
        spec = np.fft.rfft(block, n=_AUTOCORR_FFT, axis=1)
        corr = np.fft.irfft(spec.real**2 + spec.imag**2, n=_AUTOCORR_FFT, axis=1)
        corr = corr[:, : NUM_AUTOCORR + 1]
        energy = corr[:, :1]
        # Silent frames keep their zeros, as in the reference (it skips the division).
        corr = np.divide(corr, energy, out=np.zeros_like(corr), where=energy > 0)
        out[start : start + len(block)] = corr[:, 1:]
    for edge, neighbour in ((0, 1), (-1, -2)):
        if len(out) > 1 and np.all(np.abs(out[edge]) < 1e-7):
            out[edge] = out[neighbour]
    return out
