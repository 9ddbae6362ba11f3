"""Batch benchmark: N short clips in one ``neurosync infer`` call vs one call per clip.

    .venv/bin/python benchmarks/bench_batch.py [--clips 50] [--seconds 2] [--jobs 2]

Prints JSON (not a test; timings depend on the machine and its load). The clips are cut from the
fixture voice at different offsets, 22.05 kHz WAV, written to a temporary folder; every call uses
the shipped default model and writes CSV. ``start_up_saved_s`` is the difference between the
two ways; ``per_call_overhead_s`` spreads it over the calls that were saved.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
CLIP = REPO / "tests" / "fixtures" / "speechlike.wav"
NEUROSYNC = Path(sys.executable).parent / "neurosync"


def make_clips(folder: Path, count: int, seconds: float) -> list[Path]:
    samples, rate = sf.read(CLIP, dtype="float32")
    length = int(seconds * rate)
    tiled = np.tile(samples, int(np.ceil((count + length / rate) * rate / len(samples))) + 1)
    paths = []
    for i in range(count):
        start = (i * rate // 7) % (len(tiled) - length)
        path = folder / f"line_{i:03d}.wav"
        sf.write(path, tiled[start : start + length], rate)
        paths.append(path)
    return paths


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clips", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each clip")
    parser.add_argument("--jobs", type=int, default=2, help="also time one call with --jobs N")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "clips").mkdir()
        clips = make_clips(root / "clips", args.clips, args.seconds)
        figures: dict = {"clips": args.clips, "clip_seconds": args.seconds, "cpus": os.cpu_count()}
        for name, extra in (("one_call", []), (f"one_call_jobs_{args.jobs}", ["-j", args.jobs])):
            out = root / name
            out.mkdir()
            argv = [str(NEUROSYNC), "infer", str(root / "clips"), "-o", str(out), "-q"]
            figures[f"{name}_s"] = round(timed([*argv, *map(str, extra)]), 2)
        out = root / "per_clip"
        out.mkdir()
        per_clip = [
            timed([str(NEUROSYNC), "infer", str(c), "-o", str(out / f"{c.stem}.csv")])
            for c in clips
        ]
        figures["separate_calls_s"] = round(sum(per_clip), 2)
        figures["separate_call_median_s"] = round(float(np.median(per_clip)), 2)
        saved = figures["separate_calls_s"] - figures["one_call_s"]
        figures["start_up_saved_s"] = round(saved, 2)
        figures["per_call_overhead_s"] = round(saved / max(1, args.clips - 1), 2)
        same = all(
            (out / f"{c.stem}.csv").read_bytes()
            == (root / "one_call" / f"{c.stem}.csv").read_bytes()
            for c in clips
        )
        figures["outputs_identical"] = same
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
