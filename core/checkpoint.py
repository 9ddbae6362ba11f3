"""Loading NeuroSync checkpoints safely, and saving our own.

Accepted files: NeuroSync's bare state dicts, and dicts holding ``state_dict`` (or
``model_state_dict``) plus a ``config``. A sidecar ``<stem>.json`` with NeuroSync's config keys
(input_dim, hidden_dim, n_layers, num_heads, output_dim, frame_size, plus our preprocessing keys)
is read when present and overrides the embedded config. Whatever is not stated is inferred from
key names and tensor shapes; ``num_heads`` cannot be, so it comes from the published
configurations (0.1a: 4; 2025 with 8 layers: 16; with 4 layers: 4) or the load is refused.

Files are always read with ``torch.load(..., weights_only=True)``: a pickle that would run code
is refused without running it.
"""

from __future__ import annotations

import json
import logging
import pickle
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from .constants import FAMILY_V01A, FAMILY_V2025, NUM_OUTPUTS
from .errors import CheckpointError

log = logging.getLogger(__name__)

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "default_model" / "neurosync_default.pth"

#: num_heads of the published models, by family and layer count (None: any layer count).
_PUBLISHED_HEADS = {(FAMILY_V01A, None): 4, (FAMILY_V2025, 8): 16, (FAMILY_V2025, 4): 4}
_FAMILY_MARKERS = {
    FAMILY_V01A: "encoder.transformer_encoder.layers.0.self_attn.in_proj_weight",
    FAMILY_V2025: "encoder.transformer_encoder.0.self_attn.q_linear.weight",
}


@dataclass(frozen=True)
class ModelConfig:
    """Architecture and preprocessing of one checkpoint.

    ``band_limit_rate``: when set, 88.2 kHz input is band-limited by a round trip through this
    rate before features (our default model is trained that way). ``peak_normalize``: the 2025
    family divides the audio by its peak before features; 0.1a does not. ``overlap``: frames of
    cross-fade between 2025 windows.
    """

    family: str
    input_dim: int
    hidden_dim: int
    n_layers: int
    num_heads: int
    output_dim: int
    ff_dim: int
    frame_size: int = 128
    overlap: int = 32
    band_limit_rate: int | None = None
    peak_normalize: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LoadedModel:
    """A ready-to-run model in eval mode, its config and where it came from."""

    model: Any  # core.model.Seq2Seq; typed loosely so this module imports without torch
    config: ModelConfig
    path: Path

    @property
    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.model.parameters())


def default_model_path() -> Path:
    """Path of the shipped default model; :class:`CheckpointError` if it is not installed."""
    if not DEFAULT_MODEL_PATH.is_file():
        raise CheckpointError(
            f"no default model is installed (expected {DEFAULT_MODEL_PATH}); "
            "pass a NeuroSync checkpoint with --model"
        )
    return DEFAULT_MODEL_PATH


def load_checkpoint(path: str | Path | None = None, *, device: str = "cpu") -> LoadedModel:
    """Load a checkpoint (the default model when ``path`` is None) into an eval-mode model.

    Raises
    ------
    CheckpointError
        Missing, unreadable, unsafe or mismatched file; the message says what was expected and
        what was found.
    """
    import torch

    from .model import Seq2Seq

    path = Path(path) if path is not None else default_model_path()
    state, embedded = _read_file(path)
    config = resolve_config(state, {**embedded, **_read_sidecar(path)}, name=path.name)
    model = Seq2Seq.from_config(config)
    _check_layout(model.state_dict(), state, path.name)
    model.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    model.to(torch.device(device)).eval()
    return LoadedModel(model=model, config=config, path=path)


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
    inferred = _infer_dims(state, family)
    for key, value in inferred.items():
        if key in stated and stated[key] is not None and int(stated[key]) != value:
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
    return ModelConfig(family=family, **inferred, **extras)


def _read_file(path: Path) -> tuple[dict, dict]:
    import torch

    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path}: the checkpoint file is empty")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        detail = _unpickler_detail(str(exc))
        if "global" in detail.lower() or "reduce" in detail.lower():
            raise CheckpointError(
                f"{path}: refused to load: the file holds pickled objects beyond plain weights, "
                f"which could run code ({detail[:160]})"
            ) from None
        raise CheckpointError(
            f"{path}: not a readable PyTorch checkpoint (expected a torch.save file of tensors; "
            f"the safe loader stopped at: {detail[:120]})"
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
    if not obj or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise CheckpointError(
            f"{path}: expected a dict of tensors (a state dict), found other values"
        )
    state = {re.sub(r"^module\.", "", k): v for k, v in obj.items()}
    return state, dict(config)


def _unpickler_detail(message: str) -> str:
    """The informative line of torch's weights-only refusal (it wraps it in boilerplate)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if "WeightsUnpickler error:" in line:
            tail = line.split("WeightsUnpickler error:", 1)[1].strip()
            return tail or (lines[index + 1] if index + 1 < len(lines) else "")
    return lines[0] if lines else ""


def _read_sidecar(path: Path) -> dict:
    sidecar = path.with_suffix(".json")
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


def _infer_dims(state: dict, family: str) -> dict[str, int]:
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
        f"{k}: expected {tuple(v.shape)}, found {tuple(found[k].shape)}"
        for k, v in expected.items()
        if k in found and tuple(v.shape) != tuple(found[k].shape)
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
    if int(expected["decoder.fc_output.weight"].shape[0]) != NUM_OUTPUTS:
        raise CheckpointError(
            f"{name}: the model has {expected['decoder.fc_output.weight'].shape[0]} outputs; "
            f"expected {NUM_OUTPUTS} (61 blendshapes + 7 emotions)"
        )
