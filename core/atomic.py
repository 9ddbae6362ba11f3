"""Outputs that are whole or absent: a temp file beside the target, checked, renamed into place.

One mechanism for every output, the ``neurosync`` CLI's CSV/JSON/NPZ and reports as well as the
Blender CLI's .blend and .glb:

- :func:`atomic_output` yields a temp path in the target's own folder (symlinks followed, so the
  rename never crosses file systems and a symlinked target keeps its link and gets new content).
  After the block the file is checked, fsynced, given the target's permission bits (a new file
  gets ``0666 & ~umask``) and renamed over the target. :func:`atomic_open` is the same for a file
  Python writes itself.
- Temp names are ``.neurosync-<pid>-<tag>-<random>.tmp<ext>``: ``<tag>`` hashes the target's name
  so the temp name stays short for a long target, and ``<ext>`` keeps the target's suffix at the
  end (Blender saves a .blend only under that suffix).
- On any failure, and on SIGTERM/SIGINT inside :func:`signals_raise`, the temp file goes and the
  target stays as it was. A temp file left by a killed process (SIGKILL, a power cut) is removed
  by the next run that writes the same target (:func:`remove_stale_temps`); a live process's
  temp files are never touched.
- Any OS failure (a full disk, a read-only file system, a quota) becomes :class:`WriteError`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from .errors import WriteError

TEMP_PREFIX = ".neurosync-"
#: A longer suffix is left out of the temp name, which then always fits in 64 bytes.
_MAX_SUFFIX = 16


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGINT arrived; raised where Python next runs, so every cleanup happens."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into :class:`Interrupted` for the block.

    Outside the main thread (where Python cannot set handlers) the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, _frame):
        raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def resolve_target(path: str | os.PathLike) -> Path:
    """The file a write to ``path`` lands in: symlinks followed, also a dangling one's target."""
    return Path(os.path.realpath(os.path.abspath(path)))


def _tag(target: Path) -> str:
    return hashlib.sha1(os.fsencode(target.name)).hexdigest()[:12]


def temp_path(target: str | os.PathLike, pid: int | None = None) -> Path:
    """A fresh temp name for the (resolved) ``target``, in its folder, for process ``pid``."""
    target = Path(target)
    suffix = target.suffix if len(os.fsencode(target.suffix)) <= _MAX_SUFFIX else ""
    name = f"{TEMP_PREFIX}{pid or os.getpid()}-{_tag(target)}-{secrets.token_hex(4)}.tmp{suffix}"
    return target.with_name(name)


def remove_stale_temps(target: str | os.PathLike) -> list[Path]:
    """Remove temp files of the (resolved) ``target`` whose process no longer runs.

    Blender's own ``<temp>@`` goes with them. Returns the removed paths.
    """
    target = Path(target)
    pattern = re.compile(rf"{re.escape(TEMP_PREFIX)}(\d+)-{_tag(target)}-")
    try:
        names = sorted(os.listdir(target.parent))
    except OSError:
        return []
    removed = []
    for name in names:
        match = pattern.match(name)
        if match is None or _process_alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            (target.parent / name).unlink()
            removed.append(target.parent / name)
    return removed


@contextlib.contextmanager
def atomic_output(
    path: str | os.PathLike, check: Callable[[str], None] | None = None
) -> Iterator[str]:
    """Yield a temp path for ``path``; after the block, ``check`` it and rename it into place.

    ``check(temp)`` raises :class:`WriteError` (``"<temp>: reason"``) when the file is not whole.
    The temp file, and Blender's own ``<temp>@``, is removed whatever happens.

    Raises
    ------
    WriteError
        The file could not be written in full (the message names ``path`` and the reason).
    """
    target = resolve_target(path)
    remove_stale_temps(target)
    kept = "the previous file is kept" if target.is_file() else "nothing was written"
    tmp = temp_path(target)
    try:
        yield str(tmp)
        if not tmp.is_file():
            raise WriteError(f"{path}: the writer produced no file; {kept}")
        if check is not None:
            try:
                check(str(tmp))
            except WriteError as exc:
                reason = str(exc).removeprefix(f"{tmp}: ")
                raise WriteError(f"{path}: the written file is bad ({reason}); {kept}") from None
        _fsync(tmp)
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
        _fsync_folder(target.parent)
    except OSError as exc:
        raise WriteError(f"{path}: could not be written ({exc.strerror or exc}); {kept}") from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "@")):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """:func:`atomic_output` for a file written here: yields the open temp file (``w`` or ``wb``).

    Raises
    ------
    WriteError
    """
    with atomic_output(path) as tmp:
        text = {} if "b" in mode else {"newline": ""}
        with open(tmp, mode.replace("w", "x"), **text) as fh:  # "x": never an existing file
            yield fh


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every platform can open a folder, so best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
