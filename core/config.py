"""A model's configuration, and the checks every stated config value passes before it is used.

Config values come from two files a user may have edited: the config embedded in a checkpoint
and the sidecar ``<stem>.json`` beside it. Each value is checked for type and range up front, so
a zero head count or a window of 0 is one clear line naming the file, the key and the allowed
range instead of a ZeroDivisionError deep in the model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .constants import FAMILIES, NUM_OUTPUTS, SAMPLE_RATE
from .errors import CheckpointError

#: Rows of the 0.1a position table, so the longest window either family is run with.
MAX_FRAME_SIZE = 1000
#: Allowed (low, high) of each integer setting; the architecture limits are generous bounds
#: (the published models are at most 1024 wide, 8 layers, 16 heads, 4096 feed-forward).
INT_RANGES: dict[str, tuple[int, int]] = {
    "input_dim": (1, 4096),
    "hidden_dim": (1, 16384),
    "n_layers": (1, 128),
    "num_heads": (1, 1024),
    "output_dim": (NUM_OUTPUTS, NUM_OUTPUTS),
    "ff_dim": (1, 65536),
    "frame_size": (1, MAX_FRAME_SIZE),
    "overlap": (0, MAX_FRAME_SIZE - 1),
    "band_limit_rate": (8000, SAMPLE_RATE - 1),
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


def check_stated(values: dict[str, Any], source: str) -> dict[str, Any]:
    """The config keys of ``values`` after type and range checks (None means 'not stated').

    Parameters
    ----------
    values : dict
        An embedded config or a sidecar's JSON object; keys that are not config keys (such as
        a sidecar's ``training`` block) are left out.
    source : str
        The file the values come from, named in every message.

    Raises
    ------
    CheckpointError
        A value of the wrong type or out of range: names ``source``, the key and the range.
    """
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or key not in INT_RANGES and key not in ("family", "peak_normalize"):
            continue
        if key == "family":
            if value not in FAMILIES:
                raise CheckpointError(
                    f"{source}: family must be one of {', '.join(FAMILIES)}, found {value!r}"
                )
        elif key == "peak_normalize":
            if not isinstance(value, bool):
                raise CheckpointError(
                    f"{source}: peak_normalize must be true or false, found {value!r}"
                )
        else:
            low, high = INT_RANGES[key]
            if type(value) is not int or not low <= value <= high:
                allowed = str(low) if low == high else f"an integer from {low} to {high}"
                raise CheckpointError(f"{source}: {key} must be {allowed}, found {value!r}")
        out[key] = value
    if "overlap" in out and "frame_size" in out and out["overlap"] >= out["frame_size"]:
        raise CheckpointError(
            f"{source}: overlap must be smaller than frame_size ({out['frame_size']}), "
            f"found {out['overlap']}"
        )
    return out
