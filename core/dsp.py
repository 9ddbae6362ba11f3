"""Signal-processing primitives in numpy alone, equal to the librosa and scipy calls they replace.

The runtime ships with numpy, soundfile and soxr only: librosa (and the numba it compiles with) and
scipy stay test dependencies, and ``tests/core/test_dsp.py`` compares every function here with
the call it stands for:

- :func:`frame`: ``librosa.util.frame(x, frame_length, hop_length).T``
- :func:`periodic_hann`: ``scipy.signal.get_window("hann", n)`` (librosa's STFT window)
- :func:`mel_filterbank`: ``librosa.filters.mel`` (Slaney scale and norm, float32)
- :func:`power_to_db`: ``librosa.power_to_db`` (ref 1, amin 1e-10, top_db 80)
- :func:`dct`: ``scipy.fft.dct(type=2, norm="ortho")``
- :func:`savgol_coeffs`, :func:`savgol_filter`: ``scipy.signal.savgol_filter(mode="interp")``
- :func:`rms`: ``librosa.feature.rms`` (centred, zero-padded)
- :func:`maximum_filter1d`: ``scipy.ndimage.maximum_filter1d(mode="nearest")``

Every FFT is given float64 input: numpy 1.x computes a float32 FFT in float64 but numpy 2.x in
float32, and librosa's STFT multiplies by a float64 window before its FFT, so float64 is both
what librosa computes and the same on both numpy majors.
"""

from __future__ import annotations

from functools import cache
from math import factorial

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def frame(x: np.ndarray, length: int, hop: int) -> np.ndarray:
    """Read-only view of ``x`` (n,) as frames (1 + (n - length) // hop, length)."""
    return sliding_window_view(x, length)[::hop]


@cache
def periodic_hann(n: int) -> np.ndarray:
    """DFT-even Hann window (n,) float64, computed as scipy does (cos over an n + 1 grid)."""
    w = np.zeros(n + 1) + 0.5
    w += 0.5 * np.cos(np.linspace(-np.pi, np.pi, n + 1))
    w = w[:-1]
    w.flags.writeable = False
    return w


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    mels = hz / (200.0 / 3)
    log_part = hz >= 1000.0
    mels[log_part] = 15.0 + np.log(hz[log_part] / 1000.0) / (np.log(6.4) / 27.0)
    return mels


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    freqs = (200.0 / 3) * mels
    log_part = mels >= 15.0
    freqs[log_part] = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mels[log_part] - 15.0))
    return freqs


