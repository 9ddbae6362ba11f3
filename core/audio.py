"""Audio input: files, encoded bytes, raw PCM and arrays, down-mixed to mono float32.

Resampling to 88.2 kHz is done the way the reference does it: ``librosa.load(path, sr=88200)``
reads with soundfile, averages the channels and resamples with soxr (``res_type="soxr_hq"``);
here soxr is called directly, with librosa's length rule, so librosa is not needed.
Reading and resampling are split so that long recordings can be resampled segment by segment.
"""

from __future__ import annotations

import io
import logging
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .constants import MAX_INPUT_RATE, MAX_SAMPLE_PEAK, MIN_INPUT_RATE, SAMPLE_RATE
from .errors import (
    AudioError,
    AudioNotFoundError,
    EmptyAudioError,
    InvalidSamplesError,
    NotAudioError,
    TruncatedAudioError,
)

log = logging.getLogger(__name__)

AudioSource = str | os.PathLike | bytes | bytearray | memoryview | np.ndarray

_PCM_DTYPES = {1: np.uint8, 2: np.dtype("<i2"), 4: np.dtype("<i4")}


@dataclass(frozen=True)
class SourceAudio:
    """Mono samples at the source's own rate, before resampling.

    Attributes
    ----------
    samples : np.ndarray
        float32 array of shape (n,), nominally in [-1, 1].
    rate : int
        Sample rate of ``samples`` in Hz.
    name : str
        What the audio came from, for messages.
    """

    samples: np.ndarray
    rate: int
    name: str

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate


def read_audio(
    source: AudioSource,
    *,
    rate: int | None = None,
    channels: int = 1,
    sample_width: int = 2,
    sample_format: str = "int",
    name: str | None = None,
) -> SourceAudio:
    """Read any supported input into mono float32 at its own rate.

    Parameters
    ----------
    source
        A path (wav, flac, ogg, mp3: whatever soundfile reads); bytes of such a file; raw PCM
        bytes (give ``rate``, ``channels``, ``sample_width`` and ``sample_format``); or a numpy
        array of shape (n,) or (n, channels) with ``rate``.
    rate
        Sample rate of raw PCM bytes or of an array. Leave unset for files and encoded bytes.
    channels, sample_width, sample_format
        Layout of raw PCM bytes: interleaved little-endian; width 1 (unsigned 8-bit), 2, 3 or 4
        bytes; ``"int"`` or ``"float"`` (4 or 8 bytes).
    name
        Label used in error messages.

    Raises
    ------
    AudioError
        A subclass naming the input and what is wrong with it.
    """
    if isinstance(source, np.ndarray):
        label = name or "audio array"
        if rate is None:
            raise AudioError(f"{label}: a numpy array needs its sample rate (rate=...)")
        data = np.asarray(source)
        if data.dtype.kind == "f" and data.size:  # before a float64 1e300 becomes a float32 inf
            _check_peak(data, label, warn=False)
        if data.ndim == 2:
            data = data.mean(axis=1, dtype=np.float64)
        elif data.ndim != 1:
            raise InvalidSamplesError(
                f"{label}: expected shape (n,) or (n, channels), got {data.shape}"
            )
        samples = _to_float32(data, label)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        label = name or "audio bytes"
        if rate is not None:
            samples = _decode_pcm(bytes(source), channels, sample_width, sample_format, label)
        else:
            samples, rate = _decode_file(io.BytesIO(bytes(source)), label, len(source))
    else:
        path = Path(source)
        label = name or str(path)
        if not path.is_file():
            raise AudioNotFoundError(f"{label}: no such audio file")
        size = path.stat().st_size
        if size == 0:
            raise EmptyAudioError(f"{label}: the file is empty (0 bytes)")
        with path.open("rb") as fh:
            _check_wav_complete(fh, label, size)
        samples, rate = _decode_file(str(path), label, size)
    _check_rate(int(rate), label)
    if samples.size == 0:
        raise EmptyAudioError(f"{label}: the audio holds no samples")
    _check_peak(samples, label)
    return SourceAudio(samples=samples, rate=int(rate), name=label)


