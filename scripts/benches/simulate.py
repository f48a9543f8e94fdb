"""Wall-clock of ``codebook simulate`` (default experiment) and of every catalogue sweep.

    python scripts/bench.py simulate            # the real budgets: default simulate, sweeps at defaults
    python scripts/bench.py simulate --quick    # smoke: n = 1e5 simulate, sweeps with --quick

Budgets (issue 4): default ``codebook simulate`` < 30 s, each sweep at default settings < 2 min
on a 2-core machine. Each row is one timed run in a fresh process (numba's compile cache warm,
as for a user's second run), so import and start-up costs are included. The ratio column is
the share of the budget used. Sweeps run with ``--workers 2``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SWEEPS = ("mismatch", "asymmetry", "learned-model", "convergence", "blocks", "precision")


def _run(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "codebook", *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def run(quick: bool) -> None:
    _run(["simulate", "--n", "1000", "--trials", "1"])  # warm numba's on-disk cache
    rows = []
    sim = ["simulate"] + (["--n", "1e5"] if quick else [])
    rows.append(("codebook " + " ".join(sim), _run(sim), 30.0))
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("codebook simulate --out DIR", _run(sim + ["--out", tmp]), 30.0))
    for name in SWEEPS:
        args = ["sweep", name, "--workers", "2", "--quiet"] + (["--quick"] if quick else [])
        with tempfile.TemporaryDirectory() as tmp:
            rows.append(("codebook " + " ".join(args) + " --out DIR", _run(args + ["--out", tmp]), 120.0))
    width = max(len(r[0]) for r in rows)
    print(f"{'command'.ljust(width)}  {'seconds':>8}  {'budget':>7}  {'share':>6}")
    for label, sec, budget in rows:
        print(f"{label.ljust(width)}  {sec:8.2f}  {budget:7.0f}  {sec / budget:6.1%}")
