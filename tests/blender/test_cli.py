"""The headless CLI as a user runs it: ``python blender_cli.py --blend ...`` with the bpy module."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from .clitools import CLI, error_lines, glb_weights, run  # noqa: E402
from .conftest import add_face  # noqa: E402


@pytest.fixture
def blend(scene, voice, tmp_path):
    scene.sequence_editor.strips.new_sound("Bob_line", voice, channel=2, frame_start=200)
    add_face("Bob")
    path = tmp_path / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    return path


def test_cli_bakes_one_pair_exports_gltf_and_warns_of_a_muted_strip(blend, tiny_model, tmp_path):
    bpy.context.scene.sequence_editor.strips["voice"].mute = True
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    out, glb = tmp_path / "out.blend", tmp_path / "out.glb"
    proc = run("--blend", blend, "--strip", "voice", "--object", "Face", "--model", tiny_model,
               "--output", out, "--export-gltf", glb)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "baked 'voice' onto 'Face'" in proc.stdout and f"saved {out}" in proc.stdout
    assert error_lines(proc.stderr) == ["warning: sound strip 'voice' is muted; baking it anyway"]
    bpy.ops.wm.open_mainfile(filepath=str(out))
    actions = sorted(a.name for a in bpy.data.actions)
    assert actions == ["LipSync Base - Face", "LipSync voice - Face"]  # the take and its base
    # The .glb's weight animation is the take, frame by frame.
    names, times, weights = glb_weights(glb)["Face"]
    frames = np.rint(times * 24).astype(int)
    assert frames[0] <= 10 and frames[-1] >= 93  # the take's frames (10-93) at least
    scene, key = bpy.context.scene, bpy.data.objects["Face"].data.shape_keys
    for frame, row in zip(frames, weights, strict=True):
        scene.frame_set(int(frame))
        for name in ("jawOpen", "mouthClose", "eyeBlinkLeft"):
            assert row[names.index(name)] == pytest.approx(key.key_blocks[name].value, abs=1e-4)
    assert np.ptp(weights[:, names.index("jawOpen")]) > 0.05


def test_cli_all_pairs_by_whole_names_skips_and_reports_failures(
    scene, voice, tiny_model, tmp_path
):
    for face in ("Anna", "Ann", "Bob"):
        add_face(face)
    strips = scene.sequence_editor.strips
    strips.new_sound("Anna_line1", voice, channel=2, frame_start=200)
    strips.new_sound("Music_bed", voice, channel=3, frame_start=1)
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk")
    shutil.copy(voice, tmp_path / "bob.wav")
    strips.new_sound("Bob_line2", str(tmp_path / "bob.wav"), channel=4, frame_start=300)
    strips["Bob_line2"].sound.filepath = str(broken)
    blend, out = tmp_path / "scene.blend", tmp_path / "all.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    proc = run("--blend", blend, "--all", "--model", tiny_model, "--output", out)
    assert proc.returncode == 1, proc.stderr
    (line,) = error_lines(proc.stderr)
    assert line.startswith("error: 1 of 2 bakes failed (first: 'Bob_line2' onto 'Bob'")
    assert "the others were saved" in line
    summary = proc.stdout[proc.stdout.index("summary:") :].splitlines()
    assert summary[0] == "summary: 4 strips: 1 baked, 2 skipped, 1 failed"
    assert "  baked    'Anna_line1' -> 'Anna' as 'LipSync Anna_line1 - Anna'" in summary
    assert any(s.startswith("  skipped  'Music_bed': its name has no face's name") for s in summary)
    assert any(s.startswith("  skipped  'voice'") for s in summary)
    assert any(s.startswith("  failed   'Bob_line2' -> 'Bob': ") for s in summary)
    bpy.ops.wm.open_mainfile(filepath=str(out))
    takes = sorted(a.name for a in bpy.data.actions if "lipsync_take" in a)
    assert takes == ["LipSync Anna_line1 - Anna"]  # never onto "Ann", nothing onto the rest
    assert bpy.data.objects["Ann"].data.shape_keys.animation_data is None


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--strip", "nope", "--object", "Face"], 2, "no sound strip named 'nope'"),
        (["--strip", "voice"], 2, "give --strip and --object, or --all"),
        # A checkpoint that does not exist is a bad input (issue 13's contract): 2, not 1.
        (["--strip", "voice", "--object", "Face", "--model", "/nonexistent.pth"], 2, "nonexistent"),
    ],
)
def test_cli_errors_one_line_non_zero(blend, args, code, message):
    proc = run("--blend", blend, *args)
    assert proc.returncode == code
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert error_lines(proc.stderr) == lines


def test_cli_as_blender_python_script(blend, tiny_model, tmp_path):
    """``blender -b x.blend --python blender_cli.py -- ...``: file open, args after ``--``."""
    out = tmp_path / "as_script.blend"
    code = (
        "import runpy, sys, bpy\n"
        f"bpy.ops.wm.open_mainfile(filepath={str(blend)!r})\n"
        f"sys.argv = ['blender', '-b', {str(blend)!r}, '--python', {str(CLI)!r}, '--',\n"
        f"            '--strip', 'voice', '--object', 'Face', '--model', {tiny_model!r},\n"
        f"            '--output', {str(out)!r}]\n"
        f"runpy.run_path({str(CLI)!r}, run_name='__main__')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert f"saved {out}" in proc.stdout
