"""Golomb/Rice and Elias gamma/delta/omega codes: textbook tables, exact optimality, the protocol."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from bitarray import bitarray

from codebook import Distribution, coders
from codebook.coders.huffman import huffman_lengths
from codebook.coders.integer import (
    EliasDeltaCode,
    EliasGammaCode,
    EliasOmegaCode,
    GolombCode,
    best_golomb_parameter,
    gallager_van_voorhis_parameter,
)
from codebook.errors import CodeTableError, DecodeError

# Elias 1975 (IEEE-IT 21(2):194-203), the codeword sets gamma', delta and omega for v = 1..17;
# the same tables are reproduced in Salomon, "Variable-length codes for data compression" (2007), §2.
ELIAS_TABLES = {
    "elias-gamma": ["1", "010", "011", "00100", "00101", "00110", "00111", "0001000", "0001001", "0001010",
                    "0001011", "0001100", "0001101", "0001110", "0001111", "000010000", "000010001"],
    "elias-delta": ["1", "0100", "0101", "01100", "01101", "01110", "01111", "00100000", "00100001",
                    "00100010", "00100011", "00100100", "00100101", "00100110", "00100111", "001010000",
                    "001010001"],
    "elias-omega": ["0", "100", "110", "101000", "101010", "101100", "101110", "1110000", "1110010", "1110100",
                    "1110110", "1111000", "1111010", "1111100", "1111110", "10100100000", "10100100010"],
}
INTEGER_CODES = ["golomb", "elias-gamma", "elias-delta", "elias-omega"]


def elias_length_by_formula(variant: str, v: int) -> int:
    """Elias 1975's lengths, by Python integers (independent of the module's numpy formulas)."""
    n = v.bit_length() - 1  # floor(log2 v)
    if variant == "elias-gamma":
        return 2 * n + 1
    if variant == "elias-delta":
        return n + 2 * ((n + 1).bit_length() - 1) + 1
    length = 1  # omega: the final 0, then groups of v, floor(log2 v), ... while > 1
    while v > 1:
        length += v.bit_length()
        v = v.bit_length() - 1
    return length


@pytest.mark.parametrize("name", list(ELIAS_TABLES))
def test_elias_codewords_are_the_textbook_ones(name):
    code = coders.build(name, alphabet_size=17)
    assert list(code.codewords) == ELIAS_TABLES[name]


@pytest.mark.parametrize("name", list(ELIAS_TABLES))
def test_elias_lengths_follow_the_formulas_and_the_bitstream(name):
    k = 70_000  # past 2**16, where omega gains a group
    code = coders.build(name, alphabet_size=k)
    expected = [elias_length_by_formula(name, v) for v in range(1, k + 1)]
    assert code.lengths.tolist() == expected
    xs = np.array([0, 1, 2, 3, 6, 7, 14, 15, 254, 255, 65534, 65535, k - 1])
    for x in xs.tolist():
        assert len(code.encode([x])) == expected[x]
    assert code.kraft_sum() <= 1


# Sayood, Introduction to Data Compression (5th ed.), §3.5 "Golomb codes": m = 5, x = 0..10,
# unary quotient (ones, then a zero) and the truncated binary remainder.
SAYOOD_GOLOMB_5 = ["000", "001", "010", "0110", "0111", "1000", "1001", "1010", "10110", "10111", "11000"]


def test_golomb_m5_is_the_textbook_table():
    assert list(GolombCode(parameter=5, alphabet_size=11).codewords) == SAYOOD_GOLOMB_5


def test_rice_code_is_golomb_with_a_power_of_two():
    code = GolombCode(parameter=4, alphabet_size=12)
    assert code.is_rice
    # quotient in unary, then the remainder in exactly 2 bits
    assert list(code.codewords[:6]) == ["000", "001", "010", "011", "1000", "1001"]


def _geometric_mean_length(theta: Fraction, m: int) -> Fraction:
    """E[l_m(X)] for X ~ (1-θ)θ^x, x >= 0, in closed form (exact):
    E[X // m] = θ^m / (1 - θ^m) and P(X % m < u) = (1 - θ^u) / (1 - θ^m)."""
    b = (m - 1).bit_length()
    u = (1 << b) - m
    tm = theta**m
    return tm / (1 - tm) + 1 + b - (1 - theta**u) / (1 - tm)


@pytest.mark.parametrize("theta", [Fraction(1, 2), Fraction(3, 5), Fraction(7, 10), Fraction(9, 10),
                                   Fraction(19, 20), Fraction(97, 100)])
def test_gallager_van_voorhis_parameter_minimises_the_exact_mean_length(theta):
    means = {m: _geometric_mean_length(theta, m) for m in range(1, 400)}
    best = min(means.values())
    optimal = [m for m, v in means.items() if v == best]
    assert gallager_van_voorhis_parameter(float(theta)) in optimal


@pytest.mark.parametrize("theta", [0.5, 0.8, 0.9, 0.97])
def test_golomb_code_is_optimal_for_a_geometric_source(theta):
    # Gallager & van Voorhis 1975: the Golomb code is a Huffman code for the geometric source.
    # Against the Huffman code of the geometric truncated where its tail is below 1e-16.
    k = math.ceil(math.log(1e-16) / math.log(theta))
    q = Distribution.geometric(k, theta)
    golomb = GolombCode(q)
    assert golomb.parameter == gallager_van_voorhis_parameter(theta)
    huffman = huffman_lengths(q)
    e_huffman = sum(Fraction(float(p)) * int(l) for p, l in zip(q.probs, huffman))
    e_golomb = sum(Fraction(float(p)) * int(l) for p, l in zip(q.probs, golomb.lengths))
    assert e_huffman <= e_golomb <= e_huffman + Fraction(1, 10**9)


def test_best_parameter_for_an_arbitrary_q_is_found_by_exhaustive_search():
    rng = np.random.default_rng(11)
    for _ in range(30):
        k = int(rng.integers(2, 40))
        q = Distribution.from_weights(rng.dirichlet(np.full(k, 0.6)))
        exact = {m: sum(Fraction(float(p)) * int(l) for p, l in zip(q.probs, GolombCode(parameter=m,
                 alphabet_size=k).lengths)) for m in range(1, k + 1)}
        best = min(exact.values())
        chosen = best_golomb_parameter(q)
        assert exact[chosen] - best <= Fraction(1, 10**12)  # float64 search, exact check
        rice = best_golomb_parameter(q, rice=True)
        powers = {m: v for m, v in exact.items() if m & (m - 1) == 0}
        assert rice & (rice - 1) == 0 and exact[rice] - min(powers.values()) <= Fraction(1, 10**12)


def test_parameter_choice_is_reported():
    assert GolombCode(Distribution.geometric(64, 0.8)).parameter_choice.startswith("Gallager-van Voorhis")
    assert "minimises E_q[l]" in GolombCode(Distribution.zipf(64, 1.1)).parameter_choice
    assert GolombCode(parameter=7, alphabet_size=3).parameter_choice == "given"


@pytest.mark.parametrize("name", INTEGER_CODES)
def test_round_trip_trailing_junk_and_every_symbol_coded(name):
    q = Distribution([0.5, 0.3, 0.2, 0.0])  # q(3) = 0: an integer code still codes symbol 3
    code = coders.build(name, q)
    x = np.array([3, 0, 1, 2, 3, 3, 0] * 50)
    bits = code.encode(x)
    assert len(bits) == int(code.lengths[x].sum())
    assert np.array_equal(code.decode(bits, x.size), x)
    junk = bits + bitarray("1011001110001")
    out, used = code.decode_partial(junk, x.size)
    assert used == len(bits) and np.array_equal(out, x)
    assert len(code.encode([])) == 0 and code.decode(bitarray(), 0).size == 0


@pytest.mark.parametrize("name", INTEGER_CODES)
def test_every_truncation_is_an_error(name):
    code = coders.build(name, Distribution.zipf(300, 1.0))
    x = Distribution.zipf(300, 1.0).sample(60, seed=3)
    bits = code.encode(x)
    for cut in range(len(bits)):
        with pytest.raises(DecodeError, match="truncated bitstream"):
            code.decode(bits[:cut], x.size)


@pytest.mark.parametrize("name", ["elias-gamma", "elias-delta", "elias-omega"])
def test_codeword_beyond_the_alphabet_is_invalid(name):
    small = coders.build(name, alphabet_size=4)
    big = coders.build(name, alphabet_size=100)
    bits = big.encode([1, 50, 2])
    with pytest.raises(DecodeError, match=r"invalid code sequence at bit position \d+"):
        small.decode(bits, 3)


def test_golomb_codeword_beyond_the_alphabet_is_invalid():
    bits = GolombCode(parameter=3, alphabet_size=20).encode([1, 17])
    with pytest.raises(DecodeError, match=r"invalid code sequence at bit position 3:.*symbol 1 of 2"):
        GolombCode(parameter=3, alphabet_size=10).decode(bits, 2)


def test_bad_parameters_are_clear_errors():
    with pytest.raises(ValueError, match=r"`parameter` \(the Golomb m\) must be an integer in 1..2\*\*40; got 0"):
        GolombCode(parameter=0, alphabet_size=4)
    with pytest.raises(ValueError, match=r"golomb code needs a `parameter` or a q"):
        GolombCode(alphabet_size=4)
    with pytest.raises(ValueError, match=r"codewords of up to 100000 bits; at most 4096"):
        GolombCode(parameter=1, alphabet_size=100_000)
    with pytest.raises(ValueError, match=r"needs `alphabet_size` \(or a q"):
        EliasGammaCode()
    with pytest.raises(ValueError, match=r"`alphabet_size` = 3 but len\(q\) = 2"):
        EliasOmegaCode([0.5, 0.5], alphabet_size=3)
    with pytest.raises(ValueError, match=r"`theta` .* must be in \(0, 1\); got 1.0"):
        gallager_van_voorhis_parameter(1.0)


def test_tables_round_trip_and_reject_bad_fields():
    for code in (GolombCode(parameter=6, alphabet_size=30), EliasDeltaCode(alphabet_size=9)):
        again = coders.from_json(code.to_json())
        assert type(again) is type(code) and again.lengths.tolist() == code.lengths.tolist()
    with pytest.raises(CodeTableError, match="missing the field 'parameter'"):
        coders.from_dict({"coder": "golomb", "version": 1, "alphabet_size": 4})
    with pytest.raises(CodeTableError, match=r"`parameter` \(the Golomb m\) must be"):
        coders.from_dict({"coder": "golomb", "version": 1, "alphabet_size": 4, "parameter": -2})


def test_large_alphabet_codes_quickly_and_exactly():
    code = EliasDeltaCode(alphabet_size=1 << 21)
    x = np.array([0, (1 << 21) - 1, 12345, 1 << 20])
    bits = code.encode(x)
    assert len(bits) == sum(elias_length_by_formula("elias-delta", int(v) + 1) for v in x)
    assert np.array_equal(code.decode(bits, 4), x)


def test_brute_force_prefix_property():
    # every pair of codewords: neither is a prefix of the other (a direct check, no trie)
    for name in INTEGER_CODES:
        words = coders.build(name, Distribution.geometric(40, 0.8)).codewords
        for a, b in itertools.combinations(words, 2):
            assert not a.startswith(b) and not b.startswith(a)
