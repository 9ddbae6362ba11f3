"""The built corpus as training reads it: clips, targets, random windows.

``training/data/<split>/batch_*.npz`` (see :mod:`training.build_data`) holds float16 features
and target curves of many clips back to back; this splits them into clips, checks that every
batch comes from one recipe, moves targets earlier when the face should lead the sound, and
draws the random 128-frame windows a training step sees.
"""

from __future__ import annotations

import glob
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from neurosync_lipsync.core.constants import MODEL_FPS
from neurosync_lipsync.core.inference import pad_window

from .build_data import DATA, batch_recipe

#: Frames per model window: the inference window of the v01a family.
WINDOW = 128


@dataclass(frozen=True)
class Corpus:
    """One split's clips: (T, 78) features, (T, 61) targets in 0..1 and each clip's metadata."""

    feats: list[np.ndarray]
    targets: list[np.ndarray]
    meta: list[dict]

    def frames(self) -> np.ndarray:
        """(clips,) float64 frame count of each clip."""
        return np.array([len(f) for f in self.feats], dtype=np.float64)

    def hours(self) -> float:
        """Total length in hours (to 0.01 h)."""
        return round(self.frames().sum() / MODEL_FPS / 3600, 2)

    def every(self, n: int) -> Corpus:
        """Every ``n``-th clip."""
        return Corpus(self.feats[::n], self.targets[::n], self.meta[::n])

    def leading(self, frames: int) -> Corpus:
        """The same clips with their targets ``frames`` earlier (see :func:`anticipate`)."""
        return Corpus(self.feats, [anticipate(y, frames) for y in self.targets], self.meta)


def anticipate(y: np.ndarray, frames: int) -> np.ndarray:
    """Targets moved ``frames`` earlier (the face leads the sound); the end holds its last value."""
    if frames <= 0:
        return y
    return np.concatenate([y[frames:], np.repeat(y[-1:], min(frames, len(y)), axis=0)])[: len(y)]


def load_split(split: str) -> Corpus:
    """Every clip of ``split`` ("train" or "heldout")."""
    feats, targets, meta = [], [], []
    for path in sorted(glob.glob(str(DATA / split / "batch_*.npz"))):
        if ".tmp" in path:
            continue
        with np.load(path) as d:  # each key access re-reads the array: read each once
            x, y, lengths, info = d["features"], d["targets"], d["lengths"], str(d["meta"])
        bounds = np.cumsum([0, *lengths])
        for i, m in enumerate(json.loads(info)):
            feats.append(x[bounds[i] : bounds[i + 1]])
            targets.append(y[bounds[i] : bounds[i + 1]])
            meta.append(m)
    return Corpus(feats, targets, meta)


def data_recipe() -> str:
    """The recipe every batch of the corpus was built with; refuses a mixed or missing corpus."""
    recipes = {batch_recipe(Path(p)) for p in glob.glob(str(DATA / "*" / "batch_*.npz"))}
    if len(recipes) != 1 or None in recipes:
        found = sorted(str(r) for r in recipes) or ["no batch files"]
        raise SystemExit(
            f"{DATA} must hold one corpus built by training.build_data; found recipes {found}. "
            "Run python -m training.build_data first."
        )
    return recipes.pop()


def sample_batch(
    corpus: Corpus, weights, rng: np.random.Generator, size: int, zero_share: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``size`` random windows of clips drawn with probabilities ``weights``, as (B, 128, 78)
    features and (B, 128, 61) targets; about ``zero_share`` of them digital silence."""
    xs, ys = [], []
    for i in rng.choice(len(corpus.feats), size=size, p=weights):
        x, y = corpus.feats[i].astype(np.float32), corpus.targets[i].astype(np.float32)
        if zero_share and rng.random() < zero_share:
            # All-zero input (digital silence) gives exactly zero features after CMVN.
            x, y = (
                np.zeros((WINDOW, x.shape[1]), np.float32),
                np.zeros((WINDOW, y.shape[1]), np.float32),
            )
        start = int(rng.integers(0, max(1, len(x) - WINDOW // 2)))
        x, y = x[start : start + WINDOW], y[start : start + WINDOW]
        if len(x) < WINDOW:  # the last window at inference is reflect-padded the same way
            x = pad_window(x, WINDOW, "reflect")
            y = pad_window(y, WINDOW, "reflect")
        xs.append(x)
        ys.append(y)
    return torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys))


def clip_weights(corpus: Corpus, negative_share: float) -> np.ndarray:
    """Probability of drawing each clip: its share of the frames, with the noise-only clips
    (a resting face) raised together to ``negative_share`` of the draws when it is not 0."""
    frames = corpus.frames()
    weights = frames / frames.sum()
    negative = np.array([m["key"] == "negative" for m in corpus.meta])
    if negative_share and negative.any():
        weights[negative] *= negative_share / weights[negative].sum()
        weights[~negative] *= (1 - negative_share) / weights[~negative].sum()
    return weights
