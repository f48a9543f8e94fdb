"""Shannon and Shannon-Fano-Elias codes: exact lengths, textbook codewords, the wrong-code bound."""

import math
from fractions import Fraction

import numpy as np
import pytest

from codebook import Distribution, cross_entropy, parse_distribution
from codebook.coders import ShannonCode, ShannonFanoEliasCode, sfe_codewords, shannon_lengths


def test_shannon_lengths_are_ceil_of_self_information():
    assert shannon_lengths([0.5, 0.25, 0.125, 0.125]).tolist() == [1, 2, 3, 3]
    # q = (0.4, 0.3, 0.2, 0.1): ceil(-log2 q) = 2, 2, 3, 4 (by hand: 2**-2 <= .4 < 2**-1, ...)
    assert shannon_lengths([0.4, 0.3, 0.2, 0.1]).tolist() == [2, 2, 3, 4]


def test_shannon_length_is_exact_just_below_a_power_of_two():
    # theory §c: ceil(-log2 q) must be computed exactly. q0 is the largest double below
    # 1/8, so its exact length is 4; a float log2 returns exactly 3.0 and ceil gives 3.
    q0 = np.nextafter(0.125, 0)
    assert math.ceil(-math.log2(q0)) == 3  # the trap
    q = [q0, 1 - q0]
    assert shannon_lengths(q).tolist() == [4, 1]


def test_shannon_lengths_use_the_exact_normalisation():
    # q sums to S = 1 + 2**-40 (within the 1e-9 tolerance) and is taken exactly normalised:
    # 0.5/S and 0.25/S fall just below their powers of two, so their lengths grow to 2 and 3,
    # while (0.25 + 2**-40)/S is still above 1/4 (0.25 + e > 0.25 (1 + e)): length 2.
    # Unnormalised floats would give (1, 2, 2).
    q = [0.5, 0.25, 0.25 + 2**-40]
    assert shannon_lengths(q).tolist() == [2, 3, 2]
    assert ShannonCode(q).kraft_sum(exact=True) == Fraction(5, 8)


def test_sfe_codewords_cover_thomas_example():
    # C&T 2nd ed. §5.9 example: p = (.25, .5, .125, .125), Fbar = .125, .5, .8125, .9375,
    # l = 3, 2, 4, 4, codewords 001, 10, 1101, 1111.
    assert sfe_codewords([0.25, 0.5, 0.125, 0.125]) == ["001", "10", "1101", "1111"]


def test_sfe_is_prefix_free_with_shannon_plus_one_lengths():
    rng = np.random.default_rng(3)
    for _ in range(20):
        q = rng.dirichlet(np.full(9, 0.5))
        code = ShannonFanoEliasCode(q)  # the constructor's trie check proves prefix-freeness
        assert (code.lengths == shannon_lengths(q) + 1).all()  # no q(x) = 1 here


@pytest.mark.parametrize("seed", range(5))
def test_wrong_code_theorem(seed):
    # C&T Thm 5.4.3: H(p,q) <= E_p[l_Shannon(q)] < H(p,q) + 1; SFE adds exactly one bit.
    rng = np.random.default_rng(seed)
    p, q = rng.dirichlet(np.ones(16)), rng.dirichlet(np.ones(16))
    h = cross_entropy(p, q)
    e = ShannonCode(q).expected_length(p)
    assert h <= e < h + 1
    assert ShannonFanoEliasCode(q).expected_length(p) == pytest.approx(e + 1, rel=1e-14)


def test_zero_and_one_symbol_cases():
    assert shannon_lengths([1.0]).tolist() == [1]
    assert ShannonCode([0.0, 1.0]).codewords == (None, "0")
    assert sfe_codewords([0.5, 0.0, 0.5]) == ["01", None, "11"]
    assert ShannonFanoEliasCode(Distribution([1.0])).codewords == ("1",)


def test_exact_spec_gives_the_textbook_shannon_lengths():
    # Issue 8: 0.1, 0.25, 0.65 written as decimals are the rationals 1/10, 1/4, 13/20, which
    # sum to exactly 1. Lengths by hand: 2**3 < 10 <= 2**4 -> 4; 1/4 = 2**-2 -> 2;
    # 13/20 >= 1/2 -> 1. (Their binary64 values sum to 1 + 2**-55 and, normalised exactly,
    # put 0.25 just below 1/4: length 3, the float answer.)
    q = parse_distribution("0.1,0.25,0.65")
    assert q.is_exact and sum(q.exact) == 1
    assert shannon_lengths(q).tolist() == [4, 2, 1]
    assert shannon_lengths(Distribution([0.1, 0.25, 0.65])).tolist() == [4, 3, 1]  # float input


def test_exact_sfe_codewords_by_hand_in_fractions():
    # Issue 8 (C&T §5.9, Table 5.3 style): q = (1/3, 1/4, 1/6, 1/4). Computed by hand:
    #   x  q     F(x-1)  Fbar = F(x-1) + q/2   l = ceil(log2 1/q) + 1   first l bits of Fbar
    #   0  1/3   0       1/6   = 0.0010101...  2 + 1 = 3                001
    #   1  1/4   1/3     11/24 = 0.0111010...  2 + 1 = 3                011
    #   2  1/6   7/12    2/3   = 0.1010101...  3 + 1 = 4                1010
    #   3  1/4   3/4     7/8   = 0.111         2 + 1 = 3                111
    expected = []
    below = Fraction(0)
    for qx in (Fraction(1, 3), Fraction(1, 4), Fraction(1, 6), Fraction(1, 4)):
        fbar = below + qx / 2
        length = math.ceil(math.log2(1 / qx) - 1e-12) + 1  # 1/q is 3, 4, 6 or 4: no rounding issue
        expected.append(format(math.floor(fbar * 2**length), f"0{length}b"))
        below += qx
    assert expected == ["001", "011", "1010", "111"]
    q = parse_distribution("1/3,1/4,1/6,1/4")
    assert ShannonFanoEliasCode(q).codewords == tuple(expected)
    # The same pmf as binary64 values (1/3 and 1/6 rounded) ends in 110: exactness matters.
    assert sfe_codewords([1 / 3, 1 / 4, 1 / 6, 1 / 4])[-1] == "110"


def test_vectorized_lengths_match_the_integer_definition():
    # ceil(-log2 q) from the float estimate plus the exact expansion test, against the
    # definition on integers (the least l with w 2**l >= total, codebook.exact) on vectors
    # built to sit on and next to powers of two, with sums off 1 by up to 1e-9 and subnormals.
    from codebook.exact import ceil_log2_ratio

    rng = np.random.default_rng(17)
    for trial in range(200):
        k = int(rng.integers(2, 30))
        exps = rng.integers(1, 60, k)
        q = np.ldexp(1.0, -exps)
        nudge = rng.integers(-2, 3, k)
        q = np.array([np.nextafter(v, 1.0) if d > 0 else np.nextafter(v, 0.0) if d < 0 else v for v, d in zip(q, nudge)])
        if trial % 4 == 0:
            q[rng.integers(k)] = 5e-324  # a subnormal
        q[0] += 1.0 - math.fsum(q.tolist()) + rng.uniform(-9e-10, 9e-10)
        if q[0] <= 0:
            continue
        d = Distribution(q)
        ints, total = d.exact_integers()
        expected = [max(1, ceil_log2_ratio(total, w)) if w else 0 for w in ints]
        assert shannon_lengths(d).tolist() == expected
