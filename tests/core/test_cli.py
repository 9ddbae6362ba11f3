"""The ``neurosync`` command line, run as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from neurosync_lipsync.core.constants import BLENDSHAPE_NAMES, EMOTION_NAMES
from neurosync_lipsync.core.export import livelink_timecode, read_csv

NEUROSYNC = Path(sys.executable).parent / "neurosync"


def run(*args):
    return subprocess.run(
        [str(NEUROSYNC), *map(str, args)], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def tiny(fixtures_dir):
    return fixtures_dir / "tiny_v01a.pth"


def test_infer_csv_livelink_layout(fixtures_dir, tiny, tmp_path):
    out = tmp_path / "out.csv"
    proc = run("infer", fixtures_dir / "speechlike.wav", "-o", out, "--model", tiny, "--fps", "24")
    assert proc.returncode == 0, proc.stderr
    header = out.read_text().splitlines()[0].split(",")
    assert header == ["Timecode", "BlendshapeCount", *BLENDSHAPE_NAMES, *EMOTION_NAMES]
    assert header[2] == "EyeBlinkLeft" and header[62] == "RightEyeRoll"
    names, values = read_csv(out)
    assert values.shape == (84, 68)  # 3.5 s at 24 fps
    rows = out.read_text().splitlines()[1:]
    assert rows[1].startswith("00:00:00:01.000,61,")


def test_reference_json_equals_golden(fixtures_dir, reference, tmp_path):
    out = tmp_path / "out.json"
    proc = run(
        "infer",
        fixtures_dir / "speechlike.wav",
        "-o",
        out,
        "--model",
        fixtures_dir / "tiny_v2025.pth",
        "--reference",
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    got = np.hstack([doc["values"], doc["emotions"]])
    np.testing.assert_allclose(got, reference["final_v2025"], atol=1e-4)


def test_npz_output(fixtures_dir, tiny, tmp_path):
    out = tmp_path / "o.bin"
    assert (
        run(
            "infer", fixtures_dir / "speechlike.wav", "-o", out, "--model", tiny, "--format", "npz"
        ).returncode
        == 0
    )
    data = np.load(out)
    assert data["values"].shape == (210, 61) and float(data["fps"]) == 60.0


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (
            lambda d, t, o: ["infer", t / "missing.wav", "-o", o, "--model", d / "tiny_v01a.pth"],
            "no such audio file",
        ),
        (
            lambda d, t, o: ["infer", d / "speechlike.wav", "-o", o, "--model", t / "none.pth"],
            "no such checkpoint",
        ),
        (
            lambda d, t, o: [
                "infer",
                d / "speechlike.wav",
                "-o",
                o,
                "--model",
                d / "tiny_v01a.json",
            ],
            "not a readable PyTorch checkpoint",
        ),
        (
            lambda d, t, o: [
                "infer",
                d / "speechlike.wav",
                "-o",
                o,
                "--model",
                d / "tiny_v01a.pth",
                "--emotion-strength",
                "3",
            ],
            "emotion strength must be within 0-2",
        ),
        (
            lambda d, t, o: [
                "infer",
                d / "tiny_v01a.json",
                "-o",
                o,
                "--model",
                d / "tiny_v01a.pth",
            ],
            "not a readable audio file",
        ),
    ],
)
def test_errors_are_one_line_without_output(make_args, message, fixtures_dir, tmp_path):
    out = tmp_path / "out.csv"
    proc = run(*make_args(fixtures_dir, tmp_path, out))
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_info(fixtures_dir):
    proc = run("info", fixtures_dir / "tiny_v2025.pth")
    assert proc.returncode == 0
    assert (
        "v2025" in proc.stdout and "254,596" in proc.stdout and "num_heads:       4" in proc.stdout
    )


@pytest.mark.parametrize(
    ("seconds", "fps", "code"),
    [(0.0, 24, "00:00:00:00.000"), (1.5, 24, "00:00:01:12.000"), (3725.25, 60, "01:02:05:15.000")],
)
def test_livelink_timecode(seconds, fps, code):
    assert livelink_timecode(seconds, fps) == code


def test_output_file_has_the_usual_mode(fixtures_dir, tiny, tmp_path):
    import os

    out = tmp_path / "out.csv"
    assert run("infer", fixtures_dir / "speechlike.wav", "-o", out, "--model", tiny).returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
