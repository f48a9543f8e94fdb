#!/usr/bin/env python3
"""Measured coverage of the interval column of ``codebook simulate``, for every coder that has one.

    python scripts/interval_coverage.py                # the table in docs/simulations.md (2000 messages a cell)
    python scripts/interval_coverage.py --messages 400 # quicker, wider binomial error

For each workload (a skewed, a small and a large alphabet) and message length n, the runner that
``codebook simulate`` uses draws ``--messages`` seeded messages, codes each with every prefix and
stream coder, and records each message's interval for the exact expectation (``ci_low``,
``ci_high``: the interval column of ``codebook simulate --trials 1``, which is that message's).
A cell is the fraction of messages whose interval covers the exact expectation (E_p[l], or
H(p,q_hat) for a stream coder), with the exact coverage of the interval in brackets where it is
computed from the exact law of the sum (prefix codes and two-valued stream terms: a discrete law
allows only some levels near 95 %). The binomial standard error of a cell is
sqrt(0.95 * 0.05 / messages): 0.0049 at 2000 messages. The adaptive coder has no interval (its
length is not a sum of i.i.d. terms; its verdict uses McDiarmid's inequality instead).

arithmetic and rans cover the same way: both intervals are about H(p,q_hat), computed from the
message's ideal length -log2 q_hat(x^n), which the two coders share. Seeds: workload w, length
index i, message t use numpy SeedSequence([2024, w, i, t]).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # measure this checkout

WORKLOADS = [
    ("skewed", "0.9,0.05,0.03,0.02", "0.8,0.1,0.06,0.04"),
    ("small", "0.6,0.3,0.1", "0.5,0.25,0.25"),
    ("large", "zipf:4096:1.1", "mix(zipf:4096:1.1, uniform:4096, 0.3)"),
]
LENGTHS = (50, 200, 1000, 10_000)


def coverage_table(messages: int, lengths=LENGTHS, workloads=WORKLOADS, seed: int = 2024) -> list[dict]:
    """One row per workload and n: measured coverage per coder, and the exact one where known."""
    from codebook import coders, parse_distribution
    from simulations import stats
    from simulations.experiment import run_experiment

    names = coders.names("prefix") + coders.names("stream")
    rows = []
    for w, (label, p_spec, q_spec) in enumerate(workloads):
        p, q = parse_distribution(p_spec, name="p"), parse_distribution(q_spec, name="q")
        for i, n in enumerate(lengths):
            res = run_experiment(p, q, names, n, messages, seed=(seed, w, i), family_size=1)
            row = {"workload": label, "p": p_spec, "q": q_spec, "n": n, "messages": messages, "cells": {}}
            for name in names:
                recs = [r for r in res.records if r["coder"] == name and r["ci_low"] is not None]
                hit = sum(r["ci_low"] <= r["expected"] <= r["ci_high"] for r in recs)
                summary = next(s for s in res.summaries if s["coder"] == name)
                exact = None
                g = _law(name, q, p, n)
                if g is not None:
                    test = stats.SumTest(*g, n)
                    if test.exact:
                        exact = test.interval(test.mean * n, 0.95)[2]
                row["cells"][name] = (hit / len(recs) if recs else math.nan, exact, summary["verdict"])
            rows.append(row)
    return rows


def _law(name, q, p, n):
    """The (values, probs) law of one message's i.i.d. term for coder ``name`` (as the runner builds it)."""

    from codebook import coders, theory

    info = coders.info(name)
    code = coders.build(name, q)
    g = theory.guarantee(name, info.kind, code, p, q, n)
    return g.law if g.variance else None


def markdown(rows: list[dict]) -> str:
    names = list(rows[0]["cells"])
    head = "| workload | n | " + " | ".join(names) + " |"
    lines = [head, "|" + "---|" * (len(names) + 2)]
    for row in rows:
        cells = []
        for name in names:
            measured, exact, _ = row["cells"][name]
            cells.append(f"{measured:.3f}" + (f" ({exact:.3f})" if exact is not None else ""))
        lines.append(f"| {row['workload']} | {row['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000, help="seeded messages per cell (default 2000)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    rows = coverage_table(args.messages)
    se = math.sqrt(0.95 * 0.05 / args.messages)
    print(f"Coverage of the 95 % interval column, {args.messages} messages per cell (binomial SE {se:.4f});")
    print("in brackets: the interval's exact coverage where it comes from the exact law of the sum.")
    for label, p_spec, q_spec in WORKLOADS:
        print(f"  {label}: p = {p_spec}, q = {q_spec}")
    print()
    print(markdown(rows))
    bad = [(r["workload"], r["n"], name, c[0]) for r in rows for name, c in r["cells"].items()
           if not 0.93 <= c[0] <= 0.97]
    print()
    print("every cell in [0.93, 0.97]" if not bad else f"outside [0.93, 0.97]: {bad}")
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
