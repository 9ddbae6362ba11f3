"""Bad weights and bad config values are refused at load, naming the file, tensor or key."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from neurosync_lipsync.core.checkpoint import load_checkpoint
from neurosync_lipsync.core.errors import CheckpointError, OptionsError
from neurosync_lipsync.core.pth_reader import read_pth

from tests.core.pth_files import write_pth

KEY = "decoder.fc_output.weight"


def _spoil(value: np.ndarray, how: str) -> np.ndarray:
    if how == "nan":
        value = value.copy()
        value[0, 0] = np.nan
    elif how == "inf":
        value = value.copy()
        value[-1, -1] = -np.inf
    elif how == "float64_overflow":
        value = value.astype(np.float64)
        value[0, 1] = 1e300  # finite in float64, infinite as float32
    elif how == "int64":
        value = np.zeros(value.shape, np.int64)
    elif how == "bool":
        value = np.zeros(value.shape, bool)
    return value


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("nan", rf"m.pth: tensor '{KEY}' holds 1 non-finite value\(s\)"),
        ("inf", rf"m.pth: tensor '{KEY}' holds 1 non-finite value\(s\)"),
        ("float64_overflow", rf"m.pth: tensor '{KEY}' holds 1 non-finite value\(s\)"),
        ("int64", rf"m.pth: tensor '{KEY}' has dtype int64; a model's weights must be floating"),
        ("bool", rf"m.pth: tensor '{KEY}' has dtype bool; a model's weights must be floating"),
    ],
)
def test_broken_weights_are_refused_by_name(how, message, fixtures_dir, tmp_path):
    state = read_pth(fixtures_dir / "tiny_v01a.pth")
    state[KEY] = _spoil(state[KEY], how)
    write_pth(tmp_path / "m.pth", state)
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(tmp_path / "m.pth")


def test_half_and_double_weights_load(fixtures_dir, tmp_path):
    state = read_pth(fixtures_dir / "tiny_v01a.pth")
    reference = load_checkpoint(fixtures_dir / "tiny_v01a.pth")
    x = np.random.default_rng(0).standard_normal((1, 128, 78)).astype(np.float32)
    write_pth(tmp_path / "m.pth", {k: v.astype(np.float64) for k, v in state.items()})
    np.testing.assert_allclose(load_checkpoint(tmp_path / "m.pth")(x), reference(x), atol=1e-6)
    write_pth(tmp_path / "h.pth", {k: v.astype(np.float16) for k, v in state.items()})
    assert np.isfinite(load_checkpoint(tmp_path / "h.pth")(x)).all()


BAD_VALUES = [
    ("num_heads", 0, "num_heads must be an integer from 1 to 1024, found 0"),
    ("num_heads", "4", "num_heads must be an integer from 1 to 1024, found '4'"),
    ("num_heads", 4.5, "num_heads must be an integer from 1 to 1024, found 4.5"),
    ("num_heads", True, "num_heads must be an integer from 1 to 1024, found True"),
    ("num_heads", -4, "num_heads must be an integer from 1 to 1024, found -4"),
    ("hidden_dim", 0, "hidden_dim must be an integer from 1 to 16384, found 0"),
    ("hidden_dim", "big", "hidden_dim must be an integer from 1 to 16384, found 'big'"),
    ("input_dim", 0, "input_dim must be an integer from 1 to 4096, found 0"),
    ("n_layers", 0, "n_layers must be an integer from 1 to 128, found 0"),
    ("ff_dim", -1, "ff_dim must be an integer from 1 to 65536, found -1"),
    ("output_dim", 61, "output_dim must be 68, found 61"),
    ("frame_size", 0, "frame_size must be an integer from 1 to 1000, found 0"),
    ("frame_size", 5000, "frame_size must be an integer from 1 to 1000, found 5000"),
    ("overlap", -1, "overlap must be an integer from 0 to 999, found -1"),
    ("band_limit_rate", 0, "band_limit_rate must be an integer from 8000 to 88199, found 0"),
    ("band_limit_rate", "16k", "band_limit_rate must be an integer from 8000 to 88199"),
    ("peak_normalize", "yes", "peak_normalize must be true or false, found 'yes'"),
    ("family", "v3", "family must be one of v01a, v2025, found 'v3'"),
    ("family", 1, "family must be one of v01a, v2025, found 1"),
]


@pytest.mark.parametrize(("key", "value", "message"), BAD_VALUES)
def test_bad_sidecar_values_name_file_key_and_range(key, value, message, fixtures_dir, tmp_path):
    shutil.copy(fixtures_dir / "tiny_v2025.pth", tmp_path / "m.pth")
    (tmp_path / "m.json").write_text(json.dumps({key: value}))
    with pytest.raises(CheckpointError, match=f"^m.json: {message}"):
        load_checkpoint(tmp_path / "m.pth")


@pytest.mark.parametrize(("key", "value", "message"), BAD_VALUES[::3])
def test_bad_embedded_config_values(key, value, message, fixtures_dir, tmp_path):
    state = read_pth(fixtures_dir / "tiny_v2025.pth")
    write_pth(tmp_path / "m.pth", {"config": {key: value}, "state_dict": state})
    with pytest.raises(CheckpointError, match=rf"^m.pth \(embedded config\): {message}"):
        load_checkpoint(tmp_path / "m.pth")


def test_overlap_must_be_smaller_than_the_window(fixtures_dir, tmp_path):
    shutil.copy(fixtures_dir / "tiny_v2025.pth", tmp_path / "m.pth")
    (tmp_path / "m.json").write_text(json.dumps({"frame_size": 64, "overlap": 64}))
    with pytest.raises(CheckpointError, match="m.json: overlap must be smaller than frame_size"):
        load_checkpoint(tmp_path / "m.pth")
    # the default overlap is 32
    (tmp_path / "m.json").write_text(json.dumps({"frame_size": 16, "num_heads": 4}))
    with pytest.raises(CheckpointError, match=r"m.pth: overlap must be smaller than frame_size"):
        load_checkpoint(tmp_path / "m.pth")


def test_null_values_mean_not_stated_and_extra_keys_are_ignored(fixtures_dir, tmp_path):
    shutil.copy(fixtures_dir / "tiny_v01a.pth", tmp_path / "m.pth")
    sidecar = {"num_heads": None, "band_limit_rate": None, "training": {"steps": 1}}
    (tmp_path / "m.json").write_text(json.dumps(sidecar))
    assert load_checkpoint(tmp_path / "m.pth").config.num_heads == 4


def test_unknown_backend(fixtures_dir):
    with pytest.raises(OptionsError, match="unknown backend 'jax'; expected numpy or torch"):
        load_checkpoint(fixtures_dir / "tiny_v01a.pth", backend="jax")
