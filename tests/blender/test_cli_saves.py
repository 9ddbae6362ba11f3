"""Saves that cannot lie: a full disk, a cut file, kills and signals never replace the .blend.

Each run imports a small Live Link CSV take (no model, so fast) and saves over an existing
``out.blend``; the faults are real (a file-size limit, signals) or simulated by replacing
Blender's save in the child process (ENOSPC, a save that "succeeds" with a cut file).
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess

import pytest
from neurosync_lipsync.core.atomic import TEMP_PREFIX

bpy = pytest.importorskip("bpy")

from tests.livelink_takes import write_app_csv  # noqa: E402

from .clitools import error_lines, patched_cli, run, snapshot  # noqa: E402
from .conftest import add_face  # noqa: E402

SAFE = "import neurosync_lipsync.blender.safe_save as safe\nreal = safe.write_blend\n"


@pytest.fixture
def work(tmp_path):
    """tmp_path with scene.blend, take.csv and out.blend (a copy of the scene, to be replaced)."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.context.scene.render.fps = 24
    add_face()
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "scene.blend"))
    write_app_csv(tmp_path / "take.csv", seconds=2.0)
    shutil.copy(tmp_path / "scene.blend", tmp_path / "out.blend")
    return tmp_path


def _args(work):
    return ["--blend", work / "scene.blend", "--object", "Face", "--import-csv",
            work / "take.csv", "--output", work / "out.blend"]  # fmt: skip


def _failed_cleanly(proc, before, work, code, message):
    assert proc.returncode == code, proc.stderr
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], proc.stderr
    assert "saved" not in proc.stdout
    assert snapshot(work) == before  # out.blend unchanged, no temp file left


def test_a_save_that_cannot_finish_keeps_the_old_file(work):
    """ENOSPC in the middle of Blender's write (simulated)."""
    before = snapshot(work)
    patch = SAFE + (
        "import errno\n"
        "def full(path):\n"
        "    real(path)\n"
        "    os.truncate(path, 4096)\n"
        "    raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "import os\nsafe.write_blend = full\n"
    )
    proc = subprocess.run(patched_cli(_args(work), patch), capture_output=True, text=True)
    _failed_cleanly(proc, before, work, 1, "out.blend: could not be written (No space left")


def test_a_save_that_reports_success_with_a_cut_file_is_caught(work):
    """What Blender does on a full disk with compression: FINISHED, and a cut file."""
    before = snapshot(work)
    patch = SAFE + (
        "import os\n"
        "def cut(path):\n"
        "    real(path)\n"
        "    os.truncate(path, os.path.getsize(path) // 2)\n"
        "safe.write_blend = cut\n"
    )
    proc = subprocess.run(patched_cli(_args(work), patch), capture_output=True, text=True)
    _failed_cleanly(proc, before, work, 1, "out.blend: the written file is bad")
    assert "truncated" in proc.stderr and "the previous file is kept" in proc.stderr


def _limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))


def test_a_real_write_limit_keeps_the_old_file(work):
    """The OS refuses writes past 40 kB, as a full disk would; Blender's save says FINISHED."""
    before = snapshot(work)
    proc = run(*_args(work), preexec_fn=_limit_file_size)
    _failed_cleanly(proc, before, work, 1, "out.blend: ")
    assert "; the previous file is kept" in proc.stderr
    if (work / "scene.blend").read_bytes()[:4] == b"\x28\xb5\x2f\xfd":
        # A compressed save (5.0's default here) reports success with a cut file: caught.
        assert "the written file is bad (compressed .blend without its seek table" in proc.stderr
    else:  # an uncompressed save (4.5's default) fails in Blender itself
        assert "Blender could not save" in proc.stderr


def _start_and_wait_in_write(work, patch_tail=""):
    patch = SAFE + (
        "import sys, time\n"
        "def slow(path):\n"
        "    real(path)\n"
        "    os.truncate(path, 4096)\n"
        "    print('WRITING', flush=True)\n"
        "    time.sleep(120)\n"
        "import os\nsafe.write_blend = slow\n"
    )
    proc = subprocess.Popen(
        patched_cli(_args(work), patch), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    for line in proc.stdout:
        if line.startswith("WRITING"):
            return proc
    raise AssertionError(proc.stderr.read())


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_during_the_write_removes_the_temp_file(work, signum, code):
    before = snapshot(work)
    proc = _start_and_wait_in_write(work)
    assert any(name.startswith(TEMP_PREFIX) for name in os.listdir(work))  # the temp, mid-write
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == code, stderr
    lines = error_lines(stderr)
    assert len(lines) == 1 and f"interrupted by {signal.Signals(signum).name}" in lines[0]
    assert snapshot(work) == before


def test_a_kill_during_the_write_leaves_the_old_file_and_the_next_run_cleans_up(work):
    before = snapshot(work)
    proc = _start_and_wait_in_write(work)
    proc.kill()
    proc.wait(timeout=60)
    stale = [n for n in os.listdir(work) if n.startswith(TEMP_PREFIX)]
    assert len(stale) == 1  # SIGKILL cannot be caught: the temp stays ...
    left = snapshot(work)
    del left[stale[0]]
    assert left == before  # ... but out.blend is untouched
    proc = run(*_args(work))
    assert proc.returncode == 0, proc.stderr
    assert f"removed stale temp file {work / stale[0]}" in proc.stdout
    assert not [n for n in os.listdir(work) if n.startswith(TEMP_PREFIX)]
    bpy.ops.wm.open_mainfile(filepath=str(work / "out.blend"))
    assert "LipSync take.csv - Face" in bpy.data.actions


def test_permissions_kept_and_symlinks_written_through(work):
    real = work / "real.blend"
    shutil.copy(work / "scene.blend", real)
    real.chmod(0o640)
    link = work / "link.blend"
    link.symlink_to(real)
    args = _args(work)[:-1] + [link]
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert oct(real.stat().st_mode & 0o777) == oct(0o640)
    bpy.ops.wm.open_mainfile(filepath=str(real))
    assert "LipSync take.csv - Face" in bpy.data.actions


def test_without_output_the_blend_is_saved_in_place(work):
    args = _args(work)[:-2]
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    assert f"saved {work / 'scene.blend'}" in proc.stdout
    assert sorted(os.listdir(work)) == ["out.blend", "scene.blend", "take.csv"]
    bpy.ops.wm.open_mainfile(filepath=str(work / "scene.blend"))
    assert "LipSync take.csv - Face" in bpy.data.actions
