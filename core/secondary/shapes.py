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
