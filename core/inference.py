"""Windowed, batched model inference with the reference's chunking for each family.

- ``v01a``: consecutive 128-frame windows; the last one is reflect-padded to 128 and its output
  cut back to the real frames.
- ``v2025``: 128-frame windows every 96 frames (32 overlap), replicate-padded, outputs
  cross-faded linearly over the overlap exactly as the publishing code does it, including its
  behaviour at the tail.

Windows are independent of each other, so they are run in batches; every window's output is the
same as when it runs alone (the model is batch-size invariant, see ``core.model``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from .checkpoint import LoadedModel
from .constants import FAMILY_V01A
from .errors import CancelledError, OptionsError
from .torch_backend import resolve_device, torch_threads

__all__ = ["decode_windows", "plan_windows", "resolve_device", "run_model", "torch_threads"]

ProgressFn = Callable[[float, str], None]


class CancelEvent(Protocol):
    def is_set(self) -> bool: ...


def plan_windows(num_frames: int, frame_size: int, overlap: int) -> list[tuple[int, int]]:
    """(start, end) of each window the reference decodes, in order."""
    step = frame_size - overlap
    if step <= 0:
        raise OptionsError(f"overlap {overlap} must be smaller than the window size {frame_size}")
    return [(s, min(s + frame_size, num_frames)) for s in range(0, num_frames, step)]


def pad_window(chunk: np.ndarray, frame_size: int, mode: str) -> np.ndarray:
    """Pad a short window to ``frame_size`` frames as the reference does for ``mode``."""
    missing = frame_size - chunk.shape[0]
    if missing <= 0:
        return chunk
    if mode == "reflect":
        tail = np.pad(chunk, ((0, missing), (0, 0)), mode="reflect")[-missing:]
    else:
        tail = np.repeat(chunk[-1:], missing, axis=0)
    return np.vstack([chunk, tail])


def decode_windows(
    features: np.ndarray,
    windows: list[tuple[int, int]],
    loaded: LoadedModel,
    *,
    batch_size: int = 8,
    progress: ProgressFn | None = None,
    cancel: CancelEvent | None = None,
) -> list[np.ndarray]:
    """Run every window through the model; returns each window's output cut to its real frames.

    The model is any backend's ``loaded(batch)``: (B, frame_size, input_dim) float32 in,
    (B, frame_size, 68) float32 out.
    """
    cfg = loaded.config
    mode = "reflect" if cfg.family == FAMILY_V01A else "replicate"
    batch_size = max(1, batch_size)
    outputs: list[np.ndarray] = []
    for first in range(0, len(windows), batch_size):
        if cancel is not None and cancel.is_set():
            raise CancelledError("cancelled during inference")
        group = windows[first : first + batch_size]
        batch = np.stack([pad_window(features[s:e], cfg.frame_size, mode) for s, e in group])
        result = loaded(batch)
        outputs.extend(result[i, : e - s] for i, (s, e) in enumerate(group))
        if progress is not None:
            progress(len(outputs) / len(windows), "inference")
    return outputs


def run_model(
    features: np.ndarray,
    loaded: LoadedModel,
    *,
    batch_size: int = 8,
    progress: ProgressFn | None = None,
    cancel: CancelEvent | None = None,
) -> np.ndarray:
    """Raw model output for a whole feature sequence.

    Parameters
    ----------
    features : np.ndarray
        (T, input_dim) float32 features of the model's family.
    loaded : LoadedModel
        The model and its config.
    batch_size : int
        Windows per forward pass (1 gives the straightforward one-window loop).

    Returns
    -------
    np.ndarray
        (T, 68) float32: 61 blendshapes (in percent for NeuroSync models) and 7 emotions.
    """
    cfg = loaded.config
    if features.ndim != 2 or features.shape[1] != cfg.input_dim:
        raise OptionsError(
            f"features have shape {features.shape}; the model expects (T, {cfg.input_dim})"
        )
    features = np.ascontiguousarray(features, dtype=np.float32)
    n = features.shape[0]
    overlap = 0 if cfg.family == FAMILY_V01A else cfg.overlap
    windows = plan_windows(n, cfg.frame_size, overlap)
    outs = decode_windows(
        features, windows, loaded, batch_size=batch_size, progress=progress, cancel=cancel
    )
    if overlap == 0:
        return np.concatenate(outs, axis=0)[:n]
    merged = outs[0]
    for out in outs[1:]:
        merged = crossfade(merged, out, overlap)
    if len(merged) < n:  # the reference decodes whatever its cross-fades left uncovered
        (tail,) = decode_windows(features, [(len(merged), n)], loaded, batch_size=1)
        merged = np.vstack([merged, tail])
    return merged[:n]


def crossfade(previous: np.ndarray, new: np.ndarray, overlap: int) -> np.ndarray:
    """Blend the end of ``previous`` into the start of ``new`` linearly (as ``blend_chunks``)."""
    k = min(overlap, len(previous), len(new))
    if k == 0:
        return np.vstack([previous, new])
    alpha = (np.arange(k, dtype=np.float32) / k)[:, None]
    blended = previous.copy()
    blended[-k:] = (1 - alpha) * previous[-k:] + alpha * new[:k]
    return np.vstack([blended, new[k:]])
