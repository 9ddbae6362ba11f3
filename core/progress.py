"""A one-line progress display on stderr for a run over one or many files (standard library only).

The line shows the whole run (a bar, files done, time left) and, for a file that has been
running a while, that file's own bar and time left. It is drawn only when the stream is a
terminal and ``--quiet`` was not given: in a pipe or a log nothing is written.
"""

from __future__ import annotations

import shutil
import sys
import time
from datetime import timedelta

#: A file is "long" (gets its own bar) once it has run this many seconds.
LONG_FILE_SECONDS = 2.0
_REDRAW_SECONDS = 0.1


def _bar(fraction: float, width: int) -> str:
    filled = int(width * min(max(fraction, 0.0), 1.0))
    return "#" * filled + "." * (width - filled)


def _left(elapsed: float, fraction: float) -> str:
    if fraction < 0.02 or elapsed < 0.5:
        return "--:--"
    seconds = int(elapsed * (1 - fraction) / fraction + 0.5)
    return str(timedelta(seconds=seconds)).removeprefix("0:")


class RunProgress:
    """Progress of a run over files weighted by ``weights`` (e.g. their sizes in bytes).

    ``update(index, fraction)`` reports file ``index`` at ``fraction`` (0-1); ``done(index)``
    marks it finished, whether it succeeded or not; ``close()`` ends the line.
    """

    def __init__(self, names: list[str], weights: list[float], *, stream=None, quiet=False):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = not quiet and self.stream.isatty()
        self.names = names
        total = float(sum(weights))
        self.weights = [w / total if total > 0 else 1.0 / len(weights) for w in weights]
        self.fractions = [0.0] * len(names)
        self.started: dict[int, float] = {}
        self.finished = 0
        self.t0 = time.monotonic()
        self.last_draw = 0.0
        self.drawn = False

    def update(self, index: int, fraction: float) -> None:
        self.started.setdefault(index, time.monotonic())
        self.fractions[index] = min(max(fraction, self.fractions[index]), 1.0)
        self._draw()

    def done(self, index: int) -> None:
        self.fractions[index] = 1.0
        self.started.pop(index, None)
        self.finished += 1
        self._draw(force=True)

    def callback(self, index: int):
        """A ``progress(fraction, stage)`` function for :func:`core.pipeline.generate`."""
        return lambda fraction, stage: self.update(index, fraction)

    def close(self) -> None:
        if self.enabled and self.drawn:
            self.stream.write("\n")
            self.stream.flush()

    def line(self, now: float) -> str:
        overall = sum(w * f for w, f in zip(self.weights, self.fractions, strict=True))
        text = (
            f"[{_bar(overall, 24)}] {overall:4.0%} {self.finished}/{len(self.names)} files, "
            f"{_left(now - self.t0, overall)} left"
        )
        long_running = [
            (start, index)
            for index, start in self.started.items()
            if now - start >= LONG_FILE_SECONDS and self.fractions[index] < 1.0
        ]
        if long_running:
            start, index = min(long_running)  # the one running longest
            fraction = self.fractions[index]
            text += (
                f" | {self.names[index]} [{_bar(fraction, 12)}] {fraction:4.0%} "
                f"{_left(now - start, fraction)} left"
            )
        return text

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last_draw < _REDRAW_SECONDS):
            return
        self.last_draw = now
        width = shutil.get_terminal_size((100, 24)).columns - 1
        self.stream.write("\r" + self.line(now)[:width].ljust(width))
        self.stream.flush()
        self.drawn = True
