"""Loading NeuroSync checkpoints safely (without torch), and saving our own (with torch).

Accepted files: NeuroSync's bare state dicts, and dicts holding ``state_dict`` (or
``model_state_dict``) plus a ``config``. A sidecar ``<stem>.json`` with NeuroSync's config keys
(input_dim, hidden_dim, n_layers, num_heads, output_dim, frame_size, plus our preprocessing keys)
is read when present and overrides the embedded config. Whatever is not stated is inferred from
key names and tensor shapes; ``num_heads`` cannot be, so it comes from the published
configurations (0.1a: 4; 2025 with 8 layers: 16; with 4 layers: 4) or the load is refused.

Files are read by :mod:`core.pth_reader`, which never runs pickled code and needs no torch: a
pickle that names anything beyond plain tensors is refused without importing or running it.
Every config value, and every weight (floating point, finite), is checked before use.
"""

from __future__ import annotations

import json
import logging
import pickle
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from .config import ModelConfig, check_stated
from .constants import FAMILY_V01A, FAMILY_V2025, NUM_OUTPUTS
from .errors import CheckpointError, OptionsError
from .numpy_model import NumpySeq2Seq, expected_layout
from .pth_reader import UnsafePickleError, read_pth

__all__ = ["DEFAULT_MODEL_PATH", "BACKENDS", "LoadedModel", "ModelConfig", "load_checkpoint"]

log = logging.getLogger(__name__)

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "default_model" / "neurosync_default.pth"
#: Inference backends: numpy (default, always available) and torch (optional, CPU/CUDA/MPS).
BACKENDS = ("numpy", "torch")

#: num_heads of the published models, by family and layer count (None: any layer count).
_PUBLISHED_HEADS = {(FAMILY_V01A, None): 4, (FAMILY_V2025, 8): 16, (FAMILY_V2025, 4): 4}
_FAMILY_MARKERS = {
    FAMILY_V01A: "encoder.transformer_encoder.layers.0.self_attn.in_proj_weight",
    FAMILY_V2025: "encoder.transformer_encoder.0.self_attn.q_linear.weight",
}


@dataclass(frozen=True)
class LoadedModel:
    """A ready-to-run model, its config, where it came from and the backend that runs it.

    ``model`` is a callable mapping (B, T, input_dim) float32 numpy arrays to (B, T, 68) float32
    numpy arrays with a ``parameter_count``: a :class:`core.numpy_model.NumpySeq2Seq`, or for
    ``backend="torch"`` a :class:`core.torch_backend.TorchRunner` (its ``module`` is the
    torch module). Calling the LoadedModel calls ``model``.
    """

    model: Any
    config: ModelConfig
    path: Path
    backend: str = "numpy"

    @property
    def parameter_count(self) -> int:
        return int(self.model.parameter_count)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        """(B, T, input_dim) float32 -> (B, T, output_dim) float32."""
        return self.model(batch)


def default_model_path() -> Path:
    """Path of the shipped default model; :class:`CheckpointError` if it is not installed."""
    if not DEFAULT_MODEL_PATH.is_file():
        raise CheckpointError(
            f"no default model is installed (expected {DEFAULT_MODEL_PATH}); "
            "pass a NeuroSync checkpoint with --model"
        )
    return DEFAULT_MODEL_PATH


def load_checkpoint(
    path: str | Path | None = None, *, backend: str = "numpy", device: str = "cpu"
) -> LoadedModel:
    """Load a checkpoint (the default model when ``path`` is None), ready to run.

    Parameters
    ----------
    path
        A NeuroSync ``.pth`` file; None for the shipped default model.
    backend
        ``"numpy"`` (default; needs no torch) or ``"torch"`` (the reference modules).
    device
        torch only: ``cpu``, ``cuda``, ``mps`` or ``auto``; the numpy backend runs on the CPU.

    Raises
    ------
    CheckpointError
        Missing, unreadable, unsafe or mismatched file, a bad config value or a weight that is
        not finite floating point; the message names the file and says what was expected.
    OptionsError
        Unknown backend or device, or torch asked for but not installed.
    """
    if backend not in BACKENDS:
        raise OptionsError(f"unknown backend {backend!r}; expected numpy or torch")
    path = Path(path) if path is not None else default_model_path()
    state, embedded = _read_file(path)
    sidecar = path.with_suffix(".json")
    stated = {
        **check_stated(embedded, f"{path.name} (embedded config)"),
        **check_stated(_read_sidecar(sidecar), sidecar.name),
    }
    config = resolve_config(state, stated, name=path.name)
    _check_layout(expected_layout(config), state, path.name)
    state = _finite_float32(state, path.name)
    if backend == "numpy":
        return LoadedModel(NumpySeq2Seq(config, state), config, path, "numpy")
    try:
        import torch  # noqa: F401 - only to say clearly when it is missing
    except ImportError:
        raise OptionsError(
            "the torch backend needs PyTorch, which is not installed; use the numpy backend"
        ) from None
    from .torch_backend import TorchRunner, resolve_device

    runner = TorchRunner.from_state(config, state, resolve_device(device))
    return LoadedModel(runner, config, path, "torch")


