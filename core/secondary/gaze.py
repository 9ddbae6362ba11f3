"""Gaze: fixations and saccades, the same for both eyes, as eye rotations and eye-look channels."""

from __future__ import annotations

import math

import numpy as np

from ..constants import MODEL_FPS
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
    fixation = np.maximum(
        F.FIXATION_MIN_S, sample_quantiles(rng.uniform(size=budget), F.FIXATION_S)
    ).tolist()
    size = sample_quantiles(rng.uniform(0.0, 0.97, budget), F.SACCADE_SIZE_RAD).tolist()
    angle = rng.uniform(0.0, 2 * np.pi, budget)
    cos, sin = np.cos(angle).tolist(), np.sin(angle).tolist()
    size_at, fix_at = size_scale.tolist(), fixation_scale.tolist()
    box_yaw, box_pitch = F.GAZE_BOX_RAD
    onsets, durations, targets = [], [], [(0.0, 0.0)]
    t = -float(rng.uniform(0.0, F.FIXATION_S[1]))
    last = len(frame_times) - 1
    for i in range(budget):  # plain floats: a few steps a second, numpy calls would dominate
        k = min(max(int(t * MODEL_FPS), 0), last)
        t += max(F.FIXATION_MIN_S, fixation[i] * fix_at[k])
        if t >= end:
            break
        step = size[i] * size_at[k]
        yaw, pitch = targets[-1]
        yaw = _reflect(yaw + step * cos[i], box_yaw * size_at[k])
        pitch = _reflect(pitch + step * sin[i], box_pitch * size_at[k])
        move = math.hypot(yaw - targets[-1][0], pitch - targets[-1][1])
        targets.append((yaw, pitch))
        ratio = math.sqrt(move / F.SACCADE_SIZE_RAD[1])
        durations.append(min(max(F.SACCADE_DURATION_S * ratio, 0.03), 0.12))
        onsets.append(t)
    return np.array(onsets), np.array(durations), np.array(targets)


def _reflect(x: float, wall: float) -> float:
    """Fold a coordinate that left [-wall, wall] back inside (a random walk's mirror walls)."""
    if x > wall:
        x = 2 * wall - x
    elif x < -wall:
        x = -2 * wall - x
    return min(max(x, -wall), wall)


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
