"""Bilabial closure on real human speech (no ground-truth curves exist for it).

The LibriVox and "cards" recordings in the pocketsphinx 5.1.1 source archive (public domain /
CMU test data, with transcripts) are force-aligned with pocketsphinx (two passes: words, then
phones). For every P, B or M with a vowel within 0.4 s on either side, the model's JawOpen in
the middle 60 % of the consonant (its minimum) must be below the peak JawOpen of each
neighbouring vowel. ``training/setup.sh`` fetches the archive into ``training/data/sdist``.
"""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import numpy as np
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES, MODEL_FPS
from neurosync_lipsync.core.pipeline import generate

from .build_data import DATA

SDIST = DATA / "sdist" / "pocketsphinx-5.1.1.tar.gz"
HUMAN = DATA / "human"
VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
JAW = BLENDSHAPE_NAMES.index("JawOpen")


def recordings() -> list[tuple[Path, str]]:
    """(wav, transcript) pairs, unpacking the archive on first use."""
    if not (HUMAN / "librivox").is_dir():
        if not SDIST.is_file():
            raise FileNotFoundError(f"{SDIST} is missing; run training/setup.sh")
        with tarfile.open(SDIST) as tar:
            members = [
                m for m in tar.getmembers() if re.search(r"test/data/(librivox|cards)/", m.name)
            ]
            for m in members:
                m.name = m.name.split("test/data/", 1)[1]
            tar.extractall(HUMAN, members=members, filter="data")
    out = [
        (wav, wav.with_suffix(".txt").read_text().strip())
        for wav in sorted((HUMAN / "librivox").glob("*.wav"))
    ]
    for line in (HUMAN / "cards" / "cards.transcription").read_text().splitlines():
        m = re.match(r"<s>(.*)</s>\s*\((\d+)\)", line.strip())
        if m:
            out.append((HUMAN / "cards" / f"{m.group(2)}.wav", m.group(1).strip()))
    return out


def align(wav: Path, text: str) -> list[tuple[float, float, str]]:
    """Phone segments [(start_s, end_s, ARPAbet)] by pocketsphinx forced alignment."""
    import soundfile as sf
    from pocketsphinx import Decoder

    y, rate = sf.read(wav, dtype="int16")
    pad = np.zeros(int(0.3 * rate), np.int16)  # padding cuts alignment failures (the study)
    data = np.concatenate([pad, y, pad]).tobytes()
    decoder = Decoder(samprate=rate, loglevel="FATAL")
    decoder.set_align_text(text.lower())
    decoder.start_utt()
    decoder.process_raw(data, full_utt=True)
    decoder.end_utt()
    decoder.set_alignment()
    decoder.start_utt()
    decoder.process_raw(data, full_utt=True)
    decoder.end_utt()
    segs = []
    for word in decoder.get_alignment():
        for phone in word:
            start = phone.start / 100 - 0.3
            segs.append((start, start + phone.duration / 100, phone.name))
    return segs


def bilabial_check(loaded) -> dict:
    try:
        items = recordings()
        import pocketsphinx  # noqa: F401
    except (FileNotFoundError, ImportError) as exc:
        return {"error": str(exc)}
    closed = total = 0
    per_file = {}
    for wav, text in items:
        try:
            segs = align(wav, text)
        except RuntimeError as exc:
            per_file[wav.name] = (0, 0, f"alignment failed: {exc}")
            continue
        jaw = generate(wav, model=loaded, reference=True).values[:, JAW]
        t = (np.arange(len(jaw)) + 0.25) / MODEL_FPS
        ok = n = 0
        for i, (start, end, phone) in enumerate(segs):
            if phone not in ("P", "B", "M"):
                continue
            lo, hi = start + 0.2 * (end - start), end - 0.2 * (end - start)
            mid = jaw[(t >= lo) & (t <= hi)]
            if mid.size == 0:
                mid = jaw[[int(np.argmin(np.abs(t - (start + end) / 2)))]]
            neighbours = []
            for j in list(range(i - 1, -1, -1))[:3] + list(range(i + 1, len(segs)))[:3]:
                s, e, p = segs[j]
                if p in VOWELS and min(abs(s - end), abs(start - e)) < 0.4:
                    side = j < i
                    if side not in [x[0] for x in neighbours]:
                        neighbours.append((side, jaw[(t >= s) & (t <= e)]))
            neighbours = [(side, v) for side, v in neighbours if v.size]
            if not neighbours:
                continue
            n += 1
            ok += all(mid.min() < v.max() for _, v in neighbours)
        per_file[wav.name] = (ok, n)
        closed, total = closed + ok, total + n
    return {
        "closed": closed,
        "total": total,
        "fraction": closed / max(1, total),
        "per_file": per_file,
    }
