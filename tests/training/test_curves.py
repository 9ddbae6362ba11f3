"""The training targets: phone timings -> 60 fps ARKit curves (training/curves.py)."""

from __future__ import annotations

import numpy as np
import pytest
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES, MODEL_FPS, NUM_BLENDSHAPES

from training import curves
from training.curves import (
    CLOSE_MIN,
    JAW_GAMMA,
    JAW_REF,
    ROLL_LOWER_MIN,
    TABLE,
    jaw_opening,
    render,
)
from training.phones import SIL

CH = {name: i for i, name in enumerate(BLENDSHAPE_NAMES)}


def at(curves: np.ndarray, seconds: float, channel: str) -> float:
    return float(curves[int(round(seconds * MODEL_FPS - 0.25)), CH[channel]])


def frames(seconds: float) -> int:
    return int(seconds * MODEL_FPS)


def test_silence_is_a_neutral_face():
    out = render([(0.0, 1.0, SIL)], frames(1.0))
    assert out.shape == (60, NUM_BLENDSHAPES) and out.dtype == np.float32
    assert not out.any()


def test_a_long_open_vowel_reaches_its_table_value():
    out = render([(0.0, 0.3, SIL), (0.3, 0.9, "AA"), (0.9, 1.2, SIL)], frames(1.2))
    assert at(out, 0.6, "JawOpen") == pytest.approx(0.60, abs=0.01)
    assert at(out, 0.05, "JawOpen") < 0.01  # the mouth rests before speech


def test_jaw_contrast_curve_lowers_mid_values():
    out = render([(0.0, 0.6, "AH")], frames(0.6))  # table value 0.35
    expected = JAW_REF * (jaw_opening(0.35, vowel=True) / JAW_REF) ** JAW_GAMMA
    assert at(out, 0.3, "JawOpen") == pytest.approx(expected, abs=0.01)
    assert expected < jaw_opening(0.35, vowel=True)


def test_vowel_jaw_openings_keep_their_order_and_the_open_vowel_but_differ_less():
    vowels = {p: TABLE[p][0]["Jaw"] for p in ("AA", "AE", "AO", "AH", "EH", "IH", "IY", "UW")}
    opened = {p: jaw_opening(v, vowel=True) for p, v in vowels.items()}
    assert opened["AA"] == pytest.approx(JAW_REF)
    assert sorted(opened, key=opened.get) == sorted(vowels, key=vowels.get)
    assert opened["AA"] - opened["IY"] < vowels["AA"] - vowels["IY"]
    assert all(opened[p] >= vowels[p] for p in vowels)  # the closer vowels open a little more


def test_consonants_open_the_jaw_half_the_table_value():
    assert jaw_opening(TABLE["K"][0]["Jaw"], vowel=False) == pytest.approx(0.125)


def test_jaw_closes_between_vowels_at_a_consonant():
    segs = [(0.0, 0.25, "AA"), (0.25, 0.33, "T"), (0.33, 0.6, "AA")]
    out = render(segs, frames(0.6))
    assert at(out, 0.29, "JawOpen") < 0.6 * at(out, 0.12, "JawOpen")


def test_the_jaw_spreads_less_around_its_phone_than_the_lips(monkeypatch):
    segs = [(0.0, 0.3, SIL), (0.3, 0.6, "AO"), (0.6, 1.0, SIL)]
    own = render(segs, frames(1.0))
    monkeypatch.setattr(curves, "JAW_TAU_BEFORE", curves.TAU_BEFORE)
    monkeypatch.setattr(curves, "JAW_TAU_AFTER", curves.TAU_AFTER)
    lips_spread = render(segs, frames(1.0))
    for t in (0.27, 0.65):  # just before and just after the vowel
        assert at(own, t, "JawOpen") < 0.8 * at(lips_spread, t, "JawOpen")
        assert at(own, t, "MouthFunnel") == at(lips_spread, t, "MouthFunnel")
    assert at(own, 0.45, "JawOpen") >= at(lips_spread, 0.45, "JawOpen")  # the vowel stays open


@pytest.mark.parametrize("phone", ["P", "B", "M"])
def test_bilabials_shut_the_jaw_and_close_the_lips(phone):
    segs = [(0.0, 0.25, "AA"), (0.25, 0.35, phone), (0.35, 0.6, "AA")]
    out = render(segs, frames(0.6))
    mid = 0.30
    assert at(out, mid, "JawOpen") <= 0.08
    assert at(out, mid, "MouthClose") >= at(out, mid, "JawOpen")
    # v2 recipe (issue 10): the lip seal is clearly above rest, as in human ARKit capture
    assert at(out, mid, "MouthClose") >= CLOSE_MIN - 1e-6 and CLOSE_MIN >= 0.1
    assert at(out, 0.12, "MouthClose") < 0.02
    assert at(out, mid, "JawOpen") < at(out, 0.12, "JawOpen")
    assert at(out, mid, "JawOpen") < at(out, 0.48, "JawOpen")


@pytest.mark.parametrize("phone", ["F", "V"])
def test_labiodentals_roll_the_lower_lip(phone):
    segs = [(0.0, 0.25, "AE"), (0.25, 0.35, phone), (0.35, 0.6, "AE")]
    out = render(segs, frames(0.6))
    # v2 recipe (issue 10): human lower-lip roll is small (was >= 0.4 in v1, on purpose lowered)
    assert at(out, 0.30, "MouthRollLower") >= ROLL_LOWER_MIN - 1e-6
    assert out[:, CH["MouthRollLower"]].max() <= 0.2


def test_only_labiodentals_roll_the_lower_lip():
    """v2: bilabials no longer roll the lower lip (it anti-correlated with human capture)."""
    assert [p for p, (t, _) in TABLE.items() if "RollLower" in t] == ["F", "V"]


def test_v2_amplitudes_follow_human_capture():
    """Stretch about half of v1 (max 0.40), Press about a quarter (max 0.45), Pucker on UW/W."""
    stretch = max(t.get("Stretch", 0) for t, _ in TABLE.values())
    press = max(t.get("Press", 0) for t, _ in TABLE.values())
    assert 0.15 <= stretch <= 0.22 and 0.08 <= press <= 0.13
    assert TABLE["UW"][0]["Pucker"] >= 0.85 and TABLE["W"][0]["Pucker"] >= 0.85


def test_a_very_short_bilabial_still_closes_its_nearest_frame():
    segs = [(0.0, 0.25, "AA"), (0.25, 0.262, "B"), (0.262, 0.5, "AA")]
    out = render(segs, frames(0.5))
    assert out[:, CH["JawOpen"]].min() <= 0.08


def test_intensity_scales_and_output_stays_in_range():
    segs = [(0.0, 0.3, "AA"), (0.3, 0.5, "UW")]
    base = render(segs, frames(0.5))
    louder = render(segs, frames(0.5), intensity=1.15)
    assert np.allclose(np.minimum(base * 1.15, 1.0), louder, atol=1e-6)
    assert louder.min() >= 0.0 and louder.max() <= 1.0
    assert base[:, CH["MouthPucker"]].max() > 0.5  # UW puckers


def test_the_vowels_are_the_table_monophthongs_and_the_diphthongs():
    from training.curves import DIPHTHONGS
    from training.phones import VOWELS

    assert set(DIPHTHONGS) <= VOWELS and VOWELS - set(DIPHTHONGS) <= set(TABLE)
    assert len(VOWELS) == 15
