"""Tunstall (variable-to-fixed) and LZ78 (universal): textbook parses, independent references."""

from __future__ import annotations

import heapq
import math
from fractions import Fraction

import numpy as np
import pytest
from bitarray import bitarray

from codebook import Distribution
from codebook.coders.lz78 import LZ78Code, lz78_bits, max_phrases, phrases_from_bits
from codebook.coders.tunstall import TunstallCode
from codebook.errors import CodeTableError, DecodeError, EncodeError
from codebook.measures import entropy

# ------------------------------------------------------------------------------ Tunstall


def reference_tunstall(probs, m):
    """Tunstall's construction with exact Fractions and a heap (independent of the kernels):
    split the most probable leaf, ties to the older node; returns the phrases, sorted."""
    support = [x for x, p in enumerate(probs) if p > 0]
    exact = {x: Fraction(float(probs[x])) for x in support}
    total = sum(exact.values())
    exact = {x: p / total for x, p in exact.items()}
    heap, counter = [(-Fraction(1), 0, ())], 1
    leaves = 1
    while True:
        if leaves - 1 + len(support) > 2**m:
            break
        _, _, phrase = heapq.heappop(heap)
        leaves -= 1
        for x in support:
            heapq.heappush(heap, (-(exact[x] * (-heap_prob(phrase, exact))), counter, phrase + (x,)))
            counter += 1
            leaves += 1
    return sorted(item[2] for item in heap), exact


def heap_prob(phrase, exact):
    p = Fraction(1)
    for x in phrase:
        p *= exact[x]
    return -p


@pytest.mark.parametrize("seed", range(3))
def test_tunstall_dictionary_matches_an_exact_reference(seed):
    rng = np.random.default_rng(seed)
    for _ in range(8):
        k = int(rng.integers(2, 5))
        probs = rng.dirichlet(np.full(k, 0.8))
        q = Distribution.from_weights(np.round(probs, 3) + 0.001)  # no float near-ties
        m = int(rng.integers(math.ceil(math.log2(k)), 8))
        code = TunstallCode(q, codeword_bits=m)
        phrases, exact = reference_tunstall(q.probs, m)
        assert sorted(code.phrases()) == phrases
        assert code.phrases() == sorted(code.phrases())  # codewords in lexicographic order
        # E[L] = Σ_leaves P(leaf) |leaf|, exactly, against the tree's Σ over internal nodes
        mean = sum(float(-heap_prob(ph, exact)) * len(ph) for ph in phrases)
        assert abs(code.expected_phrase_length() - mean) < 1e-12


def test_tunstall_textbook_example():
    # Sayood, Introduction to Data Compression, §3.7: P(A) = .6, P(B) = .3, P(C) = .1, 3-bit codes:
    # AAA, AAB, AAC, AB, AC, B, C
    code = TunstallCode([0.6, 0.3, 0.1], codeword_bits=3)
    assert code.phrases() == [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1), (0, 2), (1,), (2,)]
    assert code.phrase_count == 7
    assert abs(code.expected_phrase_length() - (1 + 0.6 + 0.36)) < 1e-15  # internal nodes: root, A, AA


def test_leaf_entropy_theorem_and_tunstall_bound():
    # Massey 1983: H(leaves) = E[L] H(p); Jelinek & Schneider 1972: H(leaves) >= log2 M - log2(1/p_min)
    for probs, m in [([0.7, 0.3], 6), ([0.5, 0.3, 0.2], 8), ([0.9, 0.05, 0.05], 10), ([0.25] * 4, 6)]:
        q = Distribution(probs)
        code = TunstallCode(q, codeword_bits=m)
        leaf_p = [float(np.prod([probs[x] for x in ph])) for ph in code.phrases()]
        h_leaves = -sum(p * math.log2(p) for p in leaf_p)
        assert abs(h_leaves - code.expected_phrase_length() * entropy(q)) < 1e-9
        rate = code.rate()
        assert entropy(q) <= rate + 1e-12
        assert rate <= entropy(q) * m / (math.log2(code.phrase_count) - math.log2(1 / min(probs))) + 1e-12


def reference_parse_count(x, phrases):
    """Greedy parse with a dict of phrases (independent of the tree kernels): phrases used,
    the last incomplete one counted once."""
    book = set(phrases)
    count, current = 0, ()
    for s in x:
        current += (int(s),)
        if current in book:
            count, current = count + 1, ()
    return count + (1 if current else 0)


def test_tunstall_round_trip_length_end_of_message_and_junk():
    q = Distribution([0.5, 0.3, 0.2])
    code = TunstallCode(q, codeword_bits=5)
    for n in (0, 1, 2, 3, 17, 1000):
        x = q.sample(n, seed=n)
        bits = code.encode(x)
        assert len(bits) == 5 * reference_parse_count(x, code.phrases())
        assert np.array_equal(code.decode(bits, n), x)
        out, used = code.decode_partial(bits + bitarray("11111111011"), n)
        assert used == len(bits) and np.array_equal(out, x)


def test_tunstall_completion_is_checked():
    code = TunstallCode([0.6, 0.3, 0.1], codeword_bits=3)
    bits = code.encode([0, 0])  # AA completed to AAA: codeword 000
    assert bits.to01() == "000"
    with pytest.raises(DecodeError, match=r"invalid code sequence at bit position 0"):
        code.decode(bitarray("001"), 2)  # AAB: dropping B is not the documented completion
    with pytest.raises(DecodeError, match=r"invalid code sequence at bit position 3"):
        code.decode(bitarray("101111"), 2)  # codeword 7 was never assigned (M = 7)
    with pytest.raises(DecodeError, match="truncated bitstream"):
        code.decode(bitarray("10"), 1)


