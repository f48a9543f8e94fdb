"""codebook.theory against docs/theory.md's test vectors and independent exact computations.

Reference values are quoted from docs/theory.md (section given at each test) or computed here with
fractions, never with the functions under test.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codebook import coders, theory
from codebook.distributions import Distribution

CHAIN = [1, 1000, 1001, 1002, 2003, 3005, 5008, 8013, 13021, 21034, 34055, 55089]  # theory §d, T = 144232


def test_prefix_moments_textbook_example():
    # theory §i: p = (.4,.3,.2,.1), Huffman (1,2,3,3): E = 1.9, Var = 0.69.
    mean, var = theory.prefix_moments([1, 2, 3, 3], [0.4, 0.3, 0.2, 0.1])
    assert mean == pytest.approx(1.9, abs=1e-15)
    assert var == pytest.approx(0.69, abs=1e-15)
    # ... and the 95 % half-width at n = 1e4 is 0.0163 bits.
    assert 1.959964 * math.sqrt(var / 1e4) == pytest.approx(0.0163, abs=5e-5)


def test_prefix_moments_infinite_when_p_hits_a_symbol_without_codeword():
    assert theory.prefix_moments([1, 1, 0], [0.5, 0.25, 0.25]) == (math.inf, math.inf)
    assert theory.prefix_moments([1, 1, 0], [0.5, 0.5, 0.0]) == (1.0, 0.0)


def test_prefix_moments_checks_length():
    with pytest.raises(ValueError, match="one entry per symbol; got 2 for K = 3"):
        theory.prefix_moments([1, 1], [0.5, 0.25, 0.25])


def test_log_loss_moments_direction_example():
    # theory §j: H(p,q) = 3.0265, H(q,p) = 3.0880.
    p, q = [0.1, 0.1, 0.1, 0.7], [1 / 3, 1 / 3, 1 / 4, 1 / 12]
    assert theory.log_loss_moments(p, q)[0] == pytest.approx(3.0265, abs=5e-5)
    assert theory.log_loss_moments(q, p)[0] == pytest.approx(3.0880, abs=5e-5)


def test_log_loss_variance_exact():
    # p = (1/2, 1/2), q = (1/2, 1/4, 1/4) restricted...: use q = (1/2, 1/2) vs q = (1/4, 3/4):
    # -log2 q takes 2 and log2(4/3) with probability 1/2 each: Var = ((2 - log2(4/3)) / 2)^2.
    h, var = theory.log_loss_moments([0.5, 0.5], [0.25, 0.75])
    a, b = 2.0, math.log2(4 / 3)
    assert h == pytest.approx((a + b) / 2, rel=1e-14)
    assert var == pytest.approx(((a - b) / 2) ** 2, rel=1e-12)
    assert theory.log_loss_moments([0.5, 0.5], [1.0, 0.0]) == (math.inf, math.inf)


def test_huffman_mismatch_counterexamples_inside_the_bound():
    # theory §d table: E_p[l_H] = 1 with H(p,q) = 1.736966 (below H(p,q)) ...
    p, q = [0.5, 0.5], [0.9, 0.1]
    e = coders.build("huffman", q).expected_length(p)
    bound = theory.huffman_bound(p, q)
    assert e == 1 and bound.lower == 1.0 and bound.contains(e)
    assert bound.upper == pytest.approx(1 + 1.736966 / 0.694242, abs=1e-5)
    # ... and E_p = 3 > H(p,q) + 1 = 2.643856, still under the Fibonacci cap.
    p, q = [0, 0, 1, 0], [0.34, 0.33, 0.32, 0.01]
    e = coders.build("huffman", q).expected_length(p)
    assert e == 3 and theory.huffman_bound(p, q).contains(3)
    assert theory.log_loss_moments(p, q)[0] + 1 == pytest.approx(2.643856, abs=1e-6)
    # The Shannon code beats it there: E_p = 2 (theory §d).
    assert coders.build("shannon", q).expected_length(p) == 2
    assert theory.shannon_bound(p, q).contains(2)


def test_fibonacci_chain_nearly_attains_the_cap():
    # theory §d: delta at symbol 1 of the K = 12 chain: 11 bits against H(p,q) = 7.172247.
    q = Distribution.from_weights(CHAIN)
    p = np.zeros(12)
    p[1] = 1.0
    e = coders.build("huffman", q).expected_length(p)
    bound = theory.huffman_bound(p, q)
    assert e == 11
    assert bound.upper == pytest.approx(1 + 7.172247 / 0.6942419, abs=1e-5)
    assert bound.contains(e)
    lengths = coders.build("huffman", q).lengths
    for x, w in enumerate(CHAIN):
        assert lengths[x] <= theory.fibonacci_length_cap(w / sum(CHAIN))


def test_fibonacci_length_cap_small_values():
    # max{l : F_{l+1} <= 1/q}, F = 1, 1, 2, 3, 5, 8: 1/q = 1 -> 1; 2 -> 2; 3 -> 3; 1/0.34 -> 2; 8 -> 5.
    assert [theory.fibonacci_length_cap(v) for v in (1.0, 0.5, 1 / 3, 0.34, 0.125)] == [1, 2, 3, 2, 5]
    with pytest.raises(ValueError, match=r"`qx` must be a probability in \(0, 1\]; got 0"):
        theory.fibonacci_length_cap(0)


def test_matched_huffman_bound_is_thm_5_4_1():
    p = [0.4, 0.3, 0.2, 0.1]
    b = theory.huffman_bound(p, p)
    assert b.upper_strict and b.upper == pytest.approx(b.lower + 1)
    assert "matched" in b.text


@pytest.mark.parametrize("seed", range(12))
def test_every_prefix_coder_obeys_its_theorem_on_random_pairs(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 40))
    p = Distribution.dirichlet(k, 0.5, rng=rng)
    q = Distribution.dirichlet(k, 0.5, rng=rng)
    for name in coders.names("prefix"):
        code = coders.build(name, q)
        g = theory.guarantee(name, "prefix", code, p, q, 1000)
        assert g.expected == pytest.approx(code.expected_length(p), rel=1e-14)
        assert g.holds, (name, g.expected, g.bound)


def test_one_symbol_q_spends_one_bit():
    b = theory.shannon_bound([1, 0], [1, 0])
    assert b.contains(1.0, slack=0) and b.upper == 1.0
    b = theory.huffman_bound([1, 0], [1, 0])
    assert b.contains(1.0, slack=0) and b.upper == 1.0 and "one-symbol" in b.text


def test_sfe_bound_one_bit_above_shannon():
    b = theory.sfe_bound([0.5, 0.5], [0.25, 0.75])
    h = 0.5 * 2 + 0.5 * math.log2(4 / 3)  # H(p,q) = -Σ p log2 q by hand: 1.2075187 bits
    assert (b.lower, b.upper) == (pytest.approx(h + 1), pytest.approx(h + 2))
    assert not b.contains(h + 2, slack=0) and b.contains(h + 1, slack=0)


def test_bound_contains_respects_strictness_and_infinity():
    b = theory.Bound(1.0, 2.0, "t", "s", upper_strict=True)
    assert b.contains(1.0, slack=0) and b.contains(1.5, slack=0) and not b.contains(2.0, slack=0)
    assert not b.contains(0.9) and not b.contains(2.0 + 1e-9)
    assert b.contains(2.0)  # within float rounding of a strict end: the default slack lets it pass
    assert not b.contains(math.inf)
    assert theory.Bound(1.0, math.inf, "t", "s").contains(math.inf)


def _kt_sequential_bits(symbols, k, alpha=Fraction(1, 2)):
    """-log2 of the sequential KT product, in exact fractions (theory §h definition)."""
    counts = [0] * k
    prob = Fraction(1)
    for t, x in enumerate(symbols):
        prob *= (counts[x] + alpha) / (t + k * alpha)
        counts[x] += 1
    return -(math.log2(prob.numerator) - math.log2(prob.denominator))


@pytest.mark.parametrize("alpha", [Fraction(1, 2), Fraction(1)])
def test_kt_closed_form_equals_sequential_product(alpha):
    rng = np.random.default_rng(5)
    symbols = rng.integers(0, 5, size=300).tolist()
    counts = np.bincount(symbols, minlength=7)  # two symbols never seen
    ref = _kt_sequential_bits(symbols, 7, alpha)
    assert theory.kt_code_length(counts, float(alpha)) == pytest.approx(ref, rel=1e-12)


def test_kt_rejects_bad_counts():
    with pytest.raises(ValueError, match="`counts` must be a non-empty 1-D vector"):
        theory.kt_code_length([-1, 2])
    with pytest.raises(ValueError, match="`alpha` must be > 0; got 0"):
        theory.kt_code_length([1, 2], 0)


def test_kt_expected_redundancy_matches_exact_binomial_expectation():
    # theory §h: K = 2, n = 1e4, theta = 0.3: Clarke-Barron within 1e-3 of the exact expectation.
    from scipy.stats import binom

    n, theta = 10_000, 0.3
    a = np.arange(n + 1)
    pmf = binom.pmf(a, n, theta)
    keep = pmf > 1e-300
    lengths = np.array([theory.kt_code_length([int(i), n - int(i)]) for i in a[keep]])
    h = -(theta * math.log2(theta) + (1 - theta) * math.log2(1 - theta))
    exact = float(np.dot(pmf[keep], lengths)) - n * h
    assert theory.kt_expected_redundancy(2, n) == pytest.approx(exact, abs=1e-3)


def test_stream_guarantee_from_given_numbers():
    # No coder needed: a quantized model and documented excess bounds.
    p, q, q_hat = [0.5, 0.5], [0.5, 0.5], Distribution([0.25, 0.75])
    g = theory.stream_guarantee("arith", p, q, q_hat, 100, (0.0, 2.0))
    # By hand: -log2 q_hat = 2 or log2(4/3), each with p = 1/2; mean 1.2075187, and the variance of a
    # two-point law with equal weights is (difference / 2)^2.
    h = 0.5 * 2 + 0.5 * math.log2(4 / 3)
    assert g.expected == pytest.approx(h, rel=1e-15) and g.model_cross_entropy == g.expected
    assert g.variance == pytest.approx(((2 - math.log2(4 / 3)) / 2) ** 2, rel=1e-12)
    assert (g.bound.lower, g.bound.upper) == (pytest.approx(h, rel=1e-15), pytest.approx(h + 0.02))
    assert g.excess == (0.0, 2.0)
    # quantization cost H(p,q_hat) - H(p,q) = 1.2075187 - 1 bits/symbol
    assert "quantization cost" in g.notes[0] and f"{h - 1:.6g}" in g.notes[0]


def test_adaptive_guarantee_has_the_exact_expectation_and_no_variance():
    g = theory.adaptive_guarantee("adaptive", [0.5, 0.5], 1000, (0.0, 2.0))
    # Not a sum of i.i.d. terms: no variance or law (the runner uses McDiarmid), but an exact expectation.
    assert g.variance is None and g.law is None and g.excess == (0.0, 2.0) and g.prior == 0.5
    # Reference: E over a ~ Binomial(1000, 1/2) of the KT length of counts (a, n - a),
    # -log2 [Gamma(a + 1/2) Gamma(n - a + 1/2) / (Gamma(1/2)**2 Gamma(n + 1))] (theory §h closed
    # form), summed here with lgamma (about 1e-13 relative), not with the library's expectation.
    n = 1000
    expected_bits = math.fsum(
        math.exp(math.lgamma(n + 1) - math.lgamma(a + 1) - math.lgamma(n - a + 1) - n * math.log(2))
        * (2 * math.lgamma(0.5) + math.lgamma(n + 1) - math.lgamma(a + 0.5) - math.lgamma(n - a + 0.5))
        / math.log(2)
        for a in range(n + 1)
    )
    assert g.expected == pytest.approx(expected_bits / n, rel=1e-11)
    assert g.bound.lower == g.expected and g.bound.upper == pytest.approx(g.expected + 2 / 1000)
    assert g.holds and g.difference_bound == pytest.approx(math.log2(999.5 / 0.5))


def test_laplace_expected_redundancy_matches_exact_binomial_expectation():
    # theory §h, Laplace: (K-1)/2 log2(n/(2 pi e)) - 1/2 Σ log2 p_k - log2 (K-1)!. Reference: the exact
    # expectation over the binomial, with the Laplace length log2 C(n+1, 1) + log2 C(n, a) (enumerative
    # code, theory §h) written here with lgamma, not with the function under test.
    from scipy.stats import binom

    n, theta = 10_000, 0.3
    a = np.arange(n + 1)
    pmf = binom.pmf(a, n, theta)
    lg = np.vectorize(math.lgamma)
    lengths = (math.log(n + 1) + lg(n + 1.0) - lg(a + 1.0) - lg(n - a + 1.0)) / math.log(2)
    h = -(theta * math.log2(theta) + (1 - theta) * math.log2(1 - theta))
    exact = float(np.dot(pmf, lengths)) - n * h
    assert theory.laplace_expected_redundancy([theta, 1 - theta], n) == pytest.approx(exact, abs=2e-3)
    # Not the KT constant: Laplace differs by -1/2 Σ log2 p_k - log2 Γ(1/2)^2 = 0.80 bits here.
    assert abs(theory.laplace_expected_redundancy([theta, 1 - theta], n) - theory.kt_expected_redundancy(2, n)) > 0.5
    assert theory.laplace_expected_redundancy([1.0, 0.0], n) == math.inf


def test_adaptive_guarantee_names_the_constant_of_its_prior():
    kt = theory.adaptive_guarantee("adaptive", [0.5, 0.5], 1000, (0.0, 2.0), prior=0.5)
    lap = theory.adaptive_guarantee("adaptive", [0.5, 0.5], 1000, (0.0, 2.0), prior=1)
    other = theory.adaptive_guarantee("adaptive", [0.5, 0.5], 1000, (0.0, 2.0), prior=2)
    assert kt.notes[0].startswith("KT: E[L] - n H(p) = ") and lap.notes[0].startswith("Laplace: E[L] - n H(p) = ")
    assert "Clarke-Barron" in kt.notes[0] and "Clarke-Barron" in lap.notes[0]
    assert other.notes[0].startswith("add-2: E[L] - n H(p) = ") and "Clarke-Barron" not in other.notes[0]
    assert lap.prior == 1.0 and "add-1 code length" in lap.statement


def test_gallager_sigma_value():
    # theory §e: sigma = 1 - log2 e + log2 log2 e = 0.0860713.
    assert theory.GALLAGER_SIGMA == pytest.approx(0.0860713, abs=5e-8)


def test_fixed_8_bit_code_is_not_a_huffman_code_for_the_default_workload():
    # The default simulate workload. E_p of a fixed 8-bit code (8.0) lies inside the mismatched bound
    # [H(p), 1 + H(p,q)/log2 phi], so only the q-side checks can tell it is not a Huffman code for q.
    from codebook.spec import parse_distribution

    p = parse_distribution("zipf:256:1.1")
    q = parse_distribution("mix(zipf:256:1.1, uniform:256, 0.3)")
    g = theory.prefix_guarantee("huffman", [8] * 256, p, q)
    assert g.bound.contains(g.expected)  # the old check alone passed it
    assert not g.holds
    assert "H(q) + 1" in g.failure and "Gallager" in g.failure and "Fibonacci" in g.failure


def test_q_side_violations_each_named():
    q = [0.5, 0.25, 0.25]
    assert theory.huffman_q_violations([1, 2, 2], q) == ()
    v = theory.huffman_q_violations([1, 2, 3], q)  # Kraft 7/8: not a full tree
    assert len(v) == 1 and "Kraft sum Σ 2^-l(x) = 0.875" in v[0]
    # q = (0.6, 0.4) with lengths (1, 1) is Huffman; (1, 2) has Kraft 3/4, E_q = 1.4 < H(q) + 1.
    assert "Kraft" in theory.huffman_q_violations([1, 2], [0.6, 0.4])[0]
    v = theory.huffman_q_violations([2, 2, 1], [0.9, 0.05, 0.05])  # E_q = 1.95 >= H(q) + 1 = 1.569
    assert any("H(q) + 1" in s for s in v) and any("Gallager" in s for s in v)
    v = theory.huffman_q_violations([1, 0], [0.5, 0.5])
    assert "symbol 1 has q(x) = 0.5 > 0 but no codeword" in v[0]


@settings(max_examples=150, deadline=None)
@given(k=st.integers(1, 40), alpha=st.sampled_from([0.05, 0.3, 1.0, 5.0]), seed=st.integers(0, 2**32 - 1))
def test_real_huffman_codes_pass_every_q_side_check(k, alpha, seed):
    rng = np.random.default_rng(seed)
    p = Distribution.dirichlet(k, alpha, rng=rng)
    q = Distribution.dirichlet(k, alpha, rng=rng)
    code = coders.build("huffman", q)
    g = theory.prefix_guarantee("huffman", code.lengths, p, q)
    assert g.violations == () and (g.holds or not math.isfinite(g.expected)), g.failure
