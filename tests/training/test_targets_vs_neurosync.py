"""training/targets_vs_neurosync.py: scoring the rules against a reference at the best lag."""

from __future__ import annotations

import numpy as np
import pytest

from training.curves import render
from training.targets_vs_neurosync import score

SEGMENTS = [
    (0.0, 0.2, "SIL"),
    (0.2, 0.45, "AA"),
    (0.45, 0.55, "T"),
    (0.55, 0.8, "IY"),
    (0.8, 0.9, "M"),
    (0.9, 1.2, "AO"),
    (1.2, 1.5, "SIL"),
]


def test_rules_that_lead_the_reference_score_one_at_that_lag():
    rules = render(SEGMENTS, 90)
    late = np.vstack([np.repeat(rules[:1], 3, axis=0), rules[:-3]])  # the reference 3 frames later
    s = score([("a", SEGMENTS, late)], "JawOpen")
    assert s["lag_frames"] == -3 and s["mean_r"] == pytest.approx(1.0)
    assert s["per_clip"] == {"a": pytest.approx(1.0)}


def test_an_unrelated_reference_scores_low():
    noise = np.random.default_rng(0).random((90, 61))
    assert score([("a", SEGMENTS, noise)], "JawOpen")["mean_r"] < 0.5
