"""Output files that are either complete or untouched: temp file beside the target, fsync, rename.

- The temp file is created in the target's own folder (after following symlinks), so the final
  rename never crosses file systems and a symlinked target keeps its link and gets new content.
- An existing target keeps its permission bits; a new file gets ``0666 & ~umask`` as usual.
- Temp names are ``.<target name>.neurosync-<pid>-<random>.tmp``. Live ones are tracked so that a
  SIGTERM/SIGINT handler can remove them; ones whose process is gone (a SIGKILL, a power cut)
  are removed by the next run that writes the same target. Another live run's temp files are
  never touched.
- Any OS failure (a full disk, a read-only file system, a quota) becomes :class:`WriteError`
  and the previous file, if any, is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import WriteError

TEMP_INFIX = ".neurosync-"
#: Characters a temp name adds to the target's name: "." + infix + pid (<= 7) + "-" + 8 + ".tmp".
TEMP_NAME_ROOM = 1 + len(TEMP_INFIX) + 7 + 1 + 8 + len(".tmp")
_TEMP_PID = re.compile(re.escape(TEMP_INFIX) + r"(\d+)-[^.]+\.tmp$")
_live: set[Path] = set()


def resolve_target(path: str | os.PathLike) -> Path:
    """The file a write to ``path`` lands in: symlinks followed, also a dangling one's target."""
    return Path(os.path.realpath(path))


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """Open a temp file for ``path``; it replaces ``path`` only if the block completes.

    Raises
    ------
    WriteError
        The file could not be written in full (the message names ``path`` and the OS reason).
    """
    target = resolve_target(path)
    remove_stale_temps(target)
    existed = target.is_file()
    tmp = None
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}{TEMP_INFIX}{os.getpid()}-", suffix=".tmp", dir=target.parent
        )
        tmp = Path(name)
        _live.add(tmp)
        with os.fdopen(fd, mode, **({} if "b" in mode else {"newline": ""})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
        _fsync_folder(target.parent)
    except OSError as exc:
        kept = "the previous file is unchanged" if existed else "nothing was written"
        raise WriteError(f"{path}: could not be written ({exc.strerror or exc}); {kept}") from None
    finally:
        if tmp is not None:
            _live.discard(tmp)
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def remove_live_temps() -> None:
    """Remove this process's unfinished temp files (called on SIGTERM/SIGINT)."""
    for tmp in list(_live):
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        _live.discard(tmp)


def remove_stale_temps(target: Path) -> list[Path]:
    """Remove temp files of ``target`` left by neurosync processes that no longer run."""
    removed = []
    pattern = f".{glob.escape(target.name)}{TEMP_INFIX}*.tmp"
    for candidate in target.parent.glob(pattern):
        match = _TEMP_PID.search(candidate.name)
        if match is None or _process_alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            candidate.unlink()
            removed.append(candidate)
    return removed


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
