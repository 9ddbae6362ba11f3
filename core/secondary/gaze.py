"""Gaze: fixations and saccades, the same for both eyes, as eye rotations and eye-look channels."""

from __future__ import annotations

import numpy as np

from . import fitted as F
from .shapes import sample_quantiles


def saccades(
    end: float,
    size_scale: np.ndarray,
    fixation_scale: np.ndarray,
    frame_times: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Saccade onsets (S,), durations (S,) and the (S + 1, 2) yaw/pitch fixation targets.

    ``size_scale`` and ``fixation_scale`` (T,) at ``frame_times`` scale the fitted saccade size
    and fixation length (emotion and strength).
    """
    budget = int(end / F.FIXATION_MIN_S) + 2
    u_fix, u_size = rng.uniform(size=budget), rng.uniform(0.0, 0.97, budget)
    angle = rng.uniform(0.0, 2 * np.pi, budget)
    onsets, durations, targets = [], [], [np.zeros(2)]
    t = -rng.uniform(0.0, F.FIXATION_S[1])
    limit = np.array(F.GAZE_BOX_RAD)
    for i in range(budget):
        k = min(np.searchsorted(frame_times, max(t, 0.0)), len(frame_times) - 1)
        t += max(F.FIXATION_MIN_S, sample_quantiles(u_fix[i], F.FIXATION_S) * fixation_scale[k])
        if t >= end:
            break
        size = sample_quantiles(u_size[i], F.SACCADE_SIZE_RAD) * size_scale[k]
        step = size * np.array([np.cos(angle[i]), np.sin(angle[i])])
        targets.append(_reflect(targets[-1] + step, limit * size_scale[k]))
        move = float(np.hypot(*(targets[-1] - targets[-2])))
        ratio = np.sqrt(move / F.SACCADE_SIZE_RAD[1])
        durations.append(float(np.clip(F.SACCADE_DURATION_S * ratio, 0.03, 0.12)))
        onsets.append(t)
    return np.array(onsets), np.array(durations), np.array(targets)


def _reflect(point: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Fold a point that left the box [-box, box] back inside (a random walk's mirror walls)."""
    point = np.where(point > box, 2 * box - point, point)
    point = np.where(point < -box, -2 * box - point, point)
    return np.clip(point, -box, box)


def gaze_rotation(
    times: np.ndarray, onsets: np.ndarray, durations: np.ndarray, targets: np.ndarray
) -> np.ndarray:
    """(N, 2) yaw/pitch in radians on ``times``: held fixations joined by smooth saccades."""
    k = np.searchsorted(onsets, times, side="right")  # saccades begun by each time
    if len(onsets) == 0:
        return np.repeat(targets[:1], len(times), axis=0)
    j = np.maximum(k - 1, 0)
    progress = np.clip((times - onsets[j]) / durations[j], 0.0, 1.0)
    progress = np.where(k == 0, 0.0, progress * progress * (3 - 2 * progress))
    return targets[j] + (targets[j + 1] - targets[j]) * progress[:, None]


def look_channels(yaw: np.ndarray, pitch: np.ndarray) -> dict[str, np.ndarray]:
    """Eye-look weights from eye rotation, with the capture's gains (positive yaw: both eyes
    turn towards the left eye's inner corner; positive pitch: down)."""
    h, v = F.LOOK_PER_YAW * yaw, F.LOOK_PER_PITCH * pitch
    return {
        "EyeLookInLeft": np.maximum(h, 0), "EyeLookOutLeft": np.maximum(-h, 0),
        "EyeLookOutRight": np.maximum(h, 0), "EyeLookInRight": np.maximum(-h, 0),
        "EyeLookDownLeft": np.maximum(v, 0), "EyeLookUpLeft": np.maximum(-v, 0),
        "EyeLookDownRight": np.maximum(v, 0), "EyeLookUpRight": np.maximum(-v, 0),
    }  # fmt: skip


def rotation_from_looks(looks: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`look_channels`: yaw and pitch from a model's own eye-look channels."""
    h = 0.5 * (looks["EyeLookInLeft"] - looks["EyeLookOutLeft"])
    h += 0.5 * (looks["EyeLookOutRight"] - looks["EyeLookInRight"])
    v = 0.5 * (looks["EyeLookDownLeft"] - looks["EyeLookUpLeft"])
    v += 0.5 * (looks["EyeLookDownRight"] - looks["EyeLookUpRight"])
    return h / F.LOOK_PER_YAW, v / F.LOOK_PER_PITCH
