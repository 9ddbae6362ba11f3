"""How the model's 7 emotion outputs modulate the ARKit channels in product mode.

Each emotion contributes a small expression on top of the speech motion, in proportion to its
(temporally smoothed) weight:

    value[t, c] = model[t, c] + sum_e weight[t, e] * strength * strength_e * EMOTION_TABLE[e][c]

The offsets are modest so that speech stays readable at full strength; strength 2 doubles them.
Neutral adds nothing. The table follows FACS descriptions of the basic emotions (AU6+12 for
happiness, AU1+4+15 for sadness, AU4+5+7+23 for anger, AU1+2+5+26 for surprise, AU1+2+4+5+20
for fear, AU9+10 for disgust) mapped onto ARKit names.
"""

from __future__ import annotations

import numpy as np

from .constants import BLENDSHAPE_NAMES, EMOTION_NAMES, MODEL_FPS

#: Offsets per emotion; ``Left``/``Right`` pairs are spelled out so the table is the whole truth.
EMOTION_TABLE: dict[str, dict[str, float]] = {
    "Angry": {
        "BrowDownLeft": 0.45, "BrowDownRight": 0.45, "NoseSneerLeft": 0.20, "NoseSneerRight": 0.20,
        "MouthPressLeft": 0.25, "MouthPressRight": 0.25,
        "EyeSquintLeft": 0.20, "EyeSquintRight": 0.20,
        "JawForward": 0.05,
    },
    "Disgusted": {
        "NoseSneerLeft": 0.45, "NoseSneerRight": 0.45, "MouthUpperUpLeft": 0.30,
        "MouthUpperUpRight": 0.30, "BrowDownLeft": 0.20, "BrowDownRight": 0.20,
        "CheekSquintLeft": 0.15, "CheekSquintRight": 0.15, "MouthShrugLower": 0.10,
    },
    "Fearful": {
        "BrowInnerUp": 0.50, "BrowOuterUpLeft": 0.15, "BrowOuterUpRight": 0.15,
        "EyeWideLeft": 0.40, "EyeWideRight": 0.40, "MouthStretchLeft": 0.30,
        "MouthStretchRight": 0.30, "BrowDownLeft": 0.10, "BrowDownRight": 0.10,
    },
    "Happy": {
        "MouthSmileLeft": 0.40, "MouthSmileRight": 0.40, "CheekSquintLeft": 0.30,
        "CheekSquintRight": 0.30, "EyeSquintLeft": 0.15, "EyeSquintRight": 0.15,
        "MouthDimpleLeft": 0.10, "MouthDimpleRight": 0.10,
    },
    "Neutral": {},
    "Sad": {
        "MouthFrownLeft": 0.40, "MouthFrownRight": 0.40, "BrowInnerUp": 0.45,
        "BrowDownLeft": 0.10, "BrowDownRight": 0.10, "MouthShrugLower": 0.15,
        "EyeSquintLeft": 0.05, "EyeSquintRight": 0.05,
    },
    "Surprised": {
        "BrowInnerUp": 0.45, "BrowOuterUpLeft": 0.50, "BrowOuterUpRight": 0.50,
        "EyeWideLeft": 0.45, "EyeWideRight": 0.45, "JawOpen": 0.08,
    },
}  # fmt: skip

#: The table as a (7, 61) matrix in model order.
EMOTION_MATRIX = np.zeros((len(EMOTION_NAMES), len(BLENDSHAPE_NAMES)))
for _e, _name in enumerate(EMOTION_NAMES):
    for _channel, _offset in EMOTION_TABLE[_name].items():
        EMOTION_MATRIX[_e, BLENDSHAPE_NAMES.index(_channel)] = _offset

#: Emotions change slowly; a 0.5 s moving average keeps per-frame flicker off the face.
EMOTION_SMOOTHING_SECONDS = 0.5


def smooth_emotions(weights: np.ndarray) -> np.ndarray:
    """Moving average of (T, 7) emotion weights over :data:`EMOTION_SMOOTHING_SECONDS`."""
    width = max(1, int(EMOTION_SMOOTHING_SECONDS * MODEL_FPS))
    if len(weights) < 2 or width == 1:
        return weights.astype(np.float64)
    kernel = np.ones(width) / width
    padded = np.pad(
        weights.astype(np.float64), ((width // 2, width - 1 - width // 2), (0, 0)), mode="edge"
    )
    return np.stack(
        [np.convolve(padded[:, e], kernel, mode="valid") for e in range(weights.shape[1])], axis=1
    )


def emotion_offsets(scaled_weights: np.ndarray) -> np.ndarray:
    """(T, 7) already-scaled emotion weights -> (T, 61) additive channel offsets."""
    return scaled_weights @ EMOTION_MATRIX


def directed_weights(keys: tuple[tuple[float, str, float], ...], times: np.ndarray) -> np.ndarray:
    """(N, 7) emotion weights at ``times`` from a directed track of (time, emotion, intensity).

    Between two keys the weights blend linearly; before the first and after the last the nearest
    key holds. A key of intensity ``i`` gives its emotion ``i`` and Neutral ``1 - i``, so the
    weights of every frame sum to 1 (intensity 0 is a neutral face).
    """
    order = sorted(keys, key=lambda k: k[0])
    neutral = EMOTION_NAMES.index("Neutral")
    rows = np.zeros((len(order), len(EMOTION_NAMES)))
    for row, (_, name, intensity) in zip(rows, order, strict=True):
        row[neutral] = 1.0 - intensity
        row[EMOTION_NAMES.index(name)] += intensity
    key_times = np.array([k[0] for k in order], dtype=np.float64)
    return np.stack([np.interp(times, key_times, rows[:, e]) for e in range(rows.shape[1])], axis=1)
