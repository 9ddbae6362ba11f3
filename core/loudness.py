"""Per-frame audio level and the silence gate used in product mode.

A model sees CMVN-normalised features, so a stretch of digital silence or a faint noise floor can
look like anything to it; a face should not talk when the track is silent. The gate measures the
level of the audio under each 60 fps model frame (RMS over the same 1470-sample windows the
features use, adjacent pairs combined) and closes the mouth channels where the level is below
``GATE_FLOOR_DB`` dBFS or more than ``GATE_RELATIVE_DB`` below the clip's loud speech (its 95th
percentile frame). The gate opens over ``GATE_KNEE_DB`` and is widened by ``GATE_HOLD_FRAMES``
on each side so consonant onsets and releases are never cut. A pause inside speech that is
closed for at most ``GATE_BRIDGE_FRAMES`` (a breath, a comma) is bridged: the gate stays open
and the model's own curves, whose jaw stays a little open there as a human jaw does, are kept
instead of being shut for a few frames.
"""

from __future__ import annotations

import numpy as np

from . import dsp
from .constants import FRAME_LENGTH, HOP_LENGTH

GATE_FLOOR_DB = -60.0
GATE_RELATIVE_DB = -45.0
GATE_KNEE_DB = 6.0
GATE_HOLD_FRAMES = 4
GATE_BRIDGE_FRAMES = 24  # 0.4 s at 60 fps
_SILENT_DB = -200.0


def frame_levels_db(samples: np.ndarray) -> np.ndarray:
    """dBFS level of 88.2 kHz ``samples`` under each 60 fps model frame, shape (T,)."""
    power = dsp.rms(samples, FRAME_LENGTH, HOP_LENGTH).astype(np.float64) ** 2
    n = len(power)
    paired = power[: n // 2 * 2].reshape(-1, 2).mean(axis=1)
    if n % 2:
        paired = np.append(paired, power[-1])
    with np.errstate(divide="ignore"):
        return np.maximum(10 * np.log10(paired), _SILENT_DB)


def silence_gate(levels_db: np.ndarray) -> np.ndarray:
    """Gain in [0, 1] per frame: 0 in silence, 1 in speech, see the module notes."""
    if len(levels_db) == 0:
        return np.ones(0)
    speech = float(np.percentile(levels_db, 95))
    threshold = max(GATE_FLOOR_DB, speech + GATE_RELATIVE_DB)
    gain = np.clip((levels_db - threshold) / GATE_KNEE_DB, 0.0, 1.0)
    return _bridge_short_pauses(dsp.maximum_filter1d(gain, 2 * GATE_HOLD_FRAMES + 1))


def _bridge_short_pauses(gain: np.ndarray) -> np.ndarray:
    """``gain`` (T,) with every run below 1 that lies between open frames and is at most
    ``GATE_BRIDGE_FRAMES`` long set to 1; leading and trailing silence stay gated."""
    out = gain.copy()
    open_frames = np.flatnonzero(gain >= 1.0)
    for left, right in zip(open_frames[:-1], open_frames[1:], strict=True):
        if 1 < right - left <= GATE_BRIDGE_FRAMES + 1:
            out[left + 1 : right] = 1.0
    return out
