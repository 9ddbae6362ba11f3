"""Evaluate the shipped default model (or ``--model``).

1. Held-out voices (flite rms, espeak en-gb-x-gbcwmd+f4; sentences never trained on):
   per-channel Pearson r and MAE against their rule-based target curves.
2. ../shared/eval/neurosync-clips (or $NEUROSYNC_SHARED/eval/...): Pearson r per mouth
   channel against NeuroSync 0.1's output, with one global lag (|lag| <= 4 frames, the same
   for every clip and channel).
3. Human speech (pocketsphinx alignment of the package-archive recordings, rendered with the
   training rules): per-channel r and amplitude ratio (model p95 / target p95) over speech,
   and the fraction of p/b/m with a visible closure (a JawOpen dip below the neighbouring
   vowels' peaks or a MouthClose peak above them).
4. Level drift (:mod:`.drift`): how much the jaw follows a slow +-6 dB gain swing, on the
   NeuroSync clips and the human recordings.
5. Speed: features + inference, ms per second of audio (model already loaded), on the numpy
   engine (default) or ``--backend torch``.

    .venv/bin/python -m training.evaluate [--model PATH] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from neurosync_lipsync.core.checkpoint import load_checkpoint
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES, NUM_BLENDSHAPES
from neurosync_lipsync.core.inference import run_model
from neurosync_lipsync.core.pipeline import generate

from .channels import JAW, MOUTH
from .corpus import anticipate, load_split

SHARED = Path(os.environ.get("NEUROSYNC_SHARED", Path(__file__).resolve().parents[2] / "shared"))
CLIPS = SHARED / "eval" / "neurosync-clips"
MOUTH_COLUMNS = np.flatnonzero(MOUTH)
KEY = [
    "JawOpen",
    "MouthClose",
    "MouthFunnel",
    "MouthPucker",
    "MouthSmileLeft",
    "MouthStretchLeft",
    "MouthRollLower",
    "MouthPressLeft",
    "MouthLowerDownLeft",
    "MouthUpperUpLeft",
    "TongueOut",
]


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    if a.std() < 1e-8 or b.std() < 1e-8:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def anticipation(loaded) -> int:
    """Frames the model was trained to lead the rule timing by (from the sidecar's provenance)."""
    sidecar = loaded.path.with_suffix(".json")
    info = json.loads(sidecar.read_text()).get("training", {}) if sidecar.is_file() else {}
    return int(info.get("anticipate", 0))


def held_out(loaded) -> dict:
    """Per-voice r and MAE against the targets the model was trained for (its anticipation)."""
    lead = anticipation(loaded)
    heldout = load_split("heldout")
    by_voice: dict[str, list] = {}
    for x, y, m in zip(heldout.feats, heldout.targets, heldout.meta, strict=True):
        raw = run_model(x.astype(np.float32), loaded)
        y = y.astype(np.float32)
        by_voice.setdefault(m["voice"], []).append(
            (raw[:, :NUM_BLENDSHAPES] / 100, anticipate(y, lead), y)
        )
    out = {}
    for voice, pairs in sorted(by_voice.items()):
        p = np.concatenate([a for a, _, _ in pairs])
        t = np.concatenate([b for _, b, _ in pairs])
        rule = np.concatenate([c for _, _, c in pairs])
        out[voice] = {
            "clips": len(pairs),
            "seconds": round(len(p) / 60, 1),
            "anticipate_frames": lead,
            "jaw_r_rule_timing": pearson(p[:, JAW], rule[:, JAW]),
            "r": {BLENDSHAPE_NAMES[c]: pearson(p[:, c], t[:, c]) for c in MOUTH_COLUMNS},
            "mae": {
                BLENDSHAPE_NAMES[c]: float(np.abs(p[:, c] - t[:, c]).mean()) for c in MOUTH_COLUMNS
            },
        }
    return out


def _shift(a: np.ndarray, b: np.ndarray, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Pair a[t + lag] with b[t] (positive lag: ours is late)."""
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    return (a[lag:], b[: n - lag]) if lag >= 0 else (a[: n + lag], b[-lag:])


def mean_r(pairs: list[tuple[np.ndarray, np.ndarray]], lag: int) -> float:
    """Mean Pearson r over ``pairs`` of curves (ours, reference) with ours ``lag`` frames late."""
    return float(np.nanmean([pearson(*_shift(a, b, lag)) for a, b in pairs]))


def validation_clips() -> list[Path]:
    """The NeuroSync validation clip folders (each with audio.wav and shapes.csv), sorted."""
    return sorted(p for p in CLIPS.iterdir() if (p / "audio.wav").is_file())


def neurosync_shapes(clip: Path) -> np.ndarray:
    """NeuroSync's (T, 61) blendshapes for validation ``clip`` (its shapes.csv, 0..1)."""
    rows = np.genfromtxt(clip / "shapes.csv", delimiter=",", skip_header=1)
    return rows[:, 2 : 2 + NUM_BLENDSHAPES]


def neurosync_clips(loaded) -> dict:
    pairs = []
    for clip in validation_clips():
        ours = generate(clip / "audio.wav", model=loaded, reference=True).values
        pairs.append((clip.name, ours, neurosync_shapes(clip)))

    jaw = [(o[:, JAW], r[:, JAW]) for _, o, r in pairs]
    lag = max(range(-4, 5), key=lambda k: mean_r(jaw, k))
    per_clip = {}
    for name, o, r in pairs:
        a, b = _shift(o, r, lag)
        per_clip[name] = {BLENDSHAPE_NAMES[c]: pearson(a[:, c], b[:, c]) for c in MOUTH_COLUMNS}
    mean = {
        BLENDSHAPE_NAMES[c]: float(np.nanmean([v[BLENDSHAPE_NAMES[c]] for v in per_clip.values()]))
        for c in MOUTH_COLUMNS
    }
    return {
        "lag_frames": lag,
        "mean_r": mean,
        "per_clip": per_clip,
        "jaw_r_by_lag": {k: round(mean_r(jaw, k), 3) for k in range(-4, 5)},
    }


def speed(loaded, seconds: float = 60.0) -> dict:
    """Best of 3 runs of the whole pipeline (band-limit, features, model) on 60 s of 88.2 kHz
    speech, on 1 and on 2 threads (torch's or numpy's BLAS, as the backend), plus the split
    between features and model."""
    from neurosync_lipsync.core.audio import band_limit, read_audio
    from neurosync_lipsync.core.blas import blas_threads
    from neurosync_lipsync.core.features import extract_features
    from neurosync_lipsync.core.torch_backend import torch_threads

    audio = [read_audio(c) for c in sorted(CLIPS.glob("*/audio.wav"))]
    rate = audio[0].rate
    y = np.concatenate([a.samples for a in audio if a.rate == rate])
    y = np.tile(y, int(np.ceil(seconds * rate / len(y))))[: int(seconds * rate)]
    out: dict = {"audio_s": seconds, "input_rate": rate}
    for threads in (1, 2):
        generate(y[: rate * 5], model=loaded, rate=rate, threads=threads)  # warm-up
        best = min(
            _timed(lambda n=threads: generate(y, model=loaded, rate=rate, threads=n))
            for _ in range(3)
        )
        out[f"ms_per_audio_s_{threads}_threads"] = 1000 * best / seconds
    with (torch_threads if loaded.backend == "torch" else blas_threads)(1):
        feats = extract_features(band_limit(y, loaded.config.band_limit_rate or 16000), "v01a")
        out["features_ms_per_audio_s"] = (
            1000
            * min(_timed(lambda: extract_features(band_limit(y, 16000), "v01a")) for _ in range(3))
            / seconds
        )
        out["model_ms_per_audio_s_1_thread"] = (
            1000 * min(_timed(lambda: run_model(feats, loaded)) for _ in range(3)) / seconds
        )
    out["ms_per_audio_s"] = min(out["ms_per_audio_s_1_threads"], out["ms_per_audio_s_2_threads"])
    return out


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _print_held_out(results: dict) -> None:
    for voice, v in results.items():
        print(
            f"\nheld-out voice {voice}: {v['clips']} clips, {v['seconds']} s "
            f"(targets {v['anticipate_frames']} frames early, as trained; JawOpen r at the "
            f"unshifted rule timing {v['jaw_r_rule_timing']:.3f})"
        )
        print("  " + "  ".join(f"{k}: r={v['r'][k]:.3f} MAE={v['mae'][k]:.3f}" for k in KEY))
        print(
            f"  all mouth channels: mean r={np.nanmean(list(v['r'].values())):.3f} "
            f"mean MAE={np.mean(list(v['mae'].values())):.4f}"
        )


def _print_clips(c: dict) -> None:
    print(
        f"\nNeuroSync 0.1 clips ({len(c['per_clip'])}), global lag {c['lag_frames']} frames "
        f"(JawOpen r by lag {c['jaw_r_by_lag']})"
    )
    for name, v in c["per_clip"].items():
        print(f"  {name}: JawOpen r={v['JawOpen']:.3f}")
    print(
        "  mean r per mouth channel: " + ", ".join(f"{k}={v:.3f}" for k, v in c["mean_r"].items())
    )
    print(f"  mean JawOpen r = {c['mean_r']['JawOpen']:.3f} (goal >= 0.70, issue 10)")


def _human_speech(loaded, report: dict) -> None:
    """Human speech and bilabial closures into ``report``, printed."""
    from .bilabial import aligned, bilabial_check
    from .human import RATIO_CHANNELS, human_speech

    items = aligned()
    report["human"] = h = human_speech(loaded, items) if isinstance(items, list) else items
    report["bilabial"] = b = bilabial_check(loaded, items)
    if b.get("error") or h.get("error"):
        print(f"\nhuman-speech checks skipped: {b.get('error') or h.get('error')}")
        return
    print(
        f"\nhuman speech ({h['clips']} clips, {h['speech_seconds']} s of speech), model "
        "against the rules rendered from a pocketsphinx alignment:"
    )
    for name, v in h.items():
        if isinstance(v, dict):
            flag = " *" if name in RATIO_CHANNELS else ""
            print(
                f"  {name}{flag}: r={v['r']:.3f} p95 model {v['model_p95']:.3f} / "
                f"target {v['target_p95']:.3f} = ratio {v['ratio']:.2f}"
            )
    print("  (* amplitude ratio target 0.7-1.3; MouthClose r target >= 0.35)")
    print(
        f"bilabials on human speech: {b['closed']}/{b['total']} = "
        f"{100 * b['fraction']:.1f} % visible (target >= 90 %): jaw dip "
        f"{100 * b['jaw_dip_fraction']:.1f} %, "
        f"lip seal {100 * b['lip_seal_fraction']:.1f} %"
    )
    for name, v in b["per_file"].items():
        print(f"  {name}: {v[0]}/{v[1]}")


def _level_drift(loaded, report: dict) -> None:
    """:func:`.drift.level_drift` on the clips and the human recordings into ``report``, printed."""
    from .bilabial import recordings
    from .drift import describe, envelope_following, level_drift

    sets = {"neurosync_clips": sorted(CLIPS.glob("*/audio.wav"))}
    try:
        sets["human"] = [wav for wav, _ in recordings()]
    except FileNotFoundError as e:
        print(f"\nlevel drift on human speech skipped: {e}")
    report["drift"] = {name: level_drift(loaded, wavs) for name, wavs in sets.items() if wavs}
    print("\nlevel drift, a slow +-6 dB gain swing at 1 Hz (0: the jaw ignores the level):")
    for name, d in report["drift"].items():
        print(describe(name, d))
    if sets["neurosync_clips"]:  # how closely each jaw follows the level, run as it is
        follow = envelope_following(loaded, [wav.parent for wav in sets["neurosync_clips"]])
        report["drift"]["envelope_r"] = follow
        print(
            "  JawOpen r with the audio's level on the clips: model "
            f"{follow['model']:.2f}, NeuroSync {follow['neurosync']:.2f}"
        )


def _print_speed(s: dict) -> None:
    print(
        f"\nspeed (features + inference, {s['audio_s']:.0f} s at {s['input_rate']} Hz; "
        f"target <= 10 ms per audio second): 1 thread {s['ms_per_audio_s_1_threads']:.2f} ms, "
        f"2 threads {s['ms_per_audio_s_2_threads']:.2f} ms; of which band-limit + features "
        f"{s['features_ms_per_audio_s']:.2f} ms and the model "
        f"{s['model_ms_per_audio_s_1_thread']:.2f} ms (1 thread)"
    )


#: The parts of the evaluation, in the order they run.
PARTS = ("heldout", "clips", "human", "drift", "speed")


def run(
    model: str | Path | None = None,
    json_path: Path | None = None,
    backend: str = "numpy",
    skip: tuple[str, ...] = (),
) -> dict:
    """Evaluate ``model`` (default: the shipped one), print the figures and return the report
    (also written to ``json_path`` when given); ``skip`` names parts of :data:`PARTS`."""
    loaded = load_checkpoint(model, backend=backend)
    report: dict = {"model": str(loaded.path), "parameters": loaded.parameter_count}
    print(f"model {loaded.path} ({loaded.parameter_count:,} parameters)")
    if not CLIPS.is_dir() and not {"clips", "speed"} <= set(skip):
        # a clone without the shared folder still gets the other figures after a long build
        report["missing"] = str(CLIPS)
        print(f"no NeuroSync clips at {CLIPS} (set NEUROSYNC_SHARED to the folder holding")
        print("eval/neurosync-clips): the clips and speed parts are skipped")
        skip = (*skip, "clips", "speed")
    if "heldout" not in skip:
        report["heldout"] = held_out(loaded)
        _print_held_out(report["heldout"])
    if "clips" not in skip:
        report["clips"] = neurosync_clips(loaded)
        _print_clips(report["clips"])
    if "human" not in skip:
        _human_speech(loaded, report)
    if "drift" not in skip:
        _level_drift(loaded, report)
    if "speed" not in skip:
        report["speed"] = speed(loaded)
        _print_speed(report["speed"])
    if json_path:
        json_path.write_text(json.dumps(report, indent=1, default=float))
    return report


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=None, help="checkpoint (default: the shipped model)")
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--backend", choices=("numpy", "torch"), default="numpy")
    p.add_argument("--skip", nargs="*", default=[], choices=PARTS)
    a = p.parse_args(argv)
    run(a.model, a.json, a.backend, tuple(a.skip))


if __name__ == "__main__":
    main()
