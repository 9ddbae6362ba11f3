"""Synthesise the training and held-out corpora: TTS -> augmentation -> features + target curves.

Each batch of clips (one voice) becomes ``training/data/<split>/batch_NNNNN.npz`` holding float16
features (T, 78) through core's own band-limit and feature code, float16 targets (T, 61) in 0..1
and the clip offsets. Each file records the recipe it was built with (a hash of the modules that
shape the data) and a hash of its clip jobs (voices, texts, seeds, which depend on ``--clips`` and
``--seed``). A file whose recipe and jobs match is skipped, so an interrupted build resumes;
files from another recipe or plan are rebuilt, and files outside the plan are removed.

    .venv/bin/python -m training.build_data [--clips 3000] [--workers 2]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from . import kokoro, synth
from .augment import add_noise, augment, coloured_noise
from .curves import render
from .phones import SIL, append_phone
from .texts import sentences

log = logging.getLogger("training.build_data")
DATA = Path(__file__).resolve().parent / "data"
FAMILY, BAND_LIMIT_RATE = "v01a", 16000
BATCH = 16
CLIPS = 3000  # training clips of the shipped model
# Share of training clips per voice key (espeak is spread over accents x variants).
TRAIN_MIX = {
    "flite-slt": 0.10,
    "flite-awb": 0.10,
    "flite-kal16": 0.06,
    "festival-slt": 0.15,
    "festival-kal": 0.08,
    "festival-ked": 0.08,
    "kokoro": 0.20,
    "espeak": 0.20,
    "negative": 0.03,
}
HELD_OUT_MIX = {"flite-rms": 0.5, "espeak-heldout": 0.5}
_RECIPE_FILES = (
    "augment.py",
    "build_data.py",
    "channels.py",
    "curves.py",
    "espeak.py",
    "kokoro.py",
    "phones.py",
    "synth.py",
    "texts.py",
    "prompts.txt",
)


def recipe() -> str:
    """Short hash of the modules and prompt list that decide what a batch contains."""
    digest = hashlib.sha256()
    for name in _RECIPE_FILES:
        digest.update((Path(__file__).with_name(name)).read_bytes())
    return digest.hexdigest()[:12]


def jobs_hash(batch: list[dict]) -> str:
    """Short hash of a batch's clip jobs."""
    return hashlib.sha256(json.dumps(batch, sort_keys=True).encode()).hexdigest()[:12]


def _stamps(path: Path) -> dict[str, str]:
    """The ``recipe`` and ``jobs`` stamps a batch file carries (empty for unreadable files)."""
    try:
        with np.load(path) as d:
            return {key: str(d[key]) for key in ("recipe", "jobs") if key in d.files}
    except (OSError, ValueError, KeyError):
        return {}


def batch_recipe(path: Path) -> str | None:
    """The recipe a batch file was built with (None for files from before recipes were kept)."""
    return _stamps(path).get("recipe")


def is_current(path: Path, batch: list[dict]) -> bool:
    """Whether ``path`` holds ``batch`` built with the current recipe."""
    return _stamps(path) == {"recipe": recipe(), "jobs": jobs_hash(batch)}


def plan(split: str, n_clips: int, seed: int) -> list[list[dict]]:
    """Deterministic list of batches; each batch is a list of clip jobs of one voice."""
    rng = random.Random(f"{split}-{seed}")
    texts = sentences(seed)
    # Held-out clips use sentences the training split never sees.
    cut = len(texts) // 10
    texts = texts[:cut] if split == "heldout" else texts[cut:]
    mix = HELD_OUT_MIX if split == "heldout" else TRAIN_MIX
    batches: list[list[dict]] = []
    for key, share in mix.items():
        jobs = []
        for _ in range(max(1, round(share * n_clips))):
            job = {
                "voice": key,
                "seed": rng.randrange(1 << 30),
                "texts": [rng.choice(texts) for _ in range(rng.choice([1, 1, 2, 2, 3]))],
                "stretch": rng.uniform(0.8, 1.25),
                "speed": rng.uniform(0.9, 1.1) if rng.random() < 0.6 else 1.0,
                "lead": rng.uniform(0.05, 0.6),
                "tail": rng.uniform(0.1, 0.8),
                "augment": split == "train" and rng.random() < 0.7,
                "intensity": rng.uniform(0.85, 1.15),
            }
            if key == "espeak":
                variant = rng.choice(synth.ESPEAK_VARIANTS)
                job["espeak_voice"] = rng.choice(synth.ESPEAK_ACCENTS) + (
                    f"+{variant}" if variant else ""
                )
            elif key == "espeak-heldout":
                job["espeak_voice"] = synth.HELD_OUT_ESPEAK
            if split == "heldout":
                job["intensity"], job["speed"] = 1.0, 1.0
            jobs.append(job)
        batches += [jobs[i : i + BATCH] for i in range(0, len(jobs), BATCH)]
    return batches


