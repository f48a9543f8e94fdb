"""rANS: contract, the documented bit layout against a reference written from the formulas,
pinned bitstreams, the 72-bit constant and corruption detection by the final states."""

from __future__ import annotations

import numpy as np
import pytest
from bitarray import bitarray

from codebook import Distribution
from codebook.coders import RansCoder
from codebook.errors import DecodeError

try:
    from ._stream_helpers import StaticCoderContract, ideal_static, round_trip
except ImportError:  # rootdir-style imports (no __init__.py in tests/coders)
    from _stream_helpers import StaticCoderContract, ideal_static, round_trip


class TestRansContract(StaticCoderContract):
    cls = RansCoder
    name = "rans"


def reference_rans(freqs, precision, message) -> str:
    """The layout documented in ``codebook/coders/rans.py``, with Python integers.

    Duda's rANS step C(s, x) = (x // f) * M + x % f + c(s) (Giesen's rans64: L = 2**31,
    32-bit words, emit while x >= f * 2**(63 - b)); symbol i on lane i % 2, encoded from the
    last symbol to the first; header per lane: 5 bits (bitlength - 32), then the state
    without its leading 1; then the words in the order the decoder reads them."""
    m_total = 1 << precision
    starts = [sum(freqs[:s]) for s in range(len(freqs))]
    lanes = [1 << 31, 1 << 31]
    emitted = []  # in encoding order; the decoder reads them reversed
    for i in range(len(message) - 1, -1, -1):
        s = int(message[i])
        f, x = freqs[s], lanes[i % 2]
        if x >= f << (63 - precision):
            emitted.append(x & 0xFFFFFFFF)
            x >>= 32
        lanes[i % 2] = (x // f) * m_total + x % f + starts[s]
    head = "".join(f"{x.bit_length() - 32:05b}" + format(x, "b")[1:] for x in lanes)
    return head + "".join(format(w, "032b") for w in reversed(emitted))


def test_empty_message_is_the_two_initial_states():
    # Both lanes at L = 2**31: m = 0, then 31 zero bits, twice: 72 bits.
    code = RansCoder([0.5, 0.5])
    bits = code.encode([])
    assert bits.to01() == ("00000" + "0" * 31) * 2
    assert code.decode(bits, 0).tolist() == []


def test_golden_by_hand():
    # (1/2, 1/4, 1/4) at precision 8, message [1]: lane 0 only. x = 2**31, f = 64, c = 128:
    # C = (2**31 // 64) * 256 + 0 + 128 = 2**33 + 128, bitlength 34 -> m = 2.
    code = RansCoder([0.5, 0.25, 0.25], precision=8)
    x = 2**33 + 128
    expected = "00010" + format(x, "b")[1:] + "00000" + "0" * 31
    assert code.encode([1]).to01() == expected


@pytest.mark.parametrize(
    "q, precision, message",
    [
        ([0.6, 0.3, 0.1], 12, [0, 0, 1, 2, 0, 1]),
        ([0.9, 0.1], 16, [0] * 20 + [1]),
        ([0.25] * 4, 8, [3, 2, 1, 0, 1]),
        ([1 - 1e-12, 1e-12], 24, [1] * 40 + [0] * 3),  # many renormalisations
    ],
)
def test_matches_reference_layout(q, precision, message):
    code = RansCoder(q, precision=precision)
    assert code.encode(message).to01() == reference_rans(code.frequencies.tolist(), precision, message)


def test_matches_reference_on_random_messages():
    rng = np.random.default_rng(31)
    for _ in range(30):
        k = int(rng.integers(1, 20))
        q = Distribution.dirichlet(k, 0.4, rng=rng)
        b = int(rng.integers(5, 25))
        code = RansCoder(q, precision=b, floor=True)
        x = rng.integers(0, k, int(rng.integers(0, 500)))
        assert code.encode(x).to01() == reference_rans(code.frequencies.tolist(), b, x)


def test_golden_pinned():
    # Pinned from this implementation (guards the layout against silent change).
    code = RansCoder([0.6, 0.3, 0.1], precision=12)
    bits = code.encode([0, 0, 1, 2, 0, 1])
    assert bits.to01() == "00011001010000110010010001000111101011000101101111000000110000001111001101010100"


def test_golden_default_precision():
    # Pinned: default precision 20 and the quantizer (tests/test_quantize.py pins its output).
    q = Distribution.zipf(6, 1.0).mix(Distribution.uniform(6), 0.3)
    bits = RansCoder(q).encode([0, 1, 0, 5, 2, 0, 3, 1, 4, 0])
    assert bits.to01() == (
        "01100001001010111101101011010001111000111000011001011001100010111010000001101110011010111010110"
    )


def test_excess_bounds_formula():
    code = RansCoder([0.5, 0.5], precision=20)
    lo, hi = code.excess_bounds(1000)
    e = 2.0**-11
    assert lo == pytest.approx(70 + 2000 * np.log2(1 - e), rel=1e-12)
    assert hi == pytest.approx(72 + 1000 * np.log2(1 + e), rel=1e-12)


def test_every_flipped_bit_is_detected():
    # Both lanes must return to 2**31: a flipped bit leaves them there with probability
    # about 2**-62, so every flip here raises.
    q = Distribution.zipf(50, 1.0)
    code = RansCoder(q, precision=16)
    x = q.sample(500, seed=4)
    bits = code.encode(x)
    for pos in range(len(bits)):
        bad = bits.copy()
        bad[pos] ^= 1
        with pytest.raises(DecodeError, match="corrupted|truncated|left over"):
            code.decode(bad, x.size)


def test_wrong_n_is_detected():
    q = Distribution.zipf(50, 1.0)
    code = RansCoder(q, precision=16)
    x = q.sample(500, seed=4)
    bits = code.encode(x)
    for n in (499, 501, 250):
        with pytest.raises(DecodeError):
            code.decode(bits, n)


def test_random_bits_never_decode_silently_wrong():
    rng = np.random.default_rng(8)
    code = RansCoder.from_frequencies([9, 4, 2, 1], 4)
    for _ in range(300):
        bits = bitarray(rng.integers(0, 2, int(rng.integers(0, 200))).tolist(), endian="big")
        try:
            out, used = code.decode_partial(bits, 5)
        except DecodeError:
            continue
        assert code.encode(out) == bits[:used]


def test_length_constant_on_a_long_message():
    p = Distribution.zipf(256, 1.1)
    code = RansCoder(p.mix(Distribution.uniform(256), 0.3))
    x = p.sample(100_000, seed=12)
    bits = round_trip(code, x, ideal=ideal_static(code.frequencies, 20, x))
    assert 70 - 1 < len(bits) - code.ideal_length(x) < 72 + 2
