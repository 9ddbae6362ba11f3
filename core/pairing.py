"""``--all``: which sound strips go onto which faces, by whole words of their names.

A strip goes onto every face whose name is a whole word, or run of words, of the strip's name;
words split at ``_ - .`` and spaces, case ignored. "Anna_line1" names "Anna", never "Ann";
"Music_bed" names no face and is skipped, not spread over every face.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s_\-.]+")


def words(name: str) -> list[str]:
    """Lower-case words of a name: ``"Anna_Line 1"`` -> ``["anna", "line", "1"]``."""
    return [w for w in _SEPARATORS.split(name.lower()) if w]


def names_face(strip: str, face: str) -> bool:
    """True when ``face``'s words appear, in order and whole, among ``strip``'s words."""
    s, f = words(strip), words(face)
    return bool(f) and any(s[i : i + len(f)] == f for i in range(len(s) - len(f) + 1))


def pair_strips(strips: list[str], faces: list[str]) -> tuple[list, list]:
    """Pair strips with faces.

    Returns
    -------
    pairs : list of (strip, face)
        Each strip with every face it names, in the given orders.
    skipped : list of (strip, reason)
        Strips that name no face.
    """
    pairs, skipped = [], []
    for strip in strips:
        named = [face for face in faces if names_face(strip, face)]
        pairs += [(strip, face) for face in named]
        if not named:
            listed = ", ".join(faces) if faces else "none"
            skipped.append(
                (strip, f"its name has no face's name as a whole word (faces: {listed})")
            )
    return pairs, skipped
