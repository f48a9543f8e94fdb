"""Sweeps: many experiments (tasks) on a backend (local processes or Dask), identical for any worker count.

Each :class:`Task` is a complete experiment description (p, q, coders, n, trials, block). Task
``i`` of a sweep with master seed ``S`` is seeded with the entropy ``(S, i)``; trial ``t`` inside
it with ``SeedSequence([S, i, t])`` (see :mod:`simulations.experiment`). Nothing depends on
which process ran a task or in which order tasks finished, so ``--workers 1`` and
``--workers 8`` give the same numbers; results are returned in task order.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from codebook.distributions import Distribution

from .backends import Backend, ExecutorBackend, make_backend
from .experiment import CoderSpec, ExperimentResult, family_count, run_experiment


@dataclass(frozen=True)
class Task:
    """One experiment of a sweep. ``x`` is its coordinate on the sweep's axis; ``meta`` is
    free-form (JSON-ready) information the catalog's figures use (e.g. ``{"m": 1024}``)."""

    label: str
    p: Distribution
    q: Distribution
    coders: tuple[CoderSpec, ...]
    n: int
    trials: int
    x: float | None = None
    block: int = 1
    p_spec: str = ""
    q_spec: str = ""
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    run: Callable[..., ExperimentResult] | None = None
    """A task that is not an i.i.d. (p, q) experiment runs ``run(task, master_seed, index,
    family)`` instead (a module-level function, so that it pickles): the sequence sweeps."""


def family_size(tasks: Sequence[Task]) -> int:
    """Upper count of the statistical tests a sweep judges (:func:`experiment.family_count` per task:
    one per coder and message, one pooled per coder, one for the sample's counts; unencodable
    messages have none, so the count is conservative). Bonferroni over this m keeps the level
    for the whole sweep."""
    return sum(family_count(len(t.coders), t.trials) for t in tasks)


def run_task(task: Task, master_seed: int, index: int, family: int | None = None) -> ExperimentResult:
    """Run one task with the seed entropy ``(master_seed, index)`` (top-level: picklable)."""
    if task.run is not None:
        return task.run(task, master_seed, index, family)
    return run_experiment(task.p, task.q, task.coders, task.n, task.trials, (master_seed, index),
                          block=task.block, label=task.label, p_spec=task.p_spec, q_spec=task.q_spec, x=task.x,
                          family_size=family)


def run_sweep(tasks: Sequence[Task], master_seed: int, *, workers: int = 1, executor: cf.Executor | None = None,
              backend: Backend | None = None, progress: Callable[[int], None] | None = None) -> list[ExperimentResult]:
    """Run every task; return the results in task order.

    Where the tasks run: ``backend`` (any :class:`simulations.backends.Backend`, e.g. Dask), or
    ``executor`` (any ``concurrent.futures.Executor``, kept open), or else ``workers`` local
    processes (capped by :func:`simulations.backends.cap_workers`). ``progress`` is called with
    1 each time a task finishes (e.g. a click progress bar's ``update``). Verdicts use one
    Bonferroni family for the whole sweep (:func:`family_size`).
    """
    family = family_size(tasks)
    results: list[ExperimentResult | None] = [None] * len(tasks)
    calls = ((i, (task, master_seed, i, family)) for i, task in enumerate(tasks))
    with contextlib.ExitStack() as stack:
        if backend is None:
            backend = (ExecutorBackend(executor, getattr(executor, "_max_workers", 2)) if executor is not None
                       else stack.enter_context(make_backend(workers, calls=len(tasks))))
        for i, result in backend.imap_unordered(run_task, calls):
            results[i] = result
            if progress is not None:
                progress(1)
    return results  # type: ignore[return-value]
