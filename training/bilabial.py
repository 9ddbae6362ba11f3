"""Bilabial closure on real human speech (no ground-truth curves exist for it).

The LibriVox and "cards" recordings in the pocketsphinx 5.1.1 source archive (public domain /
CMU test data, with transcripts) are force-aligned with pocketsphinx (two passes: words, then
phones). For every P, B or M with a vowel within 0.4 s on either side, the closure is visible
when the model's JawOpen in the middle 60 % of the consonant (its minimum) is below the peak
JawOpen of each neighbouring vowel (a jaw dip), or when its MouthClose there (its maximum) is at
least ``CLOSE_MARGIN`` above MouthClose at the middle of each neighbouring vowel (a lip seal).
``training/setup.sh`` fetches the archive into ``training/data/sdist``.
"""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import numpy as np
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES, model_frame_times
from neurosync_lipsync.core.pipeline import generate

from .build_data import DATA

SDIST = DATA / "sdist" / "pocketsphinx-5.1.1.tar.gz"
HUMAN = DATA / "human"
VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
JAW = BLENDSHAPE_NAMES.index("JawOpen")
CLOSE = BLENDSHAPE_NAMES.index("MouthClose")
CLOSE_MARGIN = 0.02


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


def aligned() -> list[tuple[str, Path, list]] | dict:
    """[(name, wav, segments)] of every recording pocketsphinx aligns, or {"error": why}."""
    try:
        items = recordings()
        import pocketsphinx  # noqa: F401
    except (FileNotFoundError, ImportError) as exc:
        return {"error": str(exc)}
    out = []
    for wav, text in items:
        try:
            out.append((wav.name, wav, align(wav, text)))
        except RuntimeError:  # reported by its absence from per_file
            continue
    return out


def _middle(values: np.ndarray, t: np.ndarray, start: float, end: float) -> np.ndarray:
    """``values`` in the middle 60 % of [start, end]; the nearest frame for very short phones."""
    lo, hi = start + 0.2 * (end - start), end - 0.2 * (end - start)
    mid = values[(t >= lo) & (t <= hi)]
    return mid if mid.size else values[[int(np.argmin(np.abs(t - (start + end) / 2)))]]


def bilabial_check(loaded, items: list[tuple[str, Path, list]] | dict | None = None) -> dict:
    """Share of p/b/m with a visible closure (jaw dip or lip seal); ``items`` from aligned()."""
    items = aligned() if items is None else items
    if isinstance(items, dict):
        return items
    counts = {"jaw": 0, "close": 0, "either": 0, "total": 0}
    per_file = {}
    for name, wav, segs in items:
        values = generate(wav, model=loaded, reference=True).values
        jaw, close = values[:, JAW], values[:, CLOSE]
        t = model_frame_times(len(jaw))
        ok = n = 0
        for i, (start, end, phone) in enumerate(segs):
            if phone not in ("P", "B", "M"):
                continue
            neighbours = []
            for j in list(range(i - 1, -1, -1))[:3] + list(range(i + 1, len(segs)))[:3]:
                s, e, p = segs[j]
                if p in VOWELS and min(abs(s - end), abs(start - e)) < 0.4:
                    side = j < i
                    if side not in [x[0] for x in neighbours]:
                        inside = (t >= s) & (t <= e)
                        neighbours.append((side, jaw[inside], _middle(close, t, s, e)))
            neighbours = [x for x in neighbours if x[1].size]
            if not neighbours:
                continue
            dip = all(_middle(jaw, t, start, end).min() < v.max() for _, v, _ in neighbours)
            seal = all(
                _middle(close, t, start, end).max() >= c.mean() + CLOSE_MARGIN
                for _, _, c in neighbours
            )
            n += 1
            ok += dip or seal
            counts["jaw"] += dip
            counts["close"] += seal
        per_file[name] = (ok, n)
        counts["either"] += ok
        counts["total"] += n
    total = max(1, counts["total"])
    return {
        "closed": counts["either"],
        "total": counts["total"],
        "fraction": counts["either"] / total,
        "jaw_dip_fraction": counts["jaw"] / total,
        "lip_seal_fraction": counts["close"] / total,
        "per_file": per_file,
    }