def resample_to_model_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    """Resample mono float32 ``samples`` from ``rate`` to 88.2 kHz exactly as librosa.load does.

    Returns an array of shape (ceil(n * 88200 / rate),).
    """
    if rate == SAMPLE_RATE:
        return np.ascontiguousarray(samples, dtype=np.float32)
    return resample(samples, rate, SAMPLE_RATE)


def band_limit(samples: np.ndarray, cutoff_rate: int) -> np.ndarray:
    """Band-limit 88.2 kHz audio by a round trip through ``cutoff_rate`` Hz (as in training)."""
    back = resample(resample(samples, SAMPLE_RATE, cutoff_rate), cutoff_rate, SAMPLE_RATE)
    out = np.zeros_like(samples)
    n = min(len(out), len(back))
    out[:n] = back[:n]
    return out


def resample(samples: np.ndarray, rate: int, target_rate: int) -> np.ndarray:
    """``librosa.resample(samples, orig_sr=rate, target_sr=target_rate, res_type="soxr_hq")``.

    soxr's high-quality resampler, cut or zero-padded to ceil(n * target_rate / rate) samples.

    Parameters
    ----------
    samples : np.ndarray
        float32 array of shape (n,).

    Returns
    -------
    np.ndarray
        float32 array of shape (ceil(n * target_rate / rate),).
    """
    y = np.ascontiguousarray(samples, dtype=np.float32)
    if rate == target_rate:
        return y
    import soxr  # imported when first needed: a bake's start-up, not the add-on's

    size = int(np.ceil(len(y) * (float(target_rate) / rate)))
    out = np.asarray(soxr.resample(y, rate, target_rate, quality="soxr_hq"), dtype=np.float32)
    if len(out) >= size:
        return out[:size]
    return np.pad(out, (0, size - len(out)))


