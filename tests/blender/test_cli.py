"""The headless CLI as a user runs it: ``python cli.py --blend ...`` with the bpy module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

bpy = pytest.importorskip("bpy")

from .conftest import add_face  # noqa: E402

CLI = Path(__file__).resolve().parents[2] / "cli.py"


@pytest.fixture
def blend(scene, voice, tmp_path):
    scene.sequence_editor.strips.new_sound("Bob_line", voice, channel=2, frame_start=200)
    add_face("Bob")
    path = tmp_path / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    return path


def run(*args):
    return subprocess.run(
        [sys.executable, str(CLI), *map(str, args)], capture_output=True, text=True, timeout=300
    )


def test_cli_bakes_one_pair_and_all(blend, tiny_model, tmp_path):
    out = tmp_path / "out.blend"
    proc = run(
        "--blend",
        blend,
        "--strip",
        "voice",
        "--object",
        "Face",
        "--model",
        tiny_model,
        "--output",
        out,
    )
    assert proc.returncode == 0, proc.stderr
    assert "baked 'voice' onto 'Face'" in proc.stdout
    every = tmp_path / "all.blend"
    proc = run("--blend", blend, "--all", "--model", tiny_model, "--output", every)
    assert proc.returncode == 0, proc.stderr
    bpy.ops.wm.open_mainfile(filepath=str(every))
    takes = sorted(a.name for a in bpy.data.actions if "lipsync_take" in a)
    # "Bob_line" names the mesh Bob, so it goes only there; "voice" names none: every mesh.
    assert takes == ["LipSync Bob_line - Bob", "LipSync voice - Bob", "LipSync voice - Face"]
    bpy.ops.wm.open_mainfile(filepath=str(out))
    actions = sorted(a.name for a in bpy.data.actions)
    assert actions == ["LipSync Base - Face", "LipSync voice - Face"]  # the take and its base


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--strip", "nope", "--object", "Face"], 2, "no sound strip named 'nope'"),
        (["--strip", "voice"], 2, "give --strip and --object, or --all"),
        (["--strip", "voice", "--object", "Face", "--model", "/nonexistent.pth"], 1, "nonexistent"),
    ],
)
def test_cli_errors_one_line_non_zero(blend, args, code, message):
    proc = run("--blend", blend, *args)
    assert proc.returncode == code
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_as_blender_python_script(blend, tiny_model, tmp_path):
    """``blender -b scene.blend --python cli.py -- ...``: file already open, args after ``--``."""
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
