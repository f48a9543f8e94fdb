"""Shared timing helper for the benchmarks."""

from __future__ import annotations

import time


def best_of(fn, repeats: int = 3, clock=time.perf_counter) -> float:
    """Best seconds of ``repeats`` calls of ``fn`` after one warm-up call, by ``clock``
    (wall clock by default; ``time.process_time`` for this process's CPU time)."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = clock()
        fn()
        best = min(best, clock() - t0)
    return best


def rate(n: int, seconds: float) -> str:
    """Millions of symbols (or bytes) per second, for a table cell."""
    return f"{n / seconds / 1e6:8.1f}"
