"""Is the jaw's level-following what keeps the validation score down? Two measurements.

    NEUROSYNC_SHARED=../shared .venv/bin/python -m training.level_check [--model M.pth]

- **Targets:** :func:`training.drift.envelope_r` of the rule jaw targets against their own audio,
  for a few un-augmented training clips of each voice (synthesised by ``build_data``'s own
  functions, at speed 1), and for the rules rendered from a pocketsphinx alignment of the
  NeuroSync validation clips, beside NeuroSync's own jaw on the same clips.
- **Level removed:** the model's validation-clip JawOpen r (as ``training.evaluate`` scores it)
  after removing a share of the part of its jaw that a straight-line fit on the audio level
  predicts. If level-following were what NeuroSync lacks, removing it would raise the score.

Needs the TTS engines of ``training/setup.sh`` and pocketsphinx. The clips are only measured,
never trained on.
"""

from __future__ import annotations

import argparse
import collections

import numpy as np
from neurosync_lipsync.core.audio import SourceAudio, read_audio
from neurosync_lipsync.core.checkpoint import DEFAULT_MODEL_PATH, load_checkpoint
from neurosync_lipsync.core.pipeline import generate

from . import build_data
from .channels import JAW
from .curves import render
from .drift import envelope_r, level_curve
from .evaluate import CLIPS, _shift, mean_r, neurosync_shapes, pearson, validation_clips

SHARES = (0.0, 0.25, 0.5, 0.75)


def remove_level(jaw: np.ndarray, level: np.ndarray, share: float) -> np.ndarray:
    """``jaw`` less ``share`` of its straight-line fit on ``level`` (at the best lag within +-6
    frames), the fit's mean kept so the curve keeps its height."""
    n = min(len(jaw), len(level))
    jaw, level = jaw[:n], level[:n]
    lag = max(range(-6, 7), key=lambda k: pearson(*_shift(jaw, level, k)))
    shifted = np.roll(level, lag)
    fit = np.polyval(np.polyfit(shifted, jaw, 1), shifted)
    return jaw - share * (fit - fit.mean())


def level_removed_scores(loaded, shares=SHARES) -> dict[float, float]:
    """{share: the validation clips' mean JawOpen r at the best lag within +-4 frames}."""
    curves = []
    for clip in validation_clips():
        audio = read_audio(clip / "audio.wav")
        ours = generate(audio, model=loaded, reference=True).values[:, JAW]
        curves.append((ours, level_curve(audio), neurosync_shapes(clip)[:, JAW]))
    out = {}
    for share in shares:
        pairs = [(remove_level(o, lv, share), ref) for o, lv, ref in curves]
        out[share] = max(mean_r(pairs, k) for k in range(-4, 5))
    return out


def corpus_envelope(per_voice: int = 6, seed: int = 0) -> dict[str, list[float]]:
    """{voice: envelope r of the jaw targets of ``per_voice`` un-augmented training clips}."""
    found: dict[str, list[float]] = collections.defaultdict(list)
    for batch in build_data.plan("train", build_data.CLIPS, seed):
        jobs = [j for j in batch if j["voice"] != "negative"]
        jobs = [j for j in jobs if len(found[j["voice"]]) < per_voice][:3]
        if not jobs:
            continue
        for job, result in zip(jobs, build_data._synthesise(jobs), strict=True):
            job = dict(job, augment=False, speed=1.0)
            clip = build_data._clip_audio(job, result, np.random.default_rng(job["seed"]))
            if clip is None:
                continue
            y, rate, segments = clip
            _, targets, _ = build_data._featurise(job, y, rate, segments)
            audio = SourceAudio(y, rate, job["voice"])
            found[job["voice"]].append(envelope_r(targets[:, JAW].astype(np.float64), audio))
        if len(found) == len(build_data.TRAIN_MIX) - 1 and all(
            len(v) >= per_voice for v in found.values()
        ):
            break
    return dict(found)


def rules_envelope() -> dict[str, tuple[float, float]]:
    """{clip: (envelope r of the rendered rules' jaw, of NeuroSync's jaw)} on aligned clips."""
    from .targets_vs_neurosync import aligned_clips

    out = {}
    for name, segments, reference in aligned_clips():
        audio = read_audio(CLIPS / name / "audio.wav")
        rules = render(segments, len(reference))[:, JAW]
        out[name] = (envelope_r(rules, audio), envelope_r(reference[:, JAW], audio))
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=str(DEFAULT_MODEL_PATH))
    p.add_argument("--per-voice", type=int, default=6)
    a = p.parse_args(argv)
    scores = level_removed_scores(load_checkpoint(a.model))
    print("validation clips, mean JawOpen r with a share of the level-predicted jaw removed:")
    print("  " + "  ".join(f"{share:.2f}: {r:.3f}" for share, r in scores.items()))
    rules = rules_envelope()
    print("jaw r with the audio level on the aligned validation clips (rules / NeuroSync):")
    for name, (ours, ref) in rules.items():
        print(f"  {name}: {ours:.2f} / {ref:.2f}")
    means = np.mean(list(rules.values()), axis=0)
    print(f"  mean: {means[0]:.2f} / {means[1]:.2f}")
    found = corpus_envelope(a.per_voice)
    print("jaw targets' r with their own audio level, un-augmented training clips:")
    for voice, rs in sorted(found.items()):
        print(f"  {voice}: {np.mean(rs):.2f} ({len(rs)} clips)")
    print(f"  all: {np.mean([r for rs in found.values() for r in rs]):.2f}")


if __name__ == "__main__":
    main()
