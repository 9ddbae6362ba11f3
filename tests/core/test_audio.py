"""Audio input: every accepted form, and a specific error for every bad one."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
import soundfile as sf
from neurosync_lipsync.core import errors
from neurosync_lipsync.core.audio import read_audio, resample_to_model_rate
from neurosync_lipsync.core.pipeline import generate

RATE = 22050


def tone(seconds=0.5, rate=RATE, channels=1):
    t = np.arange(int(seconds * rate)) / rate
    mono = 0.5 * np.sin(2 * np.pi * 220 * t)
    return (
        np.stack([mono * (c + 1) / channels for c in range(channels)], axis=1)
        if channels > 1
        else mono
    )


@pytest.mark.parametrize("subtype", ["PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"])
def test_wav_sample_formats(subtype, tmp_path):
    path = tmp_path / "a.wav"
    sf.write(path, tone(), RATE, subtype=subtype)
    audio = read_audio(path)
    assert audio.rate == RATE and audio.samples.dtype == np.float32
    np.testing.assert_allclose(audio.samples, tone(), atol=1e-2)


@pytest.mark.parametrize("fmt", ["FLAC", "OGG", "MP3"])
def test_compressed_formats_from_path_and_bytes(fmt, tmp_path):
    path = tmp_path / f"a.{fmt.lower()}"
    sf.write(path, tone(), RATE, format=fmt)
    from_path = read_audio(path)
    from_bytes = read_audio(path.read_bytes())
    np.testing.assert_array_equal(from_path.samples, from_bytes.samples)
    assert abs(from_path.duration - 0.5) < 0.06


@pytest.mark.parametrize("channels", [2, 6])
def test_multichannel_is_averaged(channels, tmp_path):
    data = tone(channels=channels)
    sf.write(tmp_path / "m.wav", data, RATE, subtype="FLOAT")
    np.testing.assert_allclose(read_audio(tmp_path / "m.wav").samples, data.mean(axis=1), atol=1e-6)


@pytest.mark.parametrize("rate", [8000, 16000, 44100, 48000, 96000, 192000])
def test_rates_resample_to_88k(rate):
    audio = read_audio(tone(rate=rate).astype(np.float32), rate=rate)
    y = resample_to_model_rate(audio.samples, audio.rate)
    assert abs(len(y) - 0.5 * 88200) <= 1


@pytest.mark.parametrize(
    ("width", "fmt", "dtype"),
    [(1, "int", np.uint8), (2, "int", "<i2"), (4, "int", "<i4"), (4, "float", "<f4")],
)
def test_raw_pcm(width, fmt, dtype):
    stereo = tone(channels=2)
    if fmt == "float":
        raw = stereo.astype(dtype)
    elif width == 1:
        raw = np.round(stereo * 127 + 128).astype(np.uint8)
    else:
        raw = np.round(stereo * (2 ** (8 * width - 1) - 1)).astype(dtype)
    audio = read_audio(raw.tobytes(), rate=RATE, channels=2, sample_width=width, sample_format=fmt)
    np.testing.assert_allclose(audio.samples, stereo.mean(axis=1), atol=2e-2)


def test_raw_pcm_24_bit():
    mono = tone()
    ints = np.round(mono * (2**23 - 1)).astype("<i4")
    raw = np.stack([(ints >> s) & 0xFF for s in (0, 8, 16)], axis=1).astype(np.uint8).tobytes()
    audio = read_audio(raw, rate=RATE, channels=1, sample_width=3)
    np.testing.assert_allclose(audio.samples, mono, atol=1e-6)


def test_int16_array():
    audio = read_audio((tone() * 32767).astype(np.int16), rate=RATE)
    np.testing.assert_allclose(audio.samples, tone(), atol=1e-4)


def put(path, data: bytes):
    path.write_bytes(data)
    return path


def write_wav(tmp_path, name="a.wav", data=None):
    path = tmp_path / name
    sf.write(path, tone() if data is None else data, RATE, subtype="PCM_16")
    return path


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda p: p / "missing.wav", errors.AudioNotFoundError, "no such audio file"),
        (lambda p: put(p / "e.wav", b""), errors.EmptyAudioError, "empty"),
        (
            lambda p: put(p / "t.wav", b"hello, not audio" * 20),
            errors.NotAudioError,
            "not a readable audio file",
        ),
        (
            lambda p: put(p / "c.wav", write_wav(p).read_bytes()[:5000]),
            errors.TruncatedAudioError,
            "cut short",
        ),
        (lambda p: write_wav(p, data=np.zeros(0)), errors.EmptyAudioError, "no samples"),
    ],
)
def test_bad_files_name_file_and_problem(make, error, message, tmp_path):
    path = make(tmp_path)
    with pytest.raises(error, match=message) as info:
        read_audio(path)
    assert path.name in str(info.value)


def test_truncated_flac(tmp_path):
    sf.write(tmp_path / "a.flac", tone(2.0), RATE)
    data = (tmp_path / "a.flac").read_bytes()
    (tmp_path / "cut.flac").write_bytes(data[: len(data) // 2])
    with pytest.raises(errors.TruncatedAudioError, match="cut.flac"):
        read_audio(tmp_path / "cut.flac")


def test_nan_samples_refused():
    data = tone().astype(np.float32)
    data[100] = np.nan
    with pytest.raises(errors.InvalidSamplesError, match="NaN or infinite"):
        read_audio(data, rate=RATE)


def test_inf_in_float_wav(tmp_path):
    data = tone()
    data[5] = np.inf
    sf.write(tmp_path / "inf.wav", data, RATE, subtype="FLOAT")
    with pytest.raises(errors.InvalidSamplesError, match="inf.wav"):
        read_audio(tmp_path / "inf.wav")


def test_rate_out_of_range():
    with pytest.raises(errors.InvalidSamplesError, match="4000 Hz is outside"):
        read_audio(np.zeros(4000, np.float32), rate=4000)


def test_partial_pcm_frame():
    with pytest.raises(errors.TruncatedAudioError, match="whole number"):
        read_audio(b"\x00" * 7, rate=RATE, channels=2, sample_width=2)


def test_array_without_rate():
    with pytest.raises(errors.AudioError, match="needs its sample rate"):
        read_audio(np.zeros(100, np.float32))


def test_too_short_for_deltas(fixtures_dir):
    short = np.zeros(int(0.05 * RATE), np.float32)
    with pytest.raises(errors.AudioTooShortError, match="at least 9"):
        generate(short, rate=RATE, model=str(fixtures_dir / "tiny_v01a.pth"))


def test_bytes_not_audio():
    with pytest.raises(errors.NotAudioError, match="audio bytes"):
        read_audio(io.BytesIO(b"garbage" * 50).getvalue())


def float_wav(tmp_path, peak, subtype="FLOAT", name="loud.wav"):
    data = tone(1.0)
    data = data / np.abs(data).max() * peak
    sf.write(tmp_path / name, data, RATE, subtype=subtype)
    return tmp_path / name


def spiked(value, dtype=np.float32, channels=1):
    data = np.repeat(tone(1.0)[:, None], channels, axis=1).astype(dtype)
    data[RATE // 2, 0] = value
    return data[:, 0] if channels == 1 else data


def pcm(data: np.ndarray) -> tuple[bytes, dict]:
    width = data.dtype.itemsize
    return data.tobytes(), {"rate": RATE, "sample_format": "float", "sample_width": width}


TOO_LOUD = {  # id: (make(tmp_path) -> (source, read_audio kwargs), label in the message, peak)
    "float-wav-1e6": (lambda p: (float_wav(p, 1e6), {}), "loud.wav", "1e+06"),
    "double-wav-5e3": (lambda p: (float_wav(p, 5000.0, "DOUBLE"), {}), "loud.wav", "5e+03"),
    "float-wav-1e30": (lambda p: (float_wav(p, 1e30), {}), "loud.wav", "1e+30"),
    "wav-bytes-1e6": (lambda p: (float_wav(p, 1e6).read_bytes(), {}), "audio bytes", "1e+06"),
    "array-1e30": (lambda p: (spiked(1e30), {"rate": RATE}), "audio array", "1e+30"),
    "float64-array-1e300": (
        lambda p: (spiked(-1e300, np.float64), {"rate": RATE}),
        "audio array",
        "1e+300",
    ),
    "stereo-array-3e38": (
        lambda p: (spiked(3e38, channels=2), {"rate": RATE}),
        "audio array",
        "3e+38",
    ),
    "pcm-f32-2e3": (lambda p: pcm(spiked(2000.0).astype("<f4")), "audio bytes", "2e+03"),
    "pcm-f64-1e200": (lambda p: pcm(spiked(-1e200, np.float64)), "audio bytes", "1e+200"),
}


@pytest.mark.parametrize("case", TOO_LOUD.values(), ids=TOO_LOUD.keys())
def test_samples_far_beyond_full_scale_are_refused(case, tmp_path):
    make, label, peak = case
    source, kwargs = make(tmp_path)
    message = re.escape(f"{label}: the samples peak at {peak}, more than 1000 times full scale")
    with pytest.raises(errors.InvalidSamplesError, match=message):
        read_audio(source, **kwargs)


@pytest.mark.parametrize("peak", [1.0, 1.5, 40.0, 1000.0])
@pytest.mark.parametrize("family", ["v01a", "v2025"])
def test_loud_but_usable_float_audio_gives_finite_level_independent_output(
    peak, family, fixtures_dir, tmp_path
):
    """Up to 1000x full scale nothing overflows, and the level does not change the features."""
    from neurosync_lipsync.core.audio import peak_normalize
    from neurosync_lipsync.core.features import extract_features
    from neurosync_lipsync.core.loudness import frame_levels_db

    speech = read_audio(fixtures_dir / "speechlike.wav")
    data = speech.samples / np.abs(speech.samples).max() * peak
    sf.write(tmp_path / "loud.wav", data, speech.rate, subtype="FLOAT")
    audio = read_audio(tmp_path / "loud.wav")
    assert np.abs(audio.samples).max() == pytest.approx(peak, rel=1e-6)
    y = resample_to_model_rate(audio.samples, audio.rate)
    quiet = resample_to_model_rate(audio.samples / np.float32(peak), audio.rate)
    if family == "v2025":
        y, quiet = peak_normalize(y), peak_normalize(quiet)
    features = extract_features(y, family)
    assert np.isfinite(features).all() and np.isfinite(frame_levels_db(y)).all()
    np.testing.assert_allclose(features, extract_features(quiet, family), rtol=0, atol=2e-4)
    result = generate(audio, model=str(fixtures_dir / f"tiny_{family}.pth"))
    assert np.isfinite(result.values).all() and np.isfinite(result.emotions).all()
