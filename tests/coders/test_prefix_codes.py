"""Every registered prefix code: round-trip catalogue, properties, errors, JSON tables."""

import json

import numpy as np
import pytest
from bitarray import bitarray
from hypothesis import given
from hypothesis import strategies as st

from codebook import CodeTableError, DecodeError, Distribution, EncodeError, cross_entropy, entropy
from codebook import coders

PREFIX = coders.names("prefix")

CATALOGUE = {
    "uniform8": Distribution.uniform(8),
    "dyadic": Distribution.dyadic(6),
    "zipf256": Distribution.zipf(256, 1.1),
    "skew": Distribution([1 - 1e-12, 1e-12]),
    "with_zeros": Distribution([0.4, 0.0, 0.3, 0.0, 0.3]),
    "one_symbol": Distribution([1.0]),
    "dirichlet": Distribution.dirichlet(40, 0.3, seed=5),
}


def messages(q: Distribution):
    support = q.support
    yield "empty", np.array([], dtype=np.int64)
    yield "one symbol repeated", np.full(50, support[-1])
    yield "every symbol once", support.copy()
    yield "random", Distribution.from_weights(q.probs + (q.probs > 0)).sample(2000, seed=1)


@pytest.mark.parametrize("name", PREFIX)
@pytest.mark.parametrize("qname", CATALOGUE)
def test_round_trip_catalogue(name, qname):
    q = CATALOGUE[qname]
    code = coders.build(name, q)
    for label, x in messages(q):
        bits = code.encode(x)
        assert len(bits) == int(code.lengths[x].sum()), label  # exact length, no padding
        assert np.array_equal(code.decode(bits, len(x)), x), label


@pytest.mark.parametrize("name", PREFIX)
@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64])
def test_any_integer_dtype(name, dtype):
    code = coders.build(name, Distribution.uniform(4))
    x = np.array([3, 0, 2, 1], dtype=dtype)
    assert code.decode(code.encode(x), 4).tolist() == [3, 0, 2, 1]
    assert code.encode(x) == code.encode(x.tolist())


@pytest.mark.parametrize("name", PREFIX)
def test_input_is_not_mutated(name):
    x = np.array([0, 1, 2, 1])
    before = x.copy()
    coders.build(name, [0.5, 0.25, 0.25]).encode(x)
    assert np.array_equal(x, before)


@pytest.mark.parametrize("name", PREFIX)
def test_trailing_junk_bits_are_not_consumed(name):
    # Stanford Compression Library habit: the decoder must stop exactly at the end.
    code = coders.build(name, Distribution.zipf(20, 1.0))
    x = Distribution.zipf(20, 1.0).sample(300, seed=2)
    bits = code.encode(x)
    junk = bitarray("1011001110001", endian="big")
    symbols, used = code.decode_partial(bits + junk, len(x))
    assert used == len(bits) and np.array_equal(symbols, x)
    with pytest.raises(DecodeError, match=rf"13 bits left over after decoding 300 symbols.*position {len(bits)}"):
        code.decode(bits + junk, len(x))


