"""Per-channel amplitude calibration of a trained model on the held-out synthetic voices.

A model trained with a squared error predicts the mean of what could follow from the audio, so
where timing or shape is uncertain its peaks fall short of the targets (the v1 model reached
about half of them). This stretches each mouth channel around the model's own resting value
so that its 95th percentile matches the targets' on the held-out voices (flite rms and an
espeak voice, never trained on): ``y' = rest + k * (y - rest)``, ``k`` at most ``--cap``, never
below 1. The stretch is folded into the output layer of the checkpoint (no product-mode gain)
and recorded in its sidecar. The human-speech evaluation stays an independent test: nothing
from it is used here.

    .venv/bin/python -m training.calibrate --model training/runs/model.pth --out calibrated.pth
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from neurosync_lipsync.core.checkpoint import load_checkpoint, save_checkpoint
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES, NUM_BLENDSHAPES
from neurosync_lipsync.core.inference import run_model

from .channels import MOUTH
from .corpus import load_split
from .model_files import add_provenance, training_info

#: Channels whose targets' 95th percentile is below this are left alone (nothing to match).
MIN_TARGET_P95 = 0.02
#: Largest stretch of one channel. 4 since v2's from-scratch build: its MouthClose needs 3.0
#: (2.5 left it at 0.66 of the human-speech targets); RollLower and RollUpper reach the cap.
CAP = 4.0


def factors(pred: np.ndarray, target: np.ndarray, cap: float) -> tuple[np.ndarray, np.ndarray]:
    """(61,) stretch ``k`` and (61,) resting value for (T, 61) predictions and targets in 0..1.

    The resting value is the model's median where the target is at rest (0).
    """
    k, rest = np.ones(NUM_BLENDSHAPES), np.zeros(NUM_BLENDSHAPES)
    for c in np.flatnonzero(MOUTH):
        goal = float(np.percentile(target[:, c], 95))
        if goal < MIN_TARGET_P95:
            continue
        at_rest = target[:, c] < 1e-3
        rest[c] = float(np.median(pred[at_rest, c])) if at_rest.any() else 0.0
        reach = float(np.percentile(pred[:, c], 95)) - rest[c]
        k[c] = float(np.clip((goal - rest[c]) / max(reach, 1e-3), 1.0, cap))
    return k, rest


def run(model: Path, out: Path, cap: float = CAP) -> dict[str, list[float]]:
    """Calibrate ``model`` into ``out`` (may be the same file); returns the stretched channels'
    ``[k, rest]`` by name, also recorded in the sidecar with the model's training provenance."""
    torch.set_num_threads(1)  # two threads stall each other on a busy 2-core machine
    training = training_info(model)  # read before writing: ``out`` may be ``model``
    loaded = load_checkpoint(model, backend="torch")  # its weights are edited below
    heldout = load_split("heldout")
    pred = np.concatenate(
        [run_model(x.astype(np.float32), loaded)[:, :NUM_BLENDSHAPES] / 100 for x in heldout.feats]
    )
    k, rest = factors(pred, np.concatenate(heldout.targets).astype(np.float64), cap)
    net = loaded.model.module
    with torch.no_grad():
        fc = net.decoder.fc_output
        scale = torch.tensor(k, dtype=fc.weight.dtype)
        fc.weight[:NUM_BLENDSHAPES] *= scale[:, None]
        fc.bias[:NUM_BLENDSHAPES] = scale * fc.bias[:NUM_BLENDSHAPES] - torch.tensor(
            (k - 1) * rest * 100, dtype=fc.bias.dtype
        )
    save_checkpoint(out, net, loaded.config)
    stretched = {
        BLENDSHAPE_NAMES[c]: [round(float(k[c]), 3), round(float(rest[c]), 4)]
        for c in np.flatnonzero(k > 1)
    }
    calibration = {"from": str(model), "cap": cap, "k_and_rest": stretched}
    add_provenance(out, {**training, "calibration": calibration})
    return stretched


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--cap", type=float, default=CAP, help="largest stretch of one channel")
    a = p.parse_args(argv)
    for name, (kc, rc) in run(a.model, a.out, a.cap).items():
        print(f"{name}: k={kc:.2f} rest={rc:.3f}")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