def save_checkpoint(path: str | Path, model, config: ModelConfig, *, half: bool = False) -> None:
    """Write ``{"config", "state_dict"}`` plus a sidecar ``<stem>.json``; loadable by our loader."""
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        k: (v.half() if half and v.is_floating_point() else v).detach().cpu().contiguous()
        for k, v in model.state_dict().items()
    }
    torch.save({"config": config.to_json(), "state_dict": state}, path)
    path.with_suffix(".json").write_text(json.dumps(config.to_json(), indent=2) + "\n")


def resolve_config(state: dict, stated: dict[str, Any], *, name: str) -> ModelConfig:
    """Combine what a config states with what the tensors show; refuse contradictions."""
    family = _detect_family(state, name)
    inferred = _infer_dims(state, family, name)
    check_stated({k: inferred[k] for k in ("input_dim", "hidden_dim", "n_layers")}, name)
    for key, value in inferred.items():
        if key in stated and stated[key] != value:
            raise CheckpointError(
                f"{name}: config says {key}={stated[key]} but the weights have {key}={value}"
            )
    if stated.get("family") not in (None, family):
        raise CheckpointError(
            f"{name}: config says family {stated['family']!r}, weights are {family!r}"
        )
    heads = stated.get("num_heads")
    if heads is None:
        heads = _PUBLISHED_HEADS.get(
            (family, None), _PUBLISHED_HEADS.get((family, inferred["n_layers"]))
        )
        if heads is None:
            raise CheckpointError(
                f"{name}: cannot tell num_heads for a {family} model with {inferred['n_layers']} "
                f"layers (published: 8 layers -> 16 heads, 4 layers -> 4); add a sidecar "
                f"{Path(name).stem}.json with num_heads"
            )
        log.info("%s: num_heads=%d taken from the published configuration", name, heads)
    if inferred["hidden_dim"] % int(heads):
        raise CheckpointError(
            f"{name}: hidden_dim {inferred['hidden_dim']} is not divisible by num_heads {heads}"
        )
    known = {f.name for f in fields(ModelConfig)}
    extras = {k: v for k, v in stated.items() if k in known and k not in inferred and k != "family"}
    extras["num_heads"] = int(heads)
    extras.setdefault("peak_normalize", family == FAMILY_V2025)
    config = ModelConfig(family=family, **inferred, **extras)
    if family == FAMILY_V2025 and config.overlap >= config.frame_size:
        raise CheckpointError(
            f"{name}: overlap must be smaller than frame_size ({config.frame_size}), "
            f"found {config.overlap}"
        )
    return config


def _read_file(path: Path) -> tuple[dict[str, np.ndarray], dict]:
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path}: the checkpoint file is empty")
    try:
        obj = read_pth(path)
    except UnsafePickleError as exc:
        raise CheckpointError(
            f"{path}: refused to load: the file holds pickled objects beyond plain weights, "
            f"which could run code ({str(exc)[:160]})"
        ) from None
    except pickle.UnpicklingError as exc:
        raise CheckpointError(
            f"{path}: not a readable PyTorch checkpoint (expected a torch.save file of tensors; "
            f"the safe loader stopped at: {str(exc)[:160]})"
        ) from None
    except Exception as exc:  # noqa: BLE001 - any failure to parse untrusted bytes is 'unreadable'
        raise CheckpointError(
            f"{path}: not a readable PyTorch checkpoint (expected a torch.save file; "
            f"{type(exc).__name__}: {str(exc)[:160]})"
        ) from None
    if not isinstance(obj, dict):
        raise CheckpointError(f"{path}: expected a state dict, found a {type(obj).__name__}")
    config: dict = {}
    for key in ("state_dict", "model_state_dict", "model"):
        if isinstance(obj.get(key), dict):
            config = obj.get("config") if isinstance(obj.get("config"), dict) else {}
            obj = obj[key]
            break
    if not obj or not all(isinstance(v, np.ndarray) for v in obj.values()):
        raise CheckpointError(
            f"{path}: expected a dict of tensors (a state dict), found other values"
        )
    state = {re.sub(r"^module\.", "", str(k)): v for k, v in obj.items()}
    return state, dict(config)


