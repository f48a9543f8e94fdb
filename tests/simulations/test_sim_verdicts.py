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
    # THEORY.md (i): alpha = 1e-3 over 46 intervals gives z = 4.25.
    assert stats.bonferroni_z(1e-3, 46) == pytest.approx(4.25, abs=0.005)
    assert stats.z_two_sided(0.05) == pytest.approx(1.959964, abs=1e-6)
    with pytest.raises(ValueError, match=r"`m` \(number of intervals\) must be >= 1; got 0"):
        stats.bonferroni_z(0.05, 0)
    with pytest.raises(ValueError, match=r"`alpha` must be in \(0, 1\); got 1.5"):
        stats.z_two_sided(1.5)


def test_prefix_exact_total_mismatch_is_a_bug():
    v = judge_prefix(10, 11, 5, 2.0, 0.5, 4.0)
    assert not v.consistent and v.label == verdicts.NOT_CONSISTENT
    assert "the bitstream has 10 bits but the codeword lengths of the symbols drawn add up to 11 bits" in v.reason


def test_prefix_within_and_outside_the_family_wise_interval():
    # n = 100, Var = 1: SE = 0.1. E = 2.0.
    ok = judge_prefix(205, 205, 100, 2.0, 1.0, 4.0)  # 2.05: 0.5 SE above
    assert ok.consistent and "0.50 standard errors above the exact E_p[l] = 2.000000" in ok.reason
    assert "bits = Σ n_x l(x) exactly" in ok.reason
    bad = judge_prefix(250, 250, 100, 2.0, 1.0, 4.0)  # 2.5: 5 SE above
    assert not bad.consistent and "5.00 standard errors above" in bad.reason and "further than chance" in bad.reason
    low = judge_prefix(155, 155, 100, 2.0, 1.0, 4.0)  # 1.55: 4.5 SE below
    assert not low.consistent and "4.50 standard errors below" in low.reason


def test_prefix_zero_variance_must_match_exactly():
    assert judge_prefix(300, 300, 100, 3.0, 0.0, 4.0).consistent
    v = judge_prefix(301, 301, 100, 3.0, 0.0, 4.0)
    assert not v.consistent and "zero variance" in v.reason


def test_prefix_theorem_violation_is_reported():
    bound = Bound(1.0, 2.0, "H(p,q) <= E_p[l] < H(p,q) + 1", "THEORY.md (c)", upper_strict=True)
    v = judge_prefix(250, 250, 100, 2.5, 1.0, 4.0, bound)
    assert not v.consistent and "the exact E_p[l] = 2.500000 breaks H(p,q) <= E_p[l] < H(p,q) + 1" in v.reason


def test_prefix_infinite_expectation_sample_avoided_it():
    v = judge_prefix(100, 100, 100, math.inf, math.inf, 4.0)
    assert v.consistent and "happened to avoid" in v.reason


def test_stream_checks_ideal_then_excess_then_statistics():
    # n = 100 symbols, H(p,q_hat) = 2, Var = 1 -> SE 0.1; bounds (0, 2) bits per message.
    ok = judge_stream(201, 200.0, 200.0, (0.0, 2.0), 100, 2.0, 1.0, 4.0)
    assert ok.consistent and "+1.000 bits, within [+0, +2]" in ok.reason
    wrong_ideal = judge_stream(201, 200.0, 190.0, (0.0, 2.0), 100, 2.0, 1.0, 4.0)
    assert not wrong_ideal.consistent and "differs from -log2 q_hat(x^n) = 190.000000 bits" in wrong_ideal.reason
    over = judge_stream(203, 200.0, 200.0, (0.0, 2.0), 100, 2.0, 1.0, 4.0)
    assert not over.consistent and "+3.0000 bits lies outside the stream coder's documented bounds" in over.reason
    under = judge_stream(199, 200.0, 200.0, (0.0, 2.0), 100, 2.0, 1.0, 4.0)
    assert not under.consistent and "-1.0000 bits lies outside" in under.reason
    # The message is exact but its mean is 6 SE above H(p,q_hat) + 2/n: an unlikely sample.
    far = judge_stream(262, 260.0, 260.0, (0.0, 2.0), 100, 2.0, 1.0, 4.0)
    assert not far.consistent and "standard errors above" in far.reason


def test_stream_negative_lower_excess_allowed_when_documented():
    v = judge_stream(199, 200.0, 200.0, (-1.5, 2.0), 100, 2.0, 1.0, 4.0)
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
    assert judge_summary(2.01, 2.0, 1.0, 1000, 4.0, 0.0, 2.0, 10).consistent
    assert not judge_summary(2.2, 2.0, 1.0, 1000, 4.0, 0.0, 2.0, 10).consistent
    assert judge_summary(5.0, math.inf, 1.0, 1000, 4.0).consistent
