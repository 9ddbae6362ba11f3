"""Engine benchmark: prints JSON figures (not a test; timings depend on the machine).

    .venv/bin/python benchmarks/bench_core.py [--seconds 60] [--full-seconds 10]
                                              [--long-minutes 0 15 60]

Parts, each run in its own process so that peak memory (max RSS) is measured per part:

- ``features``: seconds of compute per second of audio for reading + resampling + features, both
  families.
- ``full_v01a`` / ``full_v2025``: the full-size architectures (88 M / 235 M parameters, random
  weights), the numpy engine and torch side by side on the same features (batched windows, each
  library's default thread count), with the largest absolute difference between their outputs.
- ``gemm_ceiling``: the full-size 0.1a model's linear-layer shapes (torch) run alone at one
  window's rows (128) and at a batch's rows (128 x batch size). Their ratio is the most that
  batching can gain on this machine: once one window already keeps the cores busy, batching has
  little left to win.
- ``default``: the shipped default model on both backends, per audio second, end to end
  (22.05 kHz input: reading, resampling, band-limit, features, model, product post-processing)
  and stage by stage;
  ``features_and_inference`` (band-limit + features + model, from 88.2 kHz) is the figure the
  default model's 10 ms target is about.
- ``long``: the whole pipeline on N minutes of speech-like audio (the fixture clip repeated with
  pauses), with wall time per audio second and peak memory, to show linear time and bounded memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CLIP = REPO / "tests" / "fixtures" / "speechlike.wav"
RATE = 22050


def speech(seconds: float) -> np.ndarray:
    """The fixture clip repeated with 0.4 s pauses, at its own rate (22.05 kHz)."""
    from neurosync_lipsync.core.audio import read_audio

    clip = read_audio(CLIP).samples
    unit = np.concatenate([clip, np.zeros(int(0.4 * RATE), np.float32)])
    reps = int(np.ceil(seconds * RATE / len(unit)))
    return np.tile(unit, reps)[: int(seconds * RATE)]


def best_of(fn, repeats: int, clock=time.perf_counter):
    """(shortest time of ``repeats`` calls, the last call's result): the machine is shared."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = clock()
        result = fn()
        best = min(best, clock() - start)
    return best, result


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def part_features(seconds: float) -> dict:
    from neurosync_lipsync.core.audio import peak_normalize, resample_to_model_rate
    from neurosync_lipsync.core.features import extract_features

    y = speech(seconds)
    extract_features(resample_to_model_rate(y[: RATE * 2], RATE), "v01a")  # warm-up
    out = {}
    for family in ("v01a", "v2025"):
        start = time.perf_counter()
        y88 = resample_to_model_rate(y, RATE)
        if family == "v2025":
            y88 = peak_normalize(y88)
        feats = extract_features(y88, family)
        out[f"{family}_features_s_per_audio_s"] = (time.perf_counter() - start) / seconds
        out[f"{family}_shape"] = list(feats.shape)
    out["peak_rss_mb"] = peak_mb()
    return out


FULL_SIZE = {
    "v01a": dict(
        input_dim=78, hidden_dim=1024, n_layers=4, num_heads=4, output_dim=68, ff_dim=2048
    ),
    "v2025": dict(
        input_dim=256, hidden_dim=1024, n_layers=8, num_heads=16, output_dim=68, ff_dim=4096
    ),
}


def part_full(family: str, seconds: float, batch_size: int) -> dict:
    """One full-size architecture with random weights, numpy and torch on the same features."""
    import torch
    from neurosync_lipsync.core.audio import peak_normalize, resample_to_model_rate
    from neurosync_lipsync.core.checkpoint import LoadedModel, ModelConfig
    from neurosync_lipsync.core.features import extract_features
    from neurosync_lipsync.core.inference import run_model
    from neurosync_lipsync.core.model import Seq2Seq
    from neurosync_lipsync.core.numpy_model import NumpySeq2Seq
    from neurosync_lipsync.core.torch_backend import TorchRunner

    torch.manual_seed(0)
    config = ModelConfig(family, **FULL_SIZE[family])
    module = Seq2Seq.from_config(config).eval()
    state = {k: v.numpy().copy() for k, v in module.state_dict().items()}
    models = {
        "numpy": LoadedModel(NumpySeq2Seq(config, state), config, Path("random"), "numpy"),
        "torch": LoadedModel(TorchRunner(module), config, Path("random"), "torch"),
    }
    del state
    y = resample_to_model_rate(speech(seconds), RATE)
    feats = extract_features(peak_normalize(y) if family == "v2025" else y, family)
    out: dict = {"parameters": models["numpy"].parameter_count, "batch_size": batch_size}
    out["torch_threads"] = torch.get_num_threads()
    results = {}
    for backend, loaded in models.items():
        run_model(feats[:128], loaded, batch_size=1)  # warm-up
        elapsed, results[backend] = best_of(
            lambda m=loaded: run_model(feats, m, batch_size=batch_size), 2
        )
        out[f"{backend}_s_per_audio_s"] = elapsed / seconds
    out["numpy_over_torch_time"] = out["numpy_s_per_audio_s"] / out["torch_s_per_audio_s"]
    out["max_abs_diff"] = float(np.abs(results["numpy"] - results["torch"]).max())
    out["peak_rss_mb"] = peak_mb()
    return out


def part_gemm_ceiling(batch_size: int, repeats: int = 20) -> dict:
    import torch
    from torch.nn import functional as F

    torch.manual_seed(0)
    shapes = {"1024x1024": (1024, 1024), "1024x2048": (1024, 2048), "2048x1024": (2048, 1024)}
    out = {"threads": torch.get_num_threads(), "batch_size": batch_size}
    with torch.inference_mode():
        for label, (k, n) in shapes.items():
            weight, bias = torch.randn(n, k), torch.randn(n)
            rates = []
            for rows in (128, 128 * batch_size):
                x = torch.randn(rows, k)
                F.linear(x, weight, bias)  # warm-up
                start = time.perf_counter()
                for _ in range(repeats):
                    F.linear(x, weight, bias)
                rates.append(2 * rows * k * n * repeats / (time.perf_counter() - start) / 1e9)
            out[label] = {
                "one_window_gflop_per_s": rates[0],
                "batch_gflop_per_s": rates[1],
                "max_batching_gain": rates[1] / rates[0],
            }
    return out


def part_default(seconds: float) -> dict:
    """The shipped default model on both backends, end to end and stage by stage."""
    from neurosync_lipsync.core.audio import band_limit, resample_to_model_rate
    from neurosync_lipsync.core.blas import blas_threads
    from neurosync_lipsync.core.checkpoint import load_checkpoint
    from neurosync_lipsync.core.features import extract_features
    from neurosync_lipsync.core.inference import run_model
    from neurosync_lipsync.core.pipeline import generate
    from neurosync_lipsync.core.torch_backend import torch_threads

    y = speech(seconds)
    out: dict = {}
    for backend in ("numpy", "torch"):
        loaded = load_checkpoint(backend=backend)
        generate(y[: RATE * 2], rate=RATE, model=loaded)  # warm-up
        total, _ = best_of(lambda m=loaded: generate(y, rate=RATE, model=m), 3)
        # The same work stage by stage, one thread, as the pipeline runs small models.
        stages = {}
        with (torch_threads if backend == "torch" else blas_threads)(1):
            stages["resample_to_88k"], y88 = best_of(lambda: resample_to_model_rate(y, RATE), 3)
            rate = loaded.config.band_limit_rate
            stages["band_limit_and_features"], feats = best_of(
                lambda y88=y88, rate=rate: extract_features(band_limit(y88, rate), "v01a"), 3
            )
            stages["model"], _ = best_of(lambda m=loaded, f=feats: run_model(f, m), 3)
            # CPU time of the one-thread model stage: on a shared machine, steadier than wall time
            model_cpu, _ = best_of(lambda m=loaded, f=feats: run_model(f, m), 3, time.process_time)
        per_second = {k: 1000 * v / seconds for k, v in stages.items()}
        out[backend] = {
            "end_to_end_ms_per_audio_s": 1000 * total / seconds,
            "stages_ms_per_audio_s": per_second,
            "features_and_inference_ms_per_audio_s": per_second["band_limit_and_features"]
            + per_second["model"],
            "model_cpu_ms_per_audio_s": 1000 * model_cpu / seconds,
        }
    out["parameters"] = loaded.parameter_count
    out["peak_rss_mb"] = peak_mb()
    return out


def part_long(minutes: float, model: str | None) -> dict:
    from neurosync_lipsync.core.pipeline import generate

    seconds = minutes * 60
    y = speech(seconds)
    start = time.perf_counter()
    result = generate(y, rate=RATE, model=model)
    elapsed = time.perf_counter() - start
    return {
        "minutes": minutes,
        "frames": result.num_frames,
        "wall_s": elapsed,
        "s_per_audio_s": elapsed / seconds,
        "peak_rss_mb": peak_mb(),
    }


def child(args: list[str]) -> dict:
    command = [sys.executable, __file__, "--child", *args]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="audio length for speed parts")
    parser.add_argument(
        "--full-seconds", type=float, default=10.0, help="audio length for the full-size models"
    )
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--long-minutes", type=float, nargs="*", default=[])
    parser.add_argument("--long-model", help="checkpoint for the long run (default model if unset)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, value = args.child[0], float(args.child[1])
        result = {
            "features": lambda: part_features(value),
            "full_v01a": lambda: part_full("v01a", value, int(args.child[2])),
            "full_v2025": lambda: part_full("v2025", value, int(args.child[2])),
            "gemm_ceiling": lambda: part_gemm_ceiling(int(value)),
            "default": lambda: part_default(value),
            "long": lambda: part_long(value, args.child[2] if len(args.child) > 2 else None),
        }[kind]()
        print(json.dumps(result))
        return
    report = {
        "features": child(["features", str(args.seconds)]),
        "full_v01a": child(["full_v01a", str(args.full_seconds), str(args.batch_size)]),
        "full_v2025": child(["full_v2025", str(args.full_seconds), str(args.batch_size)]),
        "gemm_ceiling": child(["gemm_ceiling", str(args.batch_size)]),
        "default_model": child(["default", str(args.seconds)]),
    }
    for minutes in args.long_minutes:
        extra = [args.long_model] if args.long_model else []
        report[f"long_{minutes:g}_min"] = child(["long", str(minutes), *extra])
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
