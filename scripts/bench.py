#!/usr/bin/env python3
"""Benchmarks: codebook side by side with the libraries it competes with, as ratios in one run.

    python scripts/bench.py              # every benchmark
    python scripts/bench.py prefix       # one of: see --list
    python scripts/bench.py --list

Each benchmark lives in ``scripts/benches/<name>.py`` and defines ``run(quick: bool) -> None``,
printing its own table. Competitors (constriction, dahuffman) come from the ``bench`` extra:
``pip install ".[bench]"``. Timings take the best of several repeats after a warm-up call, so
numba compilation is never timed. Never a unit test: speed is measured here, not asserted.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))  # benchmark this checkout, installed or not


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(HERE / "benches")]) if not m.name.startswith("_"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--quick", action="store_true", help="smaller workloads, for a smoke test")
    args = parser.parse_args()
    if args.list:
        print("\n".join(available()))
        return
    names = args.names or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(available())}")
    import numpy

    print(f"# {time.strftime('%Y-%m-%d %H:%M')}  Python {platform.python_version()}  NumPy {numpy.__version__}  "
          f"{platform.machine()}  {platform.processor() or ''}".rstrip())
    for name in names:
        print(f"\n## {name}", flush=True)
        importlib.import_module(f"benches.{name}").run(quick=args.quick)


if __name__ == "__main__":
    main()
