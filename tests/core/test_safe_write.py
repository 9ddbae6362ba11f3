"""Checked, atomic outputs without Blender: structure checks, temp files, output locations."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys

import pytest
from neurosync_lipsync.core.errors import OptionsError, WriteError
from neurosync_lipsync.core.safe_write import (
    atomic_output,
    check_blend_bytes,
    check_glb,
    check_output_path,
    clean_stale,
    temp_path,
)


def _plain_blend(body: bytes = b"\x01" * 100) -> bytes:
    return b"BLENDER17-01v0500" + body + b"ENDB" + b"\x00" * 28


def _seekable(frames: list[bytes]) -> bytes:
    """A zstd seekable-format file as Blender writes it: frames, then the seek table."""
    entries = b"".join(struct.pack("<II", len(f), 1000) for f in frames)
    footer = struct.pack("<IB", len(frames), 0) + b"\xb1\xea\x92\x8f"
    table = struct.pack("<II", 0x184D2A5E, len(entries) + 9) + entries + footer
    return b"".join(frames) + table


def test_blend_checks(tmp_path):
    path = tmp_path / "a.blend"
    path.write_bytes(_plain_blend())
    check_blend_bytes(str(path))
    for cut in (1, 20, 40):
        path.write_bytes(_plain_blend()[:-cut])
        with pytest.raises(WriteError, match="ends without Blender's end block"):
            check_blend_bytes(str(path))
    old_format = b"BLENDER-v402" + b"\x01" * 50 + b"ENDB" + b"\x00" * 20  # 4.x, 8-byte pointers
    path.write_bytes(old_format)
    check_blend_bytes(str(path))
    path.write_bytes(old_format[:-4])
    with pytest.raises(WriteError, match="ends without"):
        check_blend_bytes(str(path))
    good = _seekable([b"\x28\xb5\x2f\xfd" + b"x" * 50, b"y" * 70])
    path.write_bytes(good)
    check_blend_bytes(str(path))
    for broken in (good[:-1], good[:40] + good[60:], good[:100]):
        path.write_bytes(broken)
        with pytest.raises(WriteError, match="compressed .blend"):
            check_blend_bytes(str(path))
    path.write_bytes(b"PK\x03\x04 not a blend")
    with pytest.raises(WriteError, match="no .blend header"):
        check_blend_bytes(str(path))


def test_glb_check(tmp_path):
    doc = json.dumps({"asset": {"version": "2.0"}}).encode()
    doc += b" " * (-len(doc) % 4)
    data = b"glTF" + struct.pack("<II", 2, 20 + len(doc)) + struct.pack("<I4s", len(doc), b"JSON")
    path = tmp_path / "a.glb"
    path.write_bytes(data + doc)
    assert check_glb(str(path))["asset"]["version"] == "2.0"
    path.write_bytes(data + doc[:-3])
    with pytest.raises(WriteError, match="glTF header says version 2"):
        check_glb(str(path))


def _fail(path):
    raise WriteError(f"{path}: made up")


def test_atomic_output_keeps_the_old_file_on_a_failed_check(tmp_path):
    target = tmp_path / "out.blend"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with pytest.raises(
        WriteError, match=r"out.blend: the written file is bad \(made up\); the prev"
    ):
        with atomic_output(str(target), _fail) as tmp:
            open(tmp, "wb").write(b"new")
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.blend"]
    with atomic_output(str(target), lambda p: None) as tmp:
        open(tmp, "wb").write(b"new")
    assert target.read_bytes() == b"new" and os.listdir(tmp_path) == ["out.blend"]
    assert target.stat().st_mode & 0o777 == 0o640


def test_stale_temp_of_a_dead_run_is_cleaned_not_of_a_live_one(tmp_path):
    target = str(tmp_path / "out.blend")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    mine = temp_path(target)
    theirs = mine.replace(f"-{os.getpid()}-", f"-{dead}-")
    live = mine.replace(f"-{os.getpid()}-", f"-{os.getppid()}-")
    other = temp_path(str(tmp_path / "other.blend")).replace(f"-{os.getpid()}-", f"-{dead}-")
    for path in (theirs, theirs + "@", live, other):
        open(path, "w").close()
    assert sorted(clean_stale(target)) == sorted([theirs, theirs + "@"])
    assert os.path.exists(live) and os.path.exists(other)  # a live run's, another target's


def test_output_locations(tmp_path):
    (tmp_path / "dir.blend").mkdir()
    cases = [
        (str(tmp_path / "x.txt"), "must end in .blend"),
        (str(tmp_path / "dir.blend"), "is a folder"),
        (str(tmp_path / "no" / "x.blend"), "does not exist"),
        (str(tmp_path / ("y" * 300 + ".blend")), "longer than 255 bytes"),
        ("", "empty path"),
    ]
    for path, message in cases:
        with pytest.raises(OptionsError, match=message):
            check_output_path(path, (".blend",), "--output")
    real = tmp_path / "real.blend"
    (tmp_path / "link.blend").symlink_to(real)
    assert check_output_path(str(tmp_path / "link.blend"), (".blend",), "--output") == str(real)
