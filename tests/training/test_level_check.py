"""training/level_check.py: removing the level-predicted part of a jaw curve."""

from __future__ import annotations

import numpy as np
import pytest

from training.evaluate import pearson
from training.level_check import remove_level


def _curves():
    rng = np.random.default_rng(0)
    level = np.abs(np.convolve(rng.standard_normal(600), np.ones(8) / 8, mode="same"))
    own = np.convolve(rng.standard_normal(600), np.ones(12) / 12, mode="same")
    return level, 0.2 + 0.5 * np.roll(level, 2) + 0.3 * own, own


def test_share_zero_leaves_the_jaw_alone():
    level, jaw, _ = _curves()
    assert remove_level(jaw, level, 0.0) == pytest.approx(jaw)


def test_share_one_takes_the_level_out_and_keeps_the_height():
    level, jaw, own = _curves()
    out = remove_level(jaw, level, 1.0)
    assert abs(pearson(np.roll(level, 2), out)) < 0.05
    assert pearson(out, own) > 0.95 > pearson(jaw, own)
    assert out.mean() == pytest.approx(jaw.mean())


def test_curves_of_different_lengths_are_cut_to_the_shorter():
    level, jaw, _ = _curves()
    assert len(remove_level(jaw, level[:500], 0.5)) == 500
