"""Small numpy building blocks shared by the parts: sampling fitted distributions, pulses."""

from __future__ import annotations

import numpy as np


def sample_quantiles(
    u: np.ndarray | float, quantiles: tuple[float, float, float]
) -> np.ndarray | float:
    """Inverse CDF through (p10, p50, p90), linear between and extended linearly to p0 / p100.

    ``u`` in [0, 1]; each tail reaches a quarter of the neighbouring span beyond p10 / p90, so
    extreme draws stay near the fitted range.
    """
    p10, p50, p90 = quantiles
    xs = (0.0, 0.1, 0.5, 0.9, 1.0)
    ys = (max(0.0, p10 - 0.25 * (p50 - p10)), p10, p50, p90, p90 + 0.25 * (p90 - p50))
    return np.interp(u, xs, ys)


def pulse(
    times: np.ndarray, start: float, rise: float, hold: float, fall: float
) -> tuple[slice, np.ndarray]:
    """A 0 -> 1 -> 0 pulse (raised-cosine flanks) on sorted ``times``; returns (span, values).

    Only the rows the pulse covers are computed, so a take with many events stays cheap.
    """
    end = start + rise + hold + fall
    lo, hi = times.searchsorted(start), times.searchsorted(end)
    t = times[lo:hi] - start
    # minimum/maximum, not np.clip (several times slower on a short span): they differ only
    # in the sign of a zero, which the cosine ignores
    up = 0.5 - 0.5 * np.cos(np.pi * np.minimum(np.maximum(t / max(rise, 1e-6), 0.0), 1.0))
    fall_t = np.minimum(np.maximum((t - rise - hold) / max(fall, 1e-6), 0.0), 1.0)
    down = 0.5 + 0.5 * np.cos(np.pi * fall_t)
    return slice(lo, hi), np.minimum(up, down)


def moving_average(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average of (T,) ``x`` over ``width`` samples, edges held."""
    if width <= 1 or len(x) < 2:
        return x.astype(np.float64)
    padded = edge_pad(x.astype(np.float64), width // 2, width - 1 - width // 2)
    csum = np.concatenate([[0.0], np.cumsum(padded)])
    return (csum[width:] - csum[:-width]) / width


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) indices of the True runs of a (T,) boolean mask."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def edge_pad(x: np.ndarray, before: int, after: int) -> np.ndarray:
    """(T,) ``x`` with its first and last value repeated ``before`` and ``after`` times.

    ``np.pad(x, (before, after), mode="edge")`` for a non-empty 1-D array, without its
    argument handling (tens of microseconds a call, several calls per take).
    """
    return np.concatenate([np.repeat(x[:1], before), x, np.repeat(x[-1:], after)])


def sliding_max(x: np.ndarray, before: int, after: int) -> np.ndarray:
    """(T,) maximum of ``x[i - before : i + after + 1]`` with the edge values held beyond the ends.

    One vector maximum per offset: a per-frame reduction over so short a window is mostly
    call overhead.
    """
    padded = edge_pad(x, before, after)
    out = padded[: len(x)].copy()
    for k in range(1, before + after + 1):
        np.maximum(out, padded[k : k + len(x)], out=out)
    return out


def percentile(x: np.ndarray, q: float | list[float]) -> np.ndarray | float:
    """``np.percentile(x, q, axis=0)`` (its default "linear" method) for finite, non-empty
    (T,) or (T, C) ``x``, to the bit, without its generality (which costs a few hundred
    microseconds a call on short takes); ``q`` a percentage or a list of them."""
    x = np.asarray(x, dtype=np.float64)
    last = len(x) - 1
    picks = []
    for pct in np.atleast_1d(q).tolist():
        virtual = last * (pct / 100)
        below = min(int(np.floor(virtual)), last)
        picks.append((below, min(below + 1, last), virtual - below if virtual < last else 1.0))
    part = np.partition(x, sorted({k for pick in picks for k in pick[:2]}), axis=0)
    out = [_lerp(part[a], part[b], t) for a, b, t in picks]
    return out[0] if np.ndim(q) == 0 else np.array(out)


def _lerp(a, b, t: float):
    """numpy's quantile interpolation: from the nearer end, so t = 1 gives b exactly."""
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def median(x: np.ndarray) -> float:
    """``np.median`` of a finite, non-empty (T,) ``x``, to the bit, without its overhead."""
    half = len(x) // 2
    if len(x) % 2:
        return float(np.partition(x, half)[half])
    part = np.partition(x, [half - 1, half])
    return float((part[half - 1] + part[half]) / 2)
