"""Secondary motion next to real capture: blink, brow, gaze and head statistics, and the cost.

Runs the shipped default model in product mode on each AUDIO (or, with --join, on all of them
played one after another), measures the generated curves with the same code that measures the
LiveLink captures (``training/capture_stats.py``), and prints both side by side, with the
secondary layer's cost in ms per second of audio (best of --repeat runs: prosody + layer; wall
time and this process's CPU time, which a busy machine inflates less).

    .venv/bin/python benchmarks/secondary_report.py AUDIO [AUDIO ...] [--join] [--seed N]
        [--seconds S] [--capture DIR]

With --cost it prints only the layer's cost per second of audio for each AUDIO (the issue's
budget is 1 ms): the median and best over --repeat runs of prosody + layer on the same inputs,
in this process's CPU time and in wall time, beside the mouth's features + model in the same
run, e.g. on a short and a long clip:

    .venv/bin/python benchmarks/secondary_report.py --cost --repeat 200 \
        tests/fixtures/speechlike.wav demo/voice.ogg
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neurosync_lipsync.core.audio import SourceAudio, read_audio  # noqa: E402
from neurosync_lipsync.core.checkpoint import load_checkpoint  # noqa: E402
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES  # noqa: E402
from neurosync_lipsync.core.pipeline import _raw_output  # noqa: E402
from neurosync_lipsync.core.postprocess import ProductOptions, product_postprocess  # noqa: E402
from neurosync_lipsync.core.secondary import SecondaryOptions, analyse, apply_secondary  # noqa: E402

from training.capture_stats import CAPTURE, curve_stats, summarise, take_stats  # noqa: E402

ROWS = (
    "minutes",
    "blink_rate",
    "blink_closure_p10/50/90",
    "blink_depth_p10/50/90",
    "brow_inner_p50/95",
    "brow_outer_p50/95",
    "brow_down_p50/95",
    "brow_event_rate",
    "brow_event_height_p10/50/90",
    "brow_event_duration_p10/50/90",
    "saccade_size_p10/50/90",
    "fixation_p10/50/90",
    "gaze_yaw_std",
    "gaze_pitch_std",
    "head_std",
    "cost_ms_per_audio_s",
    "cpu_ms_per_audio_s",
)


def timed_layer(
    audio: SourceAudio, model, seed: int, repeat: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Product-mode output with secondary motion, and the (repeat,) wall and CPU seconds of
    each run of prosody + layer; returns (out (N, 61), times (N,), wall, cpu)."""
    raw, levels = _raw_output(audio, model, 8, lambda f, s: None, None)
    options = ProductOptions(secondary=SecondaryOptions(seed=seed))
    values, emotions, times = product_postprocess(raw, options, levels, audio.duration)
    model_values = raw[:, :61] / 100
    wall, cpu = np.zeros(repeat), np.zeros(repeat)
    for i in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        prosody = analyse(audio.samples, audio.rate, levels)
        out = apply_secondary(
            values, times, prosody, options.secondary, emotions=emotions, model_values=model_values
        )
        wall[i] = time.perf_counter() - start
        cpu[i] = time.process_time() - start_cpu
    return out, times, wall, cpu


def generated(audio: SourceAudio, model, seed: int, repeat: int) -> dict[str, object]:
    out, times, wall, cpu = timed_layer(audio, model, seed, repeat)
    cols = {n: out[:, i].astype(np.float64) for i, n in enumerate(BLENDSHAPE_NAMES)}
    stats = curve_stats(times - times[0], cols, audio.name)
    stats["cost"] = 1000 * wall.min() / audio.duration
    stats["cpu"] = 1000 * cpu.min() / audio.duration
    return stats


def cost_report(clips: list[SourceAudio], model, seed: int, repeat: int) -> None:
    """Print the layer's cost per second of audio for each clip (median and best of
    ``repeat`` runs, CPU and wall) beside the mouth's features + model in the same run."""
    print(f"secondary layer cost, ms per audio second ({repeat} runs; budget 1 ms), beside")
    print("the mouth's features + model (best of 3) measured in the same run")
    heads = ("cpu med", "cpu best", "wall med", "mouth")
    print(f"{'clip':24s}{'seconds':>8s}" + "".join(f"{h:>9s}" for h in heads))
    for clip in clips:
        _, _, wall, cpu = timed_layer(clip, model, seed, repeat)
        mouth = []
        for _ in range(3):
            start = time.perf_counter()
            _raw_output(clip, model, 8, lambda f, s: None, None)
            mouth.append(time.perf_counter() - start)
        per_s = 1000 / clip.duration
        name = Path(clip.name).name[:22]
        print(
            f"{name:24s}{clip.duration:8.1f}{np.median(cpu) * per_s:9.3f}{cpu.min() * per_s:9.3f}"
            f"{np.median(wall) * per_s:9.3f}{min(mouth) * per_s:9.3f}"
        )


def column(takes: list[dict[str, object]]) -> dict[str, str]:
    summary = summarise(takes)["all"]
    head = np.array(
        [[t["head_std"][k] for k in ("HeadYaw", "HeadPitch", "HeadRoll")] for t in takes]
    )
    summary["head_std"] = "/".join(f"{v:.3f}" for v in head.mean(axis=0))
    for key, row in (("cost", "cost_ms_per_audio_s"), ("cpu", "cpu_ms_per_audio_s")):
        costs = [t[key] for t in takes if key in t]
        summary[row] = f"{max(costs):.3f}" if costs else "-"
    return {k: f"{v:.3f}" if isinstance(v, float) else str(v) for k, v in summary.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("audio", nargs="+", type=Path)
    parser.add_argument("--join", action="store_true", help="play the files one after another")
    parser.add_argument("--seconds", type=float, help="keep only the first S seconds (with --join)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--capture", type=Path, default=CAPTURE)
    parser.add_argument("--cost", action="store_true", help="print only the layer's cost")
    args = parser.parse_args(argv)
    clips = [read_audio(p) for p in args.audio]
    if args.join:
        rate = clips[0].rate
        if any(c.rate != rate for c in clips):
            parser.error("--join needs files of one sample rate")
        joined = np.concatenate([c.samples for c in clips])
        if args.seconds:
            joined = joined[: int(args.seconds * rate)]
        clips = [SourceAudio(joined, rate, f"{len(args.audio)} files joined")]
    model = load_checkpoint(None)
    if args.cost:
        cost_report(clips, model, args.seed, args.repeat)
        return 0
    columns = {}
    captures = sorted(args.capture.glob("*.csv"))
    if captures:
        columns["capture (10 takes)"] = column([take_stats(p) for p in captures])
    for clip in clips:
        stats = generated(clip, model, args.seed, args.repeat)
        columns[f"{Path(clip.name).name[:24]} ({clip.duration:.1f} s)"] = column([stats])
    width = max(len(k) for k in columns) + 2
    print(f"{'statistic':32s}" + "".join(f"{k:>{width}s}" for k in columns))
    for row in ROWS:
        print(f"{row:32s}" + "".join(f"{c.get(row, '-'):>{width}s}" for c in columns.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
