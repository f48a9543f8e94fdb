"""The verdict functions on given numbers: no coder, no randomness.

These cover the stream and adaptive checking logic before any such coder is registered.
"""

from __future__ import annotations

import math

import pytest

from codebook.theory import Bound
from simulations import stats, verdicts
from simulations.verdicts import judge_adaptive, judge_prefix, judge_stream, judge_summary, judge_unencodable


def test_bonferroni_level_from_theory():
    # theory §i: alpha = 1e-3 over 46 intervals gives z = 4.25.
    assert stats.bonferroni_z(1e-3, 46) == pytest.approx(4.25, abs=0.005)
    assert stats.z_two_sided(0.05) == pytest.approx(1.959964, abs=1e-6)
    with pytest.raises(ValueError, match=r"`m` \(number of intervals\) must be >= 1; got 0"):
        stats.bonferroni_z(0.05, 0)
    with pytest.raises(ValueError, match=r"`alpha` must be in \(0, 1\); got 1.5"):
        stats.z_two_sided(1.5)


LEVEL = 1e-4  # the per-interval level alpha/m a run would pass


def coin(n):
    """Lengths 1 or 3 with probability 1/2 each: E = 2, Var = 1, sum of n lengths = n + 2·Bin(n, 1/2)."""
    return stats.SumTest([1, 3], [0.5, 0.5], n, lattice=True)


def test_prefix_exact_total_mismatch_is_a_bug():
    v = judge_prefix(10, 11, 5, 2.0, 0.5, LEVEL, None, coin(5))
    assert not v.consistent and v.label == verdicts.NOT_CONSISTENT
    assert "the bitstream has 10 bits but the codeword lengths of the symbols drawn add up to 11 bits" in v.reason


def test_prefix_decided_by_the_exact_law_of_the_sum():
    # n = 100, Var = 1: SE = 0.1, E = 2.0. Reference p-values from scipy's binomial (S = 100 + 2B).
    from scipy.stats import binom

    ok = judge_prefix(206, 206, 100, 2.0, 1.0, LEVEL, None, coin(100))  # 2.06: 0.6 SE above, B = 53
    assert ok.consistent and "0.60 standard errors above the exact E_p[l] = 2.000000" in ok.reason
    assert "exact law of the sum of 100 lengths" in ok.reason and "bits = Σ n_x l(x) exactly" in ok.reason
    assert f"p = {min(1, 2 * binom.sf(52, 100, 0.5)):.2g}," in ok.reason
    bad = judge_prefix(250, 250, 100, 2.0, 1.0, LEVEL, None, coin(100))  # B = 75: 5 SE above
    assert 2 * binom.sf(74, 100, 0.5) < LEVEL
    assert not bad.consistent and "5.00 standard errors above" in bad.reason and "further than chance" in bad.reason
    low = judge_prefix(156, 156, 100, 2.0, 1.0, LEVEL, None, coin(100))  # B = 28: 4.4 SE below
    assert 2 * binom.cdf(28, 100, 0.5) < LEVEL
    assert not low.consistent and "4.40 standard errors below" in low.reason
    # Every possible total: the verdict is exactly the binomial two-sided test at LEVEL.
    t = coin(100)
    for b in range(101):
        ref = min(1.0, 2 * min(binom.cdf(b, 100, 0.5), binom.sf(b - 1, 100, 0.5)))
        total = 100 + 2 * b
        assert judge_prefix(total, total, 100, 2.0, 1.0, LEVEL, None, t).consistent == (ref >= LEVEL), b
    odd = judge_prefix(205, 205, 100, 2.0, 1.0, LEVEL, None, coin(100))  # off the lattice n + 2B
    assert not odd.consistent and "p = 0," in odd.reason


def test_a_rare_long_codeword_is_not_a_false_alarm():
    # theory §i sample: p = (0.999, 0.001), lengths (1, 10), n = 100. Two long codewords put the mean
    # 6.01 SE above E = 1.009 (a normal test at z = 4 rejects), yet for B ~ Bin(100, 0.001)
    # P(B >= 2) = 1 - 0.999^100 - 100·0.001·0.999^99 = 0.00466, two-sided p = 0.0093.
    t = stats.SumTest([1, 10], [0.999, 0.001], 100, lattice=True)
    var = 0.999 * 0.001 * 81
    v = judge_prefix(118, 118, 100, 1.009, var, LEVEL, None, t)
    assert v.consistent and "6.01 standard errors above" in v.reason and "two-sided p = 0.0093" in v.reason


def test_prefix_zero_variance_must_match_exactly():
    assert judge_prefix(300, 300, 100, 3.0, 0.0, LEVEL).consistent
    v = judge_prefix(301, 301, 100, 3.0, 0.0, LEVEL)
    assert not v.consistent and "zero variance" in v.reason


def test_prefix_theorem_violation_is_reported():
    bound = Bound(1.0, 2.0, "H(p,q) <= E_p[l] < H(p,q) + 1", "theory §c", upper_strict=True)
    v = judge_prefix(250, 250, 100, 2.5, 1.0, LEVEL, bound, coin(100))
    assert not v.consistent and "the exact E_p[l] = 2.500000 breaks H(p,q) <= E_p[l] < H(p,q) + 1" in v.reason


