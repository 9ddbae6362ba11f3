"""From raw model output to animation curves.

Reference mode repeats the publishing code's post-processing for the checkpoint's family:

- ``v01a``: the 61 blendshape channels divided by 100.
- ``v2025``: the same, then a 0.1 s linear ease-in on every column, then the blink and eye-look
  columns and channels 52-61 set to 0.

Product mode (the default) applies :class:`ProductOptions`: emotion-scaled weights, per-region
gain, smoothing, clamping to [0, 1] and resampling to the target frame rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .constants import (
    BLENDSHAPE_NAMES,
    EMOTION_NAMES,
    FAMILY_V2025,
    FRAME_TIME_OFFSET,
    MODEL_FPS,
    NUM_ARKIT_CHANNELS,
    NUM_BLENDSHAPES,
    REFERENCE_ZEROED_COLUMNS,
    model_frame_times,
)
from .dsp import savgol_filter
from .emotions import EMOTION_TABLE, directed_weights, emotion_offsets, smooth_emotions
from .errors import OptionsError
from .loudness import silence_gate
from .secondary.options import SecondaryOptions

SMOOTHING_MODES = ("none", "pairs", "savgol")
REGIONS = ("mouth", "brows", "cheeks", "eyes")


def region_of(name: str) -> str | None:
    """Gain region of a channel (mouth/jaw/tongue, brows, cheeks/nose, eyes); None for rotations."""
    if name.startswith(("Jaw", "Mouth", "Tongue")):
        return "mouth"
    if name.startswith("Brow"):
        return "brows"
    if name.startswith(("Cheek", "Nose")):
        return "cheeks"
    if name.startswith("Eye"):
        return "eyes"
    return None


_REGION_INDEX = np.array(
    [REGIONS.index(r) if (r := region_of(n)) else -1 for n in BLENDSHAPE_NAMES]
)


def reference_postprocess(raw: np.ndarray, family: str) -> np.ndarray:
    """The publishing code's post-processing of (T, 68) raw output; returns a new array."""
    out = np.array(raw, dtype=np.float32, copy=True)
    out[:, :NUM_BLENDSHAPES] /= 100
    if family == FAMILY_V2025:
        ease = min(int(0.1 * MODEL_FPS), out.shape[0])
        out[:ease] *= np.linspace(0, 1, ease)[:, None]
        out[:, list(REFERENCE_ZEROED_COLUMNS)] = 0
    return out


