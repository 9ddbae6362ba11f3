"""Train the default model on the synthesised corpus (CPU by default; a GPU is used when present).

Random 128-frame windows (the inference window) from whole clips; loss on blendshapes in 0..1
(mouth, jaw and tongue channels weighted up, plus a first-difference term for timing) and on the
one-hot Neutral emotion. Each mouth channel's weight is raised to
``(std(JawOpen) / std(channel)) ** 2``, at most ``--balance`` (measured on the training targets),
so that channels with a small range, such as MouthClose or MouthPress, count about as much as
the jaw. The state (model, optimiser, step, RNG) is saved every ``--save-every``
steps to ``--state``, and a run started again with the same arguments continues from it, unless
the corpus was rebuilt with another recipe since (then it starts over). At the end the
blendshape rows of the output layer are multiplied by 100 (NeuroSync's models output percent)
and the checkpoint is written with its config, band-limit rate included.

    .venv/bin/python -m training.train   # the shipped configuration

From Python: ``training.train.run(TrainConfig(steps=850, lr=5e-4))``; every command-line option
is the :class:`TrainConfig` field of the same name (``--jaw-weight`` is ``jaw_weight``).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from neurosync_lipsync.core.checkpoint import DEFAULT_MODEL_PATH, LoadedModel, ModelConfig
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES, NUM_BLENDSHAPES, NUM_OUTPUTS
from neurosync_lipsync.core.inference import run_model
from neurosync_lipsync.core.model import Seq2Seq
from neurosync_lipsync.core.torch_backend import TorchRunner

from .build_data import BAND_LIMIT_RATE, FAMILY
from .channels import CLOSE, JAW, MOUTH
from .corpus import WINDOW, Corpus, clip_weights, data_recipe, load_split, sample_batch
from .loss import channel_weights, loss_fn
from .model_files import export, initial_weights

log = logging.getLogger("training.train")
RUNS = Path(__file__).resolve().parent / "runs"


def _help(text: str) -> dict:
    return {"help": text}


@dataclass(frozen=True)
class TrainConfig:
    """Every training option; the command line has one ``--name`` per field, same default."""

    steps: int = 2400
    batch: int = 32
    lr: float = 1e-3
    hidden: int = 128
    layers: int = 2
    heads: int = 4
    ff: int = 384
    threads: int = 1
    seed: int = 0
    negative_share: float = field(default=0.0, metadata=_help("batch share of noise-only clips"))
    zero_share: float = field(default=0.0, metadata=_help("batch share of digital-silence windows"))
    anticipate: int = field(default=0, metadata=_help("frames the targets lead the audio"))
    balance: float = field(
        default=9.0,
        metadata=_help(
            "largest loss weight of a small-range mouth channel (1: all mouth channels equal)"
        ),
    )
    velocity: float = field(default=2.0, metadata=_help("weight of the velocity loss"))
    jaw_weight: float = field(default=1.0, metadata=_help("extra loss weight on JawOpen"))
    close_weight: float = field(default=1.0, metadata=_help("extra loss weight on MouthClose"))
    save_every: int = 200
    init: Path | None = field(
        default=None,
        metadata=_help("start from these weights: a run's train_state.pt or an exported .pth"),
    )
    state: Path = RUNS / "train_state.pt"
    out: Path = DEFAULT_MODEL_PATH


@dataclass
class Session:
    """The model being trained, its optimiser and where the run stands."""

    model: Seq2Seq
    opt: torch.optim.Optimizer
    model_config: ModelConfig
    recipe: str
    device: str
    rng: np.random.Generator
    step: int = 0


def parse_args(argv: list[str] | None = None) -> TrainConfig:
    """The :class:`TrainConfig` a command line asks for."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in dataclasses.fields(TrainConfig):
        kind = Path if f.name == "init" or isinstance(f.default, Path) else type(f.default)
        p.add_argument(
            "--" + f.name.replace("_", "-"),
            type=kind,
            default=f.default,
            help=f.metadata.get("help"),
        )
    return TrainConfig(**vars(p.parse_args(argv)))


def learning_rate(config: TrainConfig, step: int) -> float:
    """Linear warm-up over a tenth of the steps (at most 300), then a cosine down to 5 %."""
    warmup = min(300, config.steps // 10)
    if step < warmup:
        return config.lr * (step + 1) / warmup
    cosine = math.cos(math.pi * (step - warmup) / max(1, config.steps - warmup))
    return config.lr * (0.05 + 0.95 * 0.5 * (1 + cosine))


def model_config(config: TrainConfig, input_dim: int) -> ModelConfig:
    return ModelConfig(
        family=FAMILY,
        input_dim=input_dim,
        hidden_dim=config.hidden,
        n_layers=config.layers,
        num_heads=config.heads,
        output_dim=NUM_OUTPUTS,
        ff_dim=config.ff,
        frame_size=WINDOW,
        overlap=0,
        band_limit_rate=BAND_LIMIT_RATE,
        peak_normalize=False,
    )


def start(config: TrainConfig, model_cfg: ModelConfig, recipe: str, device: str) -> Session:
    """A new model, or ``--init``'s weights (fine-tuning: a fresh optimiser), or the saved state
    of this run when it was trained on the same corpus."""
    model = Seq2Seq.from_config(model_cfg).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=0.01)
    session = Session(model, opt, model_cfg, recipe, device, np.random.default_rng(config.seed))
    state = None
    if config.state.exists():
        state = torch.load(config.state, map_location=device, weights_only=False)  # our own file
        if state.get("data_recipe") != recipe:
            log.info("%s was trained on another corpus; starting over", config.state)
            state = None
    if state is None:
        if config.init is not None:  # also when a stale state is dropped: never from random
            model.load_state_dict(initial_weights(config.init, device))
            log.info("initialised from %s", config.init)
        return session
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["opt"])
    session.step, session.rng = state["step"], state["rng"]
    torch.set_rng_state(state["torch_rng"])
    log.info("resumed from %s at step %d", config.state, session.step)
    return session