def test_prefix_infinite_expectation_sample_avoided_it():
    v = judge_prefix(100, 100, 100, math.inf, math.inf, LEVEL)
    assert v.consistent and "happened to avoid" in v.reason


def stream_test(n):
    """-log2 q_hat(X) in {1, 3} with probability 1/2 each (E = 2, Var = 1), judged with Bernstein."""
    return stats.SumTest([1.0, 3.0], [0.5, 0.5], n, lattice=False)


def test_stream_checks_ideal_then_excess_then_statistics():
    # n = 100 symbols, H(p,q_hat) = 2, Var = 1 -> SE 0.1; bounds (0, 2) bits per message.
    t = stream_test(100)
    ok = judge_stream(201, 200.0, 200.0, (0.0, 2.0), 100, 2.0, 1.0, LEVEL, t)
    assert ok.consistent and "+1.000 bits, within [+0, +2]" in ok.reason and "Bernstein" in ok.reason
    wrong_ideal = judge_stream(201, 200.0, 190.0, (0.0, 2.0), 100, 2.0, 1.0, LEVEL, t)
    assert not wrong_ideal.consistent and "differs from -log2 q_hat(x^n) = 190.000000 bits" in wrong_ideal.reason
    over = judge_stream(203, 200.0, 200.0, (0.0, 2.0), 100, 2.0, 1.0, LEVEL, t)
    assert not over.consistent and "+3.0000 bits lies outside the stream coder's documented bounds" in over.reason
    under = judge_stream(199, 200.0, 200.0, (0.0, 2.0), 100, 2.0, 1.0, LEVEL, t)
    assert not under.consistent and "-1.0000 bits lies outside" in under.reason
    # The message is exact but its mean is 8 SE above H(p,q_hat) + 2/n. Bernstein, by hand:
    # t = 0.8, b = 1: 2 exp(-100·0.64 / (2 + 1.6/3)) = 2.1e-11 < LEVEL.
    far = judge_stream(282, 280.0, 280.0, (0.0, 2.0), 100, 2.0, 1.0, LEVEL, t)
    assert not far.consistent and "8.00 standard errors above" in far.reason and "p <= 2.1e-11" in far.reason


def test_bernstein_bound_by_hand():
    # 2 exp(-N t^2 / (2 var + 2 b t / 3)) with N = 100, t = 0.5, var = 1, b = 1: 2 exp(-25/(2 + 1/3)).
    assert stats.bernstein_pvalue(0.5, 100, 1.0, 1.0) == pytest.approx(2 * math.exp(-25 / (7 / 3)), rel=1e-12)
    assert stats.bernstein_pvalue(0.0, 100, 1.0, 1.0) == 1.0 and stats.bernstein_pvalue(0.01, 100, 1.0, 1.0) == 1.0


def test_exact_law_matches_binomial():
    from scipy.stats import binom

    start, step, pmf = stats.lattice_sum_law([2, 5], [0.7, 0.3], 40)
    assert (start, step, pmf.size) == (80, 3, 41)
    assert pmf == pytest.approx(binom.pmf(range(41), 40, 0.3), abs=1e-15)


def test_stream_negative_lower_excess_allowed_when_documented():
    v = judge_stream(199, 200.0, 200.0, (-1.5, 2.0), 100, 2.0, 1.0, LEVEL, stream_test(100))
    assert v.consistent


def test_adaptive_checked_exactly():
    assert judge_adaptive(1002, 1001.5, 1001.5, (0.0, 2.0)).consistent
    v = judge_adaptive(1002, 1001.5, 1000.0, (0.0, 2.0))
    assert not v.consistent and "add-0.5 closed form -log2 P_alpha(x^n)" in v.reason
    v = judge_adaptive(1005, 1001.5, 1001.5, (0.0, 2.0))
    assert not v.consistent and "outside the adaptive coder's documented bounds [+0, +2]" in v.reason


def test_unencodable_consistent_only_when_predicted():
    v = judge_unencodable(math.inf, "symbol 3 at position 7 has no codeword")
    assert v.consistent and "H(p,q) and the expected length are infinite" in v.reason
    v = judge_unencodable(2.0, "symbol 3 at position 7 has no codeword")
    assert not v.consistent and "finite length" in v.reason


def test_summary_pooled_interval_with_message_overhead():
    # 10 messages of 100 symbols: n_total = 1000, SE = sqrt(1/1000) = 0.0316; interval [2, 2.02].
    t = stream_test(1000)
    assert judge_summary(2.01, 2.0, 1.0, 1000, LEVEL, 0.0, 2.0, 10, t).consistent
    assert not judge_summary(2.2, 2.0, 1.0, 1000, LEVEL, 0.0, 2.0, 10, t).consistent
    assert judge_summary(5.0, math.inf, 1.0, 1000, LEVEL).consistent
