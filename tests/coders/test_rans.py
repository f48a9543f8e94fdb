"""rANS: contract, the documented bit layout against a reference written from the formulas,
pinned bitstreams, the length bound (checked term by term on adversarial messages) and what
the final-state check detects."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from bitarray import bitarray

from codebook import Distribution, parse_distribution
from codebook.coders import RansCoder
from codebook.errors import DecodeError

try:
    from ._stream_helpers import StaticCoderContract, ideal_static, round_trip
except ImportError:  # rootdir-style imports (no __init__.py in tests/coders)
    from _stream_helpers import StaticCoderContract, ideal_static, round_trip


class TestRansContract(StaticCoderContract):
    cls = RansCoder
    name = "rans"


L = 1 << 47  # the documented lower state bound


def reference_rans(freqs, precision, message, account=None) -> str:
    """The layout documented in ``codebook/coders/rans.py``, with Python integers.

    Duda's rANS step C(s, x) = (x // f) * M + x % f + c(s) with L = 2**47 and 16-bit words,
    emitting while x >= f * 2**(63 - b); symbol i on lane i % 2, encoded from the last
    symbol to the first; header per lane: 4 bits (bitlength - 48), then the state without
    its leading 1; then the words in the order the decoder reads them.

    ``account``, a dict, receives the terms of the documented length identity, computed
    here in exact rationals (Fractions of the states) and one log each: ``e`` (coding
    steps), ``g`` (emits), the final states and the word count."""
    m_total = 1 << precision
    starts = [sum(freqs[:s]) for s in range(len(freqs))]
    lanes = [L, L]
    emitted = []  # in encoding order; the decoder reads them reversed
    for i in range(len(message) - 1, -1, -1):
        s = int(message[i])
        f, x = freqs[s], lanes[i % 2]
        while x >= f << (63 - precision):
            emitted.append(x & 0xFFFF)
            if account is not None:  # lg y = 16 + lg y' + g
                account["g"].append(_lg(Fraction(x, (x >> 16) << 16)))
            x >>= 16
        assert f << (47 - precision) <= x < f << (63 - precision)
        c = (x // f) * m_total + x % f + starts[s]
        assert L <= c < 1 << 63
        if account is not None:  # lg C = lg x + lg(M/f) + e
            account["e"].append(_lg(Fraction(c * f, x * m_total)))
        lanes[i % 2] = c
    if account is not None:
        account["states"], account["words"] = lanes, len(emitted)
    head = "".join(f"{x.bit_length() - 48:04b}" + format(x, "b")[1:] for x in lanes)
    return head + "".join(format(w, "016b") for w in reversed(emitted))


def _lg(r: Fraction) -> float:
    """log2 of a positive rational near 1, accurate also when it is 1 + 1e-15 (log1p)."""
    return math.log1p(float(r - 1)) / math.log(2)


def test_empty_message_is_the_two_initial_states():
    # Both lanes at L = 2**47: m = 0, then 47 zero bits, twice: 102 bits.
    code = RansCoder([0.5, 0.5])
    bits = code.encode([])
    assert bits.to01() == ("0000" + "0" * 47) * 2
    assert code.decode(bits, 0).tolist() == []


def test_golden_by_hand():
    # (1/2, 1/4, 1/4) at precision 8, message [1]: lane 0 only. x = 2**47, f = 64, c = 128;
    # no emit (2**47 < 64 * 2**55): C = (2**47 // 64) * 256 + 0 + 128 = 2**49 + 128,
    # bitlength 50 -> m = 2; lane 1 stays at 2**47 (m = 0).
    code = RansCoder([0.5, 0.25, 0.25], precision=8)
    x = 2**49 + 128
    expected = "0010" + format(x, "b")[1:] + "0000" + "0" * 47
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
    # Pinned from this implementation after checking it against reference_rans above (the
    # layout written from the documented formulas): guards the format against silent change.
    code = RansCoder([0.6, 0.3, 0.1], precision=12)
    message = [0, 0, 1, 2, 0, 1]
    bits = code.encode(message)
    assert bits.to01() == reference_rans(code.frequencies.tolist(), 12, message)
    assert bits.to01() == (
        "0011001010000110010010001101100000010111100110100001010101101111000000110000000111110100"
        "1100010010011010101100"
    )


def test_golden_default_precision():
    # Pinned: default precision 20 and the quantizer (tests/test_quantize.py pins its output).
    q = Distribution.zipf(6, 1.0).mix(Distribution.uniform(6), 0.3)
    bits = RansCoder(q).encode([0, 1, 0, 5, 2, 0, 3, 1, 4, 0])
    assert bits.to01() == (
        "1100001001010111101000100001011001111011010001011101101111011011011001100010111011111010"
        "0001000111100110110000010010110010100"
    )


def test_excess_bounds_formula():
    # rans.py: [100 - n eps_dn, 102 + n eps_up], eps = 2**(b - 47), eps_up = lg(1 + eps),
    # eps_dn = -lg(1 - eps) + (b + eps_up) eps_up / 16.
    code = RansCoder([0.5, 0.5], precision=20)
    lo, hi = code.excess_bounds(1000)
    e = 2.0**-27
    up = math.log2(1 + e)
    assert lo == pytest.approx(100 - 1000 * (-math.log2(1 - e) + (20 + up) * up / 16), rel=1e-15)
    assert hi == pytest.approx(102 + 1000 * up, rel=1e-15)
    # Tight enough to catch a coder that leaks 1e-4 bit/symbol (issue 8): the n-dependent
    # width stays below 0.2e-4 n at every precision, and the window is about 2 bits at n = 1e5.
    for b in range(1, 25):
        lo, hi = RansCoder.from_frequencies([1 << b], b).excess_bounds(10**5)
        assert (hi - 102) + (100 - lo) < 0.2e-4 * 10**5
    lo, hi = code.excess_bounds(10**5)
    assert hi - lo < 2.004


def _check_identity_and_bound(freqs, b, message):
    """Encode with the coder and the reference; check the stream, the documented length
    identity len = I + 102 - phi + sum(e) - sum(g) term by term, and the window."""
    code = RansCoder.from_frequencies(np.array(freqs, dtype=np.int64), b)
    account = {"e": [], "g": []}
    ref = reference_rans(freqs, b, message, account)
    bits = round_trip(code, np.array(message, dtype=np.int64), ideal=ideal_static(freqs, b, message))
    assert bits.to01() == ref
    eps = Fraction(1, 2 ** (47 - b))
    up, down = _lg(1 + eps), _lg(1 - eps)
    assert all(down < e < up or e == up for e in account["e"])
    assert all(0 <= g < up for g in account["g"])
    phi = sum(math.log2(x) - (x.bit_length() - 1) for x in account["states"])
    assert 0 <= phi < 2
    ideal = ideal_static(freqs, b, message)
    identity = ideal + 102 - phi + math.fsum(account["e"]) - math.fsum(account["g"])
    assert len(bits) == pytest.approx(identity, abs=1e-6)
    assert 16 * account["words"] <= ideal + len(message) * up + 1e-6
    return len(bits) - ideal


def _greedy_adversary(freqs, b, n, sign):
    """A message built backwards that picks, at every step, the symbol whose coding step
    rounds most up (sign = +1) or down (sign = -1) from the current lane state."""
    m_total, starts = 1 << b, [sum(freqs[:s]) for s in range(len(freqs))]
    lanes, message = [L, L], [0] * n
    for i in range(n - 1, -1, -1):
        best = None
        for s, f in enumerate(freqs):
            if f == 0:
                continue
            x = lanes[i % 2]
            while x >= f << (63 - b):
                x >>= 16
            c = (x // f) * m_total + x % f + starts[s]
            score = sign * _lg(Fraction(c * f, x * m_total))
            if best is None or score > best[0]:
                best = (score, s, c)
        _, message[i], lanes[i % 2] = best
    return message


@pytest.mark.parametrize("b", range(1, 25))
def test_length_bound_on_adversarial_messages(b):
    # The documented window must hold for every message: the rarest symbol every time, one
    # symbol repeated, K = 1, messages that push each rounding step up or down, random ones.
    m_total = 1 << b
    rng = np.random.default_rng(b)
    two = [m_total - 1, 1] if b > 1 else [1, 1]
    cases = [
        ([m_total], [0] * 301),  # K = 1: exactly 102 bits whatever n
        (two, [1] * 400),  # the rarest symbol every time
        (two, [0] * 400),  # the commonest, repeated
    ]
    if b >= 3:
        freqs = [m_total - 5, 1, 1, 3] if m_total > 8 else [3, 1, 1, 3]
        for sign in (1, -1):
            cases.append((freqs, _greedy_adversary(freqs, b, 120, sign)))
        k = min(m_total, 9)
        cut = np.sort(rng.choice(np.arange(1, m_total), size=k - 1, replace=False))
        freqs = np.diff(np.concatenate([[0], cut, [m_total]])).tolist()
        cases.append((freqs, rng.integers(0, k, 333).tolist()))
    for freqs, message in cases:
        excess = _check_identity_and_bound(freqs, b, message)
        if freqs == [m_total]:
            assert excess == 102


@pytest.mark.parametrize(
    "spec, n, precision, detected, flips",
    [
        # Dyadic model (each f = 2**12): the coding step only moves bits, so exactly the
        # 2 * 51 header bits are caught and no flip inside the words is.
        ("uniform:256", 40, 20, 102, 422),
        ("uniform:256", 500, 20, 102, 4102),
        ("dyadic:8", 500, 20, 1021, 1078),
        ("zipf:256:1.1", 500, 20, 2940, 2940),
        ("mix(zipf:256:1.1, uniform:256, 0.3)", 500, 20, 3434, 3434),
        ("mix(zipf:256:1.1, uniform:256, 0.3)", 500, 12, 3260, 3436),
    ],
)
def test_single_bit_flip_detection_rate(spec, n, precision, detected, flips):
    # The figures quoted in rans.py: what the final-state check really detects, over every
    # single bit flip of one seeded message (measured, pinned; not a theorem).
    q = parse_distribution(spec)
    code = RansCoder(q, precision=precision)
    out = _flip_outcomes(code, q.sample(n, seed=1))
    assert out == {"detected": detected, "silent": flips - detected, "unchanged": 0}


def _flip_outcomes(code, x) -> dict:
    bits = code.encode(x)
    out = {"detected": 0, "silent": 0, "unchanged": 0}
    for pos in range(len(bits)):
        bad = bits.copy()
        bad[pos] ^= 1
        try:
            got = code.decode(bad, x.size)
        except DecodeError:
            out["detected"] += 1
            continue
        out["unchanged" if np.array_equal(got, x) else "silent"] += 1
    return out


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
    assert 100 < len(bits) - code.ideal_length(x) <= 102 + 1e-3
