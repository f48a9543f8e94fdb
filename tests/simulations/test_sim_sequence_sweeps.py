"""The sequence sweeps of the catalogue (quick runs): their claims hold and their reports are written."""

from __future__ import annotations

import math

import pytest

from codebook.models import quantization_bound
from simulations import catalog
from simulations.report import write_report
from simulations.sweep import run_sweep


def _run(name, tmp_path):
    sdef = catalog.get(name)
    params = sdef.parameters(True)
    results = run_sweep(sdef.tasks(0, True), 0)
    write_report(tmp_path, title=name, description=sdef.describe(params), command=f"codebook sweep {name} --quick",
                 seed_note="seed 0", results=results, figures=sdef.figures, findings=sdef.findings(results))
    assert (tmp_path / "report.md").exists() and list(tmp_path.glob("*.png"))
    assert all(r.consistent for r in results), [s["reason"] for r in results for s in r.summaries]
    return results


def test_memory_sweep_shows_the_memoryless_gap(tmp_path):
    results = _run("memory", tmp_path)
    h_one, h_rate = results[0].H_q, results[0].H_p
    iid = {s["coder"]: s["bits_per_symbol"] for s in results[0].summaries}
    assert iid["arithmetic"] > h_one - 0.05 and iid["arithmetic"] > h_rate + 0.5
    order2 = next(r for r in results if r.label == "context model, order 2").summaries[0]["bits_per_symbol"]
    assert h_rate - 0.05 < order2 < h_rate + 0.1  # close to the rate, far below H(X)


def test_learned_context_sweep_has_a_minimum_over_k(tmp_path):
    results = _run("learned-context", tmp_path)
    untrained = [r.summaries[0]["bits_per_symbol"] for r in results if r.label.startswith("alpha=1/32, train 0 B")]
    best = min(range(len(untrained)), key=untrained.__getitem__)
    assert 0 < best < len(untrained) - 1  # dilution: neither order 0 nor the longest context is best


def test_predictions_sweep_bits_equal_the_loss(tmp_path):
    results = _run("predictions", tmp_path)
    for r in results:
        for s in r.summaries:
            loss_bits = s["loss_nats"] / math.log(2)
            gap = (s["bits_per_symbol"] - loss_bits) * r.n
            # above: the documented window plus the quantization bound (theorems); below: observed, not a
            # theorem (the quantized model may give a label more than q does), pinned for this seed
            assert -quantization_bound(6, 24, r.n) - 1e-6 <= gap <= s["excess_hi"] + quantization_bound(6, 24, r.n)
    losses = [r.H_pq for r in results]
    assert losses[0] == pytest.approx(math.log2(6), abs=1e-12)  # untrained: uniform predictions
    assert losses[-1] < losses[0] - 0.5 and losses[-1] >= results[0].H_p - 0.05
