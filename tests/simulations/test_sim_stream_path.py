"""The runner's stream and adaptive paths end to end, with exact test-only coders.

The coders in sim_exact_coders.py are *not* registered in codebook's registry: the runner's view of
the registry is patched for these tests only, so the real registry never sees them.
"""

from __future__ import annotations

import math

import pytest

from codebook import coders as real
from codebook.coders.registry import CoderInfo
from codebook.distributions import Distribution
from simulations import experiment, figures, report
from simulations.experiment import run_experiment

from sim_exact_coders import ExactKT, ExactStream


class TooTight(ExactStream):
    def excess_bounds(self, n):
        return (0.0, 0.5)


class WrongIdeal(ExactStream):
    def ideal_length(self, symbols):
        return super().ideal_length(symbols) + 1.0


TEST_CODERS = {
    "exact-stream": ("stream", ExactStream),
    "exact-kt": ("adaptive", ExactKT),
    "too-tight": ("stream", TooTight),
    "wrong-ideal": ("stream", WrongIdeal),
}


class RegistryView:
    """The real registry plus the test coders, as seen by simulations.experiment only."""

    def names(self, kind=None):
        return real.names(kind) + [n for n, (k, _) in TEST_CODERS.items() if kind in (None, k)]

    def info(self, name):
        if name in TEST_CODERS:
            kind, cls = TEST_CODERS[name]
            return CoderInfo(name, cls, kind, "test only")
        return real.info(name)

    def build(self, name, q=None, **options):
        if name in TEST_CODERS:
            return TEST_CODERS[name][1](q, **options)
        return real.build(name, q, **options)


@pytest.fixture(autouse=True)
def view(monkeypatch):
    monkeypatch.setattr(experiment, "coders", RegistryView())


P = Distribution([0.5, 0.25, 0.125, 0.125])
Q = Distribution([0.4, 0.3, 0.2, 0.1])


def test_exact_stream_and_adaptive_consistent():
    res = run_experiment(P, Q, ["huffman", "exact-stream", "exact-kt"], 40, 4, seed=3)
    assert all(r["verdict"] == "consistent" for r in res.records), [r["reason"] for r in res.records]
    stream = [r for r in res.records if r["coder"] == "exact-stream"]
    for r in stream:
        assert 1.0 - 1e-9 <= r["excess_bits"] < 2.0
        assert r["H_pqhat"] == pytest.approx(res.H_pq, rel=1e-12)  # q_hat = q exactly
        # The interval is for H(p,q_hat): centred on the ideal length, not on the bits (which add 1-2 bits).
        assert r["ci_low"] < r["ideal_bits"] / 40 < r["ci_high"]
    kt = [r for r in res.records if r["coder"] == "exact-kt"]
    assert all(r["expected"] is not None and r["ci_low"] is None for r in kt)
    assert all("add-0.5 closed form" in r["reason"] and "McDiarmid" in r["reason"] for r in kt)
    s = {x["coder"]: x for x in res.summaries}
    assert s["exact-stream"]["verdict"] == "consistent" and s["exact-stream"]["H_pqhat"] is not None
    assert "KT: E[L] - n H(p) = " in s["exact-kt"]["reason"]
    # Every row and summary is a statistical test (adaptive: McDiarmid), plus the sample's counts.
    assert res.intervals_judged == 3 * (4 + 1) + 1


def test_stream_outside_its_documented_bounds_is_not_consistent():
    res = run_experiment(P, Q, ["too-tight"], 40, 2, seed=3)
    assert all(r["verdict"] == "not consistent" for r in res.records)
    assert "outside the stream coder's documented bounds [+0, +0.5]" in res.records[0]["reason"]
    assert res.summaries[0]["verdict"] == "not consistent"
    assert "2 of 2 messages not consistent" in res.summaries[0]["reason"]


def test_stream_ideal_length_checked_against_the_counts():
    res = run_experiment(P, Q, ["wrong-ideal"], 30, 1, seed=3)
    assert res.records[0]["verdict"] == "not consistent"
    assert "differs from -log2 q_hat(x^n)" in res.records[0]["reason"]


def test_stream_with_zero_model_mass_is_unencodable_and_says_so():
    q = Distribution([0.5, 0.5, 0.0, 0.0])
    res = run_experiment(P, q, ["exact-stream"], 30, 2, seed=1)
    assert math.isinf(res.H_pq)
    assert all(r["status"] == "unencodable" and r["verdict"] == "not codable" for r in res.records)
    assert res.summaries[0]["verdict"] == "not codable" and res.consistent  # predicted: not a violation


def test_figures_report_and_table_with_stream_results(tmp_path):
    results = [run_experiment(P, Q, ["huffman", "exact-stream", "exact-kt"], n, 2, seed=(0, i), x=n,
                              label=f"n={n}") for i, n in enumerate((10, 40))]
    assert figures.convergence_figures(results, tmp_path)
    rows = report.summary_rows(results)
    assert any("(H(p,q_hat))" in row[4] for row in rows)
    assert any(row[4].endswith("(E[L_alpha]/n)") for row in rows)
    from codebook.cli.simulate import _table

    text = _table(results[0])
    assert "exact-stream" in text and "H(p,q_hat)" in text


def test_laplace_test_coder_is_checked_against_its_own_prior():
    # The test-only coder with prior 1 (Laplace): the runner must read `.prior`, like the real coder,
    # or the KT reference length would make every correct Laplace message "not consistent".
    class ExactLaplace(ExactKT):
        def __init__(self, q, precision=0):
            super().__init__(q, precision, prior=1)

    TEST_CODERS["exact-laplace"] = ("adaptive", ExactLaplace)
    try:
        res = run_experiment(P, Q, ["exact-laplace"], 30, 3, seed=2)
    finally:
        del TEST_CODERS["exact-laplace"]
    assert res.consistent, [r["reason"] for r in res.records]
    assert all("add-1 closed form" in r["reason"] for r in res.records)
    assert "Laplace: E[L] - n H(p) = " in res.summaries[0]["reason"]