def test_long_codewords_beyond_64_bits():
    # dyadic:100 gives Huffman lengths 1..99 (THEORY/STYLE: 100 symbols can need 99 bits);
    # dyadic:1000 needs 999-bit codewords, far past the decoder's lookup table.
    for k in (100, 1000):
        q = Distribution.dyadic(k)
        code = coders.build("huffman", q)
        assert code.lengths.max() == k - 1
        x = np.array([k - 1, 0, k - 2, k - 1, 1, k // 2])
        bits = code.encode(x)
        assert len(bits) == int(code.lengths[x].sum())
        assert bits.to01() == "".join(code.codewords[s] for s in x)  # bit-exact concatenation
        assert np.array_equal(code.decode(bits, len(x)), x)


def test_alphabet_of_2_to_16_symbols():
    q = Distribution.dirichlet(2**16, 1.0, seed=9)
    x = q.sample(100_000, seed=1)
    for name in PREFIX:
        code = coders.build(name, q)
        assert np.array_equal(code.decode(code.encode(x), len(x)), x)


class TestEncodeErrors:
    def test_symbol_without_codeword_names_symbol_and_position(self):
        code = coders.build("huffman", [0.5, 0.0, 0.5])
        with pytest.raises(EncodeError, match=r"symbol 1 at position 3 has no codeword"):
            code.encode([0, 2, 0, 1, 1])

    @pytest.mark.parametrize(
        ("symbols", "message"),
        [
            ([0, 3], r"symbol 3 at position 1 is outside the alphabet 0..2"),
            ([-1], r"symbol -1 at position 0 is outside the alphabet 0..2"),
            (np.array([2**63 + 5], dtype=np.uint64), r"symbol 9223372036854775813 at position 0 is outside"),
            ([0.0, 1.0], r"`symbols` must be integers; got dtype float64"),
            ([[0, 1]], r"`symbols` must be one-dimensional"),
        ],
    )
    def test_bad_messages(self, symbols, message):
        with pytest.raises(EncodeError, match=message):
            coders.build("shannon", [0.5, 0.25, 0.25]).encode(symbols)


class TestDecodeErrors:
    @pytest.mark.parametrize("name", PREFIX)
    def test_every_truncation_raises(self, name):
        q = Distribution.zipf(10, 1.2)
        code = coders.build(name, q)
        x = q.sample(40, seed=4)
        bits = code.encode(x)
        for cut in range(len(bits)):
            with pytest.raises(DecodeError, match=r"truncated bitstream: (symbol \d+ of 40 starts at bit position \d+|40 symbols need at least 40 bits)"):
                code.decode(bits[:cut], len(x))

    def test_invalid_sequence_of_an_incomplete_code(self):
        # Shannon for (0.4, 0.3, 0.2, 0.1): lengths 2,2,3,4, Kraft sum 11/16; canonical codewords
        # 00, 01, 100, 1010, so no codeword starts with 11.
        code = coders.build("shannon", [0.4, 0.3, 0.2, 0.1])
        assert code.codewords == ("00", "01", "100", "1010")
        with pytest.raises(DecodeError, match=r"invalid code sequence at bit position 3") as info:
            code.decode(bitarray("0011000"), 3)
        assert info.value.position == 3

    def test_truncated_inside_a_long_codeword(self):
        code = coders.build("huffman", Distribution.dyadic(200))
        bits = code.encode([199])
        with pytest.raises(DecodeError, match="truncated bitstream: symbol 0 of 1 starts at bit position 0"):
            code.decode(bits[:-1], 1)

    def test_an_absurd_count_is_refused_before_allocating(self):
        code = coders.build("huffman", [0.5, 0.5])
        with pytest.raises(DecodeError, match=r"10000000000000 symbols need at least 10000000000000 bits but the stream has 4"):
            code.decode(bitarray("0101"), 10**13)

    def test_arguments(self):
        code = coders.build("huffman", [0.5, 0.5])
        with pytest.raises(ValueError, match=r"`n` \(number of symbols to decode\) must be a non-negative integer; got -1"):
            code.decode(bitarray("0"), -1)
        with pytest.raises(DecodeError, match="`bits` must be a bitarray; got bytes"):
            code.decode(b"\x00", 1)
        assert code.decode(bitarray(), 0).size == 0
        little = bitarray("01", endian="little")
        assert code.decode(little, 2).tolist() == [0, 1]


class TestProperties:
    @given(
        weights=st.lists(st.floats(0, 1), min_size=1, max_size=40).filter(lambda w: sum(w) > 0),
        data=st.data(),
    )
    def test_round_trip_and_bounds(self, weights, data):
        q = Distribution.from_weights(weights)
        support = q.support.tolist()
        x = np.array(data.draw(st.lists(st.sampled_from(support), max_size=200)), dtype=np.int64)
        p_weights = data.draw(st.lists(st.floats(0, 1), min_size=len(weights), max_size=len(weights)))
        for name in PREFIX:
            code = coders.build(name, q)
            bits = code.encode(x)
            assert len(bits) == int(code.lengths[x].sum())
            assert np.array_equal(code.decode(bits, len(x)), x)
            assert code.kraft_sum(exact=True) <= 1  # C&T Thm 5.2.1
        huffman = coders.build("huffman", q)
        if len(support) >= 2:
            assert huffman.kraft_sum(exact=True) == 1  # a Huffman tree is complete
        shannon = coders.build("shannon", q)
        assert huffman.expected_length(q) <= shannon.expected_length(q) * (1 + 1e-15)  # optimal for q
        if sum(p_weights) > 0:
            # Data from p only where q > 0, so every symbol is codable.
            p = Distribution.from_weights(np.array(p_weights) * (q.probs > 0) + 1e-300 * (q.probs > 0))
            h_p, h_pq = entropy(p), cross_entropy(p, q)
            for name in PREFIX:
                assert coders.build(name, q).expected_length(p) >= h_p * (1 - 1e-12)  # McMillan
            e = shannon.expected_length(p)
            if len(support) >= 2:
                # C&T Thm 5.4.3 (wrong code); the strict "<" is checked to float resolution
                assert h_pq * (1 - 1e-12) <= e and (e < h_pq + 1 or e == pytest.approx(h_pq + 1, rel=1e-15))
            else:  # q = delta: ceil(-log2 1) = 0, but we never write zero bits per symbol
                assert e == 1 and h_pq == 0


class TestJson:
    @pytest.mark.parametrize("name", PREFIX)
    def test_round_trip_rebuilds_the_same_code(self, name):
        q = Distribution.dirichlet(30, 0.5, seed=1)
        code = coders.build(name, q)
        again = coders.from_json(code.to_json())
        assert type(again) is type(code) and again.codewords == code.codewords
        x = q.sample(500, seed=3)
        assert again.encode(x) == code.encode(x)

    def test_canonical_tables_store_lengths_only(self):
        data = json.loads(coders.build("huffman", [0.5, 0.25, 0.25]).to_json())
        assert data == {"coder": "huffman", "version": 1, "alphabet_size": 3, "lengths": [1, 2, 2]}

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("not json", r"code table is not valid JSON"),
            ('{"coder": "nope"}', r"code table names unknown coder 'nope'"),
            ('{"coder": "huffman", "alphabet_size": 2, "lengths": [1, 1, 1]}', r"alphabet_size = 2 but lists 3"),
            ('{"coder": "huffman", "alphabet_size": 3, "lengths": [1, 1, 1]}', r"violate the Kraft inequality"),
            ('{"coder": "huffman", "alphabet_size": 2, "lengths": [1, -1]}', r"lengths\[1\] = -1"),
            ('{"coder": "huffman", "alphabet_size": 2, "lengths": [1, 100000]}', r"at most 4096; lengths\[1\] = 100000"),
            ('{"coder": "huffman", "alphabet_size": 2, "lengths": [0, 0]}', r"at least one codeword"),
            ('{"coder": "huffman", "alphabet_size": 2}', r"missing the field 'lengths'"),
            ('{"coder": "sfe", "alphabet_size": 2, "codewords": ["0", "01"]}', r"not prefix-free"),
            ('{"coder": "sfe", "alphabet_size": 2, "codewords": ["0", "1"], "lengths": [1, 2]}', r"'lengths' does not match"),
            ('{"coder": "sfe", "alphabet_size": 2, "codewords": ["0", "2"]}', r"must be a string of at most 4096 characters 0 and 1"),
            ('{"coder": "huffman", "version": 9, "alphabet_size": 1, "lengths": [1]}', r"version 9 is not supported"),
        ],
    )
    def test_bad_tables_are_refused(self, text, message):
        with pytest.raises(CodeTableError, match=message):
            coders.from_json(text)


@pytest.mark.parametrize("name", PREFIX)
def test_bitstreams_match_bitarrays_own_coder(name):
    # An independent implementation of the same code table: bitarray's C encode/decode.
    from bitarray import decodetree

    q = Distribution.dirichlet(50, 0.4, seed=8)
    code = coders.build(name, q)
    x = q.sample(5000, seed=2)
    reference = bitarray(endian="big")
    reference.encode(code.bitarray_code(), x.tolist())
    assert code.encode(x) == reference
    assert list(reference.decode(decodetree(code.bitarray_code()))) == code.decode(reference, len(x)).tolist()
