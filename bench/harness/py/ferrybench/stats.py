"""The statistics every number in a ferry benchmark report goes through.

Runs of two systems are taken alternately (A B A B ...), so run i of A and run i of B sit next
to each other in time. Ratios are therefore computed pair by pair and then summarised: a slow
drift of the machine (thermal, a neighbour's build) moves both halves of a pair and cancels in
their ratio, where a ratio of two medians would keep it.
"""

from __future__ import annotations

import math
from typing import Iterable, Optional, Sequence


def _finite(xs: Iterable[Optional[float]]) -> list[float]:
    out = []
    for x in xs:
        if x is None:
            continue
        x = float(x)
        if math.isnan(x):
            continue
        out.append(x)
    return out


def quantile(xs: Sequence[Optional[float]], q: float) -> float:
    """Linear interpolation between closest ranks (Hyndman & Fan type 7, numpy's default).

    quantile(xs, 0.5) is the median; None and NaN samples are ignored. Raises ValueError on
    an empty input or q outside [0, 1].
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile {q} outside [0, 1]")
    data = sorted(_finite(xs))
    if not data:
        raise ValueError("quantile of no samples")
    pos = (len(data) - 1) * q
    lo = math.floor(pos)
    hi = math.ceil(pos)
    if lo == hi:
        return data[lo]
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def median(xs: Sequence[Optional[float]]) -> float:
    return quantile(xs, 0.5)


def iqr(xs: Sequence[Optional[float]]) -> tuple[float, float]:
    """(25th, 75th) percentile: the spread reported beside every median."""
    return quantile(xs, 0.25), quantile(xs, 0.75)


def summarize(xs: Sequence[Optional[float]]) -> dict:
    """median, p25, p75, min, max and n of the finite samples."""
    data = _finite(xs)
    if not data:
        raise ValueError("summary of no samples")
    p25, p75 = iqr(data)
    return {
        "median": median(data),
        "p25": p25,
        "p75": p75,
        "min": min(data),
        "max": max(data),
        "n": len(data),
    }


def _usable(x) -> bool:
    return x is not None and not math.isnan(float(x))


def pairwise(a: Sequence[Optional[float]], b: Sequence[Optional[float]], op: str) -> list[Optional[float]]:
    """Run-aligned a[i] op b[i] ("ratio": a/b, "difference": a-b); None where either run is
    missing or NaN, or (ratio) b[i] is zero.

    a and b are per-run values in run order (run i of each system was taken back to back).
    Raises ValueError when the sequences have different lengths: that means the runs were not
    taken in pairs, and pairing them by position would be wrong.
    """
    if len(a) != len(b):
        raise ValueError(f"unpaired runs: {len(a)} vs {len(b)}")
    if op not in ("ratio", "difference"):
        raise ValueError(f"unknown pairwise operation {op!r}")
    out: list[Optional[float]] = []
    for x, y in zip(a, b):
        if not _usable(x) or not _usable(y) or (op == "ratio" and float(y) == 0.0):
            out.append(None)
        else:
            out.append(float(x) / float(y) if op == "ratio" else float(x) - float(y))
    return out


def pairwise_ratios(a: Sequence[Optional[float]], b: Sequence[Optional[float]]) -> list[float]:
    """a[i] / b[i] for every run index where both runs exist and b[i] is non-zero."""
    return [r for r in pairwise(a, b, "ratio") if r is not None]


def pairwise_ratio_summary(a: Sequence[Optional[float]], b: Sequence[Optional[float]]) -> Optional[dict]:
    """summarize(pairwise_ratios(a, b)), or None when no pair is complete."""
    ratios = pairwise_ratios(a, b)
    if not ratios:
        return None
    s = summarize(ratios)
    s["ratios"] = ratios
    return s


def percentile_of_samples(samples: Sequence[float], pct: float) -> float:
    """The pct-th percentile (0-100) of one run's raw samples (latencies), same definition."""
    return quantile(samples, pct / 100.0)
