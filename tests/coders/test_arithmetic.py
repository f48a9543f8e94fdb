"""The range (arithmetic) coder: contract, hand-checked and pinned bitstreams, the 2-bit bound."""

from __future__ import annotations

import numpy as np
import pytest
from bitarray import bitarray

from codebook import Distribution
from codebook.coders import ArithmeticCoder
from codebook.errors import DecodeError

try:
    from ._stream_helpers import StaticCoderContract, flips_raise_or_decode, ideal_static, round_trip
except ImportError:  # rootdir-style imports (no __init__.py in tests/coders)
    from _stream_helpers import StaticCoderContract, flips_raise_or_decode, ideal_static, round_trip


class TestArithmeticContract(StaticCoderContract):
    cls = ArithmeticCoder
    name = "arithmetic"


def test_golden_by_hand():
    # q_hat = (1/2, 1/4, 1/4) exactly at precision 8. Interval of 0,1,2,0 (C&T §13.3 style):
    # [0, 1/2) -> [1/4, 3/8) -> [11/32, 3/8) -> [11/32, 23/64). Its width is 2**-6 and
    # 11/32 = 0.010110b, so the dyadic interval of the 6 bits 010110 is exactly the final
    # interval: 6 bits = -log2 q_hat(x), the termination costs nothing here.
    code = ArithmeticCoder([0.5, 0.25, 0.25], precision=8)
    assert code.encode([0, 1, 2, 0]).to01() == "010110"
    assert code.decode(bitarray("010110"), 4).tolist() == [0, 1, 2, 0]


def test_golden_one_symbol():
    # [0, 1/2) -> shortest dyadic interval inside: [0, 1/2) itself = "0"; symbol 1 of
    # (1/2, 1/4, 1/4): [1/2, 3/4) = "10"; symbol 2: [3/4, 1) = "11".
    code = ArithmeticCoder([0.5, 0.25, 0.25], precision=8)
    assert [code.encode([s]).to01() for s in range(3)] == ["0", "10", "11"]


@pytest.mark.parametrize(
    "q, precision, message, golden",
    [
        # Pinned from this implementation (regression guards for the bit layout; the bound
        # and the round trip are checked independently in the contract tests).
        ([0.6, 0.3, 0.1], 12, [0, 0, 1, 2, 0, 1], "0101000101"),
        ([0.9, 0.1], 16, [0] * 20 + [1], "00011101"),
        ([0.25] * 4, 8, [3, 2, 1, 0], "11100100"),  # by hand: 2 bits each, 11 10 01 00
    ],
)
def test_golden_pinned(q, precision, message, golden):
    code = ArithmeticCoder(q, precision=precision)
    bits = code.encode(message)
    assert bits.to01() == golden
    assert code.decode(bits, len(message)).tolist() == message


def test_golden_default_precision():
    # Pinned: default precision 20 and the quantizer (tests/test_quantize.py pins its output).
    q = Distribution.zipf(6, 1.0).mix(Distribution.uniform(6), 0.3)
    bits = ArithmeticCoder(q).encode([0, 1, 0, 5, 2, 0, 3, 1, 4, 0])
    assert bits.to01() == "0010001000101110000100011"


def test_empty_message_is_zero_bits():
    code = ArithmeticCoder([0.5, 0.5])
    assert len(code.encode([])) == 0
    assert code.decode(bitarray(), 0).tolist() == []
    assert code.decode_partial(bitarray("1101"), 0)[1] == 0


def test_uniform_dyadic_costs_exactly_ideal():
    # K = 4 uniform at precision 2: every symbol is exactly 2 bits, so a message of n
    # symbols is exactly 2n bits (the excess is 0, the lower end of the bound).
    code = ArithmeticCoder([0.25] * 4, precision=2)
    x = np.random.default_rng(1).integers(0, 4, 999)
    assert len(round_trip(code, x, ideal=2.0 * 999)) == 2 * 999


def test_excess_bounds_formula():
    code = ArithmeticCoder([0.5, 0.5], precision=24)
    lo, hi = code.excess_bounds(10**6)
    assert lo == 0.0
    assert hi == pytest.approx(2 + 10**6 * -np.log2(1 - 2.0**-24), rel=1e-12)


def test_excess_stays_within_two_bits_on_many_messages():
    rng = np.random.default_rng(77)
    worst = 0.0
    for _ in range(200):
        q = Distribution.dirichlet(6, 0.7, rng=rng)
        code = ArithmeticCoder(q, precision=int(rng.integers(8, 25)), floor=True)
        x = rng.integers(0, 6, int(rng.integers(1, 400)))
        bits = round_trip(code, x, ideal=ideal_static(code.frequencies, code.precision, x))
        worst = max(worst, len(bits) - ideal_static(code.frequencies, code.precision, x))
    assert worst < 2.0


def test_corrupted_stream_raises_or_decodes_n_symbols():
    # An arithmetic code has no redundancy to spot every flipped bit; what it must never do
    # is hang or fail with anything but DecodeError.
    q = Distribution.zipf(40, 1.1)
    code = ArithmeticCoder(q, precision=12)
    x = q.sample(300, seed=2)
    flips_raise_or_decode(code, code.encode(x), x.size, 7)


def test_every_accepted_stream_is_the_encoding_of_what_it_decodes_to():
    # Exhaustive over all bit strings of length <= 11: decode_partial either raises
    # DecodeError or returns (x, used) with bits[:used] == encode(x) exactly. So no input
    # makes the decoder return symbols that these bits do not encode.
    code = ArithmeticCoder.from_frequencies([9, 4, 2, 1], 4)
    accepted = 0
    for length in range(12):
        for value in range(1 << length):
            bits = bitarray(format(value, f"0{length}b") if length else "", endian="big")
            try:
                out, used = code.decode_partial(bits, 3)
            except DecodeError as exc:
                assert "truncated" in str(exc) or "corrupted" in str(exc)
                continue
            accepted += 1
            assert code.encode(out) == bits[:used]
    assert accepted > 0
