"""Product-mode post-processing: emotions, gains, smoothing, clamping, frame-rate resampling."""

from __future__ import annotations

import numpy as np
import pytest
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES, EMOTION_NAMES
from neurosync_lipsync.core.emotions import EMOTION_TABLE
from neurosync_lipsync.core.errors import OptionsError
from neurosync_lipsync.core.postprocess import (
    ProductOptions,
    output_times,
    product_postprocess,
    region_of,
    resample,
    smooth,
)

JAW = BLENDSHAPE_NAMES.index("JawOpen")


def raw_with(emotion: str | None = None, frames: int = 120, jaw: float = 40.0) -> np.ndarray:
    raw = np.zeros((frames, 68), np.float32)
    raw[:, JAW] = jaw
    if emotion:
        raw[:, 61 + EMOTION_NAMES.index(emotion)] = 1.0
    return raw


def channel(values, name):
    return values[:, BLENDSHAPE_NAMES.index(name)]


@pytest.mark.parametrize(
    ("emotion", "raised"),
    [
        ("Happy", ["MouthSmileLeft", "CheekSquintRight"]),
        ("Sad", ["MouthFrownLeft", "BrowInnerUp"]),
        ("Angry", ["BrowDownLeft", "NoseSneerLeft", "MouthPressLeft"]),
        ("Surprised", ["BrowOuterUpLeft", "EyeWideRight"]),
        ("Fearful", ["BrowInnerUp", "EyeWideLeft", "MouthStretchLeft"]),
        ("Disgusted", ["NoseSneerRight", "MouthUpperUpLeft"]),
    ],
)
def test_emotions_raise_their_channels(emotion, raised):
    values, emotions, _ = product_postprocess(raw_with(emotion), ProductOptions())
    neutral, _, _ = product_postprocess(raw_with("Neutral"), ProductOptions())
    for name in raised:
        assert channel(values, name).mean() > channel(neutral, name).mean() + 0.1, name
    assert emotions[:, EMOTION_NAMES.index(emotion)].min() > 0.99


def test_emotion_strengths_scale_the_offsets():
    smile = "MouthSmileLeft"
    offset = EMOTION_TABLE["Happy"][smile]
    for strength, expected in [(0.0, 0.0), (1.0, offset), (2.0, 2 * offset)]:
        values, _, _ = product_postprocess(
            raw_with("Happy"), ProductOptions(emotion_strength=strength)
        )
        assert channel(values, smile)[30] == pytest.approx(expected, abs=1e-5)
    values, _, _ = product_postprocess(
        raw_with("Happy"), ProductOptions(emotion_strengths={"Happy": 0.5})
    )
    assert channel(values, smile)[30] == pytest.approx(0.5 * offset, abs=1e-5)


def test_region_gain_and_clamp():
    values, _, _ = product_postprocess(
        raw_with(jaw=80.0), ProductOptions(region_gains={"mouth": 2.0})
    )
    assert channel(values, "JawOpen").max() == pytest.approx(1.0)  # 1.6 clamped
    values, _, _ = product_postprocess(
        raw_with(jaw=80.0), ProductOptions(region_gains={"mouth": 2.0}, clamp=False)
    )
    assert channel(values, "JawOpen").max() == pytest.approx(1.6, abs=1e-5)
    values, _, _ = product_postprocess(raw_with(jaw=-30.0), ProductOptions())
    assert values.min() >= 0.0


def test_regions_cover_the_face():
    assert region_of("JawOpen") == region_of("TongueOut") == "mouth"
    assert region_of("BrowInnerUp") == "brows" and region_of("NoseSneerLeft") == "cheeks"
    assert region_of("EyeBlinkLeft") == "eyes" and region_of("HeadYaw") is None


def test_smoothing_modes():
    rng = np.random.default_rng(1)
    noisy = rng.random((200, 3))
    assert smooth(noisy, "none") is noisy
    pairs = smooth(noisy, "pairs")
    np.testing.assert_allclose(pairs[1:], (noisy[1:] + noisy[:-1]) / 2)
    for mode in ("pairs", "savgol"):
        assert (
            np.abs(np.diff(smooth(noisy, mode), axis=0)).mean()
            < np.abs(np.diff(noisy, axis=0)).mean()
        )
    # Savitzky-Golay keeps a 5-frame closure deep, where a moving average would fill it in.
    dip = np.ones((60, 1))
    dip[28:33] = 0.0
    assert smooth(dip, "savgol")[30, 0] < 0.25


@pytest.mark.parametrize("fps", [24.0, 25.0, 30.0, 50.0, 60.0, 24000 / 1001, 30000 / 1001])
def test_output_times_are_exact_frame_times(fps):
    times = output_times(10.0, fps, 0.0, None)
    np.testing.assert_allclose(times, np.arange(len(times)) / fps)
    assert times[-1] < 10.0 <= times[-1] + 1 / fps


def test_start_offset_and_duration():
    times = output_times(10.0, 24.0, 1.5, 2.0)
    assert times[0] == 1.5 and len(times) == 49 and times[-1] == pytest.approx(3.5)


def test_resample_hits_model_frames_at_their_times():
    curves = np.arange(10, dtype=float)[:, None]
    model_times = (np.arange(10) + 0.25) / 60
    np.testing.assert_allclose(resample(curves, model_times)[:, 0], np.arange(10))
    np.testing.assert_allclose(resample(curves, np.array([(2.75) / 60]))[:, 0], [2.5])
    np.testing.assert_allclose(resample(curves, np.array([-1.0, 99.0]))[:, 0], [0, 9])


def test_product_output_at_24fps():
    values, emotions, times = product_postprocess(
        raw_with(frames=240), ProductOptions(fps=24.0, start_time=0.5)
    )
    assert values.shape == (len(times), 61) and emotions.shape == (len(times), 7)
    assert times[0] == 0.5 and len(times) == 84
    assert channel(values, "JawOpen")[10] == pytest.approx(0.4, abs=1e-5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"emotion_strength": 2.5},
        {"emotion_strengths": {"Joy": 1.0}},
        {"region_gains": {"mouth": -1}},
        {"smoothing": "gaussian"},
        {"fps": 0},
        {"duration": -1.0},
    ],
)
def test_invalid_options_are_refused(kwargs):
    with pytest.raises(OptionsError):
        ProductOptions(**kwargs)
