"""Distribution: validation with precise messages, constructors, sampling."""

from fractions import Fraction

import numpy as np
import pytest

from codebook import AlphabetMismatchError, Distribution, DistributionError


class TestValidation:
    def test_accepts_a_pmf_and_is_read_only(self):
        d = Distribution([0.5, 0.25, 0.25])
        assert len(d) == 3 and d.probs.dtype == np.float64
        with pytest.raises(ValueError):
            d.probs[0] = 0.1

    def test_input_array_is_copied_not_shared(self):
        values = np.array([0.5, 0.5])
        d = Distribution(values)
        values[0] = 0.9
        assert d.probs.tolist() == [0.5, 0.5]

    def test_exact_fractions_are_accepted(self):
        d = Distribution([Fraction(1, 3)] * 3)
        assert d.probs.tolist() == [1 / 3] * 3

    @pytest.mark.parametrize(
        ("values", "message"),
        [
            ([], r"`p` must have at least one entry; got an empty vector"),
            ([0.5, float("nan"), 0.5], r"`p` must be finite; p\[1\] = nan"),
            ([0.5, float("inf")], r"`p` must be finite; p\[1\] = inf"),
            ([0.6, -0.2, 0.6], r"`p` must be non-negative; p\[1\] = -0.2"),
            ([0.5, 0.25], r"`p` must sum to 1 \(within 1e-09\); sum\(p\) = 0.75"),
            ([[0.5, 0.5]], r"`p` must be one-dimensional"),
            (["a", "b"], r"`p` must contain numbers"),
        ],
    )
    def test_bad_vectors_are_refused_with_rule_value_and_index(self, values, message):
        with pytest.raises(DistributionError, match=message):
            Distribution(values)

    def test_the_name_in_messages_is_the_callers(self):
        with pytest.raises(DistributionError, match=r"`q` must be non-negative; q\[3\] = -0.2"):
            Distribution([0.4, 0.4, 0.4, -0.2], name="q")

    def test_no_silent_renormalisation_but_a_tolerance_for_rounding(self):
        Distribution([0.1] * 10)  # sums to 0.9999999999999999 in floats
        with pytest.raises(DistributionError, match="must sum to 1"):
            Distribution([0.5, 0.5 + 2e-9])

    def test_labels_must_match(self):
        assert Distribution([0.5, 0.5], labels=["a", "b"]).label(1) == "b"
        with pytest.raises(DistributionError, match="one entry per symbol; got 1 labels for 2 symbols"):
            Distribution([0.5, 0.5], labels=["a"])

    def test_errors_are_value_errors(self):
        assert issubclass(DistributionError, ValueError)