def _synthesise(batch: list[dict]) -> list:
    key = batch[0]["voice"]
    if key == "negative":
        return [None] * len(batch)
    engine = synth.VOICES["espeak" if key.startswith("espeak") else key]
    if engine.engine == "festival":
        flat = [(t, job["stretch"]) for job in batch for t in job["texts"]]
        done = iter(synth.festival_batch(flat, engine.name))
        out = []
        for job in batch:
            parts = [next(done) for _ in job["texts"]]
            out.append(_join([p for p in parts if p is not None], random.Random(job["seed"])))
        return out
    if engine.engine == "kokoro":
        return [_kokoro(job) for job in batch]
    out = []
    for job in batch:
        text = " ".join(job["texts"])
        rng = random.Random(job["seed"])
        try:
            if engine.engine == "flite":
                f0 = rng.uniform(0.8, 1.25) * (170 if engine.name == "slt" else 110)
                out.append(synth.flite(text, engine.name, stretch=job["stretch"], f0=f0))
            else:
                wpm = int(175 / job["stretch"])
                out.append(
                    synth.espeak(
                        text,
                        job["espeak_voice"],
                        rate_wpm=wpm,
                        pitch=rng.randint(25, 75),
                        pitch_range=rng.randint(20, 80),
                    )
                )
        except Exception as exc:  # noqa: BLE001 - one bad prompt must not stop the build
            log.warning("%s failed on %r: %s", key, text[:60], exc)
            out.append(None)
    return out


def _kokoro(job: dict):
    """One Kokoro clip: each sentence on its own (the model's input is limited), one voice blend
    per clip, joined with pauses; None when no sentence could be spoken."""
    rng = random.Random(job["seed"])
    blend, parts = rng.random(), []
    for text in job["texts"]:
        try:
            parts.append(kokoro.synthesise(text, blend, speed=1 / job["stretch"]))
        except (KeyError, ValueError) as exc:  # a word outside the dictionary, a long sentence
            log.warning("kokoro skipped %r: %s", text[:60], exc)
    return _join(parts, rng)


def _join(parts: list, rng: random.Random):
    """Concatenate per-sentence utterances with random pauses (festival: one sentence each)."""
    if not parts:
        return None
    rate = parts[0][1]
    ys, segs, t = [], [], 0.0
    for y, r, s in parts:
        if r != rate:
            continue
        if ys:
            gap = np.zeros(int(rng.uniform(0.1, 0.7) * rate), np.float32)
            ys.append(gap)
            segs.append((t, t + len(gap) / rate, SIL))
            t += len(gap) / rate
        ys.append(y)
        segs += [(a + t, b + t, p) for a, b, p in s]
        t += len(y) / rate
    merged: list = []
    for a, b, p in segs:
        append_phone(merged, a, b, p)
    return np.concatenate(ys), rate, merged


def _clip_audio(job: dict, result, rng: np.random.Generator):
    """(audio, rate, phone segments) of one clip before resampling; None for a failed one.

    A "negative" job is noise or near-silence with a neutral face; the others are padded with
    silence, augmented (or normalised) and given a floor of coloured noise.
    """
    if job["voice"] == "negative":
        rate = 16000
        n = int(rng.uniform(2, 6) * rate)
        y = add_noise(np.zeros(n, np.float32), rng, 0) * rng.uniform(0.001, 0.3)
        return y, rate, [(0.0, n / rate, SIL)]
    if result is None or len(result[0]) < 1000:
        return None
    y, rate, segments = result
    y, segments = synth.silence_pad(y, rate, segments, job["lead"], job["tail"])
    y = augment(y, rate, rng) if job["augment"] else y / (np.abs(y).max() + 1e-9) * 0.7
    y = y + coloured_noise(len(y), rng) * 1e-4  # no digital silence, as in real recordings
    return y, rate, segments


def _featurise(job: dict, y: np.ndarray, rate: int, segments: list):
    """(features, targets, segments) of one clip at its speed, through core's own front end."""
    from neurosync_lipsync.core.audio import band_limit, resample_to_model_rate
    from neurosync_lipsync.core.features import extract_features

    speed = job["speed"]
    y88 = band_limit(resample_to_model_rate(y.astype(np.float32), rate * speed), BAND_LIMIT_RATE)
    x = extract_features(y88, FAMILY)
    segments = [(a / speed, b / speed, p) for a, b, p in segments]
    return x, render(segments, len(x), intensity=job["intensity"]), segments


