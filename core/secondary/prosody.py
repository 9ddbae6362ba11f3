"""What the secondary motion hears: level, pitch, pauses, phrase starts and stressed syllables.

Everything is measured at the 60 fps model frames, with numpy only: the level comes from the
pipeline (:func:`core.loudness.frame_levels_db`), the pitch from a short-time autocorrelation of
the source samples decimated to about 4 kHz (enough for voices, 70-400 Hz).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import FRAME_TIME_OFFSET, MODEL_FPS, model_frame_times
from ..loudness import GATE_FLOOR_DB
from .shapes import median, moving_average, percentile, runs, sliding_max

PITCH_RATE = 4000
PITCH_WINDOW_S = 0.04
PITCH_RANGE_HZ = (70.0, 400.0)
#: Normalised autocorrelation peak above which a frame counts as voiced.
VOICED_CORRELATION = 0.5
#: Speech for the secondary motion: within this many dB of the take's loud syllables (its 95th
#: percentile frame). Stricter than the mouth's silence gate (-45 dB, which must never cut a
#: consonant): a reader's breath between phrases sits 25-30 dB down (LibriVox clips measured:
#: p95 -18.5 dBFS, pauses -44 to -53) and is a pause, not speech.
SPEECH_RELATIVE_DB = -25.0
#: Silence of at least this length is a pause between phrases.
PAUSE_S = 0.2
#: Syllable nuclei: level peaks at least this far apart.
SYLLABLE_S = 0.15
PITCH_STRIDE = 3
_CHUNK = 4096


@dataclass(frozen=True)
class Prosody:
    """Per-frame voice features at the 60 fps model frames (frame i at (i + 0.25) / 60 s).

    Attributes
    ----------
    level_db : np.ndarray
        (T,) level in dBFS.
    pitch_hz : np.ndarray
        (T,) fundamental frequency, 0 where unvoiced.
    speech : np.ndarray
        (T,) bool, True where someone speaks (see :data:`SPEECH_RELATIVE_DB`).
    pause : np.ndarray
        (T,) bool, True inside silences of at least :data:`PAUSE_S`.
    phrase_starts : np.ndarray
        (P,) frame index where speech resumes after a pause (or the take starts speaking).
    stress_frames : np.ndarray
        (S,) frame index of each syllable nucleus.
    stress : np.ndarray
        (S,) its prominence in [0, 1] (louder and higher than the speaker's usual).
    low_phrase : np.ndarray
        (T,) in [0, 1], how low and quiet the phrase around each frame is.
    frame_times : np.ndarray
        (T,) audio time in seconds of each frame.
    """

    level_db: np.ndarray
    pitch_hz: np.ndarray
    speech: np.ndarray
    pause: np.ndarray
    phrase_starts: np.ndarray
    stress_frames: np.ndarray
    stress: np.ndarray
    low_phrase: np.ndarray
    frame_times: np.ndarray


def pitch_track(
    samples: np.ndarray, rate: int, frames: int, where: np.ndarray | None = None
) -> np.ndarray:
    """(frames,) F0 in Hz (0 when unvoiced) by normalised autocorrelation at the model frames.

    Measured on every :data:`PITCH_STRIDE`-th frame (prosody moves slower than that) and only
    where ``where`` (frames,) is True (e.g. speech); the other frames copy the nearest measured.
    """
    step = max(1, int(rate // PITCH_RATE))
    x = decimate(samples, step)
    sr = rate / step
    win = int(PITCH_WINDOW_S * sr)
    lags = np.arange(int(sr / PITCH_RANGE_HZ[1]), int(sr / PITCH_RANGE_HZ[0]) + 1)
    # zero padding to win + the longest lag keeps the circular correlation exact at those lags
    nfft = 1 << int(np.ceil(np.log2(win + lags[-1])))
    out = np.zeros(frames)
    picked = np.arange(0, frames, PITCH_STRIDE)
    if where is not None:
        picked = picked[where[picked]]
    if len(x) < win or len(picked) == 0:
        return out
    centres = ((picked / MODEL_FPS + FRAME_TIME_OFFSET) * sr).astype(int)
    starts = np.clip(centres - win // 2, 0, len(x) - win)
    offsets = np.arange(win)
    found = np.zeros(len(picked))
    for lo in range(0, len(picked), _CHUNK):
        block = x[starts[lo : lo + _CHUNK, None] + offsets]
        block = block - block.mean(axis=1, keepdims=True)
        spec = np.fft.rfft(block, nfft, axis=1)
        ac = np.fft.irfft(spec.real**2 + spec.imag**2, nfft, axis=1)
        norm = ac[:, lags] / np.maximum(ac[:, :1], 1e-12)
        best = np.argmax(norm, axis=1)
        voiced = norm[np.arange(len(best)), best] > VOICED_CORRELATION
        found[lo : lo + _CHUNK] = np.where(voiced, sr / lags[best], 0.0)
    nearest = np.clip(np.searchsorted(picked, np.arange(frames)), 0, len(picked) - 1)
    near = np.abs(picked[nearest] - np.arange(frames)) <= PITCH_STRIDE
    out[near] = found[nearest[near]]
    return out


def decimate(samples: np.ndarray, step: int) -> np.ndarray:
    """(n // step,) float32 means of ``step`` consecutive samples (n,).

    The same bits as ``reshape(-1, step).mean(axis=1)``. Below eight, numpy sums a row in
    order, starting from 0; done a column at a time here, since numpy's per-row reduction over
    so short an axis is mostly call overhead (measured 3x slower at step 5, 22.05 kHz audio).
    From eight on numpy keeps eight running sums and is as fast as this would be.
    """
    usable = len(samples) // step * step
    rows = samples[:usable].astype(np.float32, copy=False).reshape(-1, step)
    if step >= 8:
        return rows.mean(axis=1)
    total = rows[:, 0] + np.float32(0.0)  # from 0, as numpy: -0.0 becomes 0.0
    for i in range(1, step):
        total += rows[:, i]
    return total / np.float32(step)


def analyse(samples: np.ndarray, rate: int, level_db: np.ndarray) -> Prosody:
    """Prosody of a take from its source ``samples`` (n,) at ``rate`` and its (T,) levels."""
    frames = len(level_db)
    loud = percentile(level_db, 95) if frames else 0.0
    speech = level_db > max(GATE_FLOOR_DB, loud + SPEECH_RELATIVE_DB)
    pitch = pitch_track(samples, rate, frames, speech)
    quiet_start, quiet_end = runs(~speech)
    pause = np.zeros(frames, dtype=bool)
    long_gap = (quiet_end - quiet_start) >= PAUSE_S * MODEL_FPS
    for a, b in zip(quiet_start[long_gap], quiet_end[long_gap], strict=True):
        pause[a:b] = True
    talk_start, talk_end = runs(speech)
    after_pause = pause[np.maximum(talk_start - 1, 0)]
    after_pause[:1] = True  # the first speech run starts a phrase
    phrase_starts = talk_start[after_pause] if len(talk_start) else np.zeros(0, dtype=int)

    voiced = pitch > 0
    ref_db = median(level_db[speech]) if speech.any() else 0.0
    semis = np.zeros(frames)
    if voiced.any():
        semis[voiced] = 12 * np.log2(pitch[voiced] / median(pitch[voiced]))
    envelope = moving_average(np.where(speech, level_db, ref_db - 30), 5)
    stress_frames, stress = _nuclei(envelope, speech, semis)

    low = np.zeros(frames)
    # phrase = a speech run up to the next pause; low and quiet: below the take's median level
    # and pitch over the phrase as a whole
    bounds = np.concatenate([phrase_starts, [frames]])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        talk = speech[a:b]
        if not talk.any():
            continue
        spoken = level_db[a:b][talk]
        quiet = (ref_db - float(spoken.sum() / len(spoken))) / 6.0  # np.mean's bits, less overhead
        v = voiced[a:b] & talk
        lower = -float(semis[a:b][v].sum() / v.sum()) / 3.0 if v.any() else 0.0
        low[a:b] = min(max(min(quiet, lower) + 0.5, 0.0), 1.0) * talk
    return Prosody(
        level_db,
        pitch,
        speech,
        pause,
        phrase_starts,
        stress_frames,
        stress,
        moving_average(low, 30),
        model_frame_times(frames),
    )


def _nuclei(
    envelope: np.ndarray, speech: np.ndarray, semis: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Local level maxima in speech, at least a syllable apart, and their prominence in [0, 1]."""
    if len(envelope) < 3:
        return np.zeros(0, dtype=int), np.zeros(0)
    gap = int(SYLLABLE_S * MODEL_FPS)
    local_max = sliding_max(envelope, gap, gap)
    frames = np.flatnonzero((envelope >= local_max) & speech)
    if len(frames):  # a flat top yields several equal maxima: keep the first
        frames = frames[np.concatenate([[True], np.diff(frames) >= gap])]
    if len(frames) == 0:
        return frames, np.zeros(0)
    # relative to the take's own syllables: 6 dB louder or 4 semitones higher than the median
    # syllable is full prominence, the median syllable 0.5
    peak_db = envelope[frames]
    loud = (peak_db - median(peak_db)) / 6.0
    # highest pitch within 6 frames either side (-inf padding leaves each window's max as is)
    edge = np.full(6, -np.inf)
    around = np.concatenate([edge, semis, edge])
    high = around[frames[:, None] + np.arange(13)].max(axis=1)
    high = (high - median(high)) / 4.0
    return frames, np.clip(0.5 + 0.5 * loud + 0.5 * high, 0.0, 1.0)
