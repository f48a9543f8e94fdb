"""Where the cells of a sweep run: in this process, in local worker processes, or on Dask.

Every backend does one thing: call a top-level function on a stream of argument tuples and
yield ``(key, result)`` pairs as the calls finish, in any order. Calls travel to workers in
batches (:mod:`.batching`) and at most ``window`` batches are in flight at once, so a sweep
of 10^6 cells holds a bounded number of arguments and results in memory whatever its size.
Results never depend on the backend: each call carries everything it needs (its seed
included), so the numbers are the same on every backend and worker count.

* :class:`SerialBackend`: in this process, in order (``workers = 1``);
* :class:`ExecutorBackend`: any ``concurrent.futures`` executor; :func:`make_backend` builds
  a ``ProcessPoolExecutor`` of ``workers`` local processes;
* :class:`DaskBackend`: Dask distributed, either a ``LocalCluster`` of N worker processes
  started here (``"local:N"``) or a running scheduler (``"tcp://HOST:PORT"``). Dask is an
  optional extra: ``pip install "codebook[dask]"``.

``workers`` is capped by :func:`cap_workers` (at most the number of calls, and at most
:data:`MAX_WORKERS` local processes), from :mod:`simulations.workers`: the one place the CLI and
the library cap it.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import importlib.util
import itertools
import logging
import os
import signal
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from codebook.errors import CodebookError

from .batching import BatchPlan, run_batch
from .workers import MAX_WORKERS, cap_workers, parse_dask

DASK_HINT = 'pip install "codebook[dask]" (in a checkout: pip install ".[dask]")'


class BackendError(CodebookError):
    """A backend cannot be set up: a bad ``--dask`` address, Dask not installed, no scheduler."""


def default_window(workers: int) -> int:
    """Tasks in flight: enough to keep every worker busy while results travel back."""
    return 4 * workers + 4


class Backend:
    """Runs ``fn(*args)`` for a stream of ``(key, args)``; yields ``(key, result)`` as calls finish.

    A context manager: leaving it stops what the backend started (processes, a local cluster),
    also after an error or Ctrl-C. ``description`` says where the calls run; ``dashboard`` is a
    URL to watch them (Dask only), else None.
    """

    workers: int = 1
    description: str = "in this process"
    dashboard: str | None = None
    calls: int | None = None
    """How many calls are to come, if known: lets short calls share a task (:mod:`.batching`)."""
    tasks: int = 0
    """Tasks the last :meth:`imap_unordered` sent (a pool's; the serial backend sends none)."""

    def imap_unordered(self, fn: Callable, calls: Iterable[tuple[Any, tuple]],
                       window: int | None = None) -> Iterator[tuple[Any, Any]]:
        raise NotImplementedError

    def _run_in_batches(self, fn: Callable, calls: Iterable[tuple[Any, tuple]],
                        window: int | None) -> Iterator[tuple[Any, Any]]:
        """The loop of the pools: send the calls in batches sized by a :class:`BatchPlan`
        (``_submit``), one task a worker until the calls' cost is known and then up to
        ``window`` in flight, and yield each result as its batch comes back (``_completions``);
        whatever is still in flight when this stops is cancelled (``_cancel``)."""
        plan = BatchPlan(self.calls, self.workers)
        window = window or default_window(self.workers)
        source = iter(calls)
        in_flight: dict[Any, list] = {}
        self.tasks = 0

        def top_up(limit: int) -> None:
            while len(in_flight) < limit:
                batch = list(itertools.islice(source, plan.next_size()))
                if not batch:
                    return
                plan.sent(len(batch))
                in_flight[self._submit(fn, [args for _, args in batch])] = [key for key, _ in batch]
                self.tasks += 1

        try:
            top_up(min(self.workers, window))
            for handle, (results, seconds) in self._completions(in_flight):
                keys = in_flight.pop(handle)
                plan.finished(len(keys), seconds)
                top_up(window)  # before the results go on: the workers are not kept waiting
                yield from zip(keys, results)
        finally:
            self._cancel(in_flight)

    def _submit(self, fn: Callable, batch: list[tuple]) -> Any:
        raise NotImplementedError

    def _completions(self, in_flight: dict) -> Iterator[tuple[Any, tuple[list, float]]]:
        raise NotImplementedError

    def _cancel(self, in_flight: dict) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the backend started; safe to call twice."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SerialBackend(Backend):
    """Each call in this process, in order: the ``workers = 1`` backend (no pickling at all)."""

    def imap_unordered(self, fn, calls, window=None):
        for key, args in calls:
            yield key, fn(*args)


class ExecutorBackend(Backend):
    """Calls on a ``concurrent.futures`` executor, in batches (:mod:`.batching`; one call per task
    when the number of calls is not given), at most ``window`` tasks in flight.

    ``own=True``: the executor is shut down on :meth:`close` (and its processes stopped at once
    if the run is interrupted); otherwise the caller keeps it.
    """

    def __init__(self, executor: cf.Executor, workers: int, *, own: bool = False, description: str = "",
                 calls: int | None = None):
        self.executor, self.workers, self.own, self.calls = executor, workers, own, calls
        self.description = description or f"on {workers} workers of {type(executor).__name__}"
        self._clean = True

    def imap_unordered(self, fn, calls, window=None):
        self._clean = False
        yield from self._run_in_batches(fn, calls, window)
        self._clean = True

    def _submit(self, fn, batch):
        return self.executor.submit(run_batch, fn, batch)

    def _completions(self, in_flight):
        while in_flight:
            done, _ = cf.wait(list(in_flight), return_when=cf.FIRST_COMPLETED)
            for future in done:
                yield future, future.result()

    def _cancel(self, in_flight):
        for future in in_flight:
            future.cancel()

    def close(self) -> None:
        if not self.own or self.executor is None:
            return
        executor, self.executor = self.executor, None
        if not self._clean and isinstance(executor, cf.ProcessPoolExecutor):
            # Interrupted or failed: stop the workers now instead of waiting for their calls.
            for proc in list(getattr(executor, "_processes", {}).values()):
                proc.terminate()
        executor.shutdown(wait=True, cancel_futures=True)


def _ignore_sigint() -> None:
    """Worker initializer: Ctrl-C goes to the whole process group; only the parent handles it
    (and then stops its workers), so workers print no tracebacks of their own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _sigint_ignored():
    """Ignore SIGINT while child processes are started (they inherit the disposition)."""
    try:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
}
"""Dask settings of a ``--dask local:N`` cluster (a cluster of your own keeps its settings). An
idle 2-worker LocalCluster with Dask's defaults takes about 60 ms of CPU a second (the workers'
statistical profiler samples 100 times a second, event-loop ticks every 20 ms, system and
memory monitors every 0.1-0.5 s); with these, about 12 ms. On a machine with as many cores as
workers that CPU is taken from the cells. Given up for it: the dashboard's Profile tab (the
profiler's only user), and work stealing, which has nothing to steal here: the tasks have no
dependencies and wait on the scheduler until a worker is free (Dask's task queuing)."""


@contextlib.contextmanager
def _local_cluster_settings():
    """Start local Dask workers with :data:`LOCAL_CLUSTER_CONFIG` and without Dask's default
    ``MALLOC_TRIM_THRESHOLD_=65536``: with it glibc maps and unmaps every array of a cell, and a
    cell costs twice the CPU (measured: 2.9 s instead of 1.5 s for the same 60 cells, the
    difference all system time). The workers keep Dask's one-thread settings for OpenMP, MKL and
    OpenBLAS."""
    import dask

    key = "MALLOC_TRIM_THRESHOLD_"
    environ = {k: v for k, v in dask.config.get("distributed.nanny.pre-spawn-environ", {}).items() if k != key}
    had = key in os.environ
    try:
        with dask.config.set({**LOCAL_CLUSTER_CONFIG, "distributed.nanny.pre-spawn-environ": environ}):
            yield
    finally:
        if not had:
            os.environ.pop(key, None)


def _load_kernels() -> None:
    """Run on each new Dask worker when the backend starts: import the coders and code one short
    message with each, then run one tiny experiment, so that numba's kernels load from the
    on-disk cache and SciPy is imported (about 1 s a process) while the cluster comes up, not
    inside the first cells. Local process workers need none: they are forked from a process
    that has already loaded them."""
    from codebook import coders

    for name in coders.names():
        with contextlib.suppress(Exception):  # a coder that cannot code this toy model loads later
            coders.load_kernels(name)
    with contextlib.suppress(Exception):  # the verdicts' statistics (SciPy) and the report's records
        from codebook import Distribution

        from .experiment import run_experiment
        from .report import compact

        p, q = Distribution([0.5, 0.25, 0.25]), Distribution([0.4, 0.4, 0.2])
        compact(run_experiment(p, q, coders.default_names(), 100, 2, 0))


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise BackendError(f"--dask needs Dask distributed, which is not installed: {DASK_HINT}") from None
    return distributed


class DaskBackend(Backend):
    """Calls on Dask distributed: a LocalCluster of N processes (``"local:N"``), a running
    scheduler (``"tcp://HOST:PORT"``), or a client you made yourself (:meth:`from_client`: any
    cluster manager, e.g. dask-jobqueue's SLURMCluster). Local worker processes run one call at a
    time each (one thread), like the local process backend; a remote scheduler's workers keep
    their own settings, and every worker must have the same codebook version installed."""

    def __init__(self, address: str | None = None, *, calls: int | None = None, connect_timeout: float = 10.0,
                 client=None):
        distributed = _import_distributed()
        self._cluster = None
        self._client = client
        self._own_client = client is None
        try:
            if client is not None:
                self.description = f"on the Dask scheduler at {client.scheduler.address}"
            else:
                try:
                    kind, value = parse_dask(address)
                except ValueError as exc:
                    raise BackendError(str(exc)) from None
                if kind == "local":
                    n = cap_workers(int(value), calls)
                    with _sigint_ignored(), _local_cluster_settings():  # Ctrl-C: this process stops the workers
                        self._cluster = distributed.LocalCluster(
                            n_workers=n, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                            silence_logs=logging.CRITICAL)
                    self._client = distributed.Client(self._cluster)
                    self.description = (f"on a Dask LocalCluster of {n} worker processes at "
                                        f"{self._cluster.scheduler_address}")
                else:
                    try:
                        self._client = distributed.Client(value, timeout=connect_timeout)
                    except (OSError, TimeoutError) as exc:
                        raise BackendError(f"--dask {value}: no Dask scheduler answers there ({exc}); start one "
                                           "with `dask scheduler` and workers with `dask worker ADDRESS`") from None
                    self.description = f"on the Dask scheduler at {value}"
            if self._cluster is not None:
                self._client.run(_load_kernels)
            info = self._client.scheduler_info()
            threads = sum(w.get("nthreads", 1) for w in info.get("workers", {}).values())
            self.workers = max(1, threads)
            self.description += f" ({threads} worker threads" + (", waiting for workers)" if not threads else ")")
            served = "dashboard" in info.get("services", {})
            # A local scheduler without bokeh serves only a page asking for it: no address then.
            if self._cluster is not None and importlib.util.find_spec("bokeh") is None:
                served = False
            self.dashboard = self._client.dashboard_link if served else None
        except BaseException:
            self.close()
            raise
        self._as_completed = distributed.as_completed
        self._run = uuid.uuid4().hex[:8]  # task keys unique on a shared scheduler
        self._serial = itertools.count()
        self.calls = calls

    @classmethod
    def from_client(cls, client, *, calls: int | None = None) -> DaskBackend:
        """Run on an existing ``distributed.Client`` (left open on :meth:`close`); ``calls``, the
        number of calls to come if known, lets short calls share tasks (:mod:`.batching`)."""
        return cls(client=client, calls=calls)

    def imap_unordered(self, fn, calls, window=None):
        # The client's event loop fetches each result as its task ends, rather than this thread
        # asking for it (one blocking round trip per task).
        self._finished = self._as_completed(with_results=True)
        yield from self._run_in_batches(fn, calls, window)

    def _submit(self, fn, batch):
        future = self._client.submit(run_batch, fn, batch, key=f"codebook-{self._run}-{next(self._serial)}",
                                     pure=False)
        self._finished.add(future)
        return future

    def _completions(self, in_flight):
        for future, value in self._finished:
            future.release()
            yield future, value

    def _cancel(self, in_flight):
        if in_flight and self._client is not None:
            self._client.cancel(list(in_flight))
        self._finished.clear()

    def close(self) -> None:
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        if client is not None and self._own_client:
            client.close()
        if cluster is not None:
            cluster.close()


def make_backend(workers: int = 1, dask: str | None = None, *, calls: int | None = None) -> Backend:
    """The backend for ``--workers N`` / ``--dask ADDRESS``: Dask if ``dask`` is given, else
    ``workers`` local processes (capped by :func:`cap_workers`), in this process when that is 1."""
    if dask is not None:
        return DaskBackend(dask, calls=calls)
    n = cap_workers(workers, calls)
    if n == 1:
        return SerialBackend()
    return ExecutorBackend(cf.ProcessPoolExecutor(max_workers=n, initializer=_ignore_sigint), n, own=True,
                           description=f"on {n} local worker processes", calls=calls)


__all__ = ["MAX_WORKERS", "Backend", "BackendError", "DaskBackend", "ExecutorBackend", "SerialBackend",
           "cap_workers", "make_backend", "parse_dask"]
