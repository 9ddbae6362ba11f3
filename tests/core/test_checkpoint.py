"""Checkpoint loading: published layouts, configs, inference of sizes, and refusals.

Every test but the save round trip runs without torch: files are written with plain pickle +
zipfile (``pth_files``), and ``test_no_torch.py`` runs this module with torch made unimportable.
"""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from neurosync_lipsync.core.checkpoint import ModelConfig, load_checkpoint, save_checkpoint
from neurosync_lipsync.core.errors import CheckpointError
from neurosync_lipsync.core.pth_reader import read_pth

from tests.core.pth_files import random_state, write_pth

from .conftest import NEEDS_TORCH as needs_torch

try:
    import torch
except ImportError:  # the runtime needs none; these tests use it where present
    torch = None


def small_state(family: str, n_layers: int = 2, hidden: int = 32) -> dict:
    dims = {"v01a": (78, 64), "v2025": (256, 4 * hidden)}[family]
    config = ModelConfig(
        family,
        input_dim=dims[0],
        hidden_dim=hidden,
        n_layers=n_layers,
        num_heads=4,
        output_dim=68,
        ff_dim=dims[1],
    )
    return random_state(config)


@pytest.mark.parametrize("family", ["v01a", "v2025"])
def test_full_size_published_layout_loads_strict(family, fixtures_dir, tmp_path):
    layout = json.loads((fixtures_dir / "checkpoint_layouts.json").read_text())[family]
    state = {k: np.zeros(shape, np.float32) for k, shape in layout["state_dict"].items()}
    path = tmp_path / f"{family}.pth"
    write_pth(path, state)  # a bare state dict, no config, no sidecar
    del state
    loaded = load_checkpoint(path)
    assert loaded.config.family == family
    for key, value in layout["config"].items():
        assert getattr(loaded.config, key) == value, key
    assert loaded.parameter_count == layout["parameters"]


def test_dict_with_embedded_config_and_sidecar(tmp_path, fixtures_dir):
    config = json.loads((fixtures_dir / "tiny_v2025.json").read_text())
    state = read_pth(fixtures_dir / "tiny_v2025.pth")
    path = tmp_path / "wrapped.pth"
    write_pth(path, {"config": {**config, "num_heads": 2}, "model_state_dict": state})
    assert load_checkpoint(path).config.num_heads == 2  # embedded config is read
    path.with_suffix(".json").write_text(json.dumps({"num_heads": 8}))
    assert load_checkpoint(path).config.num_heads == 8  # the sidecar overrides it


@needs_torch
def test_save_and_reload_roundtrip(tmp_path):
    from neurosync_lipsync.core.model import Seq2Seq

    cfg = ModelConfig(
        "v01a",
        input_dim=78,
        hidden_dim=32,
        n_layers=1,
        num_heads=2,
        output_dim=68,
        ff_dim=64,
        band_limit_rate=16000,
    )
    model = Seq2Seq(
        "v01a", input_dim=78, hidden_dim=32, n_layers=1, num_heads=2, output_dim=68, ff_dim=64
    )
    save_checkpoint(tmp_path / "m.pth", model, cfg, half=True)
    loaded = load_checkpoint(tmp_path / "m.pth")
    assert loaded.config == cfg
    assert json.loads((tmp_path / "m.json").read_text())["band_limit_rate"] == 16000


@pytest.mark.parametrize(("layers", "heads"), [(8, 16), (4, 4)])
def test_num_heads_from_published_configs(layers, heads, tmp_path):
    write_pth(tmp_path / "m.pth", small_state("v2025", layers, hidden=64))
    assert load_checkpoint(tmp_path / "m.pth").config.num_heads == heads


def test_unknown_num_heads_is_refused(tmp_path):
    write_pth(tmp_path / "m.pth", small_state("v2025", 3))
    with pytest.raises(CheckpointError, match="cannot tell num_heads.*3 layers"):
        load_checkpoint(tmp_path / "m.pth")


class _Payload:
    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


@pytest.mark.parametrize("writer", ["zipfile", pytest.param("torch", marks=needs_torch)])
def test_code_running_pickle_is_refused_without_running(writer, tmp_path):
    marker = tmp_path / "pwned.txt"
    path = tmp_path / "evil.pth"
    evil = {"encoder.embedding.weight": np.zeros((2, 2), np.float32), "x": _Payload(str(marker))}
    if writer == "torch":
        evil["encoder.embedding.weight"] = torch.zeros(2, 2)
        torch.save(evil, path)
    else:
        write_pth(path, evil)
    with pytest.raises(CheckpointError, match="refused"):
        load_checkpoint(path)
    assert not marker.exists()
    # A plain pickle (not a torch zip) carrying the same payload is refused as well.
    raw = tmp_path / "evil2.pth"
    raw.write_bytes(pickle.dumps(_Payload(str(marker))))
    with pytest.raises(CheckpointError):
        load_checkpoint(raw)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"this is not a checkpoint at all" * 10, "not a readable PyTorch checkpoint"),
    ],
)
def test_corrupt_files(content, message, tmp_path):
    path = tmp_path / "bad.pth"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(path)


def test_truncated_checkpoint(fixtures_dir, tmp_path):
    data = (fixtures_dir / "tiny_v01a.pth").read_bytes()
    path = tmp_path / "cut.pth"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="not a readable PyTorch checkpoint"):
        load_checkpoint(path)


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        load_checkpoint(tmp_path / "none.pth")


def test_not_a_neurosync_model(tmp_path):
    write_pth(tmp_path / "other.pth", {"fc.weight": np.zeros((3, 3), np.float32)})
    with pytest.raises(CheckpointError, match="not a NeuroSync model"):
        load_checkpoint(tmp_path / "other.pth")


def test_shape_mismatch_names_expected_and_found(fixtures_dir, tmp_path):
    state = read_pth(fixtures_dir / "tiny_v01a.pth")
    state["decoder.cross_attention.q_linear.weight"] = np.zeros((64, 32), np.float32)
    write_pth(tmp_path / "m.pth", state)
    with pytest.raises(CheckpointError, match=r"expected \(64, 64\), found \(64, 32\)"):
        load_checkpoint(tmp_path / "m.pth")


def test_config_contradicting_weights(fixtures_dir, tmp_path):
    write_pth(tmp_path / "m.pth", read_pth(fixtures_dir / "tiny_v01a.pth"))
    (tmp_path / "m.json").write_text(json.dumps({"hidden_dim": 128}))
    with pytest.raises(
        CheckpointError, match="config says hidden_dim=128 but the weights have hidden_dim=64"
    ):
        load_checkpoint(tmp_path / "m.pth")


def test_missing_key_reported(fixtures_dir, tmp_path):
    state = read_pth(fixtures_dir / "tiny_v01a.pth")
    del state["decoder.cross_attention.k_linear.bias"]
    write_pth(tmp_path / "m.pth", state)
    with pytest.raises(CheckpointError, match="1 missing key"):
        load_checkpoint(tmp_path / "m.pth")
