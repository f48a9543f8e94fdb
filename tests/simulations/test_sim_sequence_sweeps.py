"""The sequence sweeps of the catalogue (quick runs): their claims hold and their reports are written."""

from __future__ import annotations

import math

import pytest

from pathlib import Path

import numpy as np

from codebook.contextmix import ContextMixingCoder
from codebook.models import quantization_bound
from simulations import catalog
from simulations.experiment import CoderSpec
from simulations.sequence import run_fixed_messages
from simulations.sequence_catalog import learned_context_points
from simulations.report import write_report
from simulations.sweep import run_sweep

REPO = Path(__file__).resolve().parents[2]


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
    assert (tmp_path / "learned_context_cm.png").exists()

    # cm, the reference: its bits/byte is the length of cm's own bitstream for the test half after the
    # training bytes, re-encoded here directly from the text (not from the sweep's tasks) and decoded
    data = (REPO / "tests" / "data" / "prose.txt").read_bytes()
    half = len(data) // 2
    test = np.frombuffer(data[half:], dtype=np.uint8)
    cm = [r for r in results if r.label.startswith("cm ")]
    assert {r.label for r in cm} == {f"cm {w} primer, train {m} B" for w in ("with", "without") for m in (0, 1000)}
    for r in cm:
        m, primer = int(r.label.split("train ")[1].split(" ")[0]), r.label.startswith("cm with primer")
        code = ContextMixingCoder(prime=data[half - m : half] if m else None, primer=primer)
        bits = code.encode(test)
        assert code.decode(bits, test.size, dtype=np.uint8).tobytes() == data[half:]
        (rec,) = r.records
        assert rec["total_bits"] == len(bits) and rec["bits_per_symbol"] == len(bits) / test.size
        assert rec["coder"] == "cm" and rec["verdict"] == "consistent" and rec["x"] is None
        assert 0 <= len(bits) - code.log_loss(test) <= 2.0001  # the range coder's window (theory §f)
    context, by_cm = learned_context_points(results)
    for m in (0, 1000):  # the reference sits below every context model trained on as much
        assert by_cm[("cm without primer", m)] < min(b for (_, mm), pts in context.items() if mm == m for _, b in pts)


def test_cm_verdict_fails_outside_its_window():
    """The cm rows are judged, not just printed: a payload outside the window is not consistent."""

    class Shifted(ContextMixingCoder):
        def excess_bounds(self, n):
            return 3.0, 4.0  # cm's payload is 0..2 bits above its log-loss, so never in [3, 4]

    text = np.frombuffer((REPO / "tests" / "data" / "prose.txt").read_bytes()[:3000], dtype=np.uint8)
    for code, verdict in ((ContextMixingCoder(primer=False), "consistent"), (Shifted(primer=False), "not consistent")):
        r = run_fixed_messages([text], code, [(CoderSpec("cm"), code)])
        assert r.records[0]["verdict"] == r.summaries[0]["verdict"] == verdict


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
