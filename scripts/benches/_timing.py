"""Shared timing helper for the benchmarks."""

from __future__ import annotations

import time


def best_of(fn, repeats: int = 3) -> float:
    """Best wall-clock seconds of ``repeats`` calls of ``fn`` after one warm-up call."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def rate(n: int, seconds: float) -> str:
    """Millions of symbols (or bytes) per second, for a table cell."""
    return f"{n / seconds / 1e6:8.1f}"
