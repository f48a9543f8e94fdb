"""D-ary Huffman (C&T §5.6) and length-limited Huffman (package-merge): textbook vectors, brute force."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from bitarray import bitarray

from codebook import Distribution, coders
from codebook.coders.dary import DaryHuffmanCode, block_layout, dary_huffman_lengths, dummy_count
from codebook.coders.huffman import huffman_lengths
from codebook.coders.package_merge import length_limited_lengths, package_merge_lengths
from codebook.errors import CodeTableError, DecodeError, EncodeError
from codebook.measures import entropy


def exact_mean(q, lengths) -> Fraction:
    return sum(Fraction(float(p)) * int(l) for p, l in zip(np.asarray(q, dtype=float), lengths))


def brute_force_optimum(q, arity: int, max_length: int) -> Fraction:
    """min E_q[l] over every length vector with Σ D^-l <= 1 and 1 <= l <= max_length (exact).

    Only non-decreasing vectors on the symbols sorted by decreasing q are tried: for a fixed
    multiset of lengths that assignment is the best (rearrangement inequality)."""
    probs = sorted((Fraction(float(p)) for p in q), reverse=True)
    best = None
    for ls in itertools.combinations_with_replacement(range(1, max_length + 1), len(probs)):
        if sum(arity ** (max_length - l) for l in ls) <= arity**max_length:
            e = sum(p * l for p, l in zip(probs, ls))
            best = e if best is None or e < best else best
    return best


def random_pmfs(seed: int, count: int, kmin: int = 2, kmax: int = 6):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        k = int(rng.integers(kmin, kmax + 1))
        yield Distribution.from_weights(rng.dirichlet(np.full(k, float(rng.choice([0.2, 1.0, 4.0])))))


# ------------------------------------------------------------------------------ D-ary


def test_cover_thomas_ternary_examples():
    # C&T 2nd ed. Example 5.6.2: ternary code for (.25,.25,.2,.15,.15), lengths 1,1,2,2,2, L = 1.5 digits
    q = [0.25, 0.25, 0.2, 0.15, 0.15]
    assert dary_huffman_lengths(q, 3).tolist() == [1, 1, 2, 2, 2]
    assert abs(float(exact_mean(q, dary_huffman_lengths(q, 3))) - 1.5) < 1e-15
    # C&T Example 5.6.3: six symbols need one dummy (6 + 1 = 1 + 3·2); L = 1.7 ternary digits
    q = [0.25, 0.25, 0.2, 0.1, 0.1, 0.1]
    assert dummy_count(6, 3) == 1
    lengths = dary_huffman_lengths(q, 3)
    assert sorted(lengths.tolist()) == [1, 1, 2, 2, 3, 3]
    assert abs(float(exact_mean(q, lengths)) - 1.7) < 1e-15


@pytest.mark.parametrize("arity", [3, 4, 5])
def test_dary_huffman_is_optimal_by_brute_force(arity):
    for q in random_pmfs(7 + arity, 25, kmax=5):
        lengths = dary_huffman_lengths(q, arity)
        assert exact_mean(q.probs, lengths) == brute_force_optimum(q.probs, arity, len(q))


def test_binary_case_is_the_huffman_code():
    for q in random_pmfs(3, 40, kmax=30):
        assert dary_huffman_lengths(q, 2).tolist() == huffman_lengths(q).tolist()


@pytest.mark.parametrize("arity", [2, 3, 4, 7, 10])
def test_dary_entropy_bound(arity):
    # C&T Thm 5.4.1 (D-ary): H_D(q) <= E_q[l] < H_D(q) + 1 for the optimal code
    for q in random_pmfs(arity, 30, kmax=60):
        e = DaryHuffmanCode(q, arity=arity).expected_length(q)
        h_d = entropy(q) / math.log2(arity)
        assert h_d - 1e-12 <= e < h_d + 1


def test_block_layout_is_the_documented_one():
    # D^g <= 2^b with b minimal and g/b maximal for b <= 56: checked by enumeration here
    for arity in (2, 3, 4, 5, 6, 7, 10, 16, 100):
        best = max(((g, (arity**g - 1).bit_length()) for g in range(1, 57) if (arity**g - 1).bit_length() <= 56),
                   key=lambda gb: (Fraction(gb[0], gb[1]), -gb[0]))
        assert block_layout(arity) == best
    assert block_layout(3) == (29, 46)


def test_bitstream_layout_by_hand():
    # Ex. 5.6.2 code, canonical: 0, 1, 20, 21, 22. Message [2, 4, 0] -> digits 2 0 2 2 0, then
    # 24 zero digits complete the 29-digit block, written as an integer in 46 bits.
    code = DaryHuffmanCode([0.25, 0.25, 0.2, 0.15, 0.15], arity=3)
    assert code.codeword_strings() == ("0", "1", "20", "21", "22")
    value = sum(d * 3 ** (28 - i) for i, d in enumerate([2, 0, 2, 2, 0]))
    assert code.encode([2, 4, 0]).to01() == format(value, "046b")
    assert code.decode(bitarray(format(value, "046b")), 3).tolist() == [2, 4, 0]


@pytest.mark.parametrize("arity", [3, 4, 6])
def test_dary_round_trip_length_and_junk(arity):
    q = Distribution.zipf(50, 1.2)
    code = DaryHuffmanCode(q, arity=arity)
    x = q.sample(3000, seed=arity)
    bits = code.encode(x)
    digits = int(code.lengths[x].sum())
    assert len(bits) == math.ceil(digits / code.block_digits) * code.block_bits == code.stream_bits(digits)
    assert np.array_equal(code.decode(bits, x.size), x)
    out, used = code.decode_partial(bits + bitarray("0110100111" * 7), x.size)
    assert used == len(bits) and np.array_equal(out, x)
    for cut in range(0, len(bits), 7):
        with pytest.raises(DecodeError, match="truncated bitstream"):
            code.decode(bits[:cut], x.size)


def test_dary_invalid_streams():
    code = DaryHuffmanCode([0.25, 0.25, 0.2, 0.1, 0.1, 0.1], arity=3)  # the dummy is '222'
    dummy = sum(d * 3 ** (28 - i) for i, d in enumerate([2, 2, 2]))
    with pytest.raises(DecodeError, match=r"invalid code sequence at bit position 0"):
        code.decode(bitarray(format(dummy, "046b")), 1)
    with pytest.raises(DecodeError, match=r"invalid code sequence at bit position 0"):
        code.decode(bitarray("1" * 46), 1)  # 2^46 - 1 >= 3^29: not a block value
    padded = sum(d * 3 ** (28 - i) for i, d in enumerate([0, 0, 1]))  # symbol 0, then a non-zero pad digit
    with pytest.raises(DecodeError, match=r"invalid code sequence"):
        code.decode(bitarray(format(padded, "046b")), 1)


def test_dary_errors_and_tables():
    code = DaryHuffmanCode([0.5, 0.5, 0.0], arity=3)
    with pytest.raises(EncodeError, match=r"symbol 2 at position 1 has no codeword"):
        code.encode([0, 2])
    with pytest.raises(ValueError, match=r"`arity` \(the code alphabet size D\) must be an integer in 2..65536; got 1"):
        DaryHuffmanCode([0.5, 0.5], arity=1)
    again = DaryHuffmanCode.from_dict(code.to_dict())
    assert again.lengths.tolist() == code.lengths.tolist() and again.arity == 3
    with pytest.raises(CodeTableError, match="Kraft inequality for D = 3"):
        DaryHuffmanCode.from_dict({"coder": "huffman", "version": 1, "alphabet_size": 4, "arity": 3,
                                   "lengths": [1, 1, 1, 1]})
    one = DaryHuffmanCode([0.0, 1.0], arity=5)
    assert one.lengths.tolist() == [0, 1] and np.array_equal(one.decode(one.encode([1, 1]), 2), [1, 1])


# ------------------------------------------------------------------------------ length-limited


@pytest.mark.parametrize("seed", range(4))
def test_package_merge_is_optimal_by_brute_force(seed):
    for q in random_pmfs(100 + seed, 12):
        for limit in range(max(1, math.ceil(math.log2(len(q)))), 6):
            lengths = package_merge_lengths(q, limit)
            assert lengths.max() <= limit
            assert exact_mean(q.probs, lengths) == brute_force_optimum(q.probs, 2, limit)


def test_package_merge_small_example():
    # Huffman gives (1,2,3,4,4); with L = 3 the only candidates are (1,3,3,3,3), E = 2, and
    # (2,2,2,3,3), E = 2.125, by enumerating the Kraft-feasible vectors by hand.
    q = [0.5, 0.25, 0.125, 0.0625, 0.0625]
    assert huffman_lengths(q).tolist() == [1, 2, 3, 4, 4]
    assert package_merge_lengths(q, 3).tolist() == [1, 3, 3, 3, 3]
    assert exact_mean(q, package_merge_lengths(q, 3)) == 2


def test_limit_that_does_not_bind_keeps_the_huffman_code():
    for q in random_pmfs(9, 30, kmax=40):
        huff = huffman_lengths(q)
        assert length_limited_lengths(q, int(huff.max())).tolist() == huff.tolist()
        assert exact_mean(q.probs, package_merge_lengths(q, int(huff.max()))) == exact_mean(q.probs, huff)


def test_length_limited_code_is_complete():
    q = Distribution.zipf(300, 1.3)
    lengths = length_limited_lengths(q, 9)
    assert lengths.max() == 9 and sum(Fraction(1, 2 ** int(l)) for l in lengths) == 1


def test_limit_errors():
    with pytest.raises(ValueError, match=r"no prefix code has 9 codewords of at most max_length = 3 bits .*"
                                         r"use max_length >= 4"):
        package_merge_lengths(Distribution.uniform(9), 3)
    with pytest.raises(ValueError, match=r"`max_length` must be an integer in 1..64; got 0"):
        length_limited_lengths([0.5, 0.5], 0)
    assert package_merge_lengths([0.0, 1.0, 0.0], 1).tolist() == [0, 1, 0]
