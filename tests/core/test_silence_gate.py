"""Product mode's silence gate (core/loudness.py): silence closes the mouth, short pauses do not."""

from __future__ import annotations

import numpy as np
from neurosync_lipsync.core.loudness import GATE_BRIDGE_FRAMES, silence_gate


def levels(*runs: tuple[float, int]) -> np.ndarray:
    """Per-frame dBFS levels from (level, frames) runs."""
    return np.concatenate([np.full(n, level) for level, n in runs])


def test_a_short_pause_inside_speech_keeps_the_gate_open():
    # 0.3 s of digital silence between words: a human jaw stays a little open there
    gain = silence_gate(levels((-20.0, 60), (-200.0, 18), (-20.0, 60)))
    assert gain.min() == 1.0


def test_a_long_pause_inside_speech_closes_the_mouth():
    gain = silence_gate(levels((-20.0, 60), (-200.0, 60), (-20.0, 60)))
    assert gain[85:95].max() == 0.0  # the middle of a 1 s pause
    assert gain[:50].min() == 1.0 and gain[-50:].min() == 1.0


def test_the_bridge_stops_at_its_length():
    hold = 4  # the gate's hold widens speech by 4 frames on each side
    just = silence_gate(levels((-20.0, 60), (-200.0, GATE_BRIDGE_FRAMES + 2 * hold), (-20.0, 60)))
    over = silence_gate(
        levels((-20.0, 60), (-200.0, GATE_BRIDGE_FRAMES + 2 * hold + 1), (-20.0, 60))
    )
    assert just.min() == 1.0 and over.min() == 0.0


def test_leading_and_trailing_silence_stay_closed_however_short():
    gain = silence_gate(levels((-200.0, 12), (-20.0, 60), (-200.0, 12)))
    assert gain[:6].max() == 0.0 and gain[-6:].max() == 0.0
