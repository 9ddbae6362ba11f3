"""A bake running in a background thread, polled from the modal operator's timer.

Thread rules:
- the worker gets a :class:`~.bake.BakeRequest` of plain data (gathered on the main thread), a
  cancel Event and a progress callback; it runs only :func:`~.bake.compute`, which never
  touches bpy;
- results cross back through a queue: ``("progress", fraction, stage)``, then exactly one of
  ``("done", curves)``, ``("error", message)`` or ``("cancelled", None)``;
- only the main thread reads the queue and writes to Blender (:func:`~.bake.apply`), so a
  cancelled or failed run writes nothing.
"""

from __future__ import annotations

import logging
import os
import queue
import threading

from .bake import BakeRequest, compute

log = logging.getLogger(__name__)

#: Friendlier words for the engine's stages.
STAGE_TEXT = {
    "features": "Analysing audio (the first run compiles the audio code, up to 30 s)",
    "reading audio": "Reading audio",
    "loading model": "Loading model",
}


def worker_threads() -> int:
    """Torch threads for the worker: leave one core for Blender's interface."""
    return max(1, (os.cpu_count() or 2) - 1)


class BakeJob:
    """One background bake. ``poll()`` from the main thread returns the new messages."""

    def __init__(self, request: BakeRequest):
        self.request = request
        self.cancel_event = threading.Event()
        self.messages: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="lipsync-bake", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.cancel_event.set()

    def poll(self) -> list[tuple]:
        out = []
        while True:
            try:
                out.append(self.messages.get_nowait())
            except queue.Empty:
                return out

    def _progress(self, fraction: float, stage: str) -> None:
        self.messages.put(("progress", float(fraction), STAGE_TEXT.get(stage, stage.capitalize())))

    def _run(self) -> None:
        from ..core.errors import REPORTED, CancelledError

        try:
            curves = compute(
                self.request,
                progress=self._progress,
                cancel=self.cancel_event,
                threads=worker_threads(),
            )
            if self.cancel_event.is_set():
                raise CancelledError("cancelled")
            self.messages.put(("done", curves))
        except CancelledError:
            self.messages.put(("cancelled", None))
        except REPORTED as exc:
            self.messages.put(("error", str(exc)))
        except Exception as exc:  # a bug: keep Blender alive and say so
            log.exception("lip sync worker failed")
            self.messages.put(("error", f"internal error: {exc!r}"))


#: The running job (one at a time), so the Cancel button can reach it.
current: BakeJob | None = None