def peak_normalize(samples: np.ndarray) -> np.ndarray:
    """Divide by the absolute peak (the 2025 family's loudness handling); silence is unchanged."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    return samples / peak if peak > 0 else samples


def _to_float32(data: np.ndarray, label: str) -> np.ndarray:
    if data.dtype.kind == "f":
        return np.ascontiguousarray(data, dtype=np.float32)
    if data.dtype.kind == "u":
        bits = data.dtype.itemsize * 8
        return ((data.astype(np.float64) - 2 ** (bits - 1)) / 2 ** (bits - 1)).astype(np.float32)
    if data.dtype.kind == "i":
        bits = data.dtype.itemsize * 8
        return (data.astype(np.float64) / 2 ** (bits - 1)).astype(np.float32)
    raise InvalidSamplesError(f"{label}: unsupported sample type {data.dtype}")


def _decode_pcm(raw: bytes, channels: int, width: int, fmt: str, label: str) -> np.ndarray:
    if channels < 1:
        raise InvalidSamplesError(f"{label}: channel count must be at least 1, got {channels}")
    if fmt not in ("int", "float"):
        raise InvalidSamplesError(f"{label}: sample_format must be 'int' or 'float', got {fmt!r}")
    if fmt == "float" and width not in (4, 8):
        raise InvalidSamplesError(f"{label}: float PCM must be 4 or 8 bytes wide, got {width}")
    if fmt == "int" and width not in (1, 2, 3, 4):
        raise InvalidSamplesError(f"{label}: integer PCM must be 1-4 bytes wide, got {width}")
    if not raw:
        raise EmptyAudioError(f"{label}: no PCM bytes")
    frame = channels * width
    if len(raw) % frame:
        raise TruncatedAudioError(
            f"{label}: {len(raw)} bytes is not a whole number of {channels}-channel "
            f"{width}-byte frames (ends {len(raw) % frame} bytes into a frame)"
        )
    if fmt == "float":
        data = np.frombuffer(raw, dtype="<f4" if width == 4 else "<f8").astype(np.float64)
        _check_peak(data, label, warn=False)  # before a float64 1e300 becomes a float32 inf
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        data = ints / float(1 << 23)
    else:
        data = _to_float32(np.frombuffer(raw, dtype=_PCM_DTYPES[width]), label).astype(np.float64)
    return data.reshape(-1, channels).mean(axis=1).astype(np.float32)


def _decode_file(target, label: str, size: int) -> tuple[np.ndarray, int]:
    import soundfile as sf

    try:
        with sf.SoundFile(target) as fh:
            rate, expected, nch = fh.samplerate, fh.frames, fh.channels
            _check_rate(rate, label)
            mono = np.zeros(expected, dtype=np.float32)
            pos = 0
            for block in fh.blocks(blocksize=1 << 18, dtype="float32", always_2d=True):
                n = min(len(block), expected - pos)
                mono[pos : pos + n] = block[:n].mean(axis=1) if nch > 1 else block[:n, 0]
                pos += n
    except sf.LibsndfileError as exc:
        text = str(exc)
        if "not recognised" in text or "unknown format" in text.lower():
            raise NotAudioError(f"{label}: not a readable audio file ({size} bytes)") from None
        raise TruncatedAudioError(
            f"{label}: the audio data is damaged or cut short ({text})"
        ) from None
    except (RuntimeError, TypeError, ValueError) as exc:
        raise NotAudioError(f"{label}: not a readable audio file ({exc})") from None
    if expected == 0:
        raise EmptyAudioError(f"{label}: the audio holds no samples")
    if pos < expected:
        raise TruncatedAudioError(f"{label}: the file ends after {pos} of its {expected} frames")
    return mono, rate


def _check_wav_complete(fh, label: str, size: int) -> None:
    """libsndfile silently shortens a cut WAV; compare the data chunk's size with the file."""
    head = fh.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return
    offset = 12
    while True:
        chunk = fh.read(8)
        if len(chunk) < 8:
            raise TruncatedAudioError(f"{label}: the WAV file ends before its data chunk")
        cid, csize = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        offset += 8
        if cid == b"data":
            if csize not in (0, 0xFFFFFFFF) and offset + csize > size:
                raise TruncatedAudioError(
                    f"{label}: the WAV header promises {csize} bytes of samples but only "
                    f"{size - offset} are present (the file is cut short)"
                )
            return
        offset += csize + (csize & 1)
        fh.seek(offset)


def _check_peak(samples: np.ndarray, label: str, *, warn: bool = True) -> None:
    """Refuse NaN, infinity and float samples far beyond full scale; accept a little above it.

    Up to :data:`MAX_SAMPLE_PEAK` the audio is used as it is: 0.1a features are normalised per
    utterance and the 2025 family divides by the peak, so the level does not change them, and
    spectra of such samples stay far inside float32's range.
    """
    # max and -min instead of abs: no temporary copy of an hour of audio; both propagate NaN
    peak = max(float(np.max(samples)), -float(np.min(samples)))
    if not np.isfinite(peak):
        raise InvalidSamplesError(f"{label}: the audio contains NaN or infinite samples")
    if peak > MAX_SAMPLE_PEAK:
        raise InvalidSamplesError(
            f"{label}: the samples peak at {peak:.3g}, more than {MAX_SAMPLE_PEAK:g} times full "
            f"scale (float audio is nominally within -1..1); the audio is damaged or mis-scaled"
        )
    if warn and peak > 1.0:
        log.warning("%s: the samples peak at %.3g, above full scale; used as they are", label, peak)


def _check_rate(rate: int, label: str) -> None:
    if not MIN_INPUT_RATE <= rate <= MAX_INPUT_RATE:
        raise InvalidSamplesError(
            f"{label}: sample rate {rate} Hz is outside the supported "
            f"{MIN_INPUT_RATE}-{MAX_INPUT_RATE} Hz"
        )
