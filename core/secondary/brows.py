"""Brows: raises on stressed syllables (louder, higher), slight drops in low, quiet phrases."""

from __future__ import annotations

import numpy as np

from ..constants import MODEL_FPS
from . import fitted as F
from .prosody import Prosody
from .shapes import pulse, sample_quantiles

#: Brows lead the stressed syllable: the raise starts this long before it and peaks on it.
RISE_S = 0.2
FALL_S = 0.35
#: Longest raise drawn (quantile), so that a raise belongs to its word, not the whole phrase.
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
    speech_minutes = pros.speech.sum() / MODEL_FPS / 60
    n = len(frames)
    draws = rng.uniform(size=(max(n, 1), 3))
    if n:
        # each nucleus raises the brows with a chance in proportion to its prominence, so that
        # over the take there are the fitted number of raises per minute of speech
        weight = stress / max(stress.mean(), 1e-6)
        chance = F.BROW_EVENT_RATE_PER_MIN * speech_minutes / n * weight
        chance = np.clip(chance * shifts["brow_rate"][frames], 0.0, 1.0)
        busy_until = -np.inf
        for i in np.flatnonzero(draws[:n, 0] < chance):
            f, t = frames[i], pros.frame_times[frames[i]]
            if t - RISE_S < busy_until:
                continue
            u_height = 0.5 * stress[i] + 0.5 * draws[i, 1]
            height = sample_quantiles(u_height, F.BROW_RAISE_HEIGHT) * shifts["brow_height"][f]
            length = sample_quantiles(draws[i, 2] * MAX_LENGTH_QUANTILE, F.BROW_RAISE_SECONDS)
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
