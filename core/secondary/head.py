"""Head: slow sway while speaking (stillness in silence) and nods on emphasised syllables."""

from __future__ import annotations

import numpy as np

from ..constants import MODEL_FPS
from . import fitted as F
from .prosody import Prosody
from .shapes import moving_average, pulse

#: Sinusoids per axis that make up the sway; their frequencies lie below the fitted corner.
SWAY_PARTIALS = 6
SWAY_LOWEST_HZ = 0.05
#: A syllable this prominent or more nods the head; nods at least this far apart.
NOD_STRESS = 0.6
NOD_GAP_S = 0.6
ACTIVITY_S = 0.8


def head_curves(
    times: np.ndarray, pros: Prosody, scale: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """(N, 3) HeadYaw/Pitch/Roll in radians on output ``times``.

    ``scale`` (T,) at the model frames multiplies the amplitude (emotion and strength).
    """
    freqs = rng.uniform(SWAY_LOWEST_HZ, F.HEAD_SWAY_CORNER_HZ, (3, SWAY_PARTIALS))
    phases = rng.uniform(0.0, 2 * np.pi, (3, SWAY_PARTIALS))
    weights = rng.uniform(0.5, 1.0, (3, SWAY_PARTIALS))
    # a sum of unit sinusoids with weights w has variance sum(w^2) / 2
    norm = np.array(F.HEAD_SWAY_RAD) / np.sqrt(0.5 * (weights**2).sum(axis=1))
    sway = np.sin(2 * np.pi * times[:, None, None] * freqs + phases) * weights
    out = sway.sum(axis=2) * norm
    talk = moving_average(pros.speech.astype(np.float64), int(ACTIVITY_S * MODEL_FPS))
    activity = F.HEAD_SILENCE_FACTOR + (1 - F.HEAD_SILENCE_FACTOR) * talk
    gain = np.interp(times, pros.frame_times, activity * scale)
    out *= gain[:, None]
    last = -np.inf
    for f, s in zip(pros.stress_frames, pros.stress, strict=True):
        t = pros.frame_times[f]
        if s < NOD_STRESS or t - last < NOD_GAP_S:
            continue
        last = t
        rise, fall = 0.35 * F.HEAD_NOD_SECONDS, 0.65 * F.HEAD_NOD_SECONDS
        span, shape = pulse(times, t - rise, rise, 0.0, fall)
        out[span, 1] += F.HEAD_NOD_RAD * s * scale[f] * shape
    return out
