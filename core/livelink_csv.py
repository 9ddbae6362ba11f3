"""Reading Live Link Face CSV takes (the iPhone app's and ours) and resampling them.

The app writes ``Timecode,BlendShapeCount,EyeBlinkLeft,...,HeadYaw,HeadPitch,HeadRoll,...`` (our
``neurosync`` CSV writes ``BlendshapeCount`` and camelCase or PascalCase names, then emotions).
A timecode is ``HH:MM:SS:FF.fff``: ``FF`` counts frames at the timecode rate and ``.fff`` is the
fraction of that frame. Rows are captured at about 60 per second but not exactly, so row times
come from the Timecode column, never from the row number. The timecode rate is not written in
the file: it is the standard rate that makes the row times most even (see :func:`timecode_rate`).

Columns map onto ARKit channels by their header names through the naming presets
(:func:`~.naming.map_names`), as shape-key names do. Head rotations (``HeadYaw``, ``HeadPitch``,
``HeadRoll``) are read as the app writes them, in radians.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

import numpy as np

from .errors import TakeFileError
from .naming import AUTO, CHANNELS, NameMapping, map_names

#: Timecode rates tried when the file does not say (``FF`` must stay below the rate).
TIMECODE_RATES = (24, 25, 30, 48, 50, 60, 100, 120)
#: Head rotation columns, in the order :attr:`CSVTake.head` returns them.
HEAD_COLUMNS = ("HeadYaw", "HeadPitch", "HeadRoll")
#: Files larger than this are refused before reading (one hour at 60 rows/s is about 40 MB).
MAX_BYTES = 512 * 1024 * 1024

_TIMECODE = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})[:;](\d{1,3})(?:\.(\d{1,6}))?$")
_DAY = 86400.0


@dataclass(frozen=True)
class CSVTake:
    """One recorded take.

    Attributes
    ----------
    path : str
        The file read.
    names : tuple of str
        Column names after ``Timecode`` and ``BlendShapeCount``, as written.
    times : ndarray, shape (N,)
        Seconds from the first row, strictly increasing.
    values : ndarray, shape (N, C)
        One column per name, float64, all finite.
    rate : int
        Timecode rate used to read ``FF``.
    """

    path: str
    names: tuple[str, ...]
    times: np.ndarray
    values: np.ndarray
    rate: int

    @property
    def duration(self) -> float:
        return float(self.times[-1])

    def frame_count(self, fps: float) -> int:
        """Frames ``0 ... frame_count - 1`` at ``fps`` lie within the take."""
        return int(math.floor(self.duration * fps + 1e-6)) + 1

    def resample(self, fps: float) -> np.ndarray:
        """Values at ``k / fps`` seconds for every frame: shape (frame_count(fps), C)."""
        t = np.arange(self.frame_count(fps), dtype=np.float64) / fps
        return np.stack([np.interp(t, self.times, col) for col in self.values.T], axis=1)

    def mapping(self, preset: str = AUTO) -> NameMapping:
        """Which columns carry which ARKit channel (the header read like shape-key names)."""
        return map_names(self.names, preset)

    def channel_curves(self, fps: float, preset: str = AUTO) -> dict[int, np.ndarray]:
        """ARKit channel index -> (frame_count(fps),) values; columns sharing a channel averaged.

        Raises
        ------
        TakeFileError
            When no column names an ARKit blendshape.
        """
        mapping = self.mapping(preset)
        if mapping.matched_count == 0:
            raise TakeFileError(
                f"{self.path}: no column names one of the {len(CHANNELS)} ARKit blendshapes "
                f"(columns: {', '.join(self.names[:6])}{' ...' if len(self.names) > 6 else ''})"
            )
        resampled = self.resample(fps)
        index = {name: i for i, name in enumerate(self.names)}
        return {
            ch: resampled[:, [index[n] for n in cols]].mean(axis=1)
            for ch, cols in enumerate(mapping.targets)
            if cols
        }

    def head(self, fps: float) -> np.ndarray | None:
        """(frame_count(fps), 3) yaw, pitch, roll in radians, or None without head columns."""
        lookup = {n.lower(): i for i, n in enumerate(self.names)}
        if not all(c.lower() in lookup for c in HEAD_COLUMNS):
            return None
        return self.resample(fps)[:, [lookup[c.lower()] for c in HEAD_COLUMNS]]


def parse_timecode(text: str, rate: int) -> float:
    """Seconds of ``HH:MM:SS:FF[.fff]`` at ``rate`` timecode frames per second."""
    match = _TIMECODE.match(text.strip())
    if match is None:
        raise ValueError(f"not a timecode HH:MM:SS:FF.fff: {text!r}")
    return _seconds(_fields(match), rate)


def _fields(match) -> tuple[int, int, int, int, float]:
    h, m, s, ff, sub = match.groups()
    return int(h), int(m), int(s), int(ff), float(f"0.{sub}") if sub else 0.0


def _seconds(fields, rate: int) -> float:
    h, m, s, ff, sub = fields
    return h * 3600.0 + m * 60.0 + s + (ff + sub) / rate


def timecode_rate(fields: list[tuple]) -> int:
    """The rate of :data:`TIMECODE_RATES` above every ``FF`` that spaces the rows most evenly.

    Where no second boundary is crossed every rate spaces them evenly; 60 (the app's) is then
    taken when allowed, else the lowest allowed rate.
    """
    top = max(f[3] for f in fields)
    allowed = [r for r in TIMECODE_RATES if r > top]
    if not allowed:
        raise ValueError(f"frame field {top} is not below any timecode rate {TIMECODE_RATES}")
    if len(fields) < 3:
        return 60 if 60 in allowed else allowed[0]
    scores = {}
    for rate in allowed:
        steps = np.diff(_unwrap(np.array([_seconds(f, rate) for f in fields])))
        positive = steps[steps > 0]
        scores[rate] = positive.max() / np.median(positive) if len(positive) else math.inf
    best = min(scores.values())
    even = [r for r in allowed if scores[r] <= best * 1.01]
    return 60 if 60 in even else even[0]


def _unwrap(seconds: np.ndarray) -> np.ndarray:
    """Times that pass midnight keep increasing."""
    jumps = np.concatenate(([0.0], np.diff(seconds)))
    return seconds + _DAY * np.cumsum(jumps < -_DAY / 2)


def read_livelink_csv(path: str | os.PathLike, *, rate: int | None = None) -> CSVTake:
    """Read a Live Link Face CSV (the app's or ``neurosync``'s).

    Parameters
    ----------
    path : str or PathLike
    rate : int, optional
        Timecode rate of the ``FF`` field; by default found from the rows.

    Raises
    ------
    TakeFileError
        Naming the file, and the line and column where one is at fault.
    """
    path = os.fspath(path)
    lines = _lines(path)
    header = [c.strip() for c in lines[0][1].split(",")]
    if header and header[-1] == "":
        header.pop()
    if (
        len(header) < 3
        or header[0].lower() != "timecode"
        or header[1].lower() != ("blendshapecount")
    ):
        raise TakeFileError(
            f"{path}: line 1 must start with 'Timecode,BlendShapeCount,' and the column names; "
            f"it starts with {','.join(header[:2])!r}"
        )
    names = tuple(header[2:])
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise TakeFileError(f"{path}: line 1 names column(s) twice: {', '.join(dupes)}")
    rows, fields = _rows(path, lines[1:], names)
    if len(rows) < 2:
        raise TakeFileError(f"{path}: needs at least 2 data rows, has {len(rows)}")
    try:
        rate = rate or timecode_rate(fields)
    except ValueError as exc:
        raise TakeFileError(f"{path}: {exc}") from None
    times = _unwrap(np.array([_seconds(f, rate) for f in fields]))
    steps = np.diff(times)
    if (steps <= 0).any():
        bad = int(np.argmax(steps <= 0)) + 1
        raise TakeFileError(
            f"{path}: line {lines[1 + bad][0]}: timecode does not increase "
            f"(at {rate} timecode frames/s)"
        )
    return CSVTake(path, names, times - times[0], np.array(rows, dtype=np.float64), rate)


def _lines(path: str) -> list[tuple[int, str]]:
    if not os.path.exists(path):
        raise TakeFileError(f"{path}: no such CSV file")
    if not os.path.isfile(path):
        raise TakeFileError(f"{path}: not a regular file")
    if os.path.getsize(path) > MAX_BYTES:
        raise TakeFileError(f"{path}: larger than {MAX_BYTES // 2**20} MB; not a take")
    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise TakeFileError(f"{path}: not a text CSV (not UTF-8)") from None
    except OSError as exc:
        raise TakeFileError(f"{path}: cannot read ({exc.strerror})") from None
    lines = [(i, line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        raise TakeFileError(f"{path}: empty file")
    return lines


def _rows(path: str, lines, names) -> tuple[list, list]:
    rows, fields = [], []
    for number, line in lines:
        cells = [c.strip() for c in line.split(",")]
        if len(cells) == len(names) + 3 and cells[-1] == "":
            cells.pop()
        if len(cells) != len(names) + 2:
            raise TakeFileError(
                f"{path}: line {number} has {len(cells)} cells, the header {len(names) + 2}"
            )
        match = _TIMECODE.match(cells[0])
        if match is None:
            raise TakeFileError(
                f"{path}: line {number}: {cells[0]!r} is not a timecode HH:MM:SS:FF.fff"
            )
        try:
            row = [float(c) for c in cells[2:]]
        except ValueError:
            column = next(n for n, c in zip(names, cells[2:], strict=True) if not _is_float(c))
            raise TakeFileError(f"{path}: line {number}, column {column}: not a number") from None
        if not all(math.isfinite(v) for v in row):
            column = next(n for n, v in zip(names, row, strict=True) if not math.isfinite(v))
            raise TakeFileError(f"{path}: line {number}, column {column}: not finite")
        fields.append(_fields(match))
        rows.append(row)
    return rows, fields


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
