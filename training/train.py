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
"""

from __future__ import annotations

import argparse
import glob
import json
import logging
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
from neurosync_lipsync.core.checkpoint import DEFAULT_MODEL_PATH, ModelConfig, save_checkpoint
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES, EMOTION_NAMES, NUM_BLENDSHAPES
from neurosync_lipsync.core.inference import pad_window
from neurosync_lipsync.core.model import Seq2Seq

from .build_data import BAND_LIMIT_RATE, DATA, FAMILY, batch_recipe
from .channels import MOUTH

log = logging.getLogger("training.train")
RUNS = Path(__file__).resolve().parent / "runs"
WINDOW = 128
NEUTRAL = EMOTION_NAMES.index("Neutral")


def anticipate(y: np.ndarray, frames: int) -> np.ndarray:
    """Targets moved ``frames`` earlier (the face leads the sound); the end holds its last value."""
    if frames <= 0:
        return y
    return np.concatenate([y[frames:], np.repeat(y[-1:], min(frames, len(y)), axis=0)])[: len(y)]


def load_split(split: str) -> tuple[list[np.ndarray], list[np.ndarray], list[dict]]:
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
    return feats, targets, meta


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
    feats, targets, weights, rng: np.random.Generator, size: int, zero_share: float = 0.0
):
    xs, ys = [], []
    for i in rng.choice(len(feats), size=size, p=weights):
        x, y = feats[i].astype(np.float32), targets[i].astype(np.float32)
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


def channel_weights(targets: list[np.ndarray], balance: float) -> np.ndarray:
    """(61,) loss weights: 0.2 off the mouth, 1 on it, and small-range mouth channels raised to
    ``min(balance, (std(JawOpen) / std(channel)) ** 2)`` (``balance`` <= 1: no raise)."""
    weights = np.where(MOUTH, 1.0, 0.2)
    std = np.concatenate([y[::4] for y in targets]).astype(np.float64).std(axis=0)
    active = MOUTH & (std > 1e-3)
    ratio = (std[BLENDSHAPE_NAMES.index("JawOpen")] / np.maximum(std, 1e-3)) ** 2
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


def initial_weights(path: Path, device: str) -> dict:
    """Model weights from a run's ``train_state.pt`` or from an exported checkpoint (whose
    blendshape output rows are in percent: divided by 100 back to the training scale)."""
    data = torch.load(path, map_location=device, weights_only=False)  # our own files
    if "model" in data:
        return data["model"]
    state = dict(data["state_dict"] if "state_dict" in data else data)
    for key in ("decoder.fc_output.weight", "decoder.fc_output.bias"):
        state[key] = state[key].clone()
        state[key][:NUM_BLENDSHAPES] /= 100
    return state


def export(model: Seq2Seq, config: ModelConfig, path: Path, info: dict | None = None) -> None:
    """Save with the blendshape outputs in percent, as NeuroSync's checkpoints are."""
    scaled = Seq2Seq.from_config(config)
    scaled.load_state_dict(model.state_dict())
    with torch.no_grad():
        scaled.decoder.fc_output.weight[:NUM_BLENDSHAPES] *= 100
        scaled.decoder.fc_output.bias[:NUM_BLENDSHAPES] *= 100
    save_checkpoint(path, scaled.cpu(), config)
    if info:
        add_provenance(path, info)


def add_provenance(path: Path, info: dict) -> None:
    """Merge ``info`` into the ``training`` block of the checkpoint's sidecar.

    The loader reads only the config keys it knows, so provenance never affects loading.
    """
    sidecar = path.with_suffix(".json")
    data = json.loads(sidecar.read_text())
    data.setdefault("training", {}).update(info)
    sidecar.write_text(json.dumps(data, indent=2) + "\n")


