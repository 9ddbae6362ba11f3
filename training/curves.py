"""Phone timings -> 60 fps ARKit target curves (the study's viseme table and coarticulation).

Each phone has targets for a few channels and two dominances, one for the lips and one for the
jaw (the JALI split). A channel at time t is the dominance-weighted mean of all phone targets,
where a phone's dominance is flat inside it and decays as exp(-dist/tau) outside
(Cohen-Massaro: tau 45 ms before the phone, 35 ms after; the jaw 30 and 15 ms). Then [1,2,1]/4
smoothing, a contrast curve on the jaw, and hard constraints in the middle 60 % of bilabials
(jaw nearly shut, MouthClose >= JawOpen and >= ``CLOSE_MIN``) and labiodentals (lower lip rolled
a little). Frame i is sampled at (i + 0.25) / 60 s, the model's frame time.

The jaw contrast curve ``JAW_REF * (jaw / JAW_REF) ** JAW_GAMMA`` keeps the open vowels (AA 0.6)
where they are and lowers everything between them: with the table's linear values the jaw stayed
about 0.15 open through consonants and short pauses, so it hardly closed between syllables.
``JAW_GAMMA`` = 2 was chosen on the validation clips (../shared/eval/neurosync-clips, whose
NeuroSync jaw rests near 0 between syllables); nothing from them is trained on. Before the curve,
the table's jaw openings are evened out between vowels and halved on consonants (v3 targets, see
:func:`jaw_opening`): rendered from a pocketsphinx alignment of five validation clips, the rule
jaw's mean r with NeuroSync's rose from 0.613 to 0.661; only JawOpen changes.
"""

from __future__ import annotations

import numpy as np
from neurosync_lipsync.core.constants import MODEL_FPS, NUM_BLENDSHAPES, model_frame_times

from .channels import CH, JAW
from .phones import SIL, VOWELS

TAU_BEFORE, TAU_AFTER = 0.045, 0.035
# The jaw's own, shorter spread (session 7): with the lips' 45 / 35 ms the rule jaw stays
# half-open across consonants between vowels. Chosen on the validation clips
# (targets_vs_neurosync: rule jaw r 0.661 -> 0.681, inside a plateau of 0.679-0.683 for
# 25-35 ms before and 10-15 ms after); the lip channels keep their calibrated spread.
JAW_TAU_BEFORE, JAW_TAU_AFTER = 0.030, 0.015
BILABIALS, LABIODENTALS = {"P", "B", "M"}, {"F", "V"}
JAW_GAMMA, JAW_REF = 2.0, 0.6
# Jaw openings before the contrast curve (v3 targets): the vowels' differences from their mean
# are scaled by JAW_VOWEL_CONTRAST and the result stretched so the most open vowel (AA) stays at
# JAW_REF; the consonants' openings are scaled by JAW_CONSONANT_SCALE. The table's spread (AO
# and AA far above AH and EH) opened the jaw much more on some vowels than NeuroSync's
# capture-trained jaw does, and its consonants kept the jaw open between syllables.
JAW_VOWEL_CONTRAST, JAW_CONSONANT_SCALE = 0.5, 0.5
# Mid-phone floors: the lips seal on p/b/m (ARKit MouthClose, human peaks 0.1+ with the jaw a
# little open) and the lower lip rolls a little on f/v (human RollLower is small).
CLOSE_MIN, ROLL_LOWER_MIN = 0.10, 0.06

# Short names; L/R pairs are written equally.
_PAIRS = {
    "Smile": "MouthSmile",
    "Stretch": "MouthStretch",
    "LowerDown": "MouthLowerDown",
    "UpperUp": "MouthUpperUp",
    "Press": "MouthPress",
}
_SINGLE = {
    "Jaw": "JawOpen",
    "Close": "MouthClose",
    "Funnel": "MouthFunnel",
    "Pucker": "MouthPucker",
    "RollLower": "MouthRollLower",
    "RollUpper": "MouthRollUpper",
    "ShrugUpper": "MouthShrugUpper",
    "Tongue": "TongueOut",
}

