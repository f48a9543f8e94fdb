"""How many calls go to a worker in one task: by the calls left, and by what the calls cost.

A task costs CPU in the process that sends it: 2-4.5 ms in a Dask client and scheduler
(``scripts/bench.py grid`` prints 1.9 ms for a task of one tiny cell on a 1-worker cluster;
tasks of 4-25 cells of its 400-cell grid on 2 workers cost about 4.5 ms, measured once by hand:
0.54 s for 100 tasks, 0.17 s for 16), as much as a small grid cell, and on a small machine that
CPU is taken from the workers (400 cells of ~5 ms ran only 1.24x faster on 2 Dask workers than
on 1, one cell per task). So the backends send calls in batches, each sized by
:class:`BatchPlan` as the smallest of:

* ``ceil(remaining / (2 x workers))``: large batches while many calls are left, then halving
  ones, so that the workers finish together whatever the calls cost (the rule of *factoring*,
  Hummel, Schonberg and Flynn, "Factoring: a method for scheduling parallel loops", CACM 35(8),
  1992, applied to each batch as it is sent);
* :data:`MAX_BATCH`, and 1/(8 x workers) of all the calls: fewer than 16 calls a worker (a
  catalogue sweep's experiments, mostly) go one per task;
* :data:`TARGET_SECONDS` of work, at the mean cost of the calls finished so far, and one call
  per task until the first finishes: calls of more than half of it (0.125 s) on average go
  alone, so each grid cell of that size reaches the journal, the progress bar and the safety of
  ``--resume`` as soon as it ends, as with no batching at all.

Batches change only where and when calls run, never what they return.
"""

from __future__ import annotations

import time
from collections.abc import Callable

MAX_BATCH = 32
"""Most calls in one task."""

TARGET_SECONDS = 0.25
"""Work per batch once the calls' cost is known: about 50 times a task's CPU cost in the sender
(so that cost stays near 2 %), and short enough that a batch's results still arrive several
times a second."""


class BatchPlan:
    """Sizes the batches of one run of ``calls`` calls (None: not known) on ``workers`` workers.

    The backend asks :meth:`next_size` before it sends a batch, says how many calls it sent
    with :meth:`sent` and reports each finished batch to :meth:`finished`.
    """

    def __init__(self, calls: int | None, workers: int):
        self.workers = max(1, workers)
        self.remaining = calls or 0
        self.most = max(1, min(MAX_BATCH, calls // (8 * self.workers))) if calls else 1
        self.done = 0
        self.seconds = 0.0

    @property
    def cost_known(self) -> bool:
        """Whether a batch has finished, so that the calls' cost has been measured."""
        return self.done > 0

    def next_size(self) -> int:
        """Calls in the next batch (at least 1)."""
        if self.most == 1 or not self.cost_known:
            return 1
        size = min(self.most, -(-self.remaining // (2 * self.workers)))
        if self.seconds > 0:
            size = min(size, int(TARGET_SECONDS * self.done / self.seconds))
        return max(1, size)

    def sent(self, count: int) -> None:
        self.remaining = max(0, self.remaining - count)

    def finished(self, count: int, seconds: float) -> None:
        """A batch of ``count`` calls took ``seconds`` on its worker."""
        self.done += count
        self.seconds += seconds


def run_batch(fn: Callable, batch: list[tuple]) -> tuple[list, float]:
    """One task, on a worker: the calls of ``batch`` in a row; their results in order, and the
    seconds they took (for :meth:`BatchPlan.finished`)."""
    start = time.perf_counter()
    results = [fn(*args) for args in batch]
    return results, time.perf_counter() - start


__all__ = ["MAX_BATCH", "TARGET_SECONDS", "BatchPlan", "run_batch"]
