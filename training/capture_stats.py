"""Statistics of the face parts audio does not drive, from real LiveLink Face captures.

Reads ``../shared/capture/*.csv`` (iPhone ARKit takes without audio; see its README: numbers may
be fitted from them and shipped with their source named, the files themselves never) and prints
what :mod:`core.secondary.fitted` states: blink rate and shape, left/right asymmetry, gaze
saccades and fixations, brow amplitudes and events, head rotation, and the shift of each per
emotion (the file names say the emotion).

    .venv/bin/python -m training.capture_stats [--dir PATH] [--json out.json]

Frame times come from the ``HH:MM:SS:FF.mmm`` timecodes (FF counts 60ths of a second), so a
take whose rate is not exactly 60 fps is measured in seconds, not frames.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import defaultdict
from pathlib import Path

import numpy as np

SHARED = Path(os.environ.get("NEUROSYNC_SHARED", Path(__file__).resolve().parents[2] / "shared"))
CAPTURE = SHARED / "capture"
#: A blink rises at least this far above the local open-eye level.
BLINK_PROMINENCE = 0.2
#: A gaze sample moving faster than this (rad/s) is part of a saccade (~57 deg/s).
SACCADE_SPEED = 1.0
#: A brow event rises at least this far above its local resting level.
BROW_EVENT = 0.1


def read_take(path: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Frame times in seconds (N,) and each column (N,) of one capture CSV."""
    with open(path) as fh:
        header = fh.readline().strip().split(",")
        rows = [line.strip().split(",") for line in fh if line.strip()]
    times = np.array([_timecode_seconds(r[0]) for r in rows])
    values = np.array([r[2:] for r in rows], dtype=np.float64)
    return times - times[0], {n: values[:, i] for i, n in enumerate(header[2:])}


def _timecode_seconds(code: str) -> float:
    h, m, s, frames = code.split(":")
    return int(h) * 3600 + int(m) * 60 + int(s) + float(frames) / 60


