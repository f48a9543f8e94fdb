"""Scale in K: ``codebook simulate`` with 2**16 and 2**21 symbols, and where the time goes.

    python scripts/bench.py scale            # both commands, 3 runs each, then the breakdown
    python scripts/bench.py scale --quick    # one run each, breakdown at K = 2**16 only

Budgets (issue 10): ``codebook simulate --p zipf:2097152:1.1 --q uniform:2097152 --n 10000
--trials 1`` under 30 s and the same at K = 2**16 under 5 s, on 2 cores. Each run is a fresh
process (numba's compile cache warm, as for a user's second run): wall seconds (median and
range of the runs) and the CPU seconds of the child (user + sys), which a shared machine
disturbs less. At the default precision (20) the arithmetic and rANS coders need K <= 2**20,
so at K = 2**21 the command runs the prefix and adaptive coders and reports the stream coders
as not run.

The breakdown runs the same experiment in this process, the stream coders at precision 22, and
times each coder's construction (``coders.build``: the code itself) and its guarantee
(``theory.guarantee``: exact expectation, variance and, for Huffman, the exact q-side checks:
optimality by the sibling property, Kraft sum, Gallager, Fibonacci cap).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = [(16, 5.0), (21, 30.0)]


def _args(log_k: int) -> list[str]:
    k = 1 << log_k
    return ["simulate", "--p", f"zipf:{k}:1.1", "--q", f"uniform:{k}", "--n", "10000", "--trials", "1"]


def _run(args: list[str]) -> tuple[float, float]:
    before = os.times()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "codebook", *args], cwd=ROOT, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu


def _breakdown(log_k: int) -> None:
    from codebook import coders, parse_distribution, theory

    k = 1 << log_k
    p, q = parse_distribution(f"zipf:{k}:1.1"), parse_distribution(f"uniform:{k}")
    print(f"\nK = 2**{log_k}: seconds in this process (stream coders at precision 22)")
    print(f"{'coder':<12} {'build':>8} {'guarantee':>10}")
    for name in coders.names():
        options = {"precision": 22} if coders.info(name).kind == "stream" else {}
        t0 = time.perf_counter()
        code = coders.build(name, q, **options)
        t1 = time.perf_counter()
        theory.guarantee(name, coders.info(name).kind, code, p, q, 10_000)
        t2 = time.perf_counter()
        print(f"{name:<12} {t1 - t0:8.2f} {t2 - t1:10.2f}")


def run(quick: bool) -> None:
    subprocess.run([sys.executable, "-m", "codebook", "simulate", "--n", "1000", "--trials", "1"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm numba's cache
    repeats = 1 if quick else 3
    rows = []
    for log_k, budget in COMMANDS:
        runs = [_run(_args(log_k)) for _ in range(repeats)]
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        rows.append(("codebook " + " ".join(_args(log_k)), walls, statistics.median(cpus), budget))
    width = max(len(r[0]) for r in rows)
    print(f"{'command'.ljust(width)}  {'wall s (median, range)':>24}  {'cpu s':>6}  {'budget':>6}")
    for label, walls, cpu, budget in rows:
        spread = f"{statistics.median(walls):6.2f} ({min(walls):.2f}-{max(walls):.2f})"
        print(f"{label.ljust(width)}  {spread:>24}  {cpu:6.2f}  {budget:6.0f}")
    for log_k, _ in COMMANDS[: 1 if quick else 2]:
        _breakdown(log_k)
