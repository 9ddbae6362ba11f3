"""The model files training reads and writes.

Training works on blendshapes in 0..1; NeuroSync's checkpoints output percent, so the
blendshape rows of the output layer are scaled by 100 on export and back on loading. Each
exported checkpoint's ``.json`` sidecar carries a ``training`` block with its provenance.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from neurosync_lipsync.core.checkpoint import ModelConfig, save_checkpoint
from neurosync_lipsync.core.constants import NUM_BLENDSHAPES
from neurosync_lipsync.core.model import Seq2Seq


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


def training_info(path: Path) -> dict:
    """The ``training`` block of the checkpoint's sidecar ({} without one)."""
    sidecar = path.with_suffix(".json")
    return json.loads(sidecar.read_text()).get("training", {}) if sidecar.is_file() else {}