class TestConstructors:
    def test_from_counts_plug_in_and_smoothing(self):
        assert Distribution.from_counts([3, 1, 0]).probs.tolist() == [0.75, 0.25, 0.0]
        # add-1/2 (Krichevsky-Trofimov): (3.5, 1.5, 0.5) / 5.5
        assert np.allclose(Distribution.from_counts([3, 1, 0], smoothing=0.5).probs, [3.5 / 5.5, 1.5 / 5.5, 0.5 / 5.5])
        with pytest.raises(DistributionError, match=r"`smoothing` must be finite and >= 0; got -1"):
            Distribution.from_counts([1, 1], smoothing=-1)
        with pytest.raises(DistributionError, match=r"`counts` must have a positive, finite sum; sum\(counts\) = 0$"):
            Distribution.from_counts([0, 0])

    def test_from_weights_normalises_explicitly(self):
        assert Distribution.from_weights([1, 1, 2]).probs.tolist() == [0.25, 0.25, 0.5]
        with pytest.raises(DistributionError, match=r"`weights` must be non-negative; weights\[0\] = -1$"):
            Distribution.from_weights([-1, 2])

    def test_from_bytes_is_the_order0_byte_type(self):
        d = Distribution.from_bytes(b"abca")
        assert len(d) == 256
        assert d.probs[ord("a")] == 0.5 and d.probs[ord("b")] == 0.25 and d.probs[ord("z")] == 0

    def test_from_symbols_checks_the_range(self):
        with pytest.raises(DistributionError, match=r"`symbols` must lie in 0..2; symbols\[1\] = 3"):
            Distribution.from_symbols([0, 3], 3)

    def test_families(self):
        assert Distribution.uniform(4).probs.tolist() == [0.25] * 4
        # Zipf(s=1) over 3 symbols: (1, 1/2, 1/3) / (11/6) = (6/11, 3/11, 2/11)
        assert np.allclose(Distribution.zipf(3, 1).probs, [6 / 11, 3 / 11, 2 / 11], rtol=1e-15)
        # geometric r = 1/2 over 3: (1, 1/2, 1/4) / (7/4)
        assert np.allclose(Distribution.geometric(3, 0.5).probs, [4 / 7, 2 / 7, 1 / 7], rtol=1e-15)
        assert Distribution.dyadic(4).probs.tolist() == [0.5, 0.25, 0.125, 0.125]
        assert Distribution.dyadic(1).probs.tolist() == [1.0]
        a = Distribution.dirichlet(5, 0.5, seed=3)
        assert a == Distribution.dirichlet(5, 0.5, seed=3) and a != Distribution.dirichlet(5, 0.5, seed=4)

    @pytest.mark.parametrize(
        ("build", "message"),
        [
            (lambda: Distribution.uniform(0), r"alphabet size K must be a positive integer; got 0"),
            (lambda: Distribution.geometric(3, 1.5), r"geometric ratio `r` must be in \(0, 1\]; got 1.5"),
            (lambda: Distribution.dyadic(2000), r"dyadic:K needs K <= 1075"),
            (lambda: Distribution.dirichlet(3, 0), r"dirichlet `alpha` must be > 0; got 0"),
        ],
    )
    def test_family_parameters_are_checked(self, build, message):
        with pytest.raises(DistributionError, match=message):
            build()

    def test_mix_and_temper(self):
        p, u = Distribution([1.0, 0.0]), Distribution.uniform(2)
        assert p.mix(u, 0.5).probs.tolist() == [0.75, 0.25]
        assert Distribution([0.8, 0.2]).temper(1e9).probs[0] == pytest.approx(0.5)
        assert Distribution([0.75, 0.25, 0.0]).temper(0.5).probs.tolist() == pytest.approx([0.9, 0.1, 0.0])
        with pytest.raises(AlphabetMismatchError, match=r"len\(first\) = 2, len\(second\) = 3"):
            p.mix(Distribution.uniform(3), 0.1)
        with pytest.raises(DistributionError, match=r"mixture `weight` must be in \[0, 1\]; got 2"):
            p.mix(u, 2)


class TestSampling:
    def test_reproducible_for_a_seed_and_int64(self):
        d = Distribution.zipf(16, 1.2)
        a, b = d.sample(1000, seed=7), d.sample(1000, seed=7)
        assert a.dtype == np.int64 and np.array_equal(a, b)
        assert not np.array_equal(a, d.sample(1000, seed=8))
        assert np.array_equal(d.sample(1000, rng=np.random.default_rng(7)), a)

    def test_never_draws_a_zero_probability_symbol(self):
        d = Distribution([0.0, 0.5, 0.0, 0.5, 0.0])
        x = d.sample(100_000, seed=1)
        assert set(np.unique(x).tolist()) == {1, 3}

    def test_frequencies_match_probabilities(self):
        # 10^6 draws: each frequency within 5 standard errors of its probability.
        d = Distribution([0.5, 0.3, 0.15, 0.05])
        freq = np.bincount(d.sample(1_000_000, seed=2), minlength=4) / 1e6
        se = np.sqrt(d.probs * (1 - d.probs) / 1e6)
        assert (np.abs(freq - d.probs) < 5 * se).all()

    def test_sample_arguments(self):
        d = Distribution.uniform(2)
        assert d.sample(0, seed=1).size == 0
        with pytest.raises(ValueError, match=r"`n` must be a non-negative integer; got -1"):
            d.sample(-1)
        with pytest.raises(ValueError, match="either `seed` or `rng`"):
            d.sample(3, seed=1, rng=np.random.default_rng())


