"""core/file_checks.py: is a written .blend or .glb whole (without Blender)."""

from __future__ import annotations

import json
import struct

import pytest
from neurosync_lipsync.core.errors import WriteError
from neurosync_lipsync.core.file_checks import check_blend_bytes, check_glb


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
