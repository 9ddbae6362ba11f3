"""Per-syllable gain in training/augment.py: syllable spans and the gain they get."""

from __future__ import annotations

import numpy as np
import pytest

from training.augment import syllable_gain, syllables

SEGMENTS = [
    (0.0, 0.2, "SIL"),
    (0.2, 0.25, "HH"),
    (0.25, 0.35, "AH"),
    (0.35, 0.38, "L"),
    (0.38, 0.5, "OW"),
    (0.5, 0.7, "SIL"),
    (0.7, 0.8, "S"),
]


def test_each_consonant_joins_its_nearest_vowel_and_pauses_split():
    # L's centre (0.365) is nearer AH's (0.30) than OW's (0.44); a lone S is a syllable.
    assert syllables(SEGMENTS) == [(0.2, 0.38), (0.38, 0.5), (0.7, 0.8)]


def test_no_speech_gives_no_syllables():
    assert syllables([(0.0, 1.0, "SIL")]) == []


def test_gain_is_constant_inside_a_syllable_and_ramps_between():
    rate = 16000
    y = np.ones(rate, np.float32)
    out = syllable_gain(y, rate, SEGMENTS, np.random.default_rng(3), 4.0)
    first = out[int(0.25 * rate) : int(0.35 * rate)]
    second = out[int(0.4 * rate) : int(0.48 * rate)]
    assert np.ptp(first) == pytest.approx(0.0, abs=1e-6)
    assert np.ptp(second) == pytest.approx(0.0, abs=1e-6)
    assert first[0] != pytest.approx(second[0])
    # silence keeps unit gain; the step between syllables takes the 15 ms ramp
    assert out[int(0.6 * rate)] == pytest.approx(1.0)
    db = 20 * np.log10(out)
    assert np.abs(np.diff(db)).max() <= 2 * np.abs(db).max() / (0.015 * rate) + 1e-4


def test_gains_spread_by_the_requested_std():
    rate = 1000
    segments = [(k * 0.2, k * 0.2 + 0.2, "AA") for k in range(400)]
    segments = [s for pair in zip(segments, [(0, 0, "SIL")] * 400, strict=True) for s in pair]
    segments = [(a, b, p) if p != "SIL" else (0.0, 0.0, "SIL") for a, b, p in segments]
    y = np.ones(400 * 200, np.float32)
    out = syllable_gain(y, rate, segments, np.random.default_rng(0), 3.0)
    db = 20 * np.log10(out[100::200])
    assert np.std(db) == pytest.approx(3.0, rel=0.15)