@dataclass(frozen=True)
class ProductOptions:
    """Every product-mode knob. Defaults give the recommended result.

    Attributes
    ----------
    emotion_strength : float
        Global scale 0-2 of the emotion table's offsets (0 turns emotion modulation off).
    emotion_strengths : dict
        Per-emotion scale 0-2 by emotion name; missing names mean 1.0.
    region_gains : dict
        Gain 0-2 per region (mouth, brows, cheeks, eyes); missing names mean 1.0.
    smoothing : {"none", "pairs", "savgol"}
        ``pairs``: each frame averaged with the previous one (the seed's 2-tap pair mean).
        ``savgol``: zero-phase Savitzky-Golay, 7 frames (117 ms), quadratic: removes frame
        jitter while keeping the height and timing of short closures such as p/b/m.
    clamp : bool
        Clip the 52 shape keys to [0, 1] (head and eye rotations keep their sign).
    silence_gate : bool
        Close the mouth where the audio is silent (see :mod:`core.loudness`).
    fps : float
        Output frame rate (any positive rate: 24, 25, 29.97, 23.976, 60 ...).
    start_time : float
        Audio time in seconds of the first output frame.
    duration : float or None
        Seconds of output from ``start_time``; None runs to the end of the audio.
    emotion : str or None
        Directed emotion for the whole take (one of :data:`EMOTION_NAMES`); it replaces the
        model's emotion output (the default model's is always Neutral). None: the model's.
    emotion_intensity : float
        0-1, how much of ``emotion`` (the rest is Neutral).
    emotion_keys : tuple
        A directed track instead: ``((time_s, emotion, intensity), ...)``, blended linearly
        between keys and held beyond them. Exclusive with ``emotion``.
    secondary : SecondaryOptions
        Blinks, gaze, brows and head motion (see :mod:`core.secondary`).
    """

    emotion_strength: float = 1.0
    emotion_strengths: dict[str, float] = field(default_factory=dict)
    region_gains: dict[str, float] = field(default_factory=dict)
    smoothing: str = "savgol"
    clamp: bool = True
    silence_gate: bool = True
    fps: float = float(MODEL_FPS)
    start_time: float = 0.0
    duration: float | None = None
    emotion: str | None = None
    emotion_intensity: float = 1.0
    emotion_keys: tuple[tuple[float, str, float], ...] = ()
    secondary: SecondaryOptions = field(default_factory=SecondaryOptions)

    def __post_init__(self) -> None:
        if not 0.0 <= self.emotion_strength <= 2.0:
            raise OptionsError(f"emotion strength must be within 0-2, got {self.emotion_strength}")
        for table, known, what in (
            (self.emotion_strengths, EMOTION_NAMES, "emotion"),
            (self.region_gains, REGIONS, "region"),
        ):
            for key, value in table.items():
                if key not in known:
                    raise OptionsError(
                        f"unknown {what} {key!r}; expected one of {', '.join(known)}"
                    )
                if not 0.0 <= value <= 2.0:
                    raise OptionsError(f"{what} {key} strength must be within 0-2, got {value}")
        if self.smoothing not in SMOOTHING_MODES:
            raise OptionsError(
                f"smoothing must be one of {', '.join(SMOOTHING_MODES)}, got {self.smoothing!r}"
            )
        if not (self.fps > 0 and np.isfinite(self.fps)):
            raise OptionsError(f"fps must be a positive number, got {self.fps}")
        if self.duration is not None and self.duration < 0:
            raise OptionsError(f"duration must not be negative, got {self.duration}")
        self._check_direction()

    def _check_direction(self) -> None:
        if self.emotion is not None and self.emotion_keys:
            raise OptionsError("set either emotion or emotion_keys, not both")
        if not 0.0 <= self.emotion_intensity <= 1.0:
            raise OptionsError(
                f"emotion intensity must be within 0-1, got {self.emotion_intensity}"
            )
        keys = ((0.0, self.emotion, self.emotion_intensity),) if self.emotion else self.emotion_keys
        for n, key in enumerate(keys):
            if not (isinstance(key, tuple | list) and len(key) == 3):
                raise OptionsError(
                    f"emotion key {n} must be (time, emotion, intensity), got {key!r}"
                )
            time, name, intensity = key
            if name not in EMOTION_NAMES:
                raise OptionsError(
                    f"unknown emotion {name!r}; expected one of {', '.join(EMOTION_NAMES)}"
                )
            if not (isinstance(time, int | float) and np.isfinite(time) and time >= 0):
                raise OptionsError(
                    f"emotion key {n} time must be a number of seconds >= 0, got {time!r}"
                )
            if not (isinstance(intensity, int | float) and 0.0 <= intensity <= 1.0):
                raise OptionsError(
                    f"emotion key {n} intensity must be within 0-1, got {intensity!r}"
                )

    @property
    def directed_keys(self) -> tuple[tuple[float, str, float], ...]:
        """The directed emotion as keys (empty: the model's own emotion output is used)."""
        if self.emotion is not None:
            return ((0.0, self.emotion, float(self.emotion_intensity)),)
        return tuple(tuple(k) for k in self.emotion_keys)


