"""Synthetic Live Link Face recordings for the CSV import tests (core and Blender)."""

from __future__ import annotations

import math

import numpy as np
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES


def app_timecode(seconds: float, rate: int = 60) -> str:
    """``HH:MM:SS:FF.fff`` as the app writes it (``.fff``: thousandths of a timecode frame)."""
    whole = math.floor(seconds)
    frames = (seconds - whole) * rate
    ff = math.floor(frames)
    h, rem = divmod(whole % 86400, 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}:{ff:02d}.{min(999, int((frames - ff) * 1000)):03d}"


def jaw_signal(t: np.ndarray) -> np.ndarray:
    """A speech-like jaw curve in [0, 1]: syllables at 3-5 Hz under a slow envelope."""
    return np.clip(
        0.45
        + 0.3 * np.sin(2 * np.pi * 3.7 * t)
        + 0.15 * np.sin(2 * np.pi * 5.3 * t + 1.0)
        + 0.1 * np.sin(2 * np.pi * 0.4 * t),
        0.0,
        1.0,
    )


def write_app_csv(
    path,
    *,
    seconds: float = 4.0,
    start: float = 17 * 3600 + 42 * 60 + 3.45,
    rate: int = 60,
    capture_hz: float = 59.94,
    jitter: float = 0.002,
    seed: int = 0,
):
    """Write an app-style CSV; returns (times from the first row, JawOpen column, head (N, 3))."""
    rng = np.random.default_rng(seed)
    count = int(seconds * capture_hz)
    t = np.arange(count) / capture_hz + rng.uniform(-jitter, jitter, count)
    t[0] = 0.0
    jaw = jaw_signal(t)
    head = np.stack([0.2 * np.sin(t), 0.1 * np.cos(2 * t), 0.05 * np.sin(3 * t)], axis=1)
    names = list(BLENDSHAPE_NAMES)
    with open(path, "w", newline="") as fh:
        fh.write("Timecode,BlendShapeCount," + ",".join(names) + "\n")
        for i, ti in enumerate(t):
            row = np.zeros(len(names))
            row[names.index("JawOpen")] = jaw[i]
            row[names.index("EyeBlinkLeft")] = 0.5
            row[names.index("HeadYaw") : names.index("HeadRoll") + 1] = head[i]
            # Timecodes are quantised to 1/1000 frame, as the app writes them.
            code = app_timecode(start + ti, rate)
            fh.write(f"{code},{len(names)}," + ",".join(f"{v:.6f}" for v in row) + "\n")
    return t, jaw, head
