"""Which files a ``neurosync infer`` call reads and writes, decided before any work starts.

Inputs are files, or folders searched (not recursively) for audio files by suffix; the shell
expands globs. With one input file, ``-o`` is the output file (or a folder to write it into);
with several inputs or a folder, ``-o`` is an existing folder and each output is named after
its input (``voice_01.wav`` -> ``voice_01.csv``). Two inputs that would write the same output,
or an output that is also an input, are refused before anything runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import AudioNotFoundError, NotAudioError, OutputError
from .validate import check_output_file, check_output_folder

#: Suffixes picked up when a folder is given (what libsndfile reads).
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".w64")
DEFAULT_FORMAT = "csv"


@dataclass(frozen=True)
class Job:
    """One input and where its result goes.

    Attributes
    ----------
    source : Path
        The audio file as the user named it (or as found in a folder).
    output : Path
        The output path as it will be reported.
    target : Path
        The file actually written (``output`` with symlinks followed).
    """

    source: Path
    output: Path
    target: Path


@dataclass(frozen=True)
class Plan:
    jobs: tuple[Job, ...]
    fmt: str
    batch: bool  # several inputs (or a folder): per-file summary lines, exit 1 on any failure


def find_inputs(paths: list[str]) -> tuple[list[Path], bool]:
    """Expand folders into their audio files; returns (files, whether a folder was given).

    Raises
    ------
    AudioNotFoundError
        A path does not exist, or a folder holds no audio file.
    NotAudioError
        A path is a device, pipe or socket.
    """
    found: list[Path] = []
    folder_given = False
    for text in paths:
        path = Path(text)
        if path.is_dir():
            folder_given = True
            entries = sorted(
                p for p in path.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file()
            )
            if not entries:
                raise AudioNotFoundError(
                    f"{path}: no audio files ({' '.join(AUDIO_SUFFIXES)}) in this folder"
                )
            found.extend(entries)
        elif path.is_file():
            found.append(path)
        elif path.exists():
            raise NotAudioError(f"{path}: not a regular file (a device, pipe or socket)")
        else:
            raise AudioNotFoundError(f"{path}: no such audio file or folder")
    unique: dict[str, Path] = {}
    for path in found:  # a file named twice (a glob and its folder) runs once
        unique.setdefault(os.path.realpath(path), path)
    return list(unique.values()), folder_given


def plan(inputs: list[str], output: str, fmt: str | None) -> Plan:
    """Decide every job's output and check every location before work starts.

    ``fmt``: explicit output format, or None (the output file's suffix; ``csv`` in a folder).

    Raises
    ------
    NeuroSyncError
        An input is missing or unusable, the output location is unusable, or two jobs clash.
    """
    from .export import format_from_path  # numpy; only once the arguments parsed

    sources, folder_given = find_inputs(inputs)
    batch = len(sources) > 1 or folder_given
    if batch or os.path.isdir(output):  # (Path.is_dir raises on a name too long)
        check_output_folder(output)
        fmt = format_from_path(f"x.{fmt or DEFAULT_FORMAT}")
        outputs = [Path(output) / f"{source.stem}.{fmt}" for source in sources]
    else:
        fmt = format_from_path(output, fmt)
        outputs = [Path(output)]
    jobs = []
    claimed: dict[Path, Path] = {}
    inputs_real = {Path(os.path.realpath(s)): s for s in sources}
    for source, out in zip(sources, outputs, strict=True):
        target = Path(os.path.realpath(out))
        if target in claimed:
            raise OutputError(
                f"{claimed[target]} and {source} would both write {out}; rename one of them "
                "or run them separately"
            )
        if target in inputs_real:
            raise OutputError(f"{out}: the output would overwrite the input {inputs_real[target]}")
        claimed[target] = source
        jobs.append(Job(source, out, check_output_file(out)))
    return Plan(tuple(jobs), fmt, batch)
