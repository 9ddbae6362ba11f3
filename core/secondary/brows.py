"""Brows: raises on stressed syllables (louder, higher), slight drops in low, quiet phrases."""

from __future__ import annotations

import numpy as np

from . import fitted as F
from .blinks import INTERVAL_SHAPE
from .prosody import Prosody
from .shapes import pulse, sample_quantiles

#: Brows lead the stressed syllable: the raise starts this long before it and peaks on it.
RISE_S = 0.2
FALL_S = 0.35
#: Raise lengths are drawn between these quantiles of the fitted ones: the longest so that a
#: raise belongs to its word, not the whole phrase; the shortest (0.4 s) so that it is seen
#: (the capture's shortest are flickers of a held expression).
MIN_LENGTH_QUANTILE = 0.25
MAX_LENGTH_QUANTILE = 0.8


def brow_curves(
    times: np.ndarray, pros: Prosody, shifts: dict[str, np.ndarray], rng: np.random.Generator
) -> np.ndarray:
    """(N, 4) increments of BrowInnerUp, BrowOuterUpLeft/Right and BrowDown (both sides).

    ``shifts`` holds (T,) multipliers at the model frames: ``brow_rate``, ``brow_height``,
    ``brow_length``, ``brow_outer`` (absolute ratio), and ``strength`` (amplitude).
    """
    out = np.zeros((len(times), 4))
    frames, stress = pros.stress_frames, pros.stress
    n = len(frames)
    draws = rng.uniform(size=(max(n, 1), 2))  # height, length
    weight = stress / max(float(stress.mean()), 1e-6) if n else stress
    # a raise blocks the next for its length, so the rate while free is raised to keep the
    # fitted rate over the whole time spoken
    typical = sample_quantiles(0.5, F.BROW_RAISE_SECONDS) + 0.5 * (RISE_S + FALL_S)
    per_second = F.BROW_EVENT_RATE_PER_MIN / 60
    per_second /= max(1.0 - per_second * typical, 0.25)
    # integrate-and-fire: each syllable adds the expected raises since the last chance, in
    # proportion to its prominence; a raise fires when the sum passes a gamma(4) threshold
    # (mean 1), so raises come about as steadily as blinks do
    thresholds = rng.gamma(INTERVAL_SHAPE, 1 / INTERVAL_SHAPE, max(n, 1) + 1)
    level, fired = thresholds[0] * rng.uniform(), 1
    busy_until, previous = -np.inf, 0.0
    for i in range(n):
        f, t = frames[i], pros.frame_times[frames[i]]
        waited, previous = t - max(previous, busy_until), t
        if t - RISE_S < busy_until:
            continue
        level += per_second * waited * weight[i] * shifts["brow_rate"][f]
        if level < thresholds[fired]:
            continue
        level, fired = 0.0, fired + 1
        u_height = 0.5 * stress[i] + 0.5 * draws[i, 0]
        height = F.BROW_REST + sample_quantiles(u_height, F.BROW_RAISE_HEIGHT)
        height *= shifts["brow_height"][f]
        u_length = MIN_LENGTH_QUANTILE + draws[i, 1] * (MAX_LENGTH_QUANTILE - MIN_LENGTH_QUANTILE)
        length = sample_quantiles(u_length, F.BROW_RAISE_SECONDS)
        hold = max(0.0, length * shifts["brow_length"][f] - 0.5 * (RISE_S + FALL_S))
        span, shape = pulse(times, t - RISE_S, RISE_S, hold, FALL_S)
        peak = height * shifts["strength"][f] * shape
        out[span, 0] = np.maximum(out[span, 0], peak)
        outer = shifts["brow_outer"][f] * peak
        out[span, 1] = np.maximum(out[span, 1], outer)
        out[span, 2] = np.maximum(out[span, 2], outer)
        busy_until = t + hold + FALL_S
    low = np.interp(times, pros.frame_times, pros.low_phrase * shifts["strength"])
    out[:, 3] = F.BROW_DROP * low
    return out