def product_postprocess(
    raw: np.ndarray,
    options: ProductOptions,
    levels_db: np.ndarray | None = None,
    audio_seconds: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn (T, 68) raw output into curves at ``options.fps``.

    ``levels_db`` (T,) is the audio level under each model frame; with it and
    ``options.silence_gate``, mouth channels are closed where the audio is silent.
    ``audio_seconds`` is where the output ends when ``options.duration`` is None (default: the
    span of the model frames).

    Returns
    -------
    values : np.ndarray
        (N, 61) blendshape weights at the output frames.
    emotions : np.ndarray
        (N, 7) emotion weights in [0, 1] at the output frames.
    times : np.ndarray
        (N,) audio time in seconds of each output frame.
    """
    shapes = raw[:, :NUM_BLENDSHAPES].astype(np.float64) / 100
    if options.silence_gate and levels_db is not None:
        shapes[:, _REGION_INDEX == REGIONS.index("mouth")] *= silence_gate(levels_db)[:, None]
    if options.directed_keys:
        frame_times = model_frame_times(len(raw))
        emotions = directed_weights(options.directed_keys, frame_times)
    else:
        emotions = smooth_emotions(np.clip(raw[:, NUM_BLENDSHAPES:], 0.0, 1.0))
    scales = np.array([options.emotion_strengths.get(n, 1.0) for n in EMOTION_NAMES])
    shapes += emotion_offsets(emotions * scales * options.emotion_strength)
    gains = np.array([options.region_gains.get(r, 1.0) for r in REGIONS] + [1.0])
    shapes *= gains[_REGION_INDEX]
    shapes = smooth(shapes, options.smoothing)
    if options.clamp:  # the head and eye rotations (radians) keep their sign
        shapes[:, :NUM_ARKIT_CHANNELS] = np.clip(shapes[:, :NUM_ARKIT_CHANNELS], 0.0, 1.0)
    end = len(raw) / MODEL_FPS if audio_seconds is None else audio_seconds
    times = output_times(end, options.fps, options.start_time, options.duration)
    values = resample(shapes, times)
    return values.astype(np.float32), resample(emotions, times).astype(np.float32), times


def smooth(curves: np.ndarray, mode: str) -> np.ndarray:
    """Smooth (T, C) curves along time with one of :data:`SMOOTHING_MODES`."""
    if mode == "none" or len(curves) < 2:
        return curves
    if mode == "pairs":
        out = curves.copy()
        out[1:] = 0.5 * (curves[1:] + curves[:-1])
        return out
    window = min(7, len(curves) if len(curves) % 2 else len(curves) - 1)
    if window < 3:
        return curves
    return savgol_filter(curves, window, min(2, window - 1))


def output_times(end: float, fps: float, start: float, duration: float | None) -> np.ndarray:
    """Audio times ``start + k / fps`` before ``end`` seconds (or over ``duration``, both ends)."""
    if duration is None:  # every frame time before the end of the audio
        count = int(np.ceil((end - start) * fps - 1e-9))
    else:  # both ends included
        count = int(np.floor(duration * fps + 1e-9)) + 1
    return start + np.arange(max(0, count)) / fps


def resample(curves: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Linear interpolation of (T, C) 60 fps model frames at arbitrary audio ``times``.

    Model frame i sits at (i + 0.25) / 60 s; times outside the covered span hold the edge value.
    """
    if len(times) == 0:
        return np.zeros((0, curves.shape[1]))
    position = (times - FRAME_TIME_OFFSET) * MODEL_FPS
    position = np.clip(position, 0, len(curves) - 1)
    lo = np.floor(position).astype(int)
    hi = np.minimum(lo + 1, len(curves) - 1)
    frac = (position - lo)[:, None]
    return curves[lo] * (1 - frac) + curves[hi] * frac


__all__ = [
    "EMOTION_TABLE",
    "ProductOptions",
    "SMOOTHING_MODES",
    "REGIONS",
    "product_postprocess",
    "reference_postprocess",
    "resample",
    "output_times",
    "region_of",
    "smooth",
]