class TestExact:
    """Exact input stays exact (issue 8): the rationals given, never renormalised when they
    sum to 1, normalised exactly within the tolerance; probs is the correctly rounded view."""

    def test_fractions_are_kept_exactly(self):
        d = Distribution([Fraction(1, 10), Fraction(1, 4), Fraction(13, 20)])
        assert d.is_exact and d.exact == (Fraction(1, 10), Fraction(1, 4), Fraction(13, 20))
        assert d.probs.tolist() == [0.1, 0.25, 0.65] and not d.probs.flags.writeable
        assert "exact" in repr(d)

    def test_ints_decimals_and_integer_arrays_are_exact(self):
        from decimal import Decimal

        assert Distribution([0, 1]).exact == (0, 1)
        assert Distribution([Decimal("0.1"), Decimal("0.9")]).exact == (Fraction(1, 10), Fraction(9, 10))
        assert Distribution(np.array([0, 1], dtype=np.uint8)).is_exact
        assert not Distribution([0.5, Fraction(1, 2)]).is_exact  # one float makes a float vector

    def test_within_tolerance_is_normalised_exactly(self):
        x = [Fraction(1, 3), Fraction(2, 3) + Fraction(1, 10**10)]
        d = Distribution(x)
        s = sum(x)
        assert d.exact == (x[0] / s, x[1] / s) and sum(d.exact) == 1

    def test_float_input_is_its_exact_binary64_normalisation(self):
        d = Distribution([0.1, 0.25, 0.65])
        assert not d.is_exact
        s = Fraction(0.1) + Fraction(0.25) + Fraction(0.65)
        assert s == 1 + Fraction(1, 2**55)  # why the float answer differs from the exact one
        assert d.exact == (Fraction(0.1) / s, Fraction(0.25) / s, Fraction(0.65) / s)

    def test_exact_constructors(self):
        assert Distribution.uniform(3).exact == (Fraction(1, 3),) * 3
        assert Distribution.dyadic(4).exact == (Fraction(1, 2), Fraction(1, 4), Fraction(1, 8), Fraction(1, 8))
        assert Distribution.from_counts([3, 1, 0], smoothing=0.5).exact == (Fraction(7, 11), Fraction(3, 11), Fraction(1, 11))
        assert Distribution.from_counts([3, 1, 0], smoothing=Fraction(1, 3)).exact == (
            Fraction(10, 15), Fraction(4, 15), Fraction(1, 15))
        assert Distribution.from_weights([1, 3, 3, 3, 3, 2]).exact[0] == Fraction(1, 15)
        assert Distribution.from_bytes(b"abca").exact[ord("a")] == Fraction(1, 2)
        assert Distribution.from_symbols([0, 2, 2], 3).exact == (Fraction(1, 3), 0, Fraction(2, 3))
        # float counts stay float
        assert not Distribution.from_counts(np.array([3.0, 1.0])).is_exact

    def test_mix_is_exact_when_both_sides_and_the_weight_are(self):
        a, b = Distribution.uniform(3), Distribution([1, 0, 0])
        m = a.mix(b, Fraction(1, 4))
        assert m.exact == (Fraction(1, 2), Fraction(1, 4), Fraction(1, 4))
        assert a.mix(b, 0.25).exact == m.exact  # 0.25 is exactly 1/4 in binary64
        assert not a.mix(Distribution([1.0, 0.0, 0.0]), Fraction(1, 4)).is_exact

    def test_temper_is_float_except_at_one(self):
        d = Distribution.uniform(3)
        assert d.temper(1) is d
        assert not Distribution([Fraction(3, 4), Fraction(1, 4)]).temper(0.5).is_exact

    def test_huge_integers_and_a_probability_below_binary64(self):
        big = 10**400
        d = Distribution.from_weights([big, 3 * big])
        assert d.exact == (Fraction(1, 4), Fraction(3, 4)) and d.probs.tolist() == [0.25, 0.75]
        with pytest.raises(DistributionError, match=r"`p` has a probability too small for binary64: p\[1\] = "):
            Distribution([1, Fraction(1, 10**400)])

    def test_exact_and_float_are_never_equal(self):
        assert Distribution.uniform(2) == Distribution([Fraction(1, 2)] * 2)
        assert Distribution.uniform(2) != Distribution([0.5, 0.5])
        assert Distribution([0.5, 0.5]) == Distribution([0.5, 0.5])

    def test_exact_messages(self):
        with pytest.raises(DistributionError, match=r"`p` must sum to 1 \(within 1e-09\); sum\(p\) = 2/3\. Use"):
            Distribution([Fraction(1, 3), Fraction(1, 3)])
        with pytest.raises(DistributionError, match=r"`p` must be non-negative; p\[1\] = -1/3"):
            Distribution([Fraction(4, 3), Fraction(-1, 3)])
        with pytest.raises(DistributionError, match=r"mixture `weight` must be in \[0, 1\]; got 1\.5"):
            Distribution.uniform(2).mix(Distribution.uniform(2), Fraction(3, 2))
