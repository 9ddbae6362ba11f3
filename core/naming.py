"""Which shape key each ARKit channel drives: naming presets, auto-detection, unmatched report.

Matching ignores case and the separators ``_ - . space``, and a namespace prefix ending in
``.`` or ``:`` (``blendShape1.jawOpen``, ``Face:jawOpen``, as FBX exports from Maya write them).
Nothing else is guessed: a channel whose preset names are all missing is reported unmatched.

Presets (``PRESET_IDS``):

- ``arkit``: Apple's camelCase names, ``jawOpen``, ``eyeBlinkLeft``.
- ``livelink``: Live Link Face's PascalCase names, ``JawOpen``, ``EyeBlinkLeft``.
- ``apple_lr``: ARKit raw values with a ``_L``/``_R`` side, ``eyeBlink_L``, ``jawLeft``.
- ``cc3``: Character Creator 3 / ActorCore ARKit profile, ``A25_Jaw_Open`` ... ``A52_Tongue_Out``.
- ``cc4_extended``: Character Creator 4 Extended profile; one channel may drive several keys
  (``mouthPucker`` -> ``Mouth_Pucker_Up_L/R`` and ``Mouth_Pucker_Down_L/R``).
- ``cc4_standard``: Character Creator 4 Standard profile (unsplit funnel, pucker and lip rolls).
- ``rpm``: Ready Player Me: ARKit names beside Oculus ``viseme_*`` keys.

``arkit``, ``livelink`` and ``rpm`` match the same keys; auto-detection tells them apart by the
exact spelling and by the presence of ``viseme_`` keys, so the report names the right one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .constants import ARKIT_NAMES, NUM_ARKIT_CHANNELS
from .errors import OptionsError

#: The 52 ARKit shape-key channels (camelCase), in LiveLink channel order.
CHANNELS: tuple[str, ...] = ARKIT_NAMES[:NUM_ARKIT_CHANNELS]

# CC3 / ActorCore numbering of the ARKit set.
_CC3_ORDER = (
    "browInnerUp browDownLeft browDownRight browOuterUpLeft browOuterUpRight eyeLookUpLeft "
    "eyeLookUpRight eyeLookDownLeft eyeLookDownRight eyeLookOutLeft eyeLookInLeft eyeLookInRight "
    "eyeLookOutRight eyeBlinkLeft eyeBlinkRight eyeSquintLeft eyeSquintRight eyeWideLeft "
    "eyeWideRight cheekPuff cheekSquintLeft cheekSquintRight noseSneerLeft noseSneerRight jawOpen "
    "jawForward jawLeft jawRight mouthFunnel mouthPucker mouthLeft mouthRight mouthRollUpper "
    "mouthRollLower mouthShrugUpper mouthShrugLower mouthClose mouthSmileLeft mouthSmileRight "
    "mouthFrownLeft mouthFrownRight mouthDimpleLeft mouthDimpleRight mouthUpperUpLeft "
    "mouthUpperUpRight mouthLowerDownLeft mouthLowerDownRight mouthPressLeft mouthPressRight "
    "mouthStretchLeft mouthStretchRight tongueOut"
).split()

_CC4_COMMON = {
    "browDownLeft": "Brow_Drop_L", "browDownRight": "Brow_Drop_R",
    "browInnerUp": "Brow_Raise_Inner_L Brow_Raise_Inner_R",
    "browOuterUpLeft": "Brow_Raise_Outer_L", "browOuterUpRight": "Brow_Raise_Outer_R",
    "cheekPuff": "Cheek_Puff_L Cheek_Puff_R",
    "cheekSquintLeft": "Cheek_Raise_L", "cheekSquintRight": "Cheek_Raise_R",
    "eyeBlinkLeft": "Eye_Blink_L", "eyeBlinkRight": "Eye_Blink_R",
    "eyeLookDownLeft": "Eye_L_Look_Down", "eyeLookDownRight": "Eye_R_Look_Down",
    "eyeLookInLeft": "Eye_L_Look_R", "eyeLookInRight": "Eye_R_Look_L",
    "eyeLookOutLeft": "Eye_L_Look_L", "eyeLookOutRight": "Eye_R_Look_R",
    "eyeLookUpLeft": "Eye_L_Look_Up", "eyeLookUpRight": "Eye_R_Look_Up",
    "eyeSquintLeft": "Eye_Squint_L", "eyeSquintRight": "Eye_Squint_R",
    "eyeWideLeft": "Eye_Wide_L", "eyeWideRight": "Eye_Wide_R",
    "jawForward": "Jaw_Forward", "jawLeft": "Jaw_L", "jawRight": "Jaw_R", "jawOpen": "Jaw_Open",
    "mouthClose": "Mouth_Close", "mouthLeft": "Mouth_L", "mouthRight": "Mouth_R",
    "mouthDimpleLeft": "Mouth_Dimple_L", "mouthDimpleRight": "Mouth_Dimple_R",
    "mouthFrownLeft": "Mouth_Frown_L", "mouthFrownRight": "Mouth_Frown_R",
    "mouthLowerDownLeft": "Mouth_Down_Lower_L", "mouthLowerDownRight": "Mouth_Down_Lower_R",
    "mouthPressLeft": "Mouth_Press_L", "mouthPressRight": "Mouth_Press_R",
    "mouthShrugLower": "Mouth_Shrug_Lower", "mouthShrugUpper": "Mouth_Shrug_Upper",
    "mouthSmileLeft": "Mouth_Smile_L", "mouthSmileRight": "Mouth_Smile_R",
    "mouthStretchLeft": "Mouth_Stretch_L", "mouthStretchRight": "Mouth_Stretch_R",
    "mouthUpperUpLeft": "Mouth_Up_Upper_L", "mouthUpperUpRight": "Mouth_Up_Upper_R",
    "noseSneerLeft": "Nose_Sneer_L", "noseSneerRight": "Nose_Sneer_R",
    "tongueOut": "Tongue_Out",
}  # fmt: skip
_CC4_EXTENDED = {
    **_CC4_COMMON,
    "mouthFunnel": "Mouth_Funnel_Up_L Mouth_Funnel_Up_R Mouth_Funnel_Down_L Mouth_Funnel_Down_R",
    "mouthPucker": "Mouth_Pucker_Up_L Mouth_Pucker_Up_R Mouth_Pucker_Down_L Mouth_Pucker_Down_R",
    "mouthRollLower": "Mouth_Roll_In_Lower_L Mouth_Roll_In_Lower_R",
    "mouthRollUpper": "Mouth_Roll_In_Upper_L Mouth_Roll_In_Upper_R",
}
_CC4_STANDARD = {
    **_CC4_COMMON,
    "mouthFunnel": "Mouth_Funnel",
    "mouthPucker": "Mouth_Pucker",
    "mouthRollLower": "Mouth_Roll_In_Lower",
    "mouthRollUpper": "Mouth_Roll_In_Upper",
}


def _apple_lr(name: str) -> str:
    # jawLeft/mouthLeft are directions, not sides: Apple keeps them whole.
    if name in ("jawLeft", "jawRight", "mouthLeft", "mouthRight"):
        return name
    return re.sub(r"Left$", "_L", re.sub(r"Right$", "_R", name))


def _cc3(index: int, name: str) -> str:
    words = re.sub(r"([A-Z])", r" \1", name).split()
    return f"A{index + 1:02d}_" + "_".join(w[0].upper() + w[1:] for w in words)


@dataclass(frozen=True)
class Preset:
    """A naming convention: for each of the 52 channels, the shape-key names it drives."""

    id: str
    label: str
    targets: tuple[tuple[str, ...], ...]


def _preset(pid: str, label: str, names: dict[str, str]) -> Preset:
    return Preset(pid, label, tuple(tuple(names[c].split()) for c in CHANNELS))


_CC3_NAMES = {name: _cc3(i, name) for i, name in enumerate(_CC3_ORDER)}
PRESETS: dict[str, Preset] = {
    p.id: p
    for p in (
        _preset("arkit", "ARKit (camelCase)", {c: c for c in CHANNELS}),
        _preset("livelink", "LiveLink (PascalCase)", {c: c[0].upper() + c[1:] for c in CHANNELS}),
        _preset("apple_lr", "Apple _L/_R", {c: _apple_lr(c) for c in CHANNELS}),
        _preset("cc3", "Character Creator 3 / ActorCore (A01-A52)", _CC3_NAMES),
        _preset("cc4_extended", "Character Creator 4 Extended", _CC4_EXTENDED),
        _preset("cc4_standard", "Character Creator 4 Standard", _CC4_STANDARD),
        _preset("rpm", "Ready Player Me", {c: c for c in CHANNELS}),
    )
}
PRESET_IDS: tuple[str, ...] = tuple(PRESETS)
AUTO = "auto"


def normalize(name: str) -> str:
    """Matching form of a key name: namespace prefix dropped, lower case, no separators."""
    name = re.split(r"[.:]", name)[-1] if re.search(r"[.:]\D", name) else name
    return re.sub(r"[\s_\-.]", "", name).lower()


@dataclass(frozen=True)
class NameMapping:
    """How one mesh's shape keys line up with the 52 ARKit channels.

    Attributes
    ----------
    preset : str
        Id of the preset used.
    targets : tuple
        52 entries in channel order: the mesh's own key names each channel drives (may be empty).
    exact : int
        Keys whose spelling matched the preset exactly (used to rank presets).
    """

    preset: str
    targets: tuple[tuple[str, ...], ...]
    exact: int = 0

    @property
    def label(self) -> str:
        return PRESETS[self.preset].label

    @property
    def matched(self) -> tuple[str, ...]:
        return tuple(c for c, t in zip(CHANNELS, self.targets, strict=True) if t)

    @property
    def unmatched(self) -> tuple[str, ...]:
        return tuple(c for c, t in zip(CHANNELS, self.targets, strict=True) if not t)

    @property
    def matched_count(self) -> int:
        return sum(1 for t in self.targets if t)

    @property
    def key_count(self) -> int:
        return sum(len(t) for t in self.targets)

    def pairs(self) -> list[tuple[int, str]]:
        """(channel index, key name) for every key driven; a channel may appear several times."""
        return [(i, key) for i, keys in enumerate(self.targets) for key in keys]

    def summary(self) -> str:
        text = f"{self.label}: {self.matched_count}/{len(CHANNELS)} channels"
        if self.unmatched:
            text += f"; unmatched: {', '.join(self.unmatched)}"
        return text


def map_names(key_names: Iterable[str], preset: str = AUTO) -> NameMapping:
    """Map shape-key names onto the 52 channels with ``preset`` (or the best one for ``auto``).

    ``key_names`` should leave out the reference ("Basis") key.
    """
    names = list(key_names)
    if preset == AUTO:
        return detect(names)
    if preset not in PRESETS:
        expected = ", ".join(PRESET_IDS)
        raise OptionsError(f"unknown naming preset {preset!r}; expected auto or {expected}")
    lookup: dict[str, str] = {}
    for name in names:
        lookup.setdefault(normalize(name), name)
    exact_names = set(names)
    targets, exact = [], 0
    for wanted in PRESETS[preset].targets:
        found = tuple(lookup[n] for n in (normalize(w) for w in wanted) if n in lookup)
        targets.append(found)
        exact += sum(1 for w in wanted if w in exact_names)
    return NameMapping(preset, tuple(targets), exact)


def detect(key_names: Iterable[str]) -> NameMapping:
    """The preset that drives the most channels, then the most keys, then the most exact spellings.

    Ready Player Me is chosen over plain ARKit only when the mesh has ``viseme_`` keys.
    """
    names = list(key_names)
    has_visemes = any(normalize(n).startswith("viseme") for n in names)
    best, best_score = None, None
    for pid in PRESET_IDS:
        if pid == "rpm" and not has_visemes:
            continue
        mapping = map_names(names, pid)
        score = (mapping.matched_count, mapping.key_count, mapping.exact, pid == "rpm")
        if best_score is None or score > best_score:
            best, best_score = mapping, score
    return best
