"""Blinks: when (steady intervals, more at pauses and phrase starts, fewer with wide eyes) and
how (closing, hold, opening, depth and left/right asymmetry fitted from capture)."""

from __future__ import annotations

import numpy as np

from ..constants import MODEL_FPS
from . import fitted as F
from .prosody import Prosody
from .shapes import pulse, sample_quantiles

#: A raised-cosine flank spends this fraction of its length between 10 % and 90 %.
_FLANK_10_90 = 0.59
_FLANK_BELOW_10 = (1 - _FLANK_10_90) / 2
PHRASE_START_S = 0.3
#: Gamma shape of the intervals (in units of the expected interval): 1 would be Poisson.
INTERVAL_SHAPE = 4.0


def blink_times(
    pros: Prosody, rate_scale: np.ndarray, wide: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Times (s) of blink midpoints.

    ``rate_scale`` and ``wide`` are (T,) at the model frames: the emotion and strength multiplier
    of the rate and how wide the eyes are held (0-1; fully wide removes 80 % of the blinks).
    """
    frames = len(pros.level_db)
    near_start = np.zeros(frames)
    for s in pros.phrase_starts:
        near_start[s : s + int(PHRASE_START_S * MODEL_FPS)] = 1.0
    weight = 1.0 + F.BLINK_PAUSE_BOOST * pros.pause + F.BLINK_PHRASE_START_BOOST * near_start
    weight /= weight.mean()  # pauses move blinks, the rate stays the fitted one
    rate = F.BLINK_RATE_PER_MIN / 60 * weight * rate_scale * (1 - 0.8 * np.clip(wide, 0, 1))
    expected = np.cumsum(rate) / MODEL_FPS
    count = int(expected[-1] * 2 + 4)
    gaps = rng.gamma(INTERVAL_SHAPE, 1 / INTERVAL_SHAPE, count)
    marks = np.cumsum(gaps) - gaps[0] * rng.uniform()
    index = np.searchsorted(expected, marks[marks < expected[-1]])
    kept, last = [], -np.inf
    for t in pros.frame_times[index]:
        if t - last >= F.BLINK_REFRACTORY_S:
            kept.append(t)
            last = t
    return np.array(kept)


def blink_curves(times: np.ndarray, events: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(N, 2) EyeBlinkLeft/Right on output ``times`` for blinks centred at ``events``."""
    out = np.zeros((len(times), 2))
    n = len(events)
    depth = sample_quantiles(rng.uniform(size=n), F.BLINK_DEPTH)
    closure = sample_quantiles(rng.uniform(size=n), F.BLINK_CLOSURE_S)
    asym = rng.normal(0.0, F.BLINK_ASYMMETRY_SIGMA, n)
    offset = rng.normal(0.0, F.BLINK_OFFSET_SIGMA_S, n)
    # the median blink's raised-cosine flanks and hold, then scaled to each blink's closure
    rise0, fall0 = F.BLINK_CLOSING_S / _FLANK_10_90, F.BLINK_OPENING_S / _FLANK_10_90
    hold0 = max(0.0, F.BLINK_HOLD_S - _FLANK_BELOW_10 * (rise0 + fall0))
    scale = closure / (0.5 * (rise0 + fall0) + hold0)  # time above half height = closure
    rise, fall, hold = rise0 * scale, fall0 * scale, hold0 * scale
    for i in range(n):
        for side, sign in ((0, 0.5), (1, -0.5)):
            start = events[i] - rise[i] + (offset[i] if side else 0.0)
            span, shape = pulse(times, start, rise[i], hold[i], fall[i])
            peak = min(1.0, depth[i] * (1 + sign * asym[i]))
            out[span, side] = np.maximum(out[span, side], peak * shape)
    return out
