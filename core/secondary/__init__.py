"""Secondary motion: blinks, gaze, brows and head motion from the voice, for product mode.

The model drives the mouth; this layer adds what a listener expects of the rest of the face,
from the audio's prosody (:mod:`.prosody`) and statistics fitted from real capture
(:mod:`.fitted`). It is deterministic for a given seed. Its cost (measure it with
``benchmarks/secondary_report.py --cost``) is about 0.5 ms per second of audio plus 1-1.5 ms
of numpy call overhead per take, so below 1 ms per audio second from clips of about 3 s on.
A part whose channels the model already animates (NeuroSync checkpoints emit blinks, gaze and
head) is left alone: the layer only fills what the model leaves flat.
"""

from __future__ import annotations

import numpy as np

from ..constants import BLENDSHAPE_NAMES, EMOTION_NAMES, NUM_ARKIT_CHANNELS
from . import fitted
from .blinks import blink_curves, blink_times
from .brows import brow_curves
from .gaze import gaze_rotation, look_channels, rotation_from_looks, saccades
from .head import head_curves
from .options import PARTS, SecondaryOptions
from .prosody import Prosody, analyse
from .rng import part_generators
from .shapes import percentile

__all__ = [
    "FLAT_RANGE",
    "PARTS",
    "Prosody",
    "SecondaryOptions",
    "analyse",
    "apply_secondary",
    "emotion_shifts",
    "flat_channels",
]

#: A channel whose 1st-99th percentile range over the take is below this is "flat": the model
#: does not animate it. Measured: the default model's eye, brow and rotation channels span at
#: most 0.04 (demo/voice.ogg, training/fixtures/held_out_rms.wav); animated ones in the capture
#: span 0.3 or more (blinks 0.6-0.9, brows 0.3-0.7, eye yaw 0.2-0.6).
FLAT_RANGE = 0.1

_I = {n: i for i, n in enumerate(BLENDSHAPE_NAMES)}
BLINK_CHANNELS = ("EyeBlinkLeft", "EyeBlinkRight")
LOOK_CHANNELS = tuple(n for n in BLENDSHAPE_NAMES if n.startswith("EyeLook"))
EYE_ROTATIONS = ("LeftEyeYaw", "LeftEyePitch", "RightEyeYaw", "RightEyePitch")
BROW_CHANNELS = (
    "BrowInnerUp",
    "BrowOuterUpLeft",
    "BrowOuterUpRight",
    "BrowDownLeft",
    "BrowDownRight",
)
HEAD_CHANNELS = ("HeadYaw", "HeadPitch", "HeadRoll")
PART_CHANNELS = {
    "blinks": BLINK_CHANNELS,
    "gaze": LOOK_CHANNELS + EYE_ROTATIONS,
    "brows": BROW_CHANNELS,
    "head": HEAD_CHANNELS,
}


def flat_channels(model_values: np.ndarray) -> set[str]:
    """Which of the layer's channels a model leaves flat in (T, 61) ``model_values`` (0-1)."""
    names = [n for part in PARTS for n in PART_CHANNELS[part]]
    if len(model_values) == 0:
        return set(names)
    cols = model_values[:, [_I[n] for n in names]]
    # a full range well below FLAT_RANGE bounds the percentile range: only the rest need the
    # (costly) percentiles; the margin covers the percentiles' interpolation rounding
    unsure = np.ptp(cols, axis=0) >= FLAT_RANGE - 1e-9
    flat = {n for n, u in zip(names, unsure, strict=True) if not u}
    if unsure.any():
        lo, hi = percentile(cols[:, unsure], [1, 99])
        rest = [n for n, u in zip(names, unsure, strict=True) if u]
        flat |= {n for n, span in zip(rest, hi - lo, strict=True) if span < FLAT_RANGE}
    return flat


#: (7, K) :data:`fitted.EMOTION_SHIFTS` in :data:`EMOTION_NAMES` x :data:`fitted.SHIFT_KEYS` order.
_SHIFT_TABLE = np.array(
    [[fitted.EMOTION_SHIFTS[e][k] for k in fitted.SHIFT_KEYS] for e in EMOTION_NAMES]
)


def emotion_shifts(emotions: np.ndarray) -> dict[str, np.ndarray]:
    """(T, 7) emotion weights -> per-frame multipliers of :data:`fitted.EMOTION_SHIFTS`."""
    table = _SHIFT_TABLE
    w = np.clip(emotions, 0.0, None)
    total = w.sum(axis=1, keepdims=True)
    neutral = np.eye(len(EMOTION_NAMES))[EMOTION_NAMES.index("Neutral")]
    w = np.where(total > 1e-6, w / np.maximum(total, 1e-6), neutral)
    mixed = w @ table
    return {k: mixed[:, i] for i, k in enumerate(fitted.SHIFT_KEYS)}


