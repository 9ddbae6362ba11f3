"""What training minimises: weighted blendshape error, a velocity term and the Neutral emotion.

Blendshapes are in 0..1. Channels off the mouth count 0.2, mouth channels 1, and mouth channels
with a small range are raised towards the jaw's (see :func:`channel_weights`). The velocity term
compares first differences, so timing counts as well as level; the emotion outputs are pulled
to one-hot Neutral (the corpus carries no emotion).
"""

from __future__ import annotations

import numpy as np
import torch
from neurosync_lipsync.core.constants import EMOTION_NAMES, NUM_BLENDSHAPES

from .channels import JAW, MOUTH

NEUTRAL = EMOTION_NAMES.index("Neutral")


def channel_weights(targets: list[np.ndarray], balance: float) -> np.ndarray:
    """(61,) loss weights: 0.2 off the mouth, 1 on it, and small-range mouth channels raised to
    ``min(balance, (std(JawOpen) / std(channel)) ** 2)`` (``balance`` <= 1: no raise)."""
    weights = np.where(MOUTH, 1.0, 0.2)
    std = np.concatenate([y[::4] for y in targets]).astype(np.float64).std(axis=0)
    active = MOUTH & (std > 1e-3)
    ratio = (std[JAW] / np.maximum(std, 1e-3)) ** 2
    weights[active] = np.clip(ratio[active], 1.0, max(1.0, balance))
    return weights


def loss_fn(
    out: torch.Tensor, y: torch.Tensor, channel_w: torch.Tensor, velocity: float = 2.0
) -> torch.Tensor:
    shapes = out[..., :NUM_BLENDSHAPES]
    err = ((shapes - y) ** 2 * channel_w).mean()
    vel = (((shapes[:, 1:] - shapes[:, :-1]) - (y[:, 1:] - y[:, :-1])) ** 2 * channel_w).mean()
    emo = torch.zeros_like(out[..., NUM_BLENDSHAPES:])
    emo[..., NEUTRAL] = 1.0
    return err + velocity * vel + 0.1 * ((out[..., NUM_BLENDSHAPES:] - emo) ** 2).mean()
