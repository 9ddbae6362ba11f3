"""The model against the rule targets on real human speech (no captured curves exist for it).

The recordings of :func:`training.bilabial.recordings` (5 LibriVox clips and 5 "cards" clips,
about 34 s) are force-aligned with pocketsphinx and rendered with the training rules
(:func:`training.curves.render`); the model runs on the same audio (reference mode). Over the
speech frames (first to last non-silent phone) this reports, per channel, Pearson r and the
amplitude ratio (model 95th percentile / target 95th percentile): how far the model reaches the
shapes the rules ask for on voices it never heard, the synthetic-to-human gap included.
"""

from __future__ import annotations

import numpy as np
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES, MODEL_FPS, model_frame_times
from neurosync_lipsync.core.pipeline import generate

from .curves import render
from .phones import SIL

CHANNELS = (
    "JawOpen",
    "MouthClose",
    "MouthFunnel",
    "MouthPucker",
    "MouthLowerDownLeft",
    "MouthUpperUpLeft",
    "MouthSmileLeft",
    "MouthStretchLeft",
    "MouthPressLeft",
    "MouthRollLower",
)
#: The channels whose amplitude ratio the issue-10 targets ask to lie within 0.7-1.3.
RATIO_CHANNELS = CHANNELS[:6]


def speech_frames(segments: list[tuple[float, float, str]], num_frames: int) -> np.ndarray:
    """Boolean mask of the frames from the first to the last non-silent phone."""
    spoken = [(s, e) for s, e, p in segments if p != SIL]
    t = model_frame_times(num_frames)
    if not spoken:
        return np.zeros(num_frames, bool)
    return (t >= spoken[0][0]) & (t <= spoken[-1][1])


def human_speech(loaded, aligned: list[tuple[str, object, list]]) -> dict:
    """Per-channel r and p95 ratio over all aligned clips' speech frames.

    ``aligned``: [(name, wav path, segments)] from :func:`training.bilabial.aligned`.
    """
    preds, targets = [], []
    for _, wav, segments in aligned:
        ours = generate(wav, model=loaded, reference=True).values
        rules = render([(max(0.0, s), e, p) for s, e, p in segments], len(ours))
        mask = speech_frames(segments, len(ours))
        preds.append(ours[mask])
        targets.append(rules[mask])
    if not preds:
        return {"error": "no clip could be aligned"}
    p, t = np.concatenate(preds), np.concatenate(targets)
    out: dict = {"clips": len(preds), "speech_seconds": round(len(p) / MODEL_FPS, 1)}
    for name in CHANNELS:
        c = BLENDSHAPE_NAMES.index(name)
        model_p95, target_p95 = (float(np.percentile(v[:, c], 95)) for v in (p, t))
        r = float(np.corrcoef(p[:, c], t[:, c])[0, 1]) if p[:, c].std() > 1e-8 else float("nan")
        out[name] = {
            "r": r,
            "model_p95": model_p95,
            "target_p95": target_p95,
            "ratio": model_p95 / target_p95 if target_p95 > 1e-6 else float("nan"),
        }
    return out