def apply_secondary(
    values: np.ndarray,
    times: np.ndarray,
    prosody: Prosody,
    options: SecondaryOptions,
    *,
    emotions: np.ndarray | None = None,
    model_values: np.ndarray | None = None,
    clamp: bool = True,
) -> np.ndarray:
    """Add secondary motion to product-mode curves; returns a new (N, 61) float32 array.

    Parameters
    ----------
    values : np.ndarray
        (N, 61) curves at the output ``times`` (N,), seconds of audio.
    prosody : Prosody
        :func:`.prosody.analyse` of the same audio (at the 60 fps model frames).
    options : SecondaryOptions
        Parts, strengths and seed.
    emotions : np.ndarray, optional
        (N, 7) emotion weights at ``times`` (the model's or the directed ones); they shift the
        parts' parameters. None: Neutral.
    model_values : np.ndarray, optional
        (T, 61) the model's own weights (0-1); parts whose channels it animates are skipped.
    clamp : bool
        Clip the 52 shape channels to [0, 1] (rotations stay signed).
    """
    out = np.array(values, dtype=np.float64, copy=True)
    if len(times) == 0 or len(prosody.level_db) == 0 or not options.any_enabled:
        return out.astype(np.float32)
    frame_t = prosody.frame_times
    if emotions is None:
        emotions = np.zeros((len(times), len(EMOTION_NAMES)))
    shifts = emotion_shifts(emotions)
    at_frames = {k: np.interp(frame_t, times, v) for k, v in shifts.items()}
    flat = flat_channels(model_values if model_values is not None else values[:0])
    free = {p: all(c in flat for c in PART_CHANNELS[p]) for p in PARTS}
    rngs = dict(zip(PARTS, part_generators(options.seed, len(PARTS)), strict=True))

    if options.enabled("blinks") and free["blinks"]:
        wide = np.interp(
            frame_t, times, out[:, [_I["EyeWideLeft"], _I["EyeWideRight"]]].mean(axis=1)
        )
        scale = at_frames["blink"] * options.strength("blinks")
        events = blink_times(prosody, scale, wide, rngs["blinks"])
        blink = blink_curves(times, events, rngs["blinks"])
        for k, name in enumerate(BLINK_CHANNELS):
            out[:, _I[name]] += blink[:, k]
    if options.enabled("gaze"):
        _gaze(
            out,
            times,
            frame_t,
            at_frames,
            options.strength("gaze"),
            free["gaze"],
            flat,
            rngs["gaze"],
        )
    if options.enabled("brows") and free["brows"]:
        at_frames["strength"] = np.full(len(frame_t), options.strength("brows"))
        brow = brow_curves(times, prosody, at_frames, rngs["brows"])
        for k, name in enumerate(BROW_CHANNELS[:3]):
            out[:, _I[name]] += brow[:, k]
        for name in BROW_CHANNELS[3:]:
            out[:, _I[name]] += brow[:, 3]
    if options.enabled("head") and free["head"]:
        head = head_curves(
            times, prosody, at_frames["head"] * options.strength("head"), rngs["head"]
        )
        for k, name in enumerate(HEAD_CHANNELS):
            out[:, _I[name]] += head[:, k]
    if clamp:
        out[:, :NUM_ARKIT_CHANNELS] = np.clip(out[:, :NUM_ARKIT_CHANNELS], 0.0, 1.0)
    return out.astype(np.float32)


def _gaze(out, times, frame_t, at_frames, strength, free, flat, rng) -> None:
    """Saccades into the look channels and eye rotations, or only the rotations from the
    model's own look channels when it animates those."""
    if free:
        onsets, durations, targets = saccades(
            float(frame_t[-1]) + 0.5,
            at_frames["gaze"] * strength,
            at_frames["fixation"],
            frame_t,
            rng,
        )
        yaw, pitch = gaze_rotation(times, onsets, durations, targets).T
        for name, curve in look_channels(yaw, pitch).items():
            out[:, _I[name]] += curve
    elif all(c in flat for c in EYE_ROTATIONS):
        yaw, pitch = rotation_from_looks({n: out[:, _I[n]] for n in LOOK_CHANNELS})
    else:
        return
    for side in ("Left", "Right"):
        out[:, _I[f"{side}EyeYaw"]] += yaw
        out[:, _I[f"{side}EyePitch"]] += pitch
