"""The numpy signal primitives against the librosa and scipy calls they replace.

librosa and scipy are test dependencies only; the runtime never imports them
(tests/core/test_runtime_imports.py). These tests also run on numpy 2 without torch.
"""

from __future__ import annotations

import numpy as np
import pytest
from neurosync_lipsync.core import dsp
from neurosync_lipsync.core.audio import band_limit, resample, resample_to_model_rate
from neurosync_lipsync.core.constants import FRAME_LENGTH, HOP_LENGTH, SAMPLE_RATE

librosa = pytest.importorskip("librosa")
scipy_signal = pytest.importorskip("scipy.signal")
scipy_fft = pytest.importorskip("scipy.fft")
scipy_ndimage = pytest.importorskip("scipy.ndimage")

RNG = np.random.default_rng(20261202)


def noise(n: int, scale: float = 0.3) -> np.ndarray:
    return (RNG.standard_normal(n) * scale).astype(np.float32)


def test_window_is_scipys_periodic_hann_bit_for_bit():
    expected = scipy_signal.get_window("hann", FRAME_LENGTH, fftbins=True)
    np.testing.assert_array_equal(dsp.periodic_hann(FRAME_LENGTH), expected)


@pytest.mark.parametrize(("rate", "n_fft"), [(SAMPLE_RATE, FRAME_LENGTH), (22050, 2048)])
def test_mel_filterbank_is_librosas_bit_for_bit(rate, n_fft):
    ours = dsp.mel_filterbank(rate, n_fft)
    expected = librosa.filters.mel(sr=rate, n_fft=n_fft)
    assert ours.dtype == expected.dtype == np.float32
    np.testing.assert_array_equal(ours, expected)


def test_power_to_db_is_librosas_bit_for_bit():
    power = np.abs(noise(128 * 300, 10.0)).reshape(300, 128) ** 4
    power[5] = 0.0  # below amin
    np.testing.assert_array_equal(dsp.power_to_db(power), librosa.power_to_db(power))


@pytest.mark.parametrize("keep", [23, 26, 128])
def test_dct_matches_scipy(keep):
    db = noise(128 * 400, 30.0).reshape(128, 400) - 60
    expected = scipy_fft.dct(db.astype(np.float64), axis=0, type=2, norm="ortho")[:keep]
    ours = dsp.dct(db, keep)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-4)
    exact = dsp.dct(db.astype(np.float64), keep)
    np.testing.assert_allclose(exact, expected, rtol=0, atol=1e-10)


def test_dct_of_a_constant_is_exactly_zero_above_coefficient_zero():
    flat = np.full((128, 10), -100.0, dtype=np.float32)
    out = dsp.dct(flat, 26)
    assert np.all(out[1:] == 0)
    np.testing.assert_array_equal(out, scipy_fft.dct(flat, axis=0, type=2, norm="ortho")[:26])


@pytest.mark.parametrize("n", [FRAME_LENGTH, FRAME_LENGTH + 1, 10_000, 88_200])
def test_frame_is_librosas(n):
    x = noise(n)
    expected = librosa.util.frame(x, frame_length=FRAME_LENGTH, hop_length=HOP_LENGTH).T
    np.testing.assert_array_equal(dsp.frame(x, FRAME_LENGTH, HOP_LENGTH), expected)


SAVGOL_CASES = [
    (window, polyorder, deriv)
    for window in (3, 5, 7, 9, 11)
    for polyorder, deriv in ((1, 0), (2, 0), (1, 1), (2, 1), (2, 2), (3, 2))
    if polyorder < window
]


@pytest.mark.parametrize(("window", "polyorder", "deriv"), SAVGOL_CASES)
@pytest.mark.parametrize("length", [0, 1, 2, 37])
def test_savgol_matches_scipy_interp(window, polyorder, deriv, length):
    x = RNG.standard_normal((window + length, 5))
    expected = scipy_signal.savgol_filter(x, window, polyorder, deriv=deriv, axis=0, mode="interp")
    np.testing.assert_allclose(
        dsp.savgol_filter(x, window, polyorder, deriv), expected, rtol=0, atol=1e-12
    )


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("frames", [9, 10, 11, 240])
def test_delta_matches_librosa(order, frames):
    data = RNG.standard_normal((26, frames)).astype(np.float32)
    ours = dsp.savgol_filter(data.T, 9, order, order).T
    expected = librosa.feature.delta(data, order=order)
    assert ours.dtype == expected.dtype == np.float32
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-5)


def test_savgol_coefficients_match_scipy_at_every_position():
    for pos in range(9):
        np.testing.assert_allclose(
            dsp.savgol_coeffs(9, 2, 1, pos),
            scipy_signal.savgol_coeffs(9, 2, deriv=1, pos=pos, use="dot"),
            rtol=0,
            atol=1e-14,
        )


@pytest.mark.parametrize("n", [1, 734, 735, 1470, 7350, 12_345, 200_000])
def test_rms_is_librosas_bit_for_bit(n):
    y = noise(n)
    expected = librosa.feature.rms(y=y, frame_length=FRAME_LENGTH, hop_length=HOP_LENGTH)[0]
    ours = dsp.rms(y, FRAME_LENGTH, HOP_LENGTH)
    assert ours.dtype == expected.dtype
    np.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize("n", [1, 4, 9, 10, 300])
def test_maximum_filter_is_scipys(n):
    x = RNG.random(n)
    expected = scipy_ndimage.maximum_filter1d(x, size=9, mode="nearest")
    np.testing.assert_array_equal(dsp.maximum_filter1d(x, 9), expected)


@pytest.mark.parametrize("rate", [8000, 11025, 16000, 22050, 44100, 48000, 96000, 192000])
@pytest.mark.parametrize("n", [1, 3, 999, 44_101])
def test_resampling_is_librosas_bit_for_bit(rate, n):
    y = noise(n)
    expected = librosa.resample(y, orig_sr=rate, target_sr=SAMPLE_RATE, res_type="soxr_hq")
    ours = resample_to_model_rate(y, rate)
    assert ours.dtype == expected.dtype == np.float32 and ours.shape == expected.shape
    np.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize("cutoff", [8000, 16000, 22050])
def test_band_limit_is_librosas_round_trip(cutoff):
    y = noise(50_001)
    low = librosa.resample(y, orig_sr=SAMPLE_RATE, target_sr=cutoff, res_type="soxr_hq")
    back = librosa.resample(low, orig_sr=cutoff, target_sr=SAMPLE_RATE, res_type="soxr_hq")
    expected = np.zeros_like(y)
    expected[: min(len(y), len(back))] = back[: len(y)]
    np.testing.assert_array_equal(band_limit(y, cutoff), expected)


def test_resample_to_the_same_rate_is_a_float32_copy_of_the_input():
    y = noise(100).astype(np.float64)
    out = resample(y, 48000, 48000)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, y.astype(np.float32))


@pytest.mark.parametrize(("length", "window", "polyorder"), [(5, 7, 2), (9, 8, 2), (9, 3, 3)])
def test_savgol_refuses_what_scipy_refuses(length, window, polyorder):
    with pytest.raises(ValueError, match="odd window"):
        dsp.savgol_filter(np.zeros((length, 2)), window, polyorder)