def rolling_percentile(x: np.ndarray, width: int, q: float) -> np.ndarray:
    pad = np.pad(x, (width // 2, width - 1 - width // 2), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(pad, width)
    return np.percentile(windows, q, axis=1)


def _crossing(t: np.ndarray, x: np.ndarray, i: int, step: int, level: float) -> float:
    """Time where ``x`` crosses ``level`` walking from index ``i`` in direction ``step``."""
    j = i
    while 0 <= j + step < len(x) and x[j + step] >= level:
        j += step
    k = j + step
    if not 0 <= k < len(x):
        return float(t[j])
    frac = (x[j] - level) / max(x[j] - x[k], 1e-9)
    return float(t[j] + (t[k] - t[j]) * frac)


def blinks(t: np.ndarray, cols: dict[str, np.ndarray]) -> list[dict[str, float]]:
    from scipy.signal import find_peaks

    left, right = cols["EyeBlinkLeft"], cols["EyeBlinkRight"]
    both = 0.5 * (left + right)
    rest = rolling_percentile(both, 181, 20)
    peaks, _ = find_peaks(both - rest, prominence=BLINK_PROMINENCE, distance=9)
    out = []
    for p in peaks:
        amp = both[p] - rest[p]
        x = both - rest[p]
        lvl = {q: q * amp for q in (0.1, 0.5, 0.9)}
        on10, on90 = _crossing(t, x, p, -1, lvl[0.1]), _crossing(t, x, p, -1, lvl[0.9])
        off90, off10 = _crossing(t, x, p, 1, lvl[0.9]), _crossing(t, x, p, 1, lvl[0.1])
        # onset of each eye at half its own amplitude: the left/right timing offset
        half = [_crossing(t, c - rest[p], p, -1, 0.5 * (c[p] - rest[p])) for c in (left, right)]
        out.append(
            {
                "time": float(t[p]),
                "closing": on90 - on10,
                "hold": off90 - on90,
                "opening": off10 - off90,
                "closure": _crossing(t, x, p, 1, lvl[0.5]) - _crossing(t, x, p, -1, lvl[0.5]),
                "depth": float(both[p]),
                "amplitude": float(amp),
                "asymmetry": float((left[p] - right[p]) / max(both[p], 1e-6)),
                "offset": half[0] - half[1],
            }
        )
    return out


def gaze(t: np.ndarray, cols: dict[str, np.ndarray]) -> dict[str, object]:
    yaw = 0.5 * (cols["LeftEyeYaw"] + cols["RightEyeYaw"])
    pitch = 0.5 * (cols["LeftEyePitch"] + cols["RightEyePitch"])
    speed = np.hypot(np.diff(yaw), np.diff(pitch)) / np.maximum(np.diff(t), 1e-6)
    moving = np.concatenate([[False], speed > SACCADE_SPEED, [False]])
    starts = np.flatnonzero(~moving[:-1] & moving[1:])
    ends = np.flatnonzero(moving[:-1] & ~moving[1:])
    sizes, durations = [], []
    for a, b in zip(starts, ends, strict=True):
        before, after = max(a - 1, 0), min(b, len(yaw) - 1)
        sizes.append(float(np.hypot(yaw[after] - yaw[before], pitch[after] - pitch[before])))
        durations.append(float(t[after] - t[before]))
    fits = {}
    for eye, side in (("Left", "LeftEye"), ("Right", "RightEye")):
        for pair, axis in ((("Out", "In"), "Yaw"), (("Up", "Down"), "Pitch")):
            a = cols[f"EyeLook{pair[0]}{eye}"] - cols[f"EyeLook{pair[1]}{eye}"]
            r = cols[f"{side}{axis}"] - np.median(cols[f"{side}{axis}"])
            fits[f"{pair[0]}-{pair[1]} {eye} per {side}{axis}"] = float(
                np.dot(r, a - a.mean()) / max(np.dot(r, r), 1e-9)
            )
    return {
        "saccade_sizes": sizes,
        "saccade_durations": durations,
        "fixations": np.diff(t[starts]).tolist(),
        "yaw_std": float(np.std(yaw)),
        "pitch_std": float(np.std(pitch)),
        "lr_yaw_corr": float(np.corrcoef(cols["LeftEyeYaw"], cols["RightEyeYaw"])[0, 1]),
        "look_gain": fits,
    }


def brow_events(t: np.ndarray, x: np.ndarray) -> tuple[list[float], list[float]]:
    """Peak heights above the local rest level and durations above half of that height."""
    from scipy.signal import find_peaks

    rest = rolling_percentile(x, 241, 10)
    peaks, _ = find_peaks(x - rest, prominence=BROW_EVENT, distance=15)
    heights, durations = [], []
    for p in peaks:
        amp = x[p] - rest[p]
        y = x - rest[p]
        heights.append(float(amp))
        durations.append(_crossing(t, y, p, 1, 0.5 * amp) - _crossing(t, y, p, -1, 0.5 * amp))
    return heights, durations


def take_stats(path: Path) -> dict[str, object]:
    t, cols = read_take(path)
    return curve_stats(t, cols, path.name.split("_")[0])


def curve_stats(t: np.ndarray, cols: dict[str, np.ndarray], emotion: str) -> dict[str, object]:
    """Every statistic of one take: frame times (N,) s and its columns by LiveLink name."""
    minutes = (t[-1] - t[0]) / 60
    bl = blinks(t, cols)
    inner = cols["BrowInnerUp"]
    outer = 0.5 * (cols["BrowOuterUpLeft"] + cols["BrowOuterUpRight"])
    down = 0.5 * (cols["BrowDownLeft"] + cols["BrowDownRight"])
    heights, durations = brow_events(t, np.maximum(inner, outer))
    head = {k: float(np.std(cols[k])) for k in ("HeadYaw", "HeadPitch", "HeadRoll")}
    return {
        "emotion": emotion,
        "seconds": float(t[-1]),
        "fps": float((len(t) - 1) / t[-1]),
        "blinks": bl,
        "blink_rate": len(bl) / minutes,
        "gaze": gaze(t, cols),
        "brow_inner": inner.tolist(),
        "brow_outer": outer.tolist(),
        "brow_down": down.tolist(),
        "brow_outer_per_inner": float(np.dot(inner, outer) / max(np.dot(inner, inner), 1e-9)),
        "brow_event_heights": heights,
        "brow_event_durations": durations,
        "brow_event_rate": len(heights) / minutes,
        "eye_wide": float(np.mean(0.5 * (cols["EyeWideLeft"] + cols["EyeWideRight"]))),
        "head_std": head,
    }


def _q(values, qs=(10, 50, 90)) -> str:
    if len(values) == 0:
        return "n/a"
    return "/".join(f"{v:.3f}" for v in np.percentile(values, qs))


def summarise(takes: list[dict[str, object]]) -> dict[str, dict[str, float]]:
    groups = defaultdict(list)
    for take in takes:
        groups[take["emotion"]].append(take)
        groups["all"].append(take)
    summary = {}
    for name, group in groups.items():
        bl = [b for take in group for b in take["blinks"]]
        minutes = sum(take["seconds"] for take in group) / 60
        cat = lambda key, g=group: np.concatenate([np.asarray(t[key]) for t in g])  # noqa: E731
        gz = lambda key, g=group: [v for t in g for v in t["gaze"][key]]  # noqa: E731
        summary[name] = {
            "minutes": minutes,
            "blink_rate": len(bl) / minutes,
            **{
                f"blink_{k}_p10/50/90": _q([b[k] for b in bl])
                for k in ("closing", "hold", "opening", "closure", "depth", "amplitude")
            },
            "blink_asym_abs_median": float(np.median(np.abs([b["asymmetry"] for b in bl]))),
            "blink_offset_ms_median": 1000 * float(np.median([b["offset"] for b in bl])),
            "blink_offset_ms_abs_p90": 1000
            * float(np.percentile([abs(b["offset"]) for b in bl], 90)),
            "saccade_size_p10/50/90": _q(gz("saccade_sizes")),
            "saccade_duration_p50": float(np.median(gz("saccade_durations"))),
            "fixation_p10/50/90": _q(gz("fixations")),
            "gaze_yaw_std": float(np.mean([take["gaze"]["yaw_std"] for take in group])),
            "gaze_pitch_std": float(np.mean([take["gaze"]["pitch_std"] for take in group])),
            "brow_inner_p50/95": _q(cat("brow_inner"), (50, 95)),
            "brow_outer_p50/95": _q(cat("brow_outer"), (50, 95)),
            "brow_down_p50/95": _q(cat("brow_down"), (50, 95)),
            "brow_event_rate": sum(len(take["brow_event_heights"]) for take in group) / minutes,
            "brow_event_height_p10/50/90": _q(cat("brow_event_heights")),
            "brow_event_duration_p10/50/90": _q(cat("brow_event_durations")),
            "brow_outer_per_inner": float(
                np.mean([take["brow_outer_per_inner"] for take in group])
            ),
            "eye_wide_mean": float(np.mean([take["eye_wide"] for take in group])),
            "head_std_max": max(max(take["head_std"].values()) for take in group),
        }
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=CAPTURE)
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args(argv)
    paths = sorted(args.dir.glob("*.csv"))
    if not paths:
        parser.error(f"no capture CSV files in {args.dir} (set --dir or NEUROSYNC_SHARED)")
    takes = [take_stats(p) for p in paths]
    for take in takes:
        gaze_fit = take["gaze"]["look_gain"]
        print(
            f"{take['emotion']:8s} {take['seconds']:5.1f} s at {take['fps']:.3f} fps, "
            f"{len(take['blinks'])} blinks, L/R yaw r={take['gaze']['lr_yaw_corr']:.3f}"
        )
        print("   look gains: " + ", ".join(f"{k}: {v:.2f}" for k, v in gaze_fit.items()))
    summary = summarise(takes)
    for name, stats in summary.items():
        print(f"\n[{name}]")
        for key, value in stats.items():
            print(
                f"  {key:32s} {value:.4f}" if isinstance(value, float) else f"  {key:32s} {value}"
            )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
