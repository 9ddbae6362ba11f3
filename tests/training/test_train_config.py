"""training/train.py: the command line maps onto TrainConfig, and a tiny run trains, resumes
and exports."""

from __future__ import annotations

import dataclasses
import json
import logging

import numpy as np
import pytest
import torch
from neurosync_lipsync.core.checkpoint import DEFAULT_MODEL_PATH, load_checkpoint
from neurosync_lipsync.core.inference import pad_window
from neurosync_lipsync.core.model import Seq2Seq

from training import corpus, train
from training.train import RUNS, TrainConfig, parse_args

TINY = {"hidden": 16, "layers": 1, "heads": 2, "ff": 32, "batch": 4}


def test_the_command_line_defaults_are_the_shipped_configuration():
    config = parse_args([])
    assert config == TrainConfig()
    assert (config.steps, config.batch, config.lr, config.threads, config.seed) == (
        2400,
        32,
        1e-3,
        1,
        0,
    )
    assert (config.hidden, config.layers, config.heads, config.ff) == (128, 2, 4, 384)
    assert (config.balance, config.velocity, config.jaw_weight, config.save_every) == (
        9.0,
        2.0,
        1.0,
        200,
    )
    assert config.close_weight == 1.0
    assert (config.negative_share, config.zero_share, config.anticipate) == (0.0, 0.0, 0)
    assert config.init is None
    assert config.state == RUNS / "train_state.pt" and config.out == DEFAULT_MODEL_PATH


def test_every_option_has_its_flag(tmp_path):
    argv = (
        "--steps 850 --batch 8 --lr 5e-4 --hidden 64 --layers 1 --heads 2 --ff 96 --threads 2 "
        "--seed 3 --negative-share 0.1 --zero-share 0.05 --anticipate 2 --balance 4 "
        "--velocity 1.5 --jaw-weight 2 --close-weight 3 --save-every 50"
    ).split()
    argv += ["--init", "v1.pth", "--state", str(tmp_path / "s.pt"), "--out", str(tmp_path / "o")]
    config = parse_args(argv)
    assert config == TrainConfig(
        steps=850,
        batch=8,
        lr=5e-4,
        hidden=64,
        layers=1,
        heads=2,
        ff=96,
        threads=2,
        seed=3,
        negative_share=0.1,
        zero_share=0.05,
        anticipate=2,
        balance=4.0,
        velocity=1.5,
        jaw_weight=2.0,
        close_weight=3.0,
        save_every=50,
        init=type(tmp_path)("v1.pth"),
        state=tmp_path / "s.pt",
        out=tmp_path / "o",
    )


def test_the_learning_rate_warms_up_then_falls_to_five_percent():
    config = TrainConfig(steps=1000, lr=1e-3)  # warm-up: 100 steps
    assert train.learning_rate(config, 0) == pytest.approx(1e-5)
    assert train.learning_rate(config, 99) == pytest.approx(1e-3)
    assert train.learning_rate(config, 100) == pytest.approx(1e-3)
    assert train.learning_rate(config, 1000) == pytest.approx(5e-5)


def test_validation_decodes_consecutive_reflect_padded_windows():
    config = train.model_config(TrainConfig(**TINY), 78)
    torch.manual_seed(0)
    model = Seq2Seq.from_config(config)
    rng = np.random.default_rng(1)
    feats = [rng.standard_normal((n, 78)).astype(np.float16) for n in (40, 128, 300)]
    targets = [rng.random((len(x), 61)).astype(np.float16) for x in feats]
    session = train.Session(model, None, config, "r", "cpu", rng)
    got = train.validate(session, corpus.Corpus(feats, targets, [{}] * 3))
    assert model.training  # left in training mode
    preds = []
    with torch.no_grad():
        model.eval()
        for x in feats:
            for s in range(0, len(x), 128):  # each window alone, the last reflect-padded
                window = pad_window(x[s : s + 128].astype(np.float32), 128, "reflect")
                out = model(torch.from_numpy(window[None]))[0, : len(x[s : s + 128]), :61]
                preds.append(out.numpy())
    p, t = np.concatenate(preds), np.concatenate(targets).astype(np.float32)
    jaw = train.JAW
    assert got["jaw_mae"] == pytest.approx(float(np.abs(p[:, jaw] - t[:, jaw]).mean()), rel=1e-5)
    assert got["mse_mouth"] == pytest.approx(float(((p - t)[:, train.MOUTH] ** 2).mean()), rel=1e-5)


@pytest.fixture
def torch_state():
    """run() sets torch's thread count and seed, as the command does: put them back after."""
    threads, rng = torch.get_num_threads(), torch.get_rng_state()
    yield
    torch.set_num_threads(threads)
    torch.set_rng_state(rng)


def test_a_tiny_run_trains_resumes_and_exports(tmp_path, tiny_corpus, caplog, torch_state):
    config = TrainConfig(
        **TINY, steps=2, save_every=1, state=tmp_path / "s.pt", out=tmp_path / "m.pth"
    )
    caplog.set_level(logging.INFO, logger="training.train")
    assert train.run(config) == tmp_path / "m.pth"
    assert torch.load(tmp_path / "s.pt", weights_only=False)["step"] == 2
    train.run(dataclasses.replace(config, steps=3))
    assert "resumed from" in caplog.text and "at step 2" in caplog.text
    info = json.loads((tmp_path / "m.json").read_text())["training"]
    assert info["steps"] == 3 and info["data_recipe"] == "r1" and info["train_clips"] == 5
    assert "state" not in info and "out" not in info
    assert load_checkpoint(tmp_path / "m.pth").config.hidden_dim == 16
    assert (tmp_path / "latest.pth").is_file()


def test_a_stale_state_falls_back_to_init_not_to_random_weights(
    tmp_path, tiny_corpus, caplog, torch_state
):
    """The second cycle of build_all after the corpus changed: start again from --init."""
    first = TrainConfig(**TINY, steps=1, state=tmp_path / "a.pt", out=tmp_path / "a.pth")
    train.run(first)
    second = dataclasses.replace(
        first, init=tmp_path / "a.pth", state=tmp_path / "b.pt", out=tmp_path / "b.pth"
    )
    train.run(second)
    stale = torch.load(tmp_path / "b.pt", weights_only=False)
    stale["data_recipe"] = "another corpus"
    torch.save(stale, tmp_path / "b.pt")
    caplog.set_level(logging.INFO, logger="training.train")
    session = train.start(
        second, train.model_config(second, 78), "r1", "cpu"
    )  # the tiny corpus's recipe is "r1"
    assert "trained on another corpus" in caplog.text and "initialised from" in caplog.text
    want = train.initial_weights(tmp_path / "a.pth", "cpu")
    for name, value in session.model.state_dict().items():
        torch.testing.assert_close(value, want[name])