@torch.no_grad()
def validate(model, feats, targets, device) -> dict:
    from neurosync_lipsync.core.inference import plan_windows

    model.eval()
    preds, trues = [], []
    for x, y in zip(feats, targets, strict=True):
        windows = plan_windows(len(x), WINDOW, 0)
        batch = np.stack(
            [pad_window(x[s:e].astype(np.float32), WINDOW, "reflect") for s, e in windows]
        )
        out = model(torch.from_numpy(batch).to(device)).cpu().numpy()
        preds.append(
            np.concatenate([out[i, : e - s] for i, (s, e) in enumerate(windows)])[
                :, :NUM_BLENDSHAPES
            ]
        )
        trues.append(y.astype(np.float32))
    model.train()
    p, t = np.concatenate(preds), np.concatenate(trues)
    jaw = BLENDSHAPE_NAMES.index("JawOpen")
    return {
        "mse_mouth": float(((p - t)[:, MOUTH] ** 2).mean()),
        "jaw_r": float(np.corrcoef(p[:, jaw], t[:, jaw])[0, 1]),
        "jaw_mae": float(np.abs(p[:, jaw] - t[:, jaw]).mean()),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=2400)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--ff", type=int, default=384)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--negative-share", type=float, default=0.0, help="batch share of noise-only clips"
    )
    p.add_argument(
        "--zero-share", type=float, default=0.0, help="batch share of digital-silence windows"
    )
    p.add_argument("--anticipate", type=int, default=0, help="frames the targets lead the audio")
    p.add_argument(
        "--balance",
        type=float,
        default=9.0,
        help="largest loss weight of a small-range mouth channel (1: all mouth channels equal)",
    )
    p.add_argument("--velocity", type=float, default=2.0, help="weight of the velocity loss")
    p.add_argument("--jaw-weight", type=float, default=1.0, help="extra loss weight on JawOpen")
    p.add_argument("--save-every", type=int, default=200)
    p.add_argument(
        "--init",
        type=Path,
        default=None,
        help="start from these weights: a run's train_state.pt or an exported .pth",
    )
    p.add_argument("--state", type=Path, default=RUNS / "train_state.pt")
    p.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH)
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    recipe = data_recipe()
    feats, targets, meta = load_split("train")
    vfeats, vtargets, _ = load_split("heldout")
    targets = [anticipate(y, a.anticipate) for y in targets]
    vtargets = [anticipate(y, a.anticipate) for y in vtargets]
    vfeats, vtargets = vfeats[::4], vtargets[::4]  # a quick progress check; evaluate.py uses all
    frames = np.array([len(f) for f in feats], dtype=np.float64)
    hours = round(frames.sum() / 60 / 3600, 2)
    log.info("train: %d clips, %.1f h; held-out: %d clips", len(feats), hours, len(vfeats))
    config = ModelConfig(
        family=FAMILY,
        input_dim=feats[0].shape[1],
        hidden_dim=a.hidden,
        n_layers=a.layers,
        num_heads=a.heads,
        output_dim=68,
        ff_dim=a.ff,
        frame_size=WINDOW,
        overlap=0,
        band_limit_rate=BAND_LIMIT_RATE,
        peak_normalize=False,
    )
    model = Seq2Seq.from_config(config).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    warmup = min(300, a.steps // 10)

    def lr_at(step: int) -> float:
        if step < warmup:
            return a.lr * (step + 1) / warmup
        return a.lr * (
            0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, a.steps - warmup)))
        )

    step, rng = 0, np.random.default_rng(a.seed)
    if a.init is not None and not a.state.exists():  # fine-tuning: weights only, fresh optimiser
        model.load_state_dict(initial_weights(a.init, device))
        log.info("initialised from %s", a.init)
    state = None
    if a.state.exists():
        state = torch.load(a.state, map_location=device, weights_only=False)  # our own file
        if state.get("data_recipe") != recipe:
            log.info("%s was trained on another corpus; starting over", a.state)
            state = None
    if state is not None:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        step, rng = state["step"], state["rng"]
        torch.set_rng_state(state["torch_rng"])
        log.info("resumed from %s at step %d", a.state, step)
    channel_w = channel_weights(targets, a.balance)
    channel_w[BLENDSHAPE_NAMES.index("JawOpen")] *= a.jaw_weight
    log.info(
        "loss weights above 1: %s",
        {n: round(float(w), 2) for n, w in zip(BLENDSHAPE_NAMES, channel_w, strict=True) if w > 1},
    )
    channel_w = torch.tensor(channel_w, dtype=torch.float32, device=device)
    weights = frames / frames.sum()
    negative = np.array([m["key"] == "negative" for m in meta])
    if a.negative_share and negative.any():  # noise-only clips with a resting face, up-weighted
        weights[negative] *= a.negative_share / weights[negative].sum()
        weights[~negative] *= (1 - a.negative_share) / weights[~negative].sum()
    model.train()
    t0, running = time.time(), 0.0
    while step < a.steps:
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        x, y = sample_batch(feats, targets, weights, rng, a.batch, a.zero_share)
        loss = loss_fn(model(x.to(device)), y.to(device), channel_w, a.velocity)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
        if step % 50 == 0:
            log.info(
                "step %d loss %.5f lr %.2e %.2f s/step",
                step,
                running,
                lr_at(step),
                (time.time() - t0) / 50,
            )
            t0 = time.time()
        if step % a.save_every == 0 or step == a.steps:
            a.state.parent.mkdir(parents=True, exist_ok=True)
            torch.save(
                {
                    "model": model.state_dict(),
                    "opt": opt.state_dict(),
                    "step": step,
                    "rng": rng,
                    "torch_rng": torch.get_rng_state(),
                    "args": vars(a),
                    "data_recipe": recipe,
                },
                a.state,
            )
            export(model, config, a.state.with_name("latest.pth"), info={"step": step})
        if step % 1000 == 0 or step == a.steps:
            log.info("step %d held-out %s", step, validate(model, vfeats, vtargets, device))
    info = {
        k: (str(v) if isinstance(v, Path) else v)
        for k, v in vars(a).items()
        if k not in ("state", "out")
    }
    info.update(train_clips=len(feats), train_hours=hours, data_recipe=recipe)
    export(model, config, a.out, info=info)
    log.info("wrote %s", a.out)


if __name__ == "__main__":
    main()