def _finite_float32(state: dict[str, np.ndarray], name: str) -> dict[str, np.ndarray]:
    """float32 copies of the weights; refuses non-float and non-finite tensors by name."""
    out = {}
    for key, value in state.items():
        if value.dtype.kind != "f":
            raise CheckpointError(
                f"{name}: tensor '{key}' has dtype {value.dtype}; a model's weights must be "
                "floating point (float16, bfloat16, float32 or float64)"
            )
        with np.errstate(over="ignore"):  # float64 beyond float32's range: refused below
            value = np.ascontiguousarray(value, dtype=np.float32)
        bad = value.size - int(np.count_nonzero(np.isfinite(value)))
        if bad:
            raise CheckpointError(
                f"{name}: tensor '{key}' holds {bad} non-finite value(s) (NaN or infinity); "
                "the checkpoint is broken"
            )
        out[key] = value
    return out


def _read_sidecar(sidecar: Path) -> dict:
    if not sidecar.is_file():
        return {}
    try:
        data = json.loads(sidecar.read_text())
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{sidecar}: unreadable config ({exc})") from None
    if not isinstance(data, dict):
        raise CheckpointError(f"{sidecar}: expected a JSON object with config keys")
    return data


def _detect_family(state: dict, name: str) -> str:
    found = [family for family, marker in _FAMILY_MARKERS.items() if marker in state]
    if (
        len(found) != 1
        or "encoder.embedding.weight" not in state
        or "decoder.fc_output.weight" not in state
    ):
        sample = ", ".join(list(state)[:3])
        raise CheckpointError(
            f"{name}: not a NeuroSync model: expected keys like 'encoder.embedding.weight' and "
            f"'{_FAMILY_MARKERS[FAMILY_V01A]}' (0.1a) or '{_FAMILY_MARKERS[FAMILY_V2025]}' (2025); "
            f"found {sample} ..."
        )
    return found[0]


def _infer_dims(state: dict, family: str, name: str) -> dict[str, int]:
    for key in ("encoder.embedding.weight", "decoder.fc_output.weight"):
        if state[key].ndim != 2 or 0 in state[key].shape:
            raise CheckpointError(
                f"{name}: tensor '{key}' has shape {state[key].shape}; expected a 2-D matrix"
            )
    hidden, input_dim = state["encoder.embedding.weight"].shape
    if family == FAMILY_V01A:
        pattern = r"encoder\.transformer_encoder\.layers\.(\d+)\."
        ff_key = "encoder.transformer_encoder.layers.0.linear1.weight"
    else:
        pattern = r"encoder\.transformer_encoder\.(\d+)\."
        ff_key = "encoder.transformer_encoder.0.ffn.linear1.weight"
    layers = {int(m.group(1)) for k in state if (m := re.match(pattern, k))}
    return {
        "input_dim": int(input_dim),
        "hidden_dim": int(hidden),
        "n_layers": len(layers),
        "output_dim": int(state["decoder.fc_output.weight"].shape[0]),
        "ff_dim": int(state[ff_key].shape[0]) if ff_key in state else 0,
    }


def _check_layout(expected: dict, found: dict, name: str) -> None:
    missing = [k for k in expected if k not in found]
    unexpected = [k for k in found if k not in expected]
    wrong = [
        f"{k}: expected {shape}, found {tuple(found[k].shape)}"
        for k, shape in expected.items()
        if k in found and tuple(shape) != tuple(found[k].shape)
    ]
    problems = []
    if missing:
        problems.append(f"{len(missing)} missing key(s), e.g. {missing[0]}")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected key(s), e.g. {unexpected[0]}")
    if wrong:
        problems.append(f"{len(wrong)} shape mismatch(es), e.g. {wrong[0]}")
    if problems:
        raise CheckpointError(
            f"{name}: weights do not fit the architecture: " + "; ".join(problems)
        )
    if int(expected["decoder.fc_output.weight"][0]) != NUM_OUTPUTS:
        raise CheckpointError(
            f"{name}: the model has {expected['decoder.fc_output.weight'][0]} outputs; "
            f"expected {NUM_OUTPUTS} (61 blendshapes + 7 emotions)"
        )
