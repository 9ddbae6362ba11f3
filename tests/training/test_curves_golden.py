"""The training targets stay exactly what they were: render() against saved curves.

``curves_golden.npz`` holds the curves that ``training.curves.render`` gave for ``SEQUENCES``
when the v2 recipe was fixed. A deliberate change of the targets (which also changes the data
recipe hash) regenerates it with ``.venv/bin/python -m tests.training.test_curves_golden``;
a refactor must leave it untouched.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from training.curves import render

GOLDEN = Path(__file__).with_name("curves_golden.npz")

#: Phone sequences [(start_s, end_s, ARPAbet)] covering vowels, diphthongs, HH before a vowel
#: and a diphthong, long and very short bilabials, labiodentals, short and long pauses and an
#: unknown symbol (rendered as silence).
SEQUENCES = {
    "vowels": [
        (0.0, 0.2, "SIL"),
        (0.2, 0.45, "AA"),
        (0.45, 0.55, "T"),
        (0.55, 0.8, "IY"),
        (0.8, 0.9, "S"),
        (0.9, 1.15, "UW"),
        (1.15, 1.3, "ER"),
        (1.3, 1.6, "SIL"),
    ],
    "diphthongs": [
        (0.0, 0.1, "SIL"),
        (0.1, 0.18, "HH"),
        (0.18, 0.45, "AW"),
        (0.45, 0.5, "HH"),
        (0.5, 0.6, "EH"),
        (0.6, 0.9, "OY"),
        (0.9, 0.95, "SIL"),
        (0.95, 1.2, "AY"),
        (1.2, 1.5, "OW"),
        (1.5, 1.7, "EY"),
    ],
    "lips": [
        (0.0, 0.25, "AA"),
        (0.25, 0.35, "P"),
        (0.35, 0.5, "AE"),
        (0.5, 0.512, "B"),
        (0.512, 0.7, "AH"),
        (0.7, 0.8, "M"),
        (0.8, 0.9, "F"),
        (0.9, 1.0, "IH"),
        (1.0, 1.01, "V"),
        (1.01, 1.2, "SH"),
        (1.2, 1.3, "XX"),
        (1.3, 1.5, "W"),
        (1.5, 1.8, "SIL"),
    ],
}


def rendered() -> dict[str, np.ndarray]:
    out = {}
    for name, segments in SEQUENCES.items():
        frames = int(segments[-1][1] * 60)
        out[name] = render(segments, frames)
        out[name + "_intense"] = render(segments, frames, intensity=1.15)
    return out


@pytest.mark.parametrize("name", [n + s for n in SEQUENCES for s in ("", "_intense")])
def test_render_matches_the_saved_curves(name):
    with np.load(GOLDEN) as golden:
        expected = golden[name]
    np.testing.assert_allclose(rendered()[name], expected, rtol=0, atol=1e-6)


if __name__ == "__main__":
    np.savez_compressed(GOLDEN, **rendered())
    print(f"wrote {GOLDEN}")
