"""The interval column covers what it says: the exact expectation, about 95 % of the time.

The smaller sibling of ``scripts/interval_coverage.py`` (whose table, at 2000 messages a cell, is in
docs/simulations.md): the same three workloads, three message lengths, 1000 seeded messages a
cell. With R messages the measured coverage has binomial standard error s = sqrt(.95 .05 / R)
(0.0069 at R = 1000). Where the interval comes from the exact law of the sum its exact coverage
c is known: it must lie in [0.93, 0.97] (no noise), and the measured one within 3.5 s of it.
Where it is the normal interval, the measured coverage must lie in [0.93 - 3.5 s, 0.97 + 3.5 s]:
a true coverage inside [0.93, 0.97] leaves that range with probability below 5e-4.
"""

from __future__ import annotations

import math

import pytest

from codebook import coders, parse_distribution, theory
from simulations import stats
from simulations.experiment import run_experiment

WORKLOADS = [
    ("0.9,0.05,0.03,0.02", "0.8,0.1,0.06,0.04"),  # skewed
    ("0.6,0.3,0.1", "0.5,0.25,0.25"),  # small alphabet
    ("zipf:4096:1.1", "mix(zipf:4096:1.1, uniform:4096, 0.3)"),  # large alphabet
]
MESSAGES = 1000
SLACK = 3.5 * math.sqrt(0.95 * 0.05 / MESSAGES)


@pytest.mark.slow
@pytest.mark.parametrize("workload", range(len(WORKLOADS)))
@pytest.mark.parametrize("n", [50, 1000, 10_000])
def test_interval_column_covers_the_exact_expectation(workload, n):
    p_spec, q_spec = WORKLOADS[workload]
    p, q = parse_distribution(p_spec), parse_distribution(q_spec)
    names = coders.names("prefix") + coders.names("stream")
    res = run_experiment(p, q, names, n, MESSAGES, seed=(99, workload, n), family_size=1)
    for name in names:
        rows = [r for r in res.records if r["coder"] == name]
        assert all(r["ci_low"] is not None for r in rows)
        measured = sum(r["ci_low"] <= r["expected"] <= r["ci_high"] for r in rows) / len(rows)
        code = coders.build(name, q)
        g = theory.guarantee(name, coders.info(name).kind, code, p, q, n)
        test = stats.SumTest(*g.law, n)
        if test.exact:
            exact = test.interval(test.mean * n, 0.95)[2]
            assert 0.93 <= exact <= 0.97, (name, exact)
            assert abs(measured - exact) <= SLACK, (name, measured, exact)
        else:
            assert 0.93 - SLACK <= measured <= 0.97 + SLACK, (name, measured)


@pytest.mark.slow
def test_summary_interval_is_the_message_interval_for_one_trial():
    # The column `codebook simulate --trials 1` shows is the record's interval (same law, same count).
    p, q = parse_distribution(WORKLOADS[0][0]), parse_distribution(WORKLOADS[0][1])
    res = run_experiment(p, q, coders.names("prefix") + coders.names("stream"), 200, 1, seed=5)
    for s in res.summaries:
        r = next(r for r in res.records if r["coder"] == s["coder"])
        assert (s["ci_low"], s["ci_high"]) == (r["ci_low"], r["ci_high"])