def test_tunstall_errors_and_tables():
    one = TunstallCode([0.0, 1.0], codeword_bits=3)  # one symbol: one phrase, m bits per symbol
    assert one.phrases() == [(1,)] and np.array_equal(one.decode(one.encode([1, 1]), 2), [1, 1])
    assert len(one.encode([1, 1])) == 6 == one.min_bits(2)
    with pytest.raises(ValueError, match=r"codeword_bits = 2 gives 4 codewords, fewer than the 5 .*use codeword_bits >= 3"):
        TunstallCode(Distribution.uniform(5), codeword_bits=2)
    with pytest.raises(ValueError, match=r"`codeword_bits` must be an integer in 1..20; got 21"):
        TunstallCode([0.5, 0.5], codeword_bits=21)
    code = TunstallCode([0.5, 0.5, 0.0], codeword_bits=4)
    with pytest.raises(EncodeError, match=r"symbol 2 at position 1 has probability 0"):
        code.encode([1, 2])
    again = TunstallCode.from_dict(code.to_dict())
    assert again.phrases() == code.phrases()
    with pytest.raises(CodeTableError, match="codeword_bits"):
        TunstallCode.from_dict({"coder": "tunstall", "version": 1, "alphabet_size": 2, "probs": [0.5, 0.5]})


# ------------------------------------------------------------------------------ LZ78


def reference_lz78(x):
    """LZ78 incremental parsing with a dict (independent of the kernels): the phrase count,
    counting a last phrase that repeats an earlier one."""
    book, current, count = set(), (), 0
    for s in x:
        current += (int(s),)
        if current not in book:
            book.add(current)
            count, current = count + 1, ()
    return count + (1 if current else 0)


def test_lz78_textbook_parses():
    code = LZ78Code(alphabet_size=2)
    # C&T §13.4.2: ABBABBABBBAABABAA is parsed as A, B, BA, BB, AB, BBA, ABA, BAA
    x = ["AB".index(c) for c in "ABBABBABBBAABABAA"]
    assert code.phrase_count(x) == 8 == reference_lz78(x)
    # C&T §13.5.2: 1011010100010 is parsed as 1, 0, 11, 01, 010, 00, 10
    x = [int(c) for c in "1011010100010"]
    assert code.phrase_count(x) == 7
    # phrase i: prefix index in ceil(log2 i) bits, then the symbol in 1 bit
    fields = [("", "1"), ("0", "0"), ("01", "1"), ("10", "1"), ("100", "0"), ("010", "0"), ("001", "0")]
    assert code.encode(x).to01() == "".join(a + b for a, b in fields)


def test_lz78_length_formula():
    for k in (1, 2, 3, 256):
        w = max(1, math.ceil(math.log2(k))) if k > 1 else 1
        for c in range(200):
            assert lz78_bits(c, k) == sum(math.ceil(math.log2(i)) for i in range(1, c + 1)) + c * w
            assert phrases_from_bits(lz78_bits(c, k), k) == c
        assert phrases_from_bits(lz78_bits(50, k) + 1, k) is None or k == 1
        assert max_phrases(lz78_bits(50, k) + 1, k) == 50


@pytest.mark.parametrize("k", [1, 2, 3, 16, 300])
def test_lz78_round_trip_and_independent_phrase_count(k):
    rng = np.random.default_rng(k)
    code = LZ78Code(alphabet_size=k)
    for n in (0, 1, 2, 5, 100, 5000):
        x = rng.integers(0, k, n) if k < 16 else np.minimum(rng.geometric(0.3, n) - 1, k - 1)
        bits = code.encode(x)
        c = reference_lz78(x)
        assert len(bits) == lz78_bits(c, k)
        assert np.array_equal(code.decode(bits, n), x)
        out, used = code.decode_partial(bits + bitarray("1101" * 9), n)
        assert used == len(bits) and np.array_equal(out, x)


def test_lz78_large_message_with_a_grown_trie():
    x = Distribution.zipf(256, 1.1).sample(300_000, seed=2)
    code = LZ78Code(alphabet_size=256)
    bits = code.encode(x)
    assert np.array_equal(code.decode(bits, x.size, dtype=np.uint8), x)
    assert len(code.encode(x[:20000])) == lz78_bits(reference_lz78(x[:20000]), 256)


def test_lz78_invalid_and_truncated_streams():
    code = LZ78Code(alphabet_size=3)
    bits = code.encode([0, 1, 2, 0, 1, 2, 2, 2])
    for cut in range(len(bits)):
        with pytest.raises(DecodeError, match="truncated bitstream"):
            code.decode(bits[:cut], 8)
    with pytest.raises(DecodeError, match=r"invalid code sequence at bit position 0"):
        code.decode(bitarray("11"), 1)  # symbol field 3 >= K
    with pytest.raises(DecodeError, match=r"invalid code sequence at bit position 2"):
        code.decode(bitarray("00" + "1" + "00"), 2)  # phrase 2 = phrase 1 + a symbol: past n = 2
    with pytest.raises(DecodeError, match=r"invalid code sequence at bit position 5"):
        code.decode(bitarray("00" + "001" + "11" + "00"), 4)  # phrase 3 with prefix index 3 > 2
    with pytest.raises(DecodeError, match=r"invalid code sequence at bit position 2"):
        code.decode(bitarray("00" + "000" + "000"), 3)  # phrase 2 repeats phrase 1 but is not the last
    with pytest.raises(DecodeError, match=r"100 symbols do not fit in a stream of 4 bits \(at most 1 symbols do\)"):
        code.decode(bitarray("0000"), 100)
