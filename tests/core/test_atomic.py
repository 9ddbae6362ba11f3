"""core/atomic.py and the output checks: complete-or-untouched files, whose temp files are whose."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys

import pytest
from neurosync_lipsync.core import atomic
from neurosync_lipsync.core.errors import OutputError, WriteError
from neurosync_lipsync.core.validate import check_output_file


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temp_names_are_short_hidden_and_keep_the_suffix(tmp_path):
    target = tmp_path / ("n" * 240 + ".blend")
    tmp = atomic.temp_path(target)
    assert tmp.parent == tmp_path and tmp.name.startswith(atomic.TEMP_PREFIX)
    assert tmp.name.endswith(".tmp.blend") and len(tmp.name) < 64
    assert atomic.temp_path(target) != tmp  # a fresh name each time
    assert not atomic.temp_path(tmp_path / ("x." + "s" * 100)).name.endswith("s")


def test_stale_temps_of_dead_runs_go_and_live_ones_stay(tmp_path):
    target = tmp_path / "take.csv"
    dead = atomic.temp_path(target, _dead_pid())
    blender = dead.with_name(dead.name + "@")  # Blender's own temp beside ours
    live = atomic.temp_path(target, os.getppid())  # pytest's parent
    mine = atomic.temp_path(target)
    other = atomic.temp_path(tmp_path / "other.csv", _dead_pid())
    for path in (dead, blender, live, mine, other):
        path.write_text("partial")
    assert sorted(atomic.remove_stale_temps(target)) == sorted([dead, blender])
    assert live.exists() and mine.exists() and other.exists()


def test_a_failing_body_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "take.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic.atomic_open(target) as fh:
        fh.write("new, half")
        raise RuntimeError("stop")
    assert target.read_text() == "old" and sorted(tmp_path.iterdir()) == [target]


def test_enospc_becomes_a_write_error_naming_the_file(tmp_path, monkeypatch):
    target = tmp_path / "take.csv"

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(WriteError, match=r"take.csv: could not be written \(No space left"):
        with atomic.atomic_open(target) as fh:
            fh.write("x" * 1000)
    assert list(tmp_path.iterdir()) == []


def test_mode_of_an_existing_file_is_kept(tmp_path):
    target = tmp_path / "take.csv"
    target.write_text("old")
    target.chmod(0o600)
    with atomic.atomic_open(target) as fh:
        fh.write("new")
    assert target.read_text() == "new" and target.stat().st_mode & 0o777 == 0o600


def _fail(path):
    raise WriteError(f"{path}: made up")


def test_atomic_output_keeps_the_old_file_on_a_failed_check(tmp_path):
    target = tmp_path / "out.blend"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with pytest.raises(
        WriteError, match=r"out.blend: the written file is bad \(made up\); the prev"
    ):
        with atomic.atomic_output(str(target), _fail) as tmp:
            open(tmp, "wb").write(b"new")
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.blend"]
    with pytest.raises(WriteError, match=r"out.blend: the writer produced no file; the prev"):
        with atomic.atomic_output(str(target), _fail):
            pass
    with atomic.atomic_output(str(target), lambda p: None) as tmp:
        open(tmp, "wb").write(b"new")
        open(tmp + "@", "wb").write(b"Blender's temp")
    assert target.read_bytes() == b"new" and os.listdir(tmp_path) == ["out.blend"]
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_signal_in_the_block_removes_the_temp_and_keeps_the_target(tmp_path):
    target = tmp_path / "take.csv"
    target.write_text("old")
    with pytest.raises(atomic.Interrupted) as caught, atomic.signals_raise():
        with atomic.atomic_open(target) as fh:
            fh.write("half")
            os.kill(os.getpid(), signal.SIGTERM)
    assert caught.value.signum == signal.SIGTERM and str(caught.value) == "SIGTERM"
    assert target.read_text() == "old" and sorted(tmp_path.iterdir()) == [target]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is put back


def test_output_locations(tmp_path):
    (tmp_path / "dir.blend").mkdir()
    (tmp_path / "file").write_text("")
    cases = [
        (str(tmp_path / "x.txt"), "--output .*x.txt: the file name must end in .blend"),
        (str(tmp_path / "dir.blend"), "dir.blend: is a folder"),
        (str(tmp_path / "no" / "x.blend"), r"x.blend: the output folder .*/no does not exist"),
        (str(tmp_path / "file" / "x.blend"), "file is not a folder"),
        (str(tmp_path / ("y" * 300 + ".blend")), "file name is 306 bytes, longer than 255 bytes"),
        ("", "--output: empty path"),
    ]
    for path, message in cases:
        with pytest.raises(OutputError, match=message):
            check_output_file(path, option="--output", suffixes=(".blend",))
    real = tmp_path / "real.blend"
    (tmp_path / "link.blend").symlink_to(real)
    assert check_output_file(str(tmp_path / "link.blend"), suffixes=(".blend",)) == real
    long = tmp_path / ("z" * 240 + ".blend")  # fits: the temp name does not grow with it
    assert check_output_file(long) == long
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.blend", "file", "link.blend"]
