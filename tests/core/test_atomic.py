"""core/atomic.py: complete-or-untouched files, and which temp files are whose."""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import pytest
from neurosync_lipsync.core import atomic
from neurosync_lipsync.core.errors import WriteError


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temps_of_dead_runs_go_and_live_ones_stay(tmp_path):
    target = tmp_path / "take.csv"
    dead = tmp_path / f".take.csv.neurosync-{_dead_pid()}-abcdefgh.tmp"
    live = tmp_path / f".take.csv.neurosync-{os.getppid()}-abcdefgh.tmp"  # pytest's parent
    other = tmp_path / f".other.csv.neurosync-{_dead_pid()}-abcdefgh.tmp"
    for path in (dead, live, other):
        path.write_text("partial")
    assert atomic.remove_stale_temps(target) == [dead]
    assert not dead.exists() and live.exists() and other.exists()


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
