"""User grids (``codebook sweep --grid``): speed-up of 2 workers over 1, Dask's per-cell overhead, memory.

    python scripts/bench.py grid            # 400-cell grids, 5 paired repeats (overhead: 3), memory at 1e3, 1e4, 1e5 cells
    python scripts/bench.py grid --quick    # 100-cell grids, 2 repeats, memory at 1e3 and 1e4 cells
    GRID_BENCH=memory python scripts/bench.py grid   # one part: speedups, overhead, memory (comma list)

Targets (issue 13), on a 2-core machine:

* speed-up of 2 workers over 1 on a 400-cell grid >= 1.7x, for local processes (``--workers``)
  and for Dask (``--dask local:N``);
* per-cell overhead of the Dask backend < 20 ms;
* peak memory of a grid of 10^5 small cells < 500 MB.

Method. Speed-ups are paired: each repeat times 1 worker and 2 workers back to back (the order
alternates between repeats), each on a backend started before the clock and stopped after (a
LocalCluster takes a few seconds to start: paid once per run, not per cell).
The timed part is the cell phase of ``run_grid``: from the backend's start (``on_start``) to
the last finished cell; the whole call (spec checks, journal, report with figures) is shown
next to it. 1 local worker is the in-process backend (what ``--workers 1`` runs); 1 Dask
worker is a LocalCluster of one process. The table gives the median ratio and its range over
the repeats. On a shared machine every other process takes cores from the 2 workers, so a
speed-up measured there is a lower bound: re-measure on a quiet machine (``uptime`` shows the
load; the script prints it before and after). Linux's autogroup scheduler shares the cores
between sessions, not processes: while other sessions keep the cores busy, a session gets
about its share whatever its number of workers, and the measured speed-up tends to 1. The
"CPU-bound estimate" column is robust to that: 2 x the CPU seconds of the 1-worker run over
the CPU seconds of all processes of the 2-worker run (parent and workers), i.e. the speed-up
on 2 idle cores if the cells spread evenly; it needs psutil (installed with the dask extra).

Dask's per-cell overhead: a grid of 400 tiny cells (n = 10, one coder, one trial; about 1 ms of
work) on a 1-process LocalCluster against the in-process backend, paired as above:
(t_dask - t_serial) / cells, with one cell per task and with the cells batched as ``--dask``
sends them (``simulations.batching``). The backends of the speed-up are told the number
of cells, as ``codebook sweep --grid`` tells them.

Memory: ``codebook sweep --grid`` in a fresh process on grids of 10^3, 10^4 and 10^5 small
cells (n = 10, one coder, one trial, in this process), peak resident memory of that process
(``ru_maxrss`` of the child). Flat in the number of cells means about the same figure for all
three; the run's wall time is printed too.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WORK_GRID = """
name = "bench-work"
coders = ["huffman", "arithmetic"]
p = "dirichlet:64:0.5:{{seed}}"
q = "temper({{p}}, 1.5)"
n = [5000, 10000]
trials = 2
seeds = [0, {half}]
"""

TINY_GRID = """
name = "bench-tiny"
coders = ["huffman"]
p = "dirichlet:8:1:{{seed}}"
q = "{{p}}"
n = 10
trials = 1
seeds = [0, {cells}]
"""


def _load():
    from simulations.grid import parse_grid

    return parse_grid


def _cpu() -> dict[int, float]:
    """CPU seconds (user + system) of this process and every process below it, by pid."""
    try:
        import psutil
    except ImportError:  # comes with the dask extra; without it the CPU column is left out
        return {}
    me = psutil.Process()
    out = {}
    for proc in [me, *me.children(recursive=True)]:
        try:
            t = proc.cpu_times()
            out[proc.pid] = t.user + t.system
        except psutil.Error:
            pass
    return out


def _timed(grid, make) -> tuple[float, ...]:
    """(cell phase, whole call, CPU seconds of this process tree, CPU seconds of this process,
    tasks sent) for one run of ``grid`` on a backend from ``make()``, started before the clock
    and the CPU count (a LocalCluster takes seconds to start) and stopped after, so no idle
    cluster runs next to the timed one."""
    from simulations.grid import run_grid

    marks: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, make() as backend:
        before = _cpu()
        t0 = time.perf_counter()
        run_grid(grid, Path(tmp) / "out", command="bench", backend=backend,
                 on_start=lambda info: marks.setdefault("start", time.perf_counter()),
                 progress=lambda k: marks.__setitem__("last", time.perf_counter()))
        total = time.perf_counter() - t0
        after = _cpu()
    cpu = sum(t - before.get(pid, 0.0) for pid, t in after.items()) if after else float("nan")
    own = after[os.getpid()] - before[os.getpid()] if after else float("nan")
    return marks["last"] - marks["start"], total, cpu, own, backend.tasks


def _paired(grid, one, two, repeats: int, label: str) -> list[tuple[float, ...]]:
    """Per repeat: (cells t1, cells t2, whole t1, whole t2, cpu 1, cpu 2, this process's CPU in run 2,
    tasks of run 2), 1 and 2 workers back to back (``one``, ``two``: backend factories); each
    repeat is printed as it ends."""
    out = []
    for r in range(repeats):
        if r % 2 == 0:
            a, b = _timed(grid, one), _timed(grid, two)
        else:
            b, a = _timed(grid, two), _timed(grid, one)
        out.append((a[0], b[0], a[1], b[1], a[2], b[2], b[3], b[4]))
        print(f"  {label} repeat {r + 1}: cells {a[0]:.2f} s / {b[0]:.2f} s = {a[0] / b[0]:.2f}x; CPU {a[2]:.1f} / "
              f"{b[2]:.1f} s; load {_load_avg()}", flush=True)
    return out


def _ratio_text(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}x ({min(values):.2f}-{max(values):.2f})"


def _load_avg() -> str:
    try:
        return " ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "?"


def speedups(quick: bool) -> None:
    from simulations.backends import DaskBackend, SerialBackend, make_backend

    parse_grid = _load()
    cells = 100 if quick else 400
    repeats = 2 if quick else 5  # a fresh cluster per run: single runs vary by 5-20% on a small VM
    grid = parse_grid(WORK_GRID.format(half=cells // 2))
    print(f"grid: {grid.shape_text()}; {repeats} paired repeats; load average before: {_load_avg()}", flush=True)
    _timed(parse_grid(WORK_GRID.format(half=2)), SerialBackend)  # numba's cache loaded, imports done
    rows = [("local processes (--workers)",
             _paired(grid, SerialBackend, lambda: make_backend(2, calls=cells), repeats, "processes")),
            ("Dask LocalCluster (--dask local:N)",
             _paired(grid, lambda: DaskBackend("local:1", calls=cells), lambda: DaskBackend("local:2", calls=cells),
                     repeats, "dask"))]
    print(f"load average after: {_load_avg()}")
    print()
    print(f"{'backend':36}  {'1 worker s':>10}  {'2 workers s':>11}  {'speed-up (cells)':>20}  "
          f"{'speed-up (whole call)':>22}  {'CPU s 1 / 2':>13}  {'CPU-bound estimate':>20}  target")
    for name, runs in rows:
        print(f"{name:36}  {statistics.median(r[0] for r in runs):10.2f}  {statistics.median(r[1] for r in runs):11.2f}"
              f"  {_ratio_text([r[0] / r[1] for r in runs]):>20}  {_ratio_text([r[2] / r[3] for r in runs]):>22}"
              f"  {statistics.median(r[4] for r in runs):6.1f}/{statistics.median(r[5] for r in runs):<6.1f}"
              f"  {_ratio_text([2 * r[4] / r[5] for r in runs]):>20}  >= 1.7x")
    print("CPU-bound estimate: 2 x CPU(1 worker) / CPU(2 workers), all processes of the run counted: the speed-up "
          "on 2 idle cores if the cells spread evenly (it charges the extra work of 2 workers, not a busy machine).")


def dask_overhead(quick: bool) -> None:
    from simulations.backends import DaskBackend, SerialBackend

    parse_grid = _load()
    cells = 400
    grid = parse_grid(TINY_GRID.format(cells=cells))
    repeats = 2 if quick else 3
    sender = []
    for calls, how in ((None, "one cell per task"), (cells, "cells batched as --dask runs them")):
        runs = _paired(grid, SerialBackend, lambda: DaskBackend("local:1", calls=calls), repeats,
                       f"overhead (in-process / Dask 1 worker, {how})")
        per = [(r[1] - r[0]) / cells * 1e3 for r in runs]
        serial = statistics.median(r[0] for r in runs) / cells * 1e3
        sender.append((statistics.median(r[6] for r in runs), statistics.median(r[7] for r in runs)))
        print(f"\n{cells} tiny cells (n = 10, huffman, 1 trial), {how}: in-process {serial:.2f} ms per cell; Dask "
              f"LocalCluster of 1 worker adds {statistics.median(per):.2f} ms per cell (range {min(per):.2f}-"
              f"{max(per):.2f} over {repeats} paired repeats; target < 20 ms); the sending process (client, "
              f"scheduler, journal, report) used {sender[-1][0]:.2f} s of CPU for {sender[-1][1]:.0f} tasks\n")
    (cpu_one, tasks_one), (cpu_batched, tasks_batched) = sender
    per_task = (cpu_one - cpu_batched) / (tasks_one - tasks_batched)
    print(f"CPU of one Dask task in the sending process: {per_task * 1e3:.1f} ms (the difference of the two runs "
          "over the difference of their task counts)\n")


def memory(quick: bool) -> None:
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    print(f"\n{'cells':>7}  {'peak RSS MB':>11}  {'seconds':>8}  (codebook sweep --grid in a fresh process, 1 worker; "
          "target at 1e5 cells: < 500 MB)")
    for cells in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "tiny.toml"
            path.write_text(TINY_GRID.format(cells=cells))
            t0 = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "codebook", "sweep", "--grid", str(path), "--out",
                                     str(Path(tmp) / "out"), "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.perf_counter() - t0
            if proc.returncode != 0:
                raise RuntimeError(f"the {cells}-cell grid failed with status {status}")
        print(f"{cells:7d}  {usage.ru_maxrss / 1024:11.0f}  {seconds:8.1f}", flush=True)


def run(quick: bool) -> None:
    parts = os.environ.get("GRID_BENCH", "speedups,overhead,memory").split(",")
    for name, part in (("speedups", speedups), ("overhead", dask_overhead), ("memory", memory)):
        if name in parts:
            part(quick)


__all__ = ["run"]
