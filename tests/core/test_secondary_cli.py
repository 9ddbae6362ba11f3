"""``neurosync infer`` switches of the secondary motion and directed emotion."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES
from neurosync_lipsync.core.export import read_csv
from neurosync_lipsync.core.pipeline import generate
from neurosync_lipsync.core.postprocess import ProductOptions
from neurosync_lipsync.core.secondary import SecondaryOptions

NEUROSYNC = Path(sys.executable).parent / "neurosync"
ROTATIONS = ("HeadYaw", "HeadPitch", "HeadRoll", "LeftEyeYaw", "LeftEyePitch")


def run(*args):
    return subprocess.run(
        [str(NEUROSYNC), *map(str, args)], capture_output=True, text=True, timeout=300
    )


def test_csv_carries_the_generated_head_and_eye_rotations(fixtures_dir, tmp_path):
    out = tmp_path / "out.csv"
    wav = fixtures_dir / "speechlike.wav"
    args = ("--emotion", "Happy", "--emotion-intensity", "0.6", "--seed", "5", "--no-blinks")
    proc = run("infer", wav, "-o", out, "--brows-strength", "1.5", *args)
    assert proc.returncode == 0, proc.stderr
    names, values = read_csv(out)
    options = ProductOptions(
        emotion="Happy",
        emotion_intensity=0.6,
        secondary=SecondaryOptions(blinks=False, seed=5, strengths={"brows": 1.5}),
    )
    expected = generate(wav, options=options)
    for name in ROTATIONS:
        column = values[:, names.index(name)]
        np.testing.assert_allclose(
            column, expected.values[:, BLENDSHAPE_NAMES.index(name)], atol=2e-6
        )
        assert column.std() > 0.005, name
    rotations = values[:, [names.index(n) for n in ROTATIONS]]
    assert rotations.min() < 0 < rotations.max()  # signed radians, not clipped to [0, 1]
    assert values[:, names.index("Happy")].min() == pytest.approx(0.6, abs=1e-6)


def test_no_switches_leave_the_parts_out(fixtures_dir, tmp_path):
    out = tmp_path / "out.csv"
    off = ("--no-blinks", "--no-gaze", "--no-brows", "--no-head")
    assert run("infer", fixtures_dir / "speechlike.wav", "-o", out, *off).returncode == 0
    names, values = read_csv(out)
    plain = generate(
        fixtures_dir / "speechlike.wav",
        options=ProductOptions(secondary=SecondaryOptions(False, False, False, False)),
    )
    np.testing.assert_allclose(values[:, :61], plain.values, atol=2e-6)
    assert np.abs(values[:, names.index("HeadYaw")]).max() < 0.05  # the model's own, flat


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--emotion-key", "2:Happy"), "expected TIME:NAME:INTENSITY"),
        (("--emotion-key", "1:Jolly:0.5"), "unknown emotion 'Jolly'"),
        (("--head-strength", "3"), "head strength must be within 0-2"),
        (("--emotion-intensity", "2", "--emotion", "Sad"), "emotion intensity must be within 0-1"),
        (("--reference", "--emotion", "Sad"), "--reference reproduces NeuroSync's output exactly"),
        (("--seed", "-4"), "seed must be within 0-4294967295"),
    ],
)
def test_bad_switches_are_one_line_errors(fixtures_dir, tmp_path, extra, message):
    out = tmp_path / "out.csv"
    proc = run("infer", fixtures_dir / "speechlike.wav", "-o", out, *extra)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert not out.exists()
