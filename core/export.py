"""Writing results as LiveLink-Face-style CSV, JSON or NPZ, atomically (no partial files)."""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .errors import OptionsError
from .pipeline import LipSyncResult

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
    """Write ``result`` to ``path`` in ``fmt`` (default: from the suffix). Returns the path."""
    path = Path(path)
    fmt = format_from_path(path, fmt)
    with _atomic(path) as tmp:
        if fmt == "csv":
            _write_csv(result, tmp)
        elif fmt == "json":
            _write_json(result, tmp)
        else:
            with open(tmp, "wb") as fh:
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


def _write_csv(result: LipSyncResult, tmp: Path) -> None:
    count = len(result.names)
    with open(tmp, "w", newline="") as fh:
        fh.write(",".join(csv_header(result)) + "\n")
        data = np.hstack([result.values, result.emotions])
        for t, row in zip(result.times, data, strict=True):
            cells = ",".join(f"{v:.6f}" for v in row)
            fh.write(f"{livelink_timecode(float(t), result.fps)},{count},{cells}\n")


def _write_json(result: LipSyncResult, tmp: Path) -> None:
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
    with open(tmp, "w") as fh:
        json.dump(doc, fh)


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it replaces ``path`` only if the block succeeds."""
    if path.parent and not path.parent.is_dir():
        raise OptionsError(f"{path}: the output folder {path.parent} does not exist")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual file mode
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_csv(path: str | Path) -> tuple[list[str], np.ndarray]:
    """Read a LiveLink-style CSV (ours or NeuroSync's): (channel names, (N, C) values)."""
    with open(path) as fh:
        header = fh.readline().strip().split(",")
        rows = [line.strip().split(",")[2:] for line in fh if line.strip()]
    return header[2:], np.array(rows, dtype=np.float64).reshape(len(rows), len(header) - 2)