_V = (0.5, 0.8)
# phone: (targets, (lip dominance, jaw dominance)). Version 2, calibrated to human ARKit capture
# (issue 10; every change and its reason is in core/default_model/MODEL_CARD.md): Stretch halved,
# Press a quarter, RollLower only on F/V and small (0.07, halved again for the from-scratch
# build), MouthClose 0.10-0.12 on bilabials, Funnel x1.5 and Pucker x1.3 on rounded vowels
# and W/R/SH, LowerDown/UpperUp about x1.6 on open and spread vowels. The jaw column is
# unchanged (the contrast curve below was chosen on it).
TABLE: dict[str, tuple[dict[str, float], tuple[float, float]]] = {
    SIL: ({}, (0.5, 0.5)),
    "AA": ({"Jaw": 0.60, "LowerDown": 0.40, "UpperUp": 0.20, "Stretch": 0.03}, _V),
    "AE": ({"Jaw": 0.50, "Stretch": 0.15, "Smile": 0.15, "LowerDown": 0.45, "UpperUp": 0.25}, _V),
    "AH": ({"Jaw": 0.35, "LowerDown": 0.25, "UpperUp": 0.10}, _V),
    "AO": ({"Jaw": 0.50, "Funnel": 0.50, "Pucker": 0.15, "LowerDown": 0.25}, (0.6, 0.8)),
    "EH": ({"Jaw": 0.35, "Stretch": 0.15, "Smile": 0.20, "LowerDown": 0.35, "UpperUp": 0.20}, _V),
    "ER": ({"Jaw": 0.20, "Funnel": 0.50, "Pucker": 0.30, "ShrugUpper": 0.10}, _V),
    "IH": ({"Jaw": 0.20, "Smile": 0.30, "Stretch": 0.15, "LowerDown": 0.20, "UpperUp": 0.10}, _V),
    "IY": ({"Jaw": 0.12, "Smile": 0.45, "Stretch": 0.20, "UpperUp": 0.15, "LowerDown": 0.10}, _V),
    "UH": ({"Jaw": 0.20, "Funnel": 0.50, "Pucker": 0.45}, (0.6, 0.8)),
    "UW": ({"Jaw": 0.12, "Funnel": 0.45, "Pucker": 0.90}, (0.6, 0.8)),
    "P": ({"Jaw": 0.05, "Close": 0.12, "Press": 0.11, "RollUpper": 0.10}, (1.0, 0.9)),
    "B": ({"Jaw": 0.05, "Close": 0.12, "Press": 0.10, "RollUpper": 0.10}, (1.0, 0.9)),
    "M": ({"Jaw": 0.05, "Close": 0.10, "Press": 0.06, "RollUpper": 0.05}, (1.0, 0.9)),
    "F": ({"Jaw": 0.10, "RollLower": 0.07, "UpperUp": 0.25, "Stretch": 0.05}, (0.9, 0.7)),
    "V": ({"Jaw": 0.10, "RollLower": 0.07, "UpperUp": 0.25, "Stretch": 0.05}, (0.9, 0.7)),
    "TH": ({"Jaw": 0.15, "Tongue": 0.35, "UpperUp": 0.10, "LowerDown": 0.10}, (0.5, 0.5)),
    "DH": ({"Jaw": 0.15, "Tongue": 0.30, "UpperUp": 0.10, "LowerDown": 0.10}, (0.5, 0.5)),
    "T": ({"Jaw": 0.15, "Stretch": 0.08, "Smile": 0.05}, (0.2, 0.35)),
    "D": ({"Jaw": 0.15, "Stretch": 0.08, "Smile": 0.05}, (0.2, 0.35)),
    "N": ({"Jaw": 0.15, "Stretch": 0.08, "Smile": 0.05}, (0.2, 0.35)),
    "L": ({"Jaw": 0.25, "Stretch": 0.05, "Tongue": 0.05}, (0.2, 0.35)),
    "S": ({"Jaw": 0.06, "Stretch": 0.18, "Smile": 0.20, "UpperUp": 0.05}, (0.4, 0.7)),
    "Z": ({"Jaw": 0.06, "Stretch": 0.18, "Smile": 0.20, "UpperUp": 0.05}, (0.4, 0.7)),
    "SH": (
        {"Jaw": 0.10, "Funnel": 0.65, "Pucker": 0.40, "UpperUp": 0.15, "LowerDown": 0.15},
        (0.7, 0.6),
    ),
    "ZH": (
        {"Jaw": 0.10, "Funnel": 0.65, "Pucker": 0.40, "UpperUp": 0.15, "LowerDown": 0.15},
        (0.7, 0.6),
    ),
    "CH": (
        {"Jaw": 0.10, "Funnel": 0.60, "Pucker": 0.40, "UpperUp": 0.15, "LowerDown": 0.15},
        (0.7, 0.6),
    ),
    "JH": (
        {"Jaw": 0.10, "Funnel": 0.60, "Pucker": 0.40, "UpperUp": 0.15, "LowerDown": 0.15},
        (0.7, 0.6),
    ),
    "K": ({"Jaw": 0.25, "Stretch": 0.05}, (0.15, 0.3)),
    "G": ({"Jaw": 0.25, "Stretch": 0.05}, (0.15, 0.3)),
    "NG": ({"Jaw": 0.20, "Stretch": 0.05}, (0.15, 0.3)),
    "HH": ({"Jaw": 0.25}, (0.05, 0.1)),
    "R": ({"Jaw": 0.15, "Funnel": 0.50, "Pucker": 0.45}, (0.6, 0.4)),
    "W": ({"Jaw": 0.10, "Funnel": 0.45, "Pucker": 0.90}, (0.9, 0.5)),
    "Y": ({"Jaw": 0.12, "Smile": 0.35, "Stretch": 0.15}, (0.5, 0.5)),
}
_IY_LIKE = TABLE["IY"][0]
# Diphthongs: first target for 55 % of the phone, second for 45 %.
DIPHTHONGS = {
    "AW": (TABLE["AA"][0], {"Jaw": 0.22, "Funnel": 0.50, "Pucker": 0.60}),
    "AY": (TABLE["AA"][0], _IY_LIKE),
    "OY": ({"Jaw": 0.45, "Funnel": 0.55, "Pucker": 0.15}, _IY_LIKE),
    "EY": (TABLE["EH"][0], _IY_LIKE),
    "OW": (
        {"Jaw": 0.40, "Funnel": 0.60, "Pucker": 0.35},
        {"Jaw": 0.20, "Funnel": 0.45, "Pucker": 0.70},
    ),
}


