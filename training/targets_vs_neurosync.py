"""How NeuroSync-like the target rules themselves are: the ceiling of the validation-clip score.

The NeuroSync validation clips come with their sentences. Each is force-aligned by pocketsphinx
(as the human clips are), rendered with ``training.curves`` and compared with NeuroSync's own
output: Pearson r per channel at the best global lag, as ``training.evaluate`` scores a model.
A model that learnt the rules perfectly would score about this on the clips, so a change of the
rules can be judged here in seconds, before a training run. The clips are never trained on; this
is model selection on the yardstick, and what it chose must be reported as such.

    NEUROSYNC_SHARED=../shared .venv/bin/python -m training.targets_vs_neurosync
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

import numpy as np
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES

from .bilabial import align
from .curves import render
from .evaluate import mean_r, neurosync_shapes, validation_clips

CHANNELS = ("JawOpen", "MouthClose", "MouthFunnel", "MouthPucker", "MouthLowerDownLeft")
ALIGN_RATE = 16000  # pocketsphinx's acoustic model


def aligned_clips() -> list[tuple[str, list, np.ndarray]]:
    """[(clip, phone segments, NeuroSync's (T, 61) output)] of the clips pocketsphinx aligns."""
    import librosa
    import soundfile as sf

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for clip in validation_clips():
            y, rate = sf.read(clip / "audio.wav", dtype="float32")
            wav = Path(tmp) / f"{clip.name}.wav"
            sf.write(wav, librosa.resample(y, orig_sr=rate, target_sr=ALIGN_RATE), ALIGN_RATE)
            text = (clip / "transcription.txt").read_text().lower()
            try:
                segments = align(wav, re.sub(r"[^a-z' ]", " ", text))
            except RuntimeError:
                print(f"{clip.name}: pocketsphinx could not align it; left out")
                continue
            out.append((clip.name, segments, neurosync_shapes(clip)))
    return out


def score(clips: list, channel: str = "JawOpen", lags=range(-6, 7)) -> dict:
    """Mean and per-clip r of the rendered rules against NeuroSync for ``channel``."""
    c = BLENDSHAPE_NAMES.index(channel)
    pairs = [(render(segs, len(ref))[:, c], ref[:, c]) for _, segs, ref in clips]
    lag = max(lags, key=lambda k: mean_r(pairs, k))
    per_clip = {
        name: round(mean_r([pair], lag), 3) for (name, _, _), pair in zip(clips, pairs, strict=True)
    }
    return {"mean_r": round(mean_r(pairs, lag), 3), "lag_frames": lag, "per_clip": per_clip}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--channels", nargs="*", default=list(CHANNELS), choices=BLENDSHAPE_NAMES)
    a = p.parse_args(argv)
    clips = aligned_clips()
    print(f"rules vs NeuroSync on {len(clips)} aligned clips (best global lag per channel):")
    for channel in a.channels:
        s = score(clips, channel)
        print(f"  {channel}: r={s['mean_r']:.3f} (lag {s['lag_frames']}) per clip {s['per_clip']}")


if __name__ == "__main__":
    main()
