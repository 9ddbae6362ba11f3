"""Outputs that are whole or absent: temp file beside the target, check, rename into place.

A run writes ``.lipsync-<pid>-<tag>.tmp<ext>`` in the target's folder (``<tag>`` is a hash of the
target's name, so the temp name is short whatever the target's length), checks it, gives it the
target's permissions and renames it over the target; a symlinked target has its link followed and
the file it points to replaced. On any failure, and on SIGTERM/SIGINT (:func:`signals_raise`), the
temp file goes and the previous target stays. A temp file left by a killed run (SIGKILL, power
loss) is removed by the next run for the same target (:func:`clean_stale`).

The checks (:func:`check_blend_bytes`, :func:`check_glb`) read the file's structure without
Blender; the Blender layer adds a reopen test.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import struct
from collections.abc import Callable, Iterator

from .errors import OptionsError, WriteError

_PREFIX = ".lipsync-"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SEEKABLE_MAGIC = b"\xb1\xea\x92\x8f"  # zstd seekable-format footer (Blender's compressed .blend)
_SKIPPABLE_SEEK_TABLE = 0x184D2A5E
_KEPT = "the previous file is kept"


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGINT arrived; raised where Python next runs so that cleanups happen."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into :class:`Interrupted` for the block (main thread only)."""

    def handler(signum, _frame):
        raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _tag(target: str) -> str:
    return hashlib.sha1(os.path.basename(target).encode("utf-8", "surrogateescape")).hexdigest()[
        :12
    ]


def temp_path(target: str) -> str:
    """This process's temp file for ``target``, in the same folder (so rename is atomic)."""
    ext = os.path.splitext(target)[1]
    return os.path.join(os.path.dirname(target), f"{_PREFIX}{os.getpid()}-{_tag(target)}.tmp{ext}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(target: str) -> list[str]:
    """Remove temp files for ``target`` left by runs that no longer exist. Returns their paths."""
    folder = os.path.dirname(target) or "."
    pattern = re.compile(rf"^{re.escape(_PREFIX)}(\d+)-{_tag(target)}\.tmp")
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = pattern.match(name)
        if match is None:
            continue
        pid = int(match.group(1))
        if pid != os.getpid() and _alive(pid):
            continue  # another run is writing this target right now
        path = os.path.join(folder, name)
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
            removed.append(path)
    return removed


def check_output_path(path: str, suffixes: tuple[str, ...], what: str) -> str:
    """Validate an output location before any work; returns the real path to write.

    Raises
    ------
    OptionsError
        Naming ``what`` (the option) and the path: wrong suffix, a folder, a missing or
        read-only folder, a name too long for the file system, a target that is no plain file.
    """
    if not path:
        raise OptionsError(f"{what}: empty path")
    if not path.lower().endswith(suffixes):
        raise OptionsError(f"{what} {path}: the file name must end in {' or '.join(suffixes)}")
    real = os.path.realpath(os.path.abspath(path))
    folder, name = os.path.split(real)
    if os.path.isdir(real):
        raise OptionsError(f"{what} {path}: is a folder")
    if os.path.lexists(real) and not os.path.isfile(real):
        raise OptionsError(f"{what} {path}: exists and is not a regular file")
    if not os.path.isdir(folder):
        raise OptionsError(f"{what} {path}: the folder {folder} does not exist")
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    if len(name.encode("utf-8", "surrogateescape")) > limit:
        raise OptionsError(f"{what} {path}: the file name is longer than {limit} bytes")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OptionsError(f"{what} {path}: the folder {folder} is not writable")
    if os.path.exists(real) and not os.access(real, os.W_OK):
        raise OptionsError(f"{what} {path}: the file is read-only")
    return real


@contextlib.contextmanager
def atomic_output(target: str, check: Callable[[str], None]) -> Iterator[str]:
    """Yield a temp path for ``target``; after the block, ``check`` it and rename into place.

    ``check(temp)`` raises :class:`WriteError` when the file is not whole. The temp file (and
    Blender's own ``temp@``) is removed whatever happens; the target changes only on success.
    """
    clean_stale(target)
    tmp = temp_path(target)
    try:
        yield tmp
        if not os.path.isfile(tmp):
            raise WriteError(f"{target}: nothing was written; {_KEPT}")
        try:
            check(tmp)
        except WriteError as exc:
            reason = str(exc).removeprefix(f"{tmp}: ")
            raise WriteError(f"{target}: the written file is bad ({reason}); {_KEPT}") from None
        _fsync(tmp)
        _copy_mode(target, tmp)
        os.replace(tmp, target)
        _fsync(os.path.dirname(target) or ".", folder=True)
    except OSError as exc:
        raise WriteError(
            f"{target}: could not be written ({exc.strerror or exc}); {_KEPT}"
        ) from None
    finally:
        for leftover in (tmp, tmp + "@"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(leftover)


def _fsync(path: str, folder: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if folder else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_mode(target: str, tmp: str) -> None:
    if os.path.exists(target):
        mode = os.stat(target).st_mode & 0o7777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)


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
    """A whole binary glTF 2.0: header length = file size, a JSON chunk that parses. Returns it.

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
