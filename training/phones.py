"""Map each engine's phone symbols to ARPAbet-39 plus SIL.

flite and festival use the CMU "radio" set (ARPAbet in lower case plus pau, ax, dx ...);
espeak-ng reports its own mnemonics, which carry stress and length marks.
"""

from __future__ import annotations

SIL = "SIL"
ARPABET = (
    "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T "
    "TH UH UW V W Y Z ZH"
).split()
#: The ARPAbet vowels: ten monophthongs and the five diphthongs AW AY EY OW OY.
VOWELS = frozenset("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())

_RADIO = {
    "ax": "AH",
    "axr": "ER",
    "dx": "T",
    "el": "L",
    "em": "M",
    "en": "N",
    "ix": "IH",
    "nx": "N",
    "h": "HH",
    "pau": SIL,
    "h#": SIL,
    "brth": SIL,
    "ssil": SIL,
    "sil": SIL,
}

_ESPEAK = {
    "a": "AE",
    "a#": "AH",
    "aa": "AA",
    "A:": "AA",
    "A@": "AA",
    "A": "AA",
    "0": "AA",
    "O:": "AO",
    "O@": "AO",
    "O": "AO",
    "o@": "AO",
    "V": "AH",
    "@": "AH",
    "@2": "AH",
    "@5": "AH",
    "@L": "L",
    "3": "ER",
    "3:": "ER",
    "E": "EH",
    "e@": "EH",
    "e": "EH",
    "eI": "EY",
    "I": "IH",
    "I2": "IH",
    "I#": "IH",
    "i": "IY",
    "i:": "IY",
    "i@": "IY",
    "i@3": "IY",
    "IR": "IH",
    "aI": "AY",
    "aI@": "AY",
    "aI3": "AY",
    "aU": "AW",
    "aU@": "AW",
    "OI": "OY",
    "oU": "OW",
    "o": "OW",
    "U": "UH",
    "U@": "UH",
    "u:": "UW",
    "u": "UW",
    "p": "P",
    "b": "B",
    "t": "T",
    "d": "D",
    "t#": "T",
    "d#": "D",
    "k": "K",
    "g": "G",
    "f": "F",
    "v": "V",
    "T": "TH",
    "D": "DH",
    "s": "S",
    "z": "Z",
    "S": "SH",
    "Z": "ZH",
    "tS": "CH",
    "dZ": "JH",
    "m": "M",
    "n": "N",
    "N": "NG",
    "l": "L",
    "r": "R",
    "r-": "R",
    "w": "W",
    "j": "Y",
    "h": "HH",
    "x": "K",
    "?": "T",
    "n-": "N",
    "m-": "M",
    "l-": "L",
    "w#": "W",
    "z#": "Z",
}
_ESPEAK_KEYS = sorted(_ESPEAK, key=len, reverse=True)


def from_radio(symbol: str) -> str:
    s = symbol.strip().lower()
    if s in _RADIO:
        return _RADIO[s]
    up = s.upper()
    return up if up in ARPABET else SIL


def from_espeak(symbol: str) -> str:
    s = symbol.strip().lstrip("',%=").rstrip(";")
    if not s or s.startswith("_"):
        return SIL
    if s in _ESPEAK:
        return _ESPEAK[s]
    for key in _ESPEAK_KEYS:
        if s.startswith(key):
            return _ESPEAK[key]
    return SIL


def segments_from_ends(ends: list[tuple[float, str]]) -> list[tuple[float, float, str]]:
    """[(end_time, phone)] (flite/festival) -> [(start, end, phone)]; merges repeated SIL."""
    out: list[tuple[float, float, str]] = []
    start = 0.0
    for end, phone in ends:
        if end > start:
            append_phone(out, start, end, phone)
        start = max(start, end)
    return out


def segments_from_starts(
    starts: list[tuple[float, str]], total: float
) -> list[tuple[float, float, str]]:
    """[(start_time, phone)] (espeak-ng) -> [(start, end, phone)] ending at ``total``."""
    out: list[tuple[float, float, str]] = []
    for i, (start, phone) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else total
        if end > start:
            append_phone(out, start, end, phone)
    if out and out[0][0] > 0:
        out.insert(0, (0.0, out[0][0], SIL))
    return out


def append_phone(segments: list, start: float, end: float, phone: str) -> None:
    """Append the segment ``(start, end, phone)`` to ``segments`` in place.

    A SIL right after a SIL extends it instead: a pause is one segment however many pieces
    (engine pauses, gaps between sentences, padding) it was made of, because the target
    curves give a pause a dominance that grows with its length (:func:`training.curves.expand`).
    """
    if segments and segments[-1][2] == SIL and phone == SIL:
        segments[-1] = (segments[-1][0], end, SIL)
    else:
        segments.append((start, end, phone))
