"""Verdicts of the families in the runner: the renewal test (Tunstall), LZ78's exact checks, D-ary."""

from __future__ import annotations

import numpy as np
import pytest
from bitarray import bitarray

from codebook import Distribution, coders
from codebook.coders.lz78 import LZ78Code
from codebook.coders.tunstall import TunstallCode
from simulations.experiment import CoderSpec, run_experiment
from simulations.family_checks import judge_dary, judge_universal, judge_vf, renewal_pvalue


def phrase_count_law(values, probs, n):
    """Exact law of N(n) = min{j : S_j >= n} by dynamic programming on the remaining symbols
    (independent of the convolution code): N(t) = 1 + N(t - L) for t > 0, N(t) = 0 for t <= 0."""
    laws = {}
    for t in range(-max(values), n + 1):
        if t <= 0:
            laws[t] = {0: 1.0}
            continue
        out: dict[int, float] = {}
        for v, pr in zip(values, probs):
            for j, pj in laws[t - v].items():
                out[j + 1] = out.get(j + 1, 0.0) + pr * pj
        laws[t] = out
    return laws[n]


def test_renewal_pvalue_is_the_exact_two_sided_tail():
    values, probs = [1, 2, 3], [0.2, 0.5, 0.3]
    n = 40
    law = phrase_count_law(values, probs, n)
    for k in range(min(law), max(law) + 1):
        below = sum(p for j, p in law.items() if j <= k)
        above = sum(p for j, p in law.items() if j >= k)
        assert renewal_pvalue(np.array(values), np.array(probs), n, k) == pytest.approx(min(1, 2 * min(below, above)),
                                                                                       abs=1e-12)


def test_renewal_test_false_alarm_rate():
    # phrase counts drawn from the true law: rejections at 5 % happen at most about 5 % of the time
    rng = np.random.default_rng(1)
    values, probs = np.array([1, 2, 5]), np.array([0.5, 0.3, 0.2])
    rejected = 0
    for _ in range(1000):
        sums = np.cumsum(rng.choice(values, size=200, p=probs))
        count = int(np.searchsorted(sums, 150) + 1)  # first j with S_j >= 150
        rejected += renewal_pvalue(values, probs, 150, count) < 0.05
    assert rejected <= 0.05 * 1000 + 3 * np.sqrt(0.05 * 0.95 * 1000)


def test_judge_vf_exact_checks():
    law = (np.array([1, 3]), np.array([0.5, 0.5]))
    ok = judge_vf(160, 20, 16, law, (1, 3), 8.0, 20.0, 1e-3)
    assert ok.consistent, ok.reason
    assert "not a whole number of 16-bit phrases" in judge_vf(161, 20, 16, law, (1, 3), 8.0, 20.0, 1e-3).reason
    assert "outside [7, 20]" in judge_vf(16 * 21, 20, 16, law, (1, 3), 8.0, 20.0, 1e-3).reason
    low = judge_vf(16 * 10, 20, 16, law, (1, 3), 8.0, 200.0, 1e-3)
    assert not low.consistent and "no hypercompression" in low.reason


def test_judge_universal_and_dary_catch_bugs():
    assert "not the length L(c)" in judge_universal(8, 10, None, None, 20.0, 1e-3).reason
    assert "cannot cover 100 symbols" in judge_universal(50, 100, 5, 1e6, 90.0, 1e-3).reason
    assert "exceeds Ziv's bound" in judge_universal(5000, 100, 20, 4000.0, 90.0, 1e-3).reason
    assert judge_universal(150, 100, 20, 400.0, 90.0, 1e-3).consistent

    class G:  # a D-ary guarantee whose bound holds
        expected, law = 1.0, (np.array([1, 2]), np.array([0.5, 0.5]))

        class bound:  # noqa: N801
            text, section = "b", "s"

            @staticmethod
            def contains(v):
                return True

    assert "a coder bug" in judge_dary(47, 46, 15, 10, G, 1e-3).reason


