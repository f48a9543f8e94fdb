"""Entropy, cross-entropy, KL: edge conventions and agreement with 60-digit references."""

import math
import warnings

import numpy as np
import pytest
from exact_reference import cross_entropy_bits, entropy_bits, kl_bits

from codebook import AlphabetMismatchError, Distribution, DistributionError, cross_entropy, entropy, kl_divergence
from codebook.measures import information_content

RTOL = 1e-12  # the requirement against exact computation


def close(a, b):
    return a == b or abs(a - b) <= RTOL * abs(b)


class TestConventions:
    def test_textbook_values(self):
        assert entropy([0.5, 0.25, 0.25]) == 1.5  # C&T Example 2.1.2 style: 1.5 bits
        assert entropy(Distribution.uniform(8)) == 3.0
        assert entropy([0.5, 0.5], base=math.e) == pytest.approx(math.log(2), rel=1e-15)

    def test_zero_log_zero_is_zero_without_warnings(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert entropy([1.0, 0.0]) == 0.0
            assert cross_entropy([0.5, 0.5, 0.0], [0.5, 0.25, 0.25]) == 1.5
            assert kl_divergence([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 0.0
            assert cross_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf  # inf, not nan, no warning
            assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf

    def test_inf_even_for_a_tiny_p_mass_on_a_q_zero(self):
        # THEORY.md (a): clamping log(q + eps) would give a finite value; the truth is inf.
        p = [1 - 1e-15, 1e-15]
        assert cross_entropy(p, [1.0, 0.0]) == math.inf and kl_divergence(p, [1.0, 0.0]) == math.inf

    def test_mismatched_alphabets_raise(self):
        with pytest.raises(AlphabetMismatchError, match=r"len\(p\) = 2, len\(q\) = 3"):
            cross_entropy([0.5, 0.5], [0.5, 0.25, 0.25])
        with pytest.raises(AlphabetMismatchError):
            kl_divergence([0.5, 0.5], [1.0])

    def test_inputs_are_validated_not_renormalised(self):
        with pytest.raises(DistributionError, match=r"`q` must be non-negative; q\[1\] = -0.5"):
            cross_entropy([0.5, 0.5], [1.5, -0.5])
        with pytest.raises(DistributionError, match=r"`p` must sum to 1"):
            entropy([0.2, 0.2])
        with pytest.raises(ValueError, match="`base` must be a positive number other than 1; got 1"):
            entropy([1.0], base=1)

    def test_identity_and_direction(self):
        # THEORY.md (j): p = (.1,.1,.1,.7), q = (1/3,1/3,1/4,1/12): H(p,q) = 3.0265, H(q,p) = 3.0880
        p, q = [0.1, 0.1, 0.1, 0.7], [1 / 3, 1 / 3, 1 / 4, 1 / 12]
        assert cross_entropy(p, q) == pytest.approx(3.0265, abs=5e-5)
        assert cross_entropy(q, p) == pytest.approx(3.0880, abs=5e-5)
        assert cross_entropy(p, q) == pytest.approx(entropy(p) + kl_divergence(p, q), rel=1e-14)


class TestAgainstExactComputation:
    @pytest.mark.parametrize("k", [2, 3, 17, 4096])
    def test_random_pairs(self, k):
        rng = np.random.default_rng(k)
        for _ in range(2 if k == 4096 else 10):
            p = rng.dirichlet(np.full(k, 0.5))
            for q in (rng.dirichlet(np.ones(k)), p * (1 + rng.normal(0, 1e-6, k))):
                q = q / q.sum()
                assert close(entropy(p), entropy_bits(p))
                assert close(cross_entropy(p, q), cross_entropy_bits(p, q))
                assert close(kl_divergence(p, q), kl_bits(p, q))

    def test_near_deterministic_entropy(self):
        # THEORY.md (a): p = (1 - 1e-12, 1e-12) has H = 4.1306e-11 bits; needs care near 1.
        p = [1 - 1e-12, 1e-12]
        assert close(entropy(p), entropy_bits(p))
        assert entropy(p) == pytest.approx(4.1306e-11, rel=1e-4)
        assert kl_divergence(p, p) == 0.0

    def test_kl_of_close_distributions_has_no_cancellation(self):
        # D ~ 1e-14 bits: forming H(p,q) - H(p) would leave only rounding noise.
        p = np.array([0.3, 0.7])
        q = np.array([0.3 + 1e-7, 0.7 - 1e-7])
        assert close(kl_divergence(p, q), kl_bits(p, q))

    def test_q_entries_near_1e_300(self):
        q = np.array([1e-300] * 10 + [1 - 1e-299])
        p = np.full(11, 1 / 11)
        assert close(cross_entropy(p, q), cross_entropy_bits(p, q))
        assert close(kl_divergence(p, q), kl_bits(p, q))
        assert close(kl_divergence(q, p), kl_bits(q, p))
        sub = np.array([5e-324, 1 - 5e-324])  # the smallest subnormal
        assert close(kl_divergence([0.5, 0.5], sub), kl_bits([0.5, 0.5], sub))


def test_information_content_is_the_ideal_message_length():
    # -log2 q(x^n) for q = (1/2, 1/4, 1/4) and x = 0,1,2,2: 1 + 2 + 2 + 2 = 7 bits
    assert information_content([0, 1, 2, 2], [0.5, 0.25, 0.25]) == 7.0
    assert information_content([], [1.0]) == 0.0
    assert information_content([1], [1.0, 0.0]) == math.inf
    with pytest.raises(ValueError, match=r"`symbols` must lie in 0..1; symbols\[0\] = 5"):
        information_content([5], [0.5, 0.5])
