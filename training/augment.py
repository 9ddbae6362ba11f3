"""Audio augmentation at the source rate: gain, EQ, synthetic reverb, noise.

Speed perturbation is applied later, when resampling to 88.2 kHz (the clip is treated as if it
had been recorded at ``rate * factor``), and the phone times are divided by the same factor.
"""

from __future__ import annotations

import numpy as np
from scipy import signal


def eq(y: np.ndarray, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Random high-pass (telephone/laptop mics), low-pass and a tilt of +-6 dB."""
    out = y
    if rng.random() < 0.5:
        sos = signal.butter(2, rng.uniform(80, 400), "highpass", fs=rate, output="sos")
        out = signal.sosfilt(sos, out)
    if rng.random() < 0.4:
        sos = signal.butter(
            2, rng.uniform(2800, min(7500, rate * 0.45)), "lowpass", fs=rate, output="sos"
        )
        out = signal.sosfilt(sos, out)
    sos = signal.butter(1, rng.uniform(500, 2500), "highpass", fs=rate, output="sos")
    high = signal.sosfilt(sos, out)
    out = out + rng.uniform(-0.5, 1.0) * high  # tilt: -6 .. +6 dB at the top
    return out.astype(np.float32)


def reverb(y: np.ndarray, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Exponentially decaying noise impulse response, RT60 0.15-0.8 s, random wet mix."""
    rt60 = rng.uniform(0.15, 0.8)
    n = int(rt60 * rate)
    t = np.arange(n) / rate
    ir = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)
    ir[: int(0.003 * rate)] *= np.linspace(0, 1, int(0.003 * rate))  # early-reflection gap
    ir /= np.sqrt(np.sum(ir**2)) + 1e-9
    wet = signal.fftconvolve(y, ir)[: len(y)]
    mix = rng.uniform(0.15, 0.6)
    return ((1 - mix) * y + mix * wet * (np.std(y) / (np.std(wet) + 1e-9))).astype(np.float32)


def coloured_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """White, pink or brown noise with unit standard deviation."""
    exponent = rng.choice([0.0, 1.0, 2.0])
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spec), dtype=np.float64)
    f[0] = 1.0
    noise = np.fft.irfft(spec / f ** (exponent / 2), n)
    return (noise / (np.std(noise) + 1e-12)).astype(np.float32)


def add_noise(y: np.ndarray, rng: np.random.Generator, snr_db: float | None = None) -> np.ndarray:
    snr = rng.uniform(5, 35) if snr_db is None else snr_db
    active = y[np.abs(y) > 0.02 * (np.abs(y).max() + 1e-9)]
    level = np.sqrt(np.mean(active**2)) if active.size else 0.05
    return (y + coloured_noise(len(y), rng) * level / 10 ** (snr / 20)).astype(np.float32)


def augment(y: np.ndarray, rate: int, rng: np.random.Generator) -> np.ndarray:
    """A random subset of EQ, reverb and noise, then a random gain."""
    if rng.random() < 0.5:
        y = eq(y, rate, rng)
    if rng.random() < 0.35:
        y = reverb(y, rate, rng)
    if rng.random() < 0.5:
        y = add_noise(y, rng)
    peak = float(np.abs(y).max()) + 1e-9
    return (y / peak * rng.uniform(0.1, 0.95)).astype(np.float32)