def _write_batch(path: Path, batch: list[dict], feats, targets, meta) -> None:
    """The batch file, stamped with the recipe and its jobs, written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        features=np.concatenate(feats),
        targets=np.concatenate(targets),
        lengths=np.array([len(x) for x in feats]),
        meta=json.dumps(meta),
        recipe=recipe(),
        jobs=jobs_hash(batch),
    )
    tmp.rename(path)


def process_batch(args: tuple[str, int, list[dict]]) -> tuple[int, float]:
    """Synthesise, augment and featurise one batch into its npz; returns (index, audio seconds).

    A file already built from the same jobs with the current recipe is kept (0 s of new audio).
    """
    import torch

    torch.set_num_threads(1)
    split, index, batch = args
    path = DATA / split / f"batch_{index:05d}.npz"
    if path.exists() and is_current(path, batch):
        return index, 0.0
    feats, targets, meta, seconds = [], [], [], 0.0
    for job, result in zip(batch, _synthesise(batch), strict=True):
        clip = _clip_audio(job, result, np.random.default_rng(job["seed"]))
        if clip is None:
            continue
        y, rate, segments = clip
        x, y_target, segments = _featurise(job, y, rate, segments)
        feats.append(x.astype(np.float16))
        targets.append(y_target.astype(np.float16))
        seconds += len(y) / rate / job["speed"]
        meta.append(
            {
                "voice": job.get("espeak_voice", job["voice"]),
                "key": job["voice"],
                "texts": job["texts"],
                "segments": segments,  # lets targets be re-rendered without new audio
            }
        )
    _write_batch(path, batch, feats, targets, meta)
    return index, seconds


def remove_unplanned(jobs: list[tuple[str, int, list[dict]]]) -> int:
    """Delete batch files that the current plan does not produce (e.g. after ``--clips`` shrank)."""
    planned = {DATA / split / f"batch_{index:05d}.npz" for split, index, _ in jobs}
    stale = [
        path
        for split in ("train", "heldout")
        for path in sorted((DATA / split).glob("batch_*.npz"))
        if path not in planned
    ]
    for path in stale:
        path.unlink()
    return len(stale)


def all_jobs(clips: int, seed: int) -> list[tuple[str, int, list[dict]]]:
    """(split, index, batch) of every batch of the plan: held-out (1/12 of ``clips``, at least
    24), then training."""
    jobs = [("heldout", i, b) for i, b in enumerate(plan("heldout", max(24, clips // 12), seed))]
    return jobs + [("train", i, b) for i, b in enumerate(plan("train", clips, seed))]


def build(
    clips: int = CLIPS, workers: int = 2, seed: int = 0, limit_batches: int | None = None
) -> int:
    """Build the corpus (or its first ``limit_batches`` batches); returns the number of batch
    files (re)built."""
    start = time.time()
    jobs = all_jobs(clips, seed)
    # Interleave voices so a partial build is still a balanced corpus.
    order = sorted(
        range(len(jobs)), key=lambda i: (jobs[i][0] != "heldout", random.Random(i).random())
    )
    if limit_batches is None and (removed := remove_unplanned(jobs)):
        log.info("removed %d batch files outside the current plan", removed)
    order = order[:limit_batches]
    if any(jobs[i][2][0]["voice"] == "kokoro" for i in order):
        kokoro.model_file()  # made once, before the workers would race to make it
    total, built = 0.0, 0
    log.info("recipe %s: %d batches", recipe(), len(order))
    with Pool(workers) as pool:
        for n, (_, seconds) in enumerate(pool.imap(process_batch, [jobs[i] for i in order]), 1):
            total += seconds
            built += seconds > 0
            if n % 10 == 0 or n == len(order):
                wall = time.time() - start
                log.info(
                    "%d/%d batches, %.0f s of new audio, %.0f s wall", n, len(order), total, wall
                )
    log.info("done: %.1f min of new audio in %.1f min wall", total / 60, (time.time() - start) / 60)
    return built


def main(argv: list[str] | None = None) -> int:
    """Build the corpus; returns the number of batch files (re)built."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clips", type=int, default=CLIPS, help="training clips (held-out: 1/12 of it)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--limit-batches",
        type=int,
        default=None,
        help="build only the first N batches of the (deterministic, voice-interleaved) order",
    )
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    return build(a.clips, a.workers, a.seed, a.limit_batches)


if __name__ == "__main__":
    main()
