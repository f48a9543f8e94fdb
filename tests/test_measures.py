"""Entropy, cross-entropy, KL: edge conventions and agreement with 60-digit references."""

import math
from fractions import Fraction
import warnings

import numpy as np
import pytest
from exact_reference import cross_entropy_bits, entropy_bits, kl_bits, kl_bits_exact

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
        # theory §a: clamping log(q + eps) would give a finite value; the truth is inf.
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
        # theory §j: p = (.1,.1,.1,.7), q = (1/3,1/3,1/4,1/12): H(p,q) = 3.0265, H(q,p) = 3.0880
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
        # theory §a: p = (1 - 1e-12, 1e-12) has H = 4.1306e-11 bits; needs care near 1.
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


class TestKLNearEquality:
    """D(p||q) for p close to q (issue 8): 1e-12 relative against 120-digit references on the
    exact pmfs, exactly 0.0 for equal pmfs. The former formula T/Sp + log1p(u) - u cancelled."""

    @staticmethod
    def exact_pmf(values):
        if isinstance(values, Distribution):
            return values.exact
        exact = [Fraction(x) for x in values]
        total = sum(exact)
        return [x / total for x in exact]

    def check(self, p, q):
        ref = kl_bits_exact(self.exact_pmf(p), self.exact_pmf(q))
        got = kl_divergence(p, q)
        assert got == ref or abs(got - ref) <= RTOL * ref, (got, ref)
        return ref

    def test_equal_pmfs_give_exactly_zero(self):
        p = [0.1, 0.2, 0.7 + 3e-10]  # sums to 1 + 3e-10
        assert kl_divergence(p, p) == 0.0
        # Different floats, the same exact normalisation: q = (1 + 2**-40) p exactly.
        assert kl_divergence([0.25, 0.75], [0.25 + 2**-42, 0.75 + 3 * 2**-42]) == 0.0
        exact = Distribution([Fraction(1, 3), Fraction(2, 3)])
        assert kl_divergence(exact, exact) == 0.0
        assert kl_divergence(Distribution([Fraction(1, 4), Fraction(3, 4)]), [0.25, 0.75]) == 0.0
        # Three equal floats, normalised exactly, are exactly uniform: D = 0 although 1/3 is
        # not a double. Unequal roundings are not: D is tiny but positive.
        assert kl_divergence(Distribution.uniform(3), [1 / 3, 1 / 3, 1 / 3]) == 0.0
        assert self.check(Distribution.uniform(3), [1 / 3, 1 / 3, 1 - 2 / 3]) > 0

    def test_exact_inputs_down_to_1e_30_and_below(self):
        for e in (10**-8, 10**-15, 10**-25, 10**-30):
            p = Distribution([Fraction(1, 3), Fraction(2, 3)])
            q = Distribution([Fraction(1, 3) + Fraction(e), Fraction(2, 3) - Fraction(e)])
            ref = self.check(p, q)
            assert 1e-3 * float(e) ** 2 < ref < 10 * float(e) ** 2  # D ~ e**2 (4.5 / 2 / ln 2)

    def test_floats_whose_sums_are_not_one(self):
        # The shape: sums 1 + 1e-10, D ~ 1e-22 (the old formula: 1.7e-6 relative).
        ref = self.check([0.3, 0.7 + 1e-10], [0.3 + 3e-12 + 4e-12, 0.7 + 1e-10 - 4e-12])
        assert 1e-23 < ref < 1e-21

    @pytest.mark.parametrize("k", [2, 5, 50])
    def test_random_close_pairs(self, k):
        rng = np.random.default_rng(100 + k)
        for _ in range(30):
            p = rng.dirichlet(np.full(k, 0.7)) * (1 + rng.uniform(-5e-10, 5e-10))
            scale = 10.0 ** -rng.uniform(3, 16)
            q = p * (1 + rng.normal(0, scale, k))
            q = q / q.sum() * (1 + rng.uniform(-5e-10, 5e-10))
            self.check(p, q)
            self.check(q, p)

    def test_random_close_exact_pairs(self):
        rng = np.random.default_rng(7)
        for _ in range(30):
            k = int(rng.integers(2, 8))
            counts = rng.integers(1, 1000, k).tolist()
            p = Distribution.from_weights(counts)
            bump = Fraction(1, 10 ** int(rng.integers(5, 40)))
            q = Distribution.from_weights([counts[0] + bump] + counts[1:])
            self.check(p, q)
            self.check(q, p)


@pytest.mark.parametrize(
    "p, q",
    [
        # The largest entry within 1e-10 of the sum, which itself is 1 - 1e-10: the former
        # log(S) correction cancelled (2.6e-8 and 6e-7 relative here).
        ([1 - 1e-10, 1e-20], [1 - 1e-10, 1e-20]),
        ([1.0, 0.0], [1 - 1e-10, 1e-20]),
        ([1 - 3e-10, 1e-15, 2e-15], [0.5 + 1e-10, 0.25, 0.25]),
        ([0.5 - 3e-10, 0.5 - 3e-10, 1e-30], [0.5, 0.5, 0.0]),
    ],
)
def test_entropy_and_cross_entropy_near_a_point_mass(p, q):
    assert close(entropy(p), entropy_bits(p))
    assert close(cross_entropy(p, q), cross_entropy_bits(p, q))
    assert entropy([1 - 1e-10, 0.0]) == 0.0  # normalised exactly: a point mass


def test_information_content_near_a_point_mass():
    # -log2 of q' = (1 - 1e-20/S', ...) normalised exactly: 1000 times ~1.4e-20 plus one
    # symbol of -log2(1e-20 / (1 - 1e-10 + 1e-20)), computed here in 60 digits.
    from decimal import Decimal, localcontext

    q = [1 - 1e-10, 1e-20]
    with localcontext() as ctx:
        ctx.prec = 60
        s = Decimal(q[0]) + Decimal(q[1])
        ref = -(1000 * (Decimal(q[0]) / s).ln() + (Decimal(q[1]) / s).ln()) / Decimal(2).ln()
    assert close(information_content([0] * 1000 + [1], q), float(ref))