def save_state(config: TrainConfig, session: Session) -> None:
    """The state a run resumes from, and the model so far as ``latest.pth`` beside it."""
    config.state.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "model": session.model.state_dict(),
        "opt": session.opt.state_dict(),
        "step": session.step,
        "rng": session.rng,
        "torch_rng": torch.get_rng_state(),
        "args": dataclasses.asdict(config),
        "data_recipe": session.recipe,
    }
    torch.save(state, config.state)
    latest = config.state.with_name("latest.pth")
    export(session.model, session.model_config, latest, info={"step": session.step})


def loss_weights(config: TrainConfig, corpus: Corpus, device: str) -> torch.Tensor:
    """:func:`channel_weights` of the training targets, JawOpen's times ``jaw_weight`` and
    MouthClose's times ``close_weight``."""
    weights = channel_weights(corpus.targets, config.balance)
    weights[JAW] *= config.jaw_weight
    weights[CLOSE] *= config.close_weight
    raised = {
        n: round(float(w), 2) for n, w in zip(BLENDSHAPE_NAMES, weights, strict=True) if w > 1
    }
    log.info("loss weights above 1: %s", raised)
    return torch.tensor(weights, dtype=torch.float32, device=device)


def train_step(config, session: Session, corpus: Corpus, clip_w, channel_w) -> float:
    """One optimiser step on a random batch; returns its loss."""
    for group in session.opt.param_groups:
        group["lr"] = learning_rate(config, session.step)
    x, y = sample_batch(corpus, clip_w, session.rng, config.batch, config.zero_share)
    out = session.model(x.to(session.device))
    loss = loss_fn(out, y.to(session.device), channel_w, config.velocity)
    session.opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(session.model.parameters(), 1.0)
    session.opt.step()
    session.step += 1
    return loss.item()


def validate(session: Session, heldout: Corpus) -> dict:
    """Mouth MSE and JawOpen r and MAE on ``heldout``, windowed as at inference."""
    # core.inference.run_model runs any LoadedModel; TorchRunner wraps the module being trained
    # (it switches it to eval mode, so training mode is restored afterwards).
    runner = TorchRunner(session.model, session.device)
    loaded = LoadedModel(runner, session.model_config, path=Path("<training>"), backend="torch")
    preds = [run_model(x, loaded)[:, :NUM_BLENDSHAPES] for x in heldout.feats]
    session.model.train()
    p = np.concatenate(preds)
    t = np.concatenate([y.astype(np.float32) for y in heldout.targets])
    return {
        "mse_mouth": float(((p - t)[:, MOUTH] ** 2).mean()),
        "jaw_r": float(np.corrcoef(p[:, JAW], t[:, JAW])[0, 1]),
        "jaw_mae": float(np.abs(p[:, JAW] - t[:, JAW]).mean()),
    }


def train(config: TrainConfig, session: Session, corpus: Corpus, heldout: Corpus) -> None:
    """Steps until ``config.steps``, logging the loss, saving the state and validating."""
    channel_w = loss_weights(config, corpus, session.device)
    clip_w = clip_weights(corpus, config.negative_share)
    session.model.train()
    t0, running = time.time(), 0.0
    while session.step < config.steps:
        loss = train_step(config, session, corpus, clip_w, channel_w)
        step = session.step
        running = 0.98 * running + 0.02 * loss if step > 1 else loss
        if step % 50 == 0:
            lr, pace = learning_rate(config, step), (time.time() - t0) / 50
            log.info("step %d loss %.5f lr %.2e %.2f s/step", step, running, lr, pace)
            t0 = time.time()
        if step % config.save_every == 0 or step == config.steps:
            save_state(config, session)
        if step % 1000 == 0 or step == config.steps:
            log.info("step %d held-out %s", step, validate(session, heldout))


def provenance(config: TrainConfig, corpus: Corpus, recipe: str) -> dict:
    """The options and corpus of a run, for the checkpoint's sidecar."""
    info = {
        k: (str(v) if isinstance(v, Path) else v)
        for k, v in dataclasses.asdict(config).items()
        if k not in ("state", "out")
    }
    info.update(train_clips=len(corpus.feats), train_hours=corpus.hours(), data_recipe=recipe)
    return info


def run(config: TrainConfig) -> Path:
    """Train (or resume) as ``config`` says and export the model to ``config.out``."""
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    random.seed(config.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    recipe = data_recipe()
    corpus = load_split("train").leading(config.anticipate)
    # a quick progress check; evaluate.py uses every held-out clip
    heldout = load_split("heldout").leading(config.anticipate).every(4)
    log.info(
        "train: %d clips, %.1f h; held-out: %d clips",
        len(corpus.feats),
        corpus.hours(),
        len(heldout.feats),
    )
    session = start(config, model_config(config, corpus.feats[0].shape[1]), recipe, device)
    train(config, session, corpus, heldout)
    export(session.model, session.model_config, config.out, info=provenance(config, corpus, recipe))
    log.info("wrote %s", config.out)
    return config.out


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    run(parse_args(argv))


if __name__ == "__main__":
    main()
