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
from neurosync_lipsync.core.constants import model_frame_times
from neurosync_lipsync.core.pipeline import generate

from .build_data import DATA
from .channels import CLOSE, JAW
from .curves import BILABIALS, middle_frames
from .phones import VOWELS

SDIST = DATA / "sdist" / "pocketsphinx-5.1.1.tar.gz"
HUMAN = DATA / "human"
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
    """``values`` in the middle 60 % of [start, end] (the frames the target rules constrain)."""
    return values[middle_frames(t, start, end)]


def _neighbour_vowels(segs: list, i: int, t: np.ndarray, jaw: np.ndarray, close: np.ndarray):
    """[(jaw over the vowel, MouthClose in its middle)] of the nearest vowel on each side of
    consonant ``i`` (within 3 phones and 0.4 s)."""
    start, end, _ = segs[i]
    found: dict[bool, tuple[np.ndarray, np.ndarray]] = {}
    for j in list(range(i - 1, -1, -1))[:3] + list(range(i + 1, len(segs)))[:3]:
        s, e, p = segs[j]
        if p in VOWELS and min(abs(s - end), abs(start - e)) < 0.4 and (j < i) not in found:
            found[j < i] = (jaw[(t >= s) & (t <= e)], _middle(close, t, s, e))
    return [x for x in found.values() if x[0].size]


def _closures(segs: list, values: np.ndarray) -> tuple[int, int, int, int]:
    """(jaw dips, lip seals, either, checked) over the p/b/m of one clip's ``segs``."""
    jaw, close = values[:, JAW], values[:, CLOSE]
    t = model_frame_times(len(jaw))
    dips = seals = either = n = 0
    for i, (start, end, phone) in enumerate(segs):
        neighbours = _neighbour_vowels(segs, i, t, jaw, close) if phone in BILABIALS else []
        if not neighbours:
            continue
        dip = all(_middle(jaw, t, start, end).min() < v.max() for v, _ in neighbours)
        seal = all(
            _middle(close, t, start, end).max() >= c.mean() + CLOSE_MARGIN for _, c in neighbours
        )
        dips, seals, either, n = dips + dip, seals + seal, either + (dip or seal), n + 1
    return dips, seals, either, n


def bilabial_check(loaded, items: list[tuple[str, Path, list]] | dict | None = None) -> dict:
    """Share of p/b/m with a visible closure (jaw dip or lip seal); ``items`` from aligned()."""
    items = aligned() if items is None else items
    if isinstance(items, dict):
        return items
    counts, per_file = [0, 0, 0, 0], {}
    for name, wav, segs in items:
        found = _closures(segs, generate(wav, model=loaded, reference=True).values)
        per_file[name] = found[2:]
        counts = [a + b for a, b in zip(counts, found, strict=True)]
    dips, seals, closed, total = counts
    return {
        "closed": closed,
        "total": total,
        "fraction": closed / max(1, total),
        "jaw_dip_fraction": dips / max(1, total),
        "lip_seal_fraction": seals / max(1, total),
        "per_file": per_file,
    }