_VOWEL_JAW_MEAN = float(np.mean([TABLE[p][0]["Jaw"] for p in VOWELS if p in TABLE]))


def jaw_opening(value: float, vowel: bool) -> float:
    """A table jaw opening as the targets use it (see ``JAW_VOWEL_CONTRAST``)."""
    if not vowel:
        return value * JAW_CONSONANT_SCALE
    mean, contrast = _VOWEL_JAW_MEAN, JAW_VOWEL_CONTRAST
    return JAW_REF * (mean + contrast * (value - mean)) / (mean + contrast * (JAW_REF - mean))


def _vector(targets: dict[str, float], vowel: bool) -> np.ndarray:
    v = np.zeros(NUM_BLENDSHAPES, dtype=np.float64)
    for key, value in targets.items():
        if key in _PAIRS:
            v[CH[_PAIRS[key] + "Left"]] = v[CH[_PAIRS[key] + "Right"]] = value
        elif key == "Jaw":
            v[JAW] = jaw_opening(value, vowel)
        else:
            v[CH[_SINGLE[key]]] = value
    return v


def expand(
    segments: list[tuple[float, float, str]],
) -> list[tuple[float, float, np.ndarray, float, float]]:
    """Segments -> (start, end, target vector, lip dominance, jaw dominance), diphthongs split."""
    out = []
    for i, (start, end, phone) in enumerate(segments):
        if phone in DIPHTHONGS:
            mid = start + 0.55 * (end - start)
            a, b = DIPHTHONGS[phone]
            out += [
                (start, mid, _vector(a, True), 0.55, 0.8),
                (mid, end, _vector(b, True), 0.55, 0.8),
            ]
            continue
        targets, (lip, jaw) = TABLE.get(phone, TABLE[SIL])
        vowel = phone in VOWELS
        if phone == "HH":  # takes the shape of the next vowel, weakly
            nxt = next((p for _, _, p in segments[i + 1 : i + 3] if p in VOWELS), None)
            if nxt is not None:
                targets = DIPHTHONGS[nxt][0] if nxt in DIPHTHONGS else TABLE[nxt][0]
                vowel = True
        if phone == SIL:
            scale = min(1.0, (end - start) / 0.25)
            lip, jaw = lip * scale + 1e-3, jaw * scale + 1e-3
        out.append((start, end, _vector(targets, vowel), lip, jaw))
    return out


