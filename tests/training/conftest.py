"""Fixtures of the training tests."""

from __future__ import annotations

import json

import numpy as np
import pytest

from training import build_data, corpus


@pytest.fixture
def tiny_corpus(tmp_path, monkeypatch):
    """A corpus of random features and targets in ``tmp_path/data``, read in place of
    training/data: 5 training clips (the first noise-only) and 4 held-out clips of voice "v"."""
    root = tmp_path / "data"
    monkeypatch.setattr(build_data, "DATA", root)
    monkeypatch.setattr(corpus, "DATA", root)
    rng = np.random.default_rng(0)
    for split, clips in (("train", 5), ("heldout", 4)):
        lengths = rng.integers(40, 300, clips)
        meta = [{"key": "negative" if i == 0 else "flite-slt", "voice": "v"} for i in range(clips)]
        (root / split).mkdir(parents=True)
        np.savez(
            root / split / "batch_00000.npz",
            features=rng.standard_normal((lengths.sum(), 78)).astype(np.float16),
            targets=rng.random((lengths.sum(), 61)).astype(np.float16),
            lengths=lengths,
            meta=json.dumps(meta),
            recipe="r1",
            jobs="j",
        )
    return root
