"""The one synchronous path from audio to curves, shared by the CLI and the Blender operator.

audio -> (per segment) resample to 88.2 kHz -> model preprocessing -> features -> windowed
inference -> reference or product post-processing.

Long recordings: the reference normalises cepstra over the whole utterance, which on an hour of
audio would need several GB at once. Audio longer than ``SEGMENT_SECONDS`` is therefore cut at
pauses (the quietest 1/60 s frame in the last ``PAUSE_SEARCH_SECONDS`` before each limit) into
segments that start on exact 60 fps frame boundaries, and each segment is processed as its own
utterance. Peak normalisation (2025 family) still uses the peak of the whole recording. Shorter
audio is processed in one piece, exactly like the reference.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from .audio import (
    AudioSource,
    SourceAudio,
    band_limit,
    peak_normalize,
    read_audio,
    resample_to_model_rate,
)
from .blas import blas_threads
from .checkpoint import LoadedModel, load_checkpoint
from .constants import (
    BLENDSHAPE_NAMES,
    EMOTION_NAMES,
    MARKED_CHANNELS,
    MODEL_FPS,
    NUM_BLENDSHAPES,
    model_frame_times,
)
from .errors import CancelledError, NonFiniteResultError
from .features import check_length, extract_features
from .inference import CancelEvent, ProgressFn, run_model
from .loudness import frame_levels_db
from .postprocess import ProductOptions, product_postprocess, reference_postprocess
from .secondary import analyse, apply_secondary
from .torch_backend import torch_threads

log = logging.getLogger(__name__)

SEGMENT_SECONDS = 300.0
#: Below this size a model gains nothing from several threads (torch's or numpy's BLAS), and on a
#: busy machine two threads ran 1.5-5x slower than one (measured on the 2-core VM): such models
#: default to one.
SMALL_MODEL_PARAMETERS = 10_000_000
PAUSE_SEARCH_SECONDS = 60.0


@dataclass(frozen=True)
class LipSyncResult:
    """Curves for one clip.

    Attributes
    ----------
    values : np.ndarray
        (N, 61) blendshape weights in LiveLink order (:data:`BLENDSHAPE_NAMES`).
    emotions : np.ndarray
        (N, 7) emotion weights (:data:`EMOTION_NAMES`).
    fps : float
        Output frame rate.
    times : np.ndarray
        (N,) audio time in seconds of each row.
    reference : bool
        True when produced in reference mode (60 fps, the publishing code's post-processing).
    family : str
        Model family that produced it.
    """

    values: np.ndarray
    emotions: np.ndarray
    fps: float
    times: np.ndarray
    reference: bool
    family: str
    names: tuple[str, ...] = BLENDSHAPE_NAMES
    emotion_names: tuple[str, ...] = EMOTION_NAMES
    marked: tuple[str, ...] = MARKED_CHANNELS

    @property
    def num_frames(self) -> int:
        return int(self.values.shape[0])


def generate(
    source: AudioSource | SourceAudio,
    *,
    model: LoadedModel | str | None = None,
    options: ProductOptions | None = None,
    reference: bool = False,
    backend: str = "numpy",
    device: str = "cpu",
    threads: int | None = None,
    batch_size: int = 8,
    progress: ProgressFn | None = None,
    cancel: CancelEvent | None = None,
    **audio_kwargs,
) -> LipSyncResult:
    """Produce lip-sync curves for one audio input.

    Parameters
    ----------
    source
        Anything :func:`core.audio.read_audio` accepts (``audio_kwargs`` are passed to it), or an
        already-read :class:`SourceAudio`.
    model
        A loaded model, a checkpoint path, or None for the shipped default model.
    backend
        ``"numpy"`` (default, needs no torch) or ``"torch"``; used when ``model`` is loaded here.
    options
        Product-mode options; ignored when ``reference`` is True.
    reference
        Reproduce the publishing code's output exactly (60 fps, its post-processing).
    device, threads, batch_size
        Where and how wide the model runs; ``device`` matters for the torch backend only.
        ``threads`` sets torch's threads, or numpy's BLAS threads where that is OpenBLAS;
        ``threads=None``: one thread for small models (< 10 M parameters, e.g. the default
        model), the library's own choice otherwise.
    progress
        Called as ``progress(fraction, stage)`` with fraction in [0, 1].
    cancel
        Anything with ``is_set()``; when set, :class:`CancelledError` is raised.

    Raises
    ------
    NonFiniteResultError
        The model output or the result holds NaN or infinity (nothing is returned).
    """
    report = progress or (lambda fraction, stage: None)

    def check_cancel() -> None:
        if cancel is not None and cancel.is_set():
            raise CancelledError("cancelled")

    report(0.0, "reading audio")
    audio = source if isinstance(source, SourceAudio) else read_audio(source, **audio_kwargs)
    check_cancel()
    if not isinstance(model, LoadedModel):
        report(0.02, "loading model")
        model = load_checkpoint(model, backend=backend, device=device)
    if threads is None and model.parameter_count < SMALL_MODEL_PARAMETERS:
        threads = 1
    with (torch_threads if model.backend == "torch" else blas_threads)(threads):
        raw, levels = _raw_output(audio, model, batch_size, report, cancel)
    check_cancel()
    # Before post-processing: NaN would otherwise surface as an obscure error deep in smoothing.
    raw_times = model_frame_times(len(raw))
    refuse_non_finite(raw, BLENDSHAPE_NAMES + EMOTION_NAMES, raw_times, audio.name, "model output")
    report(0.97, "post-processing")
    if reference:
        out = reference_postprocess(raw, model.config.family)
        times = model_frame_times(len(out))
        result = LipSyncResult(
            out[:, :NUM_BLENDSHAPES],
            out[:, NUM_BLENDSHAPES:],
            float(MODEL_FPS),
            times,
            True,
            model.config.family,
        )
    else:
        options = options or ProductOptions()
        values, emotions, times = product_postprocess(raw, options, levels, audio.duration)
        if options.secondary.any_enabled:  # blinks, gaze, brows, head where the model is flat
            values = apply_secondary(
                values,
                times,
                analyse(audio.samples, audio.rate, levels),
                options.secondary,
                emotions=emotions,
                model_values=raw[:, :NUM_BLENDSHAPES] / 100,
                clamp=options.clamp,
            )
        result = LipSyncResult(values, emotions, options.fps, times, False, model.config.family)
    check_finite(result, audio.name)
    report(1.0, "done")
    return result


def check_finite(result: LipSyncResult, name: str) -> None:
    """Refuse a result holding NaN or infinity (the last guard before it is returned or written).

    Raises
    ------
    NonFiniteResultError
        Naming ``name``, how many values are bad, and the first bad channel and time.
    """
    refuse_non_finite(result.values, result.names, result.times, name)
    refuse_non_finite(result.emotions, result.emotion_names, result.times, name)
    if not np.isfinite(result.times).all():
        raise NonFiniteResultError(f"{name}: the result's frame times hold NaN or infinity")


def refuse_non_finite(
    array: np.ndarray, labels: tuple[str, ...], times: np.ndarray, name: str, what: str = "result"
) -> None:
    """Raise :class:`NonFiniteResultError` if (N, C) ``array`` holds NaN or infinity."""
    bad = ~np.isfinite(array)
    if bad.any():
        frame, column = (int(i) for i in np.argwhere(bad)[0])
        raise NonFiniteResultError(
            f"{name}: the {what} holds {int(bad.sum())} NaN/infinite values (first: "
            f"{labels[column]} at {float(times[frame]):.3f} s); the model or its checkpoint is "
            "broken, nothing was written"
        )


def segment_bounds(
    audio: SourceAudio, *, max_seconds: float = SEGMENT_SECONDS
) -> list[tuple[int, int]]:
    """Split points (in 60 fps frames) for audio longer than ``max_seconds``, cut at pauses."""
    total = int(np.ceil(audio.duration * MODEL_FPS))
    limit = int(max_seconds * MODEL_FPS)
    if total <= limit:
        return [(0, total)]
    per_frame = audio.rate / MODEL_FPS
    search = int(PAUSE_SEARCH_SECONDS * MODEL_FPS)
    bounds, start = [], 0
    while total - start > limit:
        lo, hi = start + limit - search, start + limit
        energy = [
            _frame_energy(audio.samples, int(round(f * per_frame)), int(round((f + 1) * per_frame)))
            for f in range(lo, hi)
        ]
        cut = lo + int(np.argmin(energy))
        bounds.append((start, cut))
        start = cut
    bounds.append((start, total))
    return bounds


def _frame_energy(samples: np.ndarray, a: int, b: int) -> float:
    chunk = samples[a:b]
    return float(np.mean(chunk.astype(np.float64) ** 2)) if len(chunk) else 0.0


def _raw_output(
    audio: SourceAudio,
    loaded: LoadedModel,
    batch_size: int,
    report: ProgressFn,
    cancel: CancelEvent | None,
) -> tuple[np.ndarray, np.ndarray]:
    """(raw model output (T, 68), level in dBFS of each model frame (T,)) for the whole audio."""
    cfg = loaded.config
    bounds = segment_bounds(audio)
    # One piece: the peak of the resampled audio, as the reference. Segments: the whole file's.
    global_peak = float(np.max(np.abs(audio.samples))) if len(bounds) > 1 else 0.0
    total = bounds[-1][1]
    pieces, levels = [], []
    for index, (first, last) in enumerate(bounds):
        if cancel is not None and cancel.is_set():
            raise CancelledError("cancelled")
        span = slice(
            int(round(first * audio.rate / MODEL_FPS)), int(round(last * audio.rate / MODEL_FPS))
        )
        base = 0.05 + 0.9 * first / total
        width = 0.9 * (last - first) / total
        report(base, "features")
        y = resample_to_model_rate(audio.samples[span], audio.rate)
        if index == 0 and len(bounds) == 1:
            check_length(len(y), audio.name)
        if cfg.band_limit_rate:
            y = band_limit(y, cfg.band_limit_rate)
        if cfg.peak_normalize:
            y = y / global_peak if global_peak > 0 else peak_normalize(y)
        features = extract_features(y, cfg.family, name=audio.name)
        raw = run_model(
            features,
            loaded,
            batch_size=batch_size,
            cancel=cancel,
            progress=lambda f, stage, b=base, w=width: report(b + w * (0.3 + 0.7 * f), stage),
        )
        last_segment = index == len(bounds) - 1
        keep = len(raw) if last_segment else last - first
        pieces.append(raw[:keep])
        levels.append(frame_levels_db(y)[:keep])
    return np.concatenate(pieces, axis=0), np.concatenate(levels)
