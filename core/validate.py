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
from collections.abc import Callable
from pathlib import Path

from .atomic import resolve_target, temp_path
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


def check_output_file(
    path: str | os.PathLike,
    *,
    label: str = "output",
    option: str = "",
    suffixes: tuple[str, ...] = (),
) -> Path:
    """Check that ``path`` can be written atomically, before any work; return the file it will
    land in (symlinks followed).

    ``option`` (e.g. ``--output``) starts the message when given; ``suffixes``, when given, are
    the file name endings allowed. The folder is probed with a real temp file (permission bits
    alone say nothing when running as root).

    Raises
    ------
    OutputError
        Naming ``path`` and what is wrong: empty, a wrong suffix, a missing folder or one that is
        not a folder or not writable, a folder or a device at the path, a read-only file, a name
        or path too long.
    """
    where = f"{option} {path}" if option else f"{path}"
    if not str(path):
        raise OutputError(f"{option or label}: empty path")
    if suffixes and not str(path).lower().endswith(suffixes):
        raise OutputError(f"{where}: the file name must end in {' or '.join(suffixes)}")
    target = resolve_target(path)
    folder = target.parent
    if not folder.exists():
        raise OutputError(f"{where}: the {label} folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"{where}: {folder} is not a folder")
    _check_name_length(target, where, label)
    if target.is_dir():
        raise OutputError(f"{where}: is a folder; name a file for the {label}")
    if target.exists() and not target.is_file():
        raise OutputError(f"{where}: exists and is not a regular file (a device or pipe)")
    _probe_writable(target, where)
    if target.exists() and not os.access(target, os.W_OK):
        raise OutputError(f"{where}: the {label} file is read-only")
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
    _probe_writable(folder / "probe", str(path))  # a temp name in the folder itself
    return folder


def _check_name_length(target: Path, where: str, label: str) -> None:
    try:
        name_max = os.pathconf(target.parent, "PC_NAME_MAX")
        path_max = os.pathconf(target.parent, "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows): the common limits
        name_max, path_max = 255, 4096
    size = len(os.fsencode(target.name))
    if size > name_max:  # the temp name is short whatever the target's (core.atomic)
        raise OutputError(
            f"{where}: the {label} file name is {size} bytes, longer than {name_max} bytes"
        )
    if len(os.fsencode(str(target))) >= path_max:
        raise OutputError(f"{where}: the {label} path is longer than {path_max} bytes")


def _probe_writable(target: Path, where: str) -> None:
    """Create and remove a temp file beside ``target``; refuse with the OS's reason if it fails."""
    probe = temp_path(target)
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise OutputError(
            f"{where}: cannot write in {target.parent} ({exc.strerror or exc})"
        ) from None
    with contextlib.suppress(OSError):
        os.unlink(probe)
