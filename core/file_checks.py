"""Is a written file whole? Structure checks of .blend and .glb files, without Blender.

:func:`.atomic.atomic_output` runs one of these on the temp file before it replaces the target;
the Blender layer adds a reopen test. Each raises :class:`WriteError` as ``"<path>: reason"``.
"""

from __future__ import annotations

import json
import os
import struct

from .errors import WriteError

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SEEKABLE_MAGIC = b"\xb1\xea\x92\x8f"  # zstd seekable-format footer (Blender's compressed .blend)
_SKIPPABLE_SEEK_TABLE = 0x184D2A5E


def check_blend_bytes(path: str) -> None:
    """A .blend's header and end: ``BLENDER`` ... ``ENDB``, or a whole zstd seekable file.

    Raises
    ------
    WriteError
    """
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head = fh.read(16)
        fh.seek(max(0, size - 64))
        tail = fh.read()
    if head.startswith(b"BLENDER"):
        end = b"ENDB" + b"\x00" * (_block_header_size(head) - 4)
        if not tail.endswith(end):
            raise WriteError(f"{path}: ends without Blender's end block (truncated, {size} bytes)")
    elif head.startswith(_ZSTD_MAGIC):
        _check_seekable_zstd(path, size)
    else:
        raise WriteError(f"{path}: no .blend header ({size} bytes)")


def _block_header_size(head: bytes) -> int:
    """Bytes of a block header: 32 in 5.0's ``BLENDER17-01v0500``, else by pointer size."""
    if head[7:9].isdigit():  # header length, then the block-header format ("-01": 64-bit sizes)
        return 32
    return 24 if head[7:8] == b"-" else 20  # "BLENDER-v": 8-byte pointers, "_": 4-byte


def _check_seekable_zstd(path: str, size: int) -> None:
    """Frames listed in the seek table add up to the file: nothing cut off or missing."""
    with open(path, "rb") as fh:
        fh.seek(max(0, size - 9))
        footer = fh.read()
        if len(footer) < 9 or footer[5:] != _SEEKABLE_MAGIC:
            raise WriteError(f"{path}: compressed .blend without its seek table (truncated)")
        frames, descriptor = struct.unpack_from("<IB", footer)
        entry = 12 if descriptor & 0x80 else 8
        table = 8 + frames * entry + 9
        if table > size:
            raise WriteError(f"{path}: compressed .blend with a broken seek table")
        fh.seek(size - table)
        raw = fh.read(table - 9)
    magic, length = struct.unpack_from("<II", raw)
    if magic != _SKIPPABLE_SEEK_TABLE or length != table - 8:
        raise WriteError(f"{path}: compressed .blend with a broken seek table")
    compressed = sum(struct.unpack_from("<I", raw, 8 + i * entry)[0] for i in range(frames))
    if compressed + table != size:
        raise WriteError(
            f"{path}: compressed .blend is {size} bytes, its seek table says "
            f"{compressed + table} (truncated or corrupt)"
        )


def check_glb(path: str) -> dict:
    """A whole binary glTF 2.0: header length = file size, a JSON chunk that parses.

    Returns
    -------
    dict
        The parsed JSON chunk (the glTF document).

    Raises
    ------
    WriteError
    """
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        data = fh.read()
    if size < 20 or data[:4] != b"glTF":
        raise WriteError(f"{path}: not a binary glTF file")
    version, length = struct.unpack_from("<II", data, 4)
    if version != 2 or length != size:
        raise WriteError(f"{path}: glTF header says version {version}, {length} bytes; has {size}")
    chunk, kind = struct.unpack_from("<I4s", data, 12)
    if kind != b"JSON" or 20 + chunk > size:
        raise WriteError(f"{path}: glTF without a whole JSON chunk")
    try:
        return json.loads(data[20 : 20 + chunk])
    except ValueError:
        raise WriteError(f"{path}: glTF JSON chunk does not parse") from None
