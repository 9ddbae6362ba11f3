"""Running a planned ``neurosync infer``: one model, many files, optionally over processes.

Process rules: workers get plain data (a checkpoint path, the settings, a file path) and send
back a finished :class:`LipSyncResult`; only the parent process writes files, so temp files,
signal clean-up and the NaN guard live in one place, and ``--jobs N`` writes exactly the bytes
``--jobs 1`` does. Each worker loads the model once (in its initializer). A file that fails is
recorded with its reason and the run goes on with the others.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import queue
import signal
import time
from concurrent import futures
from dataclasses import dataclass, replace
from pathlib import Path

from .atomic import atomic_open
from .batch import Plan
from .errors import AudioError, CheckpointError, NeuroSyncError, OptionsError, OutputError
from .postprocess import ProductOptions
from .progress import RunProgress
from .validate import CPUS


@dataclass(frozen=True)
class Settings:
    """How every file is processed (picklable: crosses to the worker processes)."""

    options: ProductOptions | None
    reference: bool = False
    device: str = "cpu"
    threads: int | None = None
    batch_size: int = 8
    backend: str = "numpy"


@dataclass(frozen=True)
class Outcome:
    """What happened to one input; ``code`` is 0 (written), 2 (unusable input) or 1 (failed)."""

    source: str
    output: str
    code: int
    duration: float | None = None
    frames: int | None = None
    fps: float | None = None
    family: str | None = None
    seconds: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.code == 0


def exit_code(exc: BaseException) -> int:
    """2 for bad inputs, arguments, checkpoints or output locations; 1 for failures in the work."""
    return 2 if isinstance(exc, AudioError | OptionsError | CheckpointError | OutputError) else 1


def compute(source: Path, get_model, settings: Settings, progress=None):
    """Read ``source`` and produce its result: (result, audio seconds). Raises on failure.

    ``get_model()`` returns the LoadedModel; it is called only once the audio proved readable.
    """
    from .audio import read_audio
    from .pipeline import generate

    audio = read_audio(source)
    start = settings.options.start_time if settings.options is not None else 0.0
    if start >= audio.duration:
        raise OptionsError(
            f"{source}: --start {start:g} s is at or past the end of the audio "
            f"({audio.duration:.3f} s)"
        )
    result = generate(
        audio,
        model=get_model(),
        options=settings.options,
        reference=settings.reference,
        backend=settings.backend,
        device=settings.device,
        threads=settings.threads,
        batch_size=settings.batch_size,
        progress=progress,
    )
    return result, audio.duration


def run(plan: Plan, model: str | None, settings: Settings, *, jobs: int, progress: RunProgress):
    """Process every job of ``plan``; returns one :class:`Outcome` per job, in plan order.

    Raises
    ------
    NeuroSyncError
        Only for what stops every file: the checkpoint cannot be loaded, the device is missing.
    """
    from .checkpoint import load_checkpoint

    cache = []
    load_seconds = [0.0]  # not charged to the file that happened to trigger the load

    def loaded():  # once, and only when a file's audio was readable (bad audio fails fast)
        if not cache:
            started = time.monotonic()
            cache.append(load_checkpoint(model, backend=settings.backend, device=settings.device))
            load_seconds[0] = time.monotonic() - started
        return cache[0]

    jobs = min(jobs, len(plan.jobs))
    outcomes: list[Outcome | None] = [None] * len(plan.jobs)
    if jobs <= 1:
        for index, job in enumerate(plan.jobs):
            started, load_seconds[0] = time.monotonic(), 0.0
            try:
                result, duration = compute(job.source, loaded, settings, progress.callback(index))
            except CheckpointError:
                raise
            except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the rest
                result, duration = exc, None
            seconds = time.monotonic() - started - load_seconds[0]
            outcomes[index] = _finish(plan, index, result, duration, seconds)
            progress.done(index)
        return outcomes
    from .pipeline import SMALL_MODEL_PARAMETERS

    first = loaded()  # refuse a bad checkpoint once, here, not in every worker
    if settings.threads is None and first.parameter_count >= SMALL_MODEL_PARAMETERS:
        settings = replace(settings, threads=max(1, CPUS // jobs))  # no oversubscription
    context = multiprocessing.get_context("spawn")  # never fork a process that imported torch
    updates = context.Queue()
    pool = futures.ProcessPoolExecutor(
        jobs,
        mp_context=context,
        initializer=_init_worker,
        initargs=(str(first.path), settings, updates),
    )
    try:
        pending = {pool.submit(_work, i, str(job.source)): i for i, job in enumerate(plan.jobs)}
        while pending:
            done, _ = futures.wait(pending, timeout=0.1, return_when=futures.FIRST_COMPLETED)
            _drain(updates, progress)
            for future in done:
                index = pending.pop(future)
                try:
                    result, duration, seconds = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker died (e.g. out of memory)
                    result, duration, seconds = exc, None, 0.0
                outcomes[index] = _finish(plan, index, result, duration, seconds)
                progress.done(index)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        # Python 3.11 has no public way to stop busy workers; on an interrupt they would run on.
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
    return outcomes


def _finish(plan: Plan, index: int, result, duration, seconds: float) -> Outcome:
    """Write a computed result (parent process only) and describe the outcome."""
    from .export import write_result

    job = plan.jobs[index]
    base = {"source": str(job.source), "output": str(job.output), "duration": duration}
    if isinstance(result, BaseException):
        return Outcome(**base, code=exit_code(result), seconds=seconds, error=_describe(result))
    try:
        write_result(result, job.output, plan.fmt)
    except Exception as exc:  # noqa: BLE001 - a full disk for one file still reports the rest
        return Outcome(**base, code=exit_code(exc), seconds=seconds, error=_describe(exc))
    return Outcome(
        **base,
        code=0,
        frames=result.num_frames,
        fps=result.fps,
        family=result.family,
        seconds=round(seconds, 3),
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, NeuroSyncError):
        return str(exc)
    return f"internal error: {type(exc).__name__}: {exc}"


_worker: dict = {}


def _init_worker(model_path: str, settings: Settings, updates) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    from .checkpoint import load_checkpoint

    _worker.update(settings=settings, updates=updates)
    try:
        _worker["model"] = load_checkpoint(
            model_path, backend=settings.backend, device=settings.device
        )
    except NeuroSyncError as exc:
        _worker["model"] = exc


def _work(index: int, source: str):
    """Worker side: (result or the exception, audio seconds, seconds taken)."""
    started = time.monotonic()
    loaded = _worker["model"]
    last = [0.0]

    def report(fraction: float, stage: str) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.1 or fraction >= 1.0:
            last[0] = now
            _worker["updates"].put((index, fraction))

    try:
        if isinstance(loaded, BaseException):
            raise loaded
        result, duration = compute(Path(source), lambda: loaded, _worker["settings"], report)
    except Exception as exc:  # noqa: BLE001 - sent back, reported per file by the parent
        return exc, None, time.monotonic() - started
    return result, duration, time.monotonic() - started


def _drain(updates, progress: RunProgress) -> None:
    with contextlib.suppress(queue.Empty, OSError, ValueError):
        while True:
            index, fraction = updates.get_nowait()
            progress.update(index, fraction)


def write_report(path: str, outcomes: list[Outcome], model: dict, code: int) -> None:
    """``--report``: one entry per input, written atomically like every output."""
    doc = {
        "exit_code": code,
        "model": model,
        "files": [
            {
                "input": o.source,
                "output": o.output if o.ok else None,
                "status": "ok" if o.ok else "failed",
                "duration_s": None if o.duration is None else round(o.duration, 6),
                "frames": o.frames,
                "fps": o.fps,
                "model": model.get("path"),
                "family": o.family,
                "seconds": round(o.seconds, 3),
                "error": o.error,
            }
            for o in outcomes
        ],
    }
    with atomic_open(path, "w") as fh:
        json.dump(doc, fh, indent=2, allow_nan=False)
        fh.write("\n")
