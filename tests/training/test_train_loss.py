"""Training pieces of issue 10: per-channel loss balance, fine-tuning from a checkpoint."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from neurosync_lipsync.core.checkpoint import ModelConfig
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES, NUM_BLENDSHAPES
from neurosync_lipsync.core.model import Seq2Seq

from training.human import speech_frames
from training.train import MOUTH, channel_weights, export, initial_weights

CH = {name: i for i, name in enumerate(BLENDSHAPE_NAMES)}


def curves(rng: np.random.Generator) -> np.ndarray:
    y = np.zeros((400, NUM_BLENDSHAPES), np.float32)
    y[:, CH["JawOpen"]] = rng.uniform(0, 0.6, 400)  # std about 0.17
    y[:, CH["MouthClose"]] = rng.uniform(0, 0.06, 400)  # a tenth of the jaw's spread
    y[:, CH["MouthFunnel"]] = rng.uniform(0, 0.9, 400)  # wider than the jaw
    return y


def test_small_range_mouth_channels_are_weighted_up_to_the_cap():
    w = channel_weights([curves(np.random.default_rng(0))], balance=9.0)
    assert w[CH["JawOpen"]] == 1.0
    assert w[CH["MouthClose"]] == 9.0  # (std ratio about 10) ** 2, capped
    assert w[CH["MouthFunnel"]] == 1.0  # never below 1
    assert w[CH["MouthPressLeft"]] == 1.0  # constant channels keep the base weight
    assert w[CH["EyeBlinkLeft"]] == pytest.approx(0.2)
    assert set(np.unique(w[~MOUTH])) == {0.2}


def test_jaw_and_close_weights_multiply_their_channels_after_the_balance():
    from training.corpus import Corpus
    from training.train import TrainConfig, loss_weights

    y = [curves(np.random.default_rng(0))]
    config = TrainConfig(jaw_weight=2.0, close_weight=2.5)
    w = loss_weights(config, Corpus([np.zeros((400, 78))], y, [{}]), "cpu").numpy()
    base = channel_weights(y, balance=9.0)
    assert w[CH["JawOpen"]] == pytest.approx(2.0 * base[CH["JawOpen"]])
    assert w[CH["MouthClose"]] == pytest.approx(22.5)
    others = [c for c in range(NUM_BLENDSHAPES) if c not in (CH["JawOpen"], CH["MouthClose"])]
    np.testing.assert_allclose(w[others], base[others])


def test_balance_one_gives_the_v1_weights():
    w = channel_weights([curves(np.random.default_rng(1))], balance=1.0)
    assert np.array_equal(w, np.where(MOUTH, 1.0, 0.2))


def test_fine_tuning_starts_from_an_exported_checkpoint_exactly(tmp_path):
    config = ModelConfig(
        family="v01a",
        input_dim=78,
        hidden_dim=16,
        n_layers=1,
        num_heads=2,
        output_dim=68,
        ff_dim=32,
        frame_size=128,
        overlap=0,
    )
    torch.manual_seed(0)
    model = Seq2Seq.from_config(config)
    export(model, config, tmp_path / "m.pth")  # blendshape rows x100, as shipped
    restored = Seq2Seq.from_config(config)
    restored.load_state_dict(initial_weights(tmp_path / "m.pth", "cpu"))
    x = torch.randn(2, 128, 78)
    with torch.no_grad():
        torch.testing.assert_close(restored(x), model(x), rtol=1e-5, atol=1e-6)


def test_speech_frames_span_first_to_last_spoken_phone():
    segs = [
        (0.0, 0.5, "SIL"),
        (0.5, 0.8, "AA"),
        (0.8, 1.0, "SIL"),
        (1.0, 1.2, "M"),
        (1.2, 2.0, "SIL"),
    ]
    mask = speech_frames(segs, 120)
    t = (np.arange(120) + 0.25) / 60
    assert mask[(t > 0.52) & (t < 1.18)].all()  # the inner pause counts as speech
    assert not mask[t < 0.48].any() and not mask[t > 1.22].any()


def test_calibration_stretches_around_rest_to_the_targets_p95():
    from training.calibrate import factors

    rng = np.random.default_rng(2)
    target = curves(rng).astype(np.float64)
    target[:100] = 0.0  # a pause: the targets rest at 0
    pred = 0.02 + 0.5 * target  # the model rests at 0.02 and reaches half the excursion
    k, rest = factors(pred, target, cap=2.5)
    jaw = CH["JawOpen"]
    assert rest[jaw] == pytest.approx(0.02)
    stretched = rest[jaw] + k[jaw] * (pred[:, jaw] - rest[jaw])
    assert np.percentile(stretched, 95) == pytest.approx(
        np.percentile(target[:, jaw], 95), rel=0.05
    )
    assert k[CH["MouthPressLeft"]] == 1.0  # target p95 below MIN_TARGET_P95: left alone
    assert k[CH["EyeBlinkLeft"]] == 1.0 and k.max() <= 2.5


def test_calibration_never_shrinks():
    from training.calibrate import factors

    target = curves(np.random.default_rng(3)).astype(np.float64)
    k, _ = factors(2.0 * target, target, cap=2.5)
    assert k.min() == 1.0