def render(
    segments: list[tuple[float, float, str]], num_frames: int, *, intensity: float = 1.0
) -> np.ndarray:
    """(num_frames, 61) weights in 0..1 for ``segments`` [(start_s, end_s, ARPAbet)]."""
    t = model_frame_times(num_frames)
    parts = expand(segments)
    if not parts:
        return np.zeros((num_frames, NUM_BLENDSHAPES), dtype=np.float32)
    out = _smooth(_coarticulate(parts, t))
    out[:, JAW] = JAW_REF * (out[:, JAW] / JAW_REF) ** JAW_GAMMA
    _constrain_lips(out, segments, t)
    return np.clip(out * intensity, 0.0, 1.0).astype(np.float32)


def _coarticulate(parts: list, t: np.ndarray) -> np.ndarray:
    """(T, 61): each channel the dominance-weighted mean of the phone targets; JawOpen with the
    jaw dominances and time constants, every other channel with the lips'."""
    starts, ends, targets, lips, jaws = (np.array(column) for column in zip(*parts, strict=True))
    before = np.clip(starts[:, None] - t[None], 0, None)
    after = np.clip(t[None] - ends[:, None], 0, None)

    def blend(dominance: np.ndarray, tau_before: float, tau_after: float) -> np.ndarray:
        decay = np.exp(-before / tau_before - after / tau_after)  # (P, T); 1 inside the phone
        d = decay * dominance[:, None] + 1e-12
        return (d.T @ targets) / d.sum(axis=0)[:, None]  # (T, C): targets (P, C)

    out = blend(lips, TAU_BEFORE, TAU_AFTER)
    out[:, JAW] = blend(jaws, JAW_TAU_BEFORE, JAW_TAU_AFTER)[:, JAW]
    return out


def _smooth(out: np.ndarray) -> np.ndarray:
    """[1, 2, 1] / 4 over time, the ends held."""
    padded = np.vstack([out[:1], out, out[-1:]])
    return (padded[:-2] + 2 * padded[1:-1] + padded[2:]) / 4


def middle_frames(t: np.ndarray, start: float, end: float) -> np.ndarray:
    """Frames (at times ``t``) in the middle 60 % of [start, end]; for a phone too short to hold
    one, its nearest frame."""
    lo, hi = start + 0.2 * (end - start), end - 0.2 * (end - start)
    idx = np.nonzero((t >= lo) & (t <= hi))[0]
    if idx.size:
        return idx
    return np.array([min(len(t) - 1, max(0, int(round((start + end) / 2 * MODEL_FPS - 0.25))))])


def _constrain_lips(out: np.ndarray, segments: list, t: np.ndarray) -> None:
    """In the middle of bilabials: the jaw nearly shut and the lips sealed; in the middle of
    labiodentals: the lower lip rolled a little. ``out`` is changed in place."""
    for start, end, phone in segments:
        if phone not in BILABIALS and phone not in LABIODENTALS:
            continue
        idx = middle_frames(t, start, end)
        if phone in BILABIALS:
            out[idx, JAW] = np.minimum(out[idx, JAW], 0.08)
            floor = np.maximum(out[idx, JAW], CLOSE_MIN)
            out[idx, CH["MouthClose"]] = np.maximum(out[idx, CH["MouthClose"]], floor)
        else:
            roll = CH["MouthRollLower"]
            out[idx, roll] = np.maximum(out[idx, roll], ROLL_LOWER_MIN)