@cache
def mel_filterbank(rate: int, n_fft: int, n_mels: int = 128) -> np.ndarray:
    """Slaney-normalised triangular mel filters from 0 Hz to ``rate / 2``, float32 (n_mels, bins).

    Follows ``librosa.filters.mel`` step by step (float64 ramps stored in float32, then scaled),
    so the weights are the same to the last bit.
    """
    fftfreqs = np.fft.rfftfreq(n=n_fft, d=1.0 / rate)
    edges = _hz_to_mel(np.array([0.0, float(rate) / 2]))
    mel_f = _mel_to_hz(np.linspace(edges[0], edges[1], n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((n_mels, len(fftfreqs)), dtype=np.float32)
    for i in range(n_mels):
        weights[i] = np.maximum(0, np.minimum(-ramps[i] / fdiff[i], ramps[i + 2] / fdiff[i + 1]))
    weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, np.newaxis]
    weights.flags.writeable = False
    return weights


def power_to_db(power: np.ndarray, *, amin: float = 1e-10, top_db: float = 80.0) -> np.ndarray:
    """``10 log10(max(amin, power))`` floored at ``top_db`` below the array's maximum (ref 1)."""
    log_spec = 10.0 * np.log10(np.maximum(power.dtype.type(amin), power))
    return np.maximum(log_spec, log_spec.max() - log_spec.dtype.type(top_db))


@cache
def _dct_basis(n: int, keep: int) -> np.ndarray:
    k = np.arange(1, keep)[:, None]
    basis = np.cos(np.pi * k * (2 * np.arange(n)[None, :] + 1) / (2 * n)) * np.sqrt(2.0 / n)
    basis.flags.writeable = False
    return basis


def dct(x: np.ndarray, keep: int) -> np.ndarray:
    """First ``keep`` orthonormal DCT-II coefficients along axis 0 of (n, frames) ``x``.

    Computed in float64 and returned in ``x``'s dtype. Coefficient 0 is the scaled mean and the
    others see ``x`` minus its mean: the same transform, but a constant input (digital silence)
    gives exact zeros above coefficient 0, as scipy's FFT-based DCT does.
    """
    data = np.asarray(x, dtype=np.float64)
    mean = data.mean(axis=0, keepdims=True)
    out = np.empty((keep, data.shape[1]))
    out[0] = mean[0] * np.sqrt(len(data))
    np.matmul(_dct_basis(len(data), keep), data - mean, out=out[1:])
    return out.astype(x.dtype, copy=False)


@cache
def savgol_coeffs(
    window: int, polyorder: int, deriv: int = 0, pos: int | None = None
) -> np.ndarray:
    """Savitzky-Golay weights, float64 (window,).

    Dotted with ``window`` samples they give the ``deriv``-th derivative at sample ``pos``
    (default: the centre) of the samples' least-squares polynomial of degree ``polyorder``.
    Other positions serve scipy's 'interp' edges: it fits that polynomial to the first or last
    window and evaluates it at the edge samples, which is the same linear map.
    """
    pos = window // 2 if pos is None else pos
    offsets = np.arange(-pos, window - pos, dtype=np.float64)
    design = offsets[None, :] ** np.arange(polyorder + 1, dtype=np.float64)[:, None]
    target = np.zeros(polyorder + 1)
    target[deriv] = factorial(deriv)
    coeffs = np.linalg.lstsq(design, target, rcond=None)[0]
    coeffs.flags.writeable = False
    return coeffs


def savgol_filter(x: np.ndarray, window: int, polyorder: int, deriv: int = 0) -> np.ndarray:
    """Savitzky-Golay filter along axis 0 with scipy's ``mode="interp"`` edges.

    Parameters
    ----------
    x : np.ndarray
        float32 or float64 array of shape (T, ...) with T >= ``window`` (odd).

    Returns
    -------
    np.ndarray
        Same shape and float dtype as ``x``; computed in float64.
    """
    n, half = len(x), window // 2
    if window % 2 == 0 or not polyorder < window <= n:
        raise ValueError(f"savgol_filter needs an odd window in ({polyorder}, {n}], got {window}")
    data = np.asarray(x, dtype=np.float64)
    out = np.empty(data.shape)
    centre = savgol_coeffs(window, polyorder, deriv)
    interior = out[half : n - half]
    np.multiply(data[: n - 2 * half], centre[0], out=interior)
    for j in range(1, window):
        interior += centre[j] * data[j : n - 2 * half + j]
    edges = np.stack([savgol_coeffs(window, polyorder, deriv, p) for p in range(window)])
    out[:half] = np.tensordot(edges[:half], data[:window], axes=1)
    out[n - half :] = np.tensordot(edges[window - half :], data[n - window :], axes=1)
    return out.astype(np.float32) if x.dtype == np.float32 else out


def rms(y: np.ndarray, length: int, hop: int) -> np.ndarray:
    """Root mean square of centred, zero-padded frames of float32 ``y``, shape (1 + n // hop,)."""
    padded = np.pad(y, length // 2, mode="constant")
    # The (length, frames) layout and float32 mean are librosa's, so the sums round alike.
    frames = frame(padded, length, hop).T
    return np.sqrt(np.mean(np.square(frames, dtype=np.float32), axis=0))


def maximum_filter1d(x: np.ndarray, size: int) -> np.ndarray:
    """Running maximum over ``size`` (odd) samples of (n,) ``x``, edges repeat the end values."""
    half = size // 2
    return frame(np.pad(x, half, mode="edge"), size, 1).max(axis=1)
