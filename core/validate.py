"""Checks made before any work starts: argument ranges and output locations.

Argument ranges are enforced by argparse ``type=`` callables (:func:`bounded`), so a bad value
is refused while parsing, with a message naming the argument and its allowed range. Output
locations are checked (folder exists, is writable, the name fits) before the model is loaded.
This module imports only the standard library, so refusals cost no start-up time.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .atomic import TEMP_INFIX, TEMP_NAME_ROOM, remove_stale_temps, resolve_target
from .errors import OutputError

#: Output frame rates accepted by the CLI (1 fps to 4x the model's 60 fps).
MIN_FPS, MAX_FPS = 1.0, 240.0
#: --start: audio time of the first frame, at most one day in.
MAX_START_SECONDS = 86400.0
MAX_BATCH_SIZE = 1024
CPUS = os.cpu_count() or 1
#: Worker processes: more than twice the cores only multiplies memory (a model per process).
MAX_JOBS = max(2, 2 * CPUS)


def bounded(kind: type, low: float, high: float, unit: str = "") -> Callable[[str], float]:
    """An argparse ``type`` that parses ``kind`` and refuses NaN, infinity and values outside
    ``[low, high]``; argparse prefixes the message with the argument's name."""
    suffix = f" {unit}" if unit else ""
    noun = "a whole number" if kind is int else "a number"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {noun} within {low:g}-{high:g}{suffix}, got {text!r}"
            ) from None
        if not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(f"must be within {low:g}-{high:g}{suffix}, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def check_output_file(path: str | os.PathLike, *, label: str = "output") -> Path:
    """Check that ``path`` can be written atomically; return the file it will land in.

    Follows symlinks to their target, removes stale temp files of ours beside it, and probes
    the folder with a real temp file (permission bits alone say nothing when running as root).

    Raises
    ------
    OutputError
        Naming ``path`` and what is wrong: missing folder, not a folder, not writable, an
        existing non-file at the path, a name or path too long.
    """
    target = resolve_target(path)
    folder = target.parent
    if not folder.exists():
        raise OutputError(f"{path}: the {label} folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"{path}: {folder} is not a folder")
    if target.is_dir():
        raise OutputError(f"{path}: is a folder; name a file for the {label}")
    if target.exists() and not target.is_file():
        raise OutputError(f"{path}: exists and is not a regular file (a device or pipe)")
    check_name_length(target, label)
    remove_stale_temps(target)
    probe_writable(folder, str(path))
    return target


def check_output_folder(path: str | os.PathLike) -> Path:
    """Check an output folder (for several inputs): exists, is a folder, is writable."""
    folder = Path(os.path.realpath(path))
    if not folder.exists():
        raise OutputError(f"{path}: the output folder does not exist (create it first)")
    if not folder.is_dir():
        raise OutputError(
            f"{path}: with several inputs -o must name an output folder, and this is a file"
        )
    probe_writable(folder, str(path))
    return folder


def check_name_length(target: Path, label: str = "output") -> None:
    try:
        name_max = os.pathconf(target.parent, "PC_NAME_MAX")
        path_max = os.pathconf(target.parent, "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows): the common limits
        name_max, path_max = 255, 4096
    room = name_max - TEMP_NAME_ROOM
    if len(os.fsencode(target.name)) > room:
        raise OutputError(
            f"{target.name[:40]}...: the {label} file name is {len(os.fsencode(target.name))} "
            f"bytes; at most {room} fit in this folder (with room for the temporary file)"
        )
    if len(os.fsencode(str(target))) + TEMP_NAME_ROOM >= path_max:
        raise OutputError(f"{str(target)[:40]}...: the {label} path is longer than {path_max}")


def probe_writable(folder: Path, label: str) -> None:
    """Create and remove a temp file in ``folder``; refuse with the OS's reason if it fails."""
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".probe{TEMP_INFIX}{os.getpid()}-", suffix=".tmp", dir=folder
        )
    except OSError as exc:
        raise OutputError(f"{label}: cannot write in {folder} ({exc.strerror or exc})") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)