P_Q_PAIRS = [
    (Distribution.zipf(24, 1.2), Distribution.zipf(24, 1.2)),
    (Distribution.zipf(24, 1.2), Distribution.uniform(24)),
    (Distribution([0.9, 0.1]), Distribution([0.6, 0.4])),
]
FAMILY = ["golomb", "elias-gamma", "elias-delta", "elias-omega", "tunstall", "lz78",
          CoderSpec("huffman", (("arity", 3),)), CoderSpec("huffman", (("max_length", 5),)),
          CoderSpec("tunstall", (("codeword_bits", 6),))]


@pytest.mark.parametrize("pair", range(len(P_Q_PAIRS)))
def test_every_family_is_consistent_in_the_runner(pair):
    p, q = P_Q_PAIRS[pair]
    res = run_experiment(p, q, FAMILY, 3000, 3, seed=pair)
    assert not res.skipped
    for s in res.summaries:
        assert s["verdict"] == "consistent", (s["coder"], s["reason"])


def test_broken_coders_are_caught(monkeypatch):
    p = Distribution.zipf(8, 1.0)
    original_t, original_l = TunstallCode.encode, LZ78Code.encode

    def tunstall_writes_every_phrase_twice(self, symbols):
        bits, m = original_t(self, symbols), self.codeword_bits
        return sum((bits[i:i + m] * 2 for i in range(0, len(bits), m)), bitarray())

    def lz78_adds_a_bit(self, symbols):
        return original_l(self, symbols) + bitarray("0")

    monkeypatch.setattr(TunstallCode, "encode", tunstall_writes_every_phrase_twice)
    monkeypatch.setattr(TunstallCode, "decode", lambda self, bits, n: np.asarray(self._last))
    monkeypatch.setattr(LZ78Code, "encode", lz78_adds_a_bit)
    monkeypatch.setattr(LZ78Code, "decode", lambda self, bits, n: np.asarray(self._last))
    for cls in (TunstallCode, LZ78Code):  # decode returns the message: only the length is wrong
        real = cls.encode
        monkeypatch.setattr(cls, "encode", lambda self, x, real=real: (setattr(self, "_last", x), real(self, x))[1])
    res = run_experiment(p, p, ["tunstall", "lz78"], 4000, 2, seed=3)
    verdicts = {s["coder"]: s["verdict"] for s in res.summaries}
    assert verdicts == {"tunstall": "not consistent", "lz78": "not consistent"}
    reasons = " ".join(r["reason"] for r in res.records)
    assert "not the length L(c)" in reasons and "outside [" in reasons


def test_lz78_on_data_with_memory_beats_order_0():
    # a sticky binary chain: order-0 entropy 1 bit, entropy rate h(0.05) = 0.286 bits
    rng = np.random.default_rng(4)
    flips = rng.random(200_000) < 0.05
    x = (np.cumsum(flips) % 2).astype(np.int64)
    bits = len(coders.build("lz78", alphabet_size=2).encode(x))
    assert bits / x.size < 0.55


def test_universal_sweep_converges_on_both_sources(tmp_path):
    from simulations import catalog
    from simulations.report import write_report
    from simulations.sweep import run_sweep

    sdef = catalog.get("universal")
    results = run_sweep(sdef.tasks(0, True), 0)
    write_report(tmp_path, title="universal", description=sdef.describe(sdef.parameters(True)),
                 command="codebook sweep universal --quick", seed_note="seed 0", results=results,
                 figures=sdef.figures, findings=sdef.findings(results))
    assert (tmp_path / "universal.png").exists() and (tmp_path / "report.md").exists()
    assert all(r.consistent for r in results), [s["reason"] for r in results for s in r.summaries]
    for source in ("i.i.d.", "Markov"):
        rs = [r for r in results if r.label.startswith(source)]
        red = [r.summaries[0]["bits_per_symbol"] - r.H_p for r in rs]
        assert len(rs) == 4 and red[-1] < red[0] / 3 and red[-1] > 0  # falls towards the rate, stays above it
    markov = [r for r in results if r.label.startswith("Markov")][-1]
    assert markov.summaries[0]["bits_per_symbol"] < 0.5  # far below any memoryless code (1 bit)
