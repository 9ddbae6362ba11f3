"""--all pairing: whole words only; strips naming no face are skipped."""

from __future__ import annotations

import pytest
from neurosync_lipsync.core.pairing import names_face, pair_strips, words


def test_words_split_at_separators_and_ignore_case():
    assert words("Anna_Line-1.take 2") == ["anna", "line", "1", "take", "2"]


@pytest.mark.parametrize(
    ("strip", "face", "named"),
    [
        ("Anna_line1", "Anna", True),
        ("Anna_line1", "Ann", False),
        ("anna line1", "ANNA", True),
        ("Joanna_line1", "Anna", False),
        ("line1_Mr_Bob", "Mr_Bob", True),
        ("line1_Mr_Bobby", "Mr_Bob", False),
        ("Bob", "Bob", True),
        ("Music_bed", "Bob", False),
        ("x", "__", False),
    ],
)
def test_names_face(strip, face, named):
    assert names_face(strip, face) is named


def test_pair_strips_skips_strips_that_name_no_face():
    pairs, skipped = pair_strips(
        ["Anna_line1", "Music_bed", "Bob_Anna_duet"], ["Ann", "Anna", "Bob"]
    )
    assert pairs == [("Anna_line1", "Anna"), ("Bob_Anna_duet", "Anna"), ("Bob_Anna_duet", "Bob")]
    assert [s for s, _ in skipped] == ["Music_bed"]
    assert "faces: Ann, Anna, Bob" in skipped[0][1]
