"""Writing results as LiveLink-Face-style CSV, JSON or NPZ, atomically (see :mod:`core.atomic`).

A result is checked for NaN/inf before a byte is written (:func:`core.pipeline.check_finite`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .atomic import atomic_open
from .errors import OptionsError
from .pipeline import LipSyncResult, check_finite

FORMATS = ("csv", "json", "npz")


def livelink_timecode(seconds: float, fps: float) -> str:
    """``HH:MM:SS:FF.mmm`` as LiveLink Face writes it (FF counts frames at the rounded rate)."""
    rate = max(1, round(fps))
    whole = math.floor(seconds + 1e-9)
    frames = (seconds - whole) * rate
    ff = math.floor(frames + 1e-6)
    h, rem = divmod(whole, 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}:{ff:02d}.{round((frames - ff) * 1000) % 1000:03d}"


def csv_header(result: LipSyncResult) -> list[str]:
    return ["Timecode", "BlendshapeCount", *result.names, *result.emotion_names]


def format_from_path(path: str | Path, explicit: str | None = None) -> str:
    fmt = (explicit or Path(path).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise OptionsError(
            f"{path}: unknown output format {fmt!r}; use one of {', '.join(FORMATS)}"
        )
    return fmt


def write_result(result: LipSyncResult, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``result`` to ``path`` in ``fmt`` (default: from the suffix). Returns the path.

    Raises
    ------
    NonFiniteResultError
        The result holds NaN or infinity; nothing is written.
    WriteError
        The file could not be written in full; a previous file at ``path`` is unchanged.
    """
    path = Path(path)
    fmt = format_from_path(path, fmt)
    check_finite(result, str(path))
    with atomic_open(path, "wb" if fmt == "npz" else "w") as fh:
        if fmt == "csv":
            _write_csv(result, fh)
        elif fmt == "json":
            _write_json(result, fh)
        else:
            np.savez_compressed(
                fh,
                values=result.values,
                emotions=result.emotions,
                times=result.times,
                fps=np.float64(result.fps),
                names=np.array(result.names),
                emotion_names=np.array(result.emotion_names),
            )
    return path


def _write_csv(result: LipSyncResult, fh) -> None:
    count = len(result.names)
    fh.write(",".join(csv_header(result)) + "\n")
    data = np.hstack([result.values, result.emotions])
    for t, row in zip(result.times, data, strict=True):
        cells = ",".join(f"{v:.6f}" for v in row)
        fh.write(f"{livelink_timecode(float(t), result.fps)},{count},{cells}\n")


def _write_json(result: LipSyncResult, fh) -> None:
    doc = {
        "fps": result.fps,
        "family": result.family,
        "reference": result.reference,
        "names": list(result.names),
        "emotion_names": list(result.emotion_names),
        "marked": list(result.marked),
        "times": np.round(result.times, 6).tolist(),
        "values": np.round(result.values.astype(np.float64), 6).tolist(),
        "emotions": np.round(result.emotions.astype(np.float64), 6).tolist(),
    }
    # allow_nan=False: the last guard against a NaN token reaching a file
    json.dump(doc, fh, allow_nan=False)


def read_csv(path: str | Path) -> tuple[list[str], np.ndarray]:
    """Read a LiveLink-style CSV (ours or NeuroSync's): (channel names, (N, C) values)."""
    with open(path) as fh:
        header = fh.readline().strip().split(",")
        rows = [line.strip().split(",")[2:] for line in fh if line.strip()]
    return header[2:], np.array(rows, dtype=np.float64).reshape(len(rows), len(header) - 2)
