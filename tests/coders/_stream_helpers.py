"""Checks shared by the stream-coder tests (arithmetic, rans, adaptive).

Every round trip here encodes, decodes, compares, checks the length bound the coder
documents (``excess_bounds``) against ``ideal_length`` computed independently from the
counts, and proves the decoder stops exactly at the end of the stream (junk appended).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from bitarray import bitarray

JUNK = bitarray("1011100101101101" * 5, endian="big")
TOL = 1e-9  # relative float rounding of an ideal length (a sum of n log2 terms)


def ideal_static(freqs, precision: int, symbols) -> float:
    """``-log2 q_hat(x^n)`` for ``q_hat = freqs / 2**precision``, from the counts (bits).

    Written here from the definition (theory §f), not taken from the coder."""
    counts = np.bincount(np.asarray(symbols, dtype=np.int64), minlength=len(freqs))
    total = 0.0
    for f, c in zip(np.asarray(freqs).tolist(), counts.tolist()):
        if c:
            if f == 0:
                return math.inf
            total += c * (precision - math.log2(f))
    return total


def kt_exact_bits(symbols, k: int, alpha: Fraction, start=None) -> float:
    """``-log2 P_alpha(x^n)`` as the exact rational product of theory §h, then one log.

    ``start``: starting counts c (the estimator has already seen them), default all 0."""
    counts = [0] * k if start is None else [int(c) for c in start]
    seen = sum(counts)
    prob = Fraction(1)
    for t, s in enumerate(symbols):
        prob *= (counts[s] + alpha) / (seen + t + k * alpha)
        counts[s] += 1
    return -math.log2(prob.numerator) + math.log2(prob.denominator)


def round_trip(code, symbols, ideal: float | None = None):
    """Encode, decode (strict and partial with junk), check the bound; return the bits."""
    arr = np.asarray(symbols)
    n = arr.size
    bits = code.encode(symbols)
    assert isinstance(bits, bitarray) and bits.endian == "big"
    out = code.decode(bits, n)
    assert out.dtype == np.int64
    assert np.array_equal(out, arr.astype(np.int64)), "decode(encode(x)) != x"
    partial, used = code.decode_partial(bits + JUNK, n)
    assert used == len(bits), f"decoder consumed {used} bits of a {len(bits)}-bit stream + junk"
    assert np.array_equal(partial, out)
    if ideal is None:
        ideal = code.ideal_length(symbols)
    else:
        assert math.isclose(code.ideal_length(symbols), ideal, rel_tol=1e-12, abs_tol=TOL)
    lo, hi = code.excess_bounds(n)
    excess = len(bits) - ideal
    tol = TOL * max(1.0, ideal)
    assert lo - tol <= excess <= hi + tol, f"excess {excess} bits outside [{lo}, {hi}] (n = {n})"
    return bits


def flips_raise_or_decode(code, bits, n: int, step: int) -> None:
    """Flip every ``step``-th bit in turn: decoding must raise DecodeError or return ``n``
    symbols (a stream code has no redundancy to catch every flip; it must never hang or fail
    with anything else)."""
    from codebook.errors import DecodeError

    for pos in range(0, len(bits), step):
        bad = bits.copy()
        bad[pos] ^= 1
        try:
            out = code.decode(bad, n)
        except DecodeError:
            continue
        assert out.size == n


# ---------------------------------------------------------------------- the shared contract
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from codebook import Distribution, coders, quantize  # noqa: E402
from codebook.errors import CodeTableError, DecodeError, DistributionError, EncodeError  # noqa: E402

DTYPES = [np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32, np.uint64, np.int64]


@st.composite
def model_and_message(draw, max_k: int = 40, max_n: int = 300):
    """A random q (some zeros allowed), a precision that can honour it and a message over q's support."""
    k = draw(st.integers(1, max_k))
    weights = draw(st.lists(st.sampled_from([0.0, 1e-9, 0.001, 0.1, 0.5, 1.0, 3.0, 20.0]), min_size=k, max_size=k))
    if sum(weights) == 0:
        weights[0] = 1.0
    q = Distribution.from_weights(weights)
    support = np.flatnonzero(q.probs > 0)
    precision = draw(st.integers(max(1, math.ceil(math.log2(support.size))), 24))
    idx = draw(st.lists(st.integers(0, support.size - 1), max_size=max_n))
    return q, precision, support[np.array(idx, dtype=np.int64)]


class StaticCoderContract:
    """Tests every static stream coder must pass; subclasses set ``cls`` and ``name``."""

    cls: type
    name: str

    # ---------------------------------------------------------------- construction
    def test_registered_by_name(self):
        info = coders.info(self.name)
        assert info.cls is self.cls and info.kind == "stream"
        code = coders.build(self.name, [0.5, 0.25, 0.25], precision=8)
        assert isinstance(code, self.cls) and code.precision == 8

    def test_model_is_the_quantized_q(self):
        q = Distribution.zipf(50, 1.2)
        code = self.cls(q, precision=12)
        f = quantize(q, 12)
        assert np.array_equal(code.frequencies, f)
        assert code.frequencies.dtype == np.int64 and not code.frequencies.flags.writeable
        np.testing.assert_array_equal(code.model.probs, f / 4096)
        assert code.alphabet_size == 50 and len(code) == 50

    def test_default_precision(self):
        code = self.cls([0.5, 0.5])
        assert code.precision == 20
        assert code.frequencies.tolist() == [2**19, 2**19]

    @pytest.mark.parametrize("bad", [0, 25, -3, 2.5, True, "16", None])
    def test_precision_out_of_range(self, bad):
        with pytest.raises(ValueError, match=r"`precision` must be an integer in 1\.\.24"):
            self.cls([0.5, 0.5], precision=bad)

    def test_precision_too_small_for_support(self):
        with pytest.raises(ValueError, match=r"`precision` = 3 is too small: q has 9 symbols"):
            self.cls(Distribution.uniform(9), precision=3)

    def test_negative_and_nan_q_rejected(self):
        with pytest.raises(DistributionError, match=r"`q` must be non-negative; q\[1\] = -0.25"):
            self.cls([0.75, -0.25, 0.5])
        with pytest.raises(DistributionError, match=r"`q` must be finite; q\[0\] = nan"):
            self.cls([float("nan"), 0.5, 0.5])

    def test_from_frequencies(self):
        code = self.cls.from_frequencies([3, 1, 0, 4], 3)
        assert code.frequencies.tolist() == [3, 1, 0, 4]
        round_trip(code, [0, 3, 3, 1, 0], ideal=ideal_static([3, 1, 0, 4], 3, [0, 3, 3, 1, 0]))
        with pytest.raises(CodeTableError, match=r"must sum to 2\*\*precision = 2\*\*3 = 8; they sum to 7"):
            self.cls.from_frequencies([3, 1, 3], 3)
        with pytest.raises(CodeTableError, match=r"`freqs` must be non-negative; freqs\[1\] = -1"):
            self.cls.from_frequencies([9, -1], 3)
        with pytest.raises(CodeTableError, match=r"`freqs` must be integers; got dtype float64"):
            self.cls.from_frequencies([4.0, 4.0], 3)

    # ---------------------------------------------------------------- round trips
    @pytest.mark.parametrize(
        "q, message",
        [
            ([0.5, 0.25, 0.25], []),  # empty
            ([0.5, 0.25, 0.25], [2] * 57),  # one symbol repeated
            ([0.1] * 10, list(range(10))),  # every symbol once
            ([0.5, 0.25, 0.125, 0.125], [0, 1, 2, 3, 3, 2, 1, 0, 0]),  # dyadic
            ([1 - 1e-12, 1e-12], [0] * 100 + [1] + [0] * 50 + [1, 1]),  # extreme skew
            ([1.0], [0] * 1000),  # K = 1
            ([0.0, 1.0, 0.0], [1] * 7),  # one-point support inside a larger alphabet
        ],
    )
    def test_catalogue(self, q, message):
        code = self.cls(q, precision=16)
        round_trip(code, np.array(message, dtype=np.int64), ideal=ideal_static(code.frequencies, 16, message))

    def test_k1_costs_only_the_constant(self):
        code = self.cls([1.0], precision=10)
        bits = round_trip(code, np.zeros(5000, dtype=np.int64), ideal=0.0)
        lo, hi = code.excess_bounds(5000)
        assert len(bits) <= hi

    def test_costliest_symbol_every_time(self):
        # 24 bits per symbol, the most any message can cost at this precision: the output
        # buffer (sized from the worst case, written without bounds checks) must hold it.
        code = self.cls([1 - 1e-12, 1e-12], precision=24)
        assert code.frequencies.tolist() == [2**24 - 1, 1]
        x = np.ones(20_001, dtype=np.int64)
        bits = round_trip(code, x, ideal=24.0 * x.size)
        assert len(bits) >= 24 * x.size

    @pytest.mark.parametrize("precision", [16, 20])
    def test_k_65536(self, precision):
        k = 1 << 16
        q = Distribution.zipf(k, 1.0)
        code = self.cls(q, precision=precision)
        assert (code.frequencies >= 1).all()
        x = q.sample(3000, seed=7)
        x[:3] = [0, k - 1, k - 2]
        round_trip(code, x.astype(np.uint16), ideal=ideal_static(code.frequencies, precision, x))

    def test_strided_readonly_and_list_input(self):
        code = self.cls(Distribution.uniform(7), precision=10)
        base = Distribution.uniform(7).sample(1001, seed=8)
        strided = base[::2]
        ref = code.encode(np.ascontiguousarray(strided))
        frozen = strided.copy()
        frozen.setflags(write=False)
        assert code.encode(strided) == ref and code.encode(frozen) == ref
        assert code.encode(strided.tolist()) == ref
        assert np.array_equal(base[::2], strided)  # input not modified
        with pytest.raises(EncodeError, match=r"`symbols` must be integers; got dtype float64"):
            code.encode(np.array([0.0, 1.0]))
        with pytest.raises(EncodeError, match=r"`symbols` must be one-dimensional; got shape \(2, 2\)"):
            code.encode(np.zeros((2, 2), dtype=np.int64))

    @pytest.mark.parametrize("dtype", DTYPES)
    def test_any_integer_dtype(self, dtype):
        code = self.cls(Distribution.geometric(100, 0.9), precision=14)
        x = Distribution.geometric(100, 0.9).sample(500, seed=3).astype(dtype)
        ref = self.cls(Distribution.geometric(100, 0.9), precision=14).encode(x.astype(np.int64))
        assert round_trip(code, x) == ref
        assert code.encode(x.tolist()) == ref

    def test_random_seeded_sources(self):
        rng = np.random.default_rng(12345)
        for trial in range(20):
            k = int(rng.integers(2, 300))
            q = Distribution.dirichlet(k, float(rng.choice([0.05, 0.5, 5.0])), rng=rng)
            p = Distribution.dirichlet(k, 1.0, rng=rng)
            b = int(rng.integers(max(9, math.ceil(math.log2(k))), 25))
            code = self.cls(q, precision=b, floor=True)
            x = p.sample(int(rng.integers(0, 3000)), rng=rng)
            round_trip(code, x, ideal=ideal_static(code.frequencies, b, x))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors])
    @given(model_and_message())
    def test_hypothesis_round_trip_and_bound(self, case):
        q, precision, x = case
        code = self.cls(q, precision=precision)
        round_trip(code, x, ideal=ideal_static(code.frequencies, precision, x))

    def test_compression_tracks_ideal_on_a_long_message(self):
        # Not a speed test: 2e5 symbols, the measured rate must sit at -log2 q_hat(x^n)/n
        # (within the per-message constant: rANS's 102 bits are 5.1e-4 bit/symbol here).
        p = Distribution.zipf(256, 1.1)
        q = p.mix(Distribution.uniform(256), 0.3)
        code = self.cls(q)
        x = p.sample(200_000, seed=11)
        bits = round_trip(code, x, ideal=ideal_static(code.frequencies, 20, x))
        assert len(bits) / x.size - code.ideal_length(x) / x.size < 6e-4

    # ---------------------------------------------------------------- zero frequency / floor
    def test_zero_probability_symbol_names_symbol_and_position(self):
        code = self.cls([0.5, 0.0, 0.5], precision=8)
        assert code.frequencies[1] == 0
        with pytest.raises(EncodeError, match=r"symbol 1 at position 3 has frequency 0 .*floor=True"):
            code.encode(np.array([0, 2, 0, 1, 2, 1], dtype=np.uint8))
        with pytest.raises(EncodeError, match=r"symbol 1 at position 3 has frequency 0"):
            code.encode([0, 2, 0, 1, 2, 1])
        assert math.isinf(code.ideal_length([0, 1]))

    def test_range_error_comes_before_zero_frequency(self):
        code = self.cls([0.5, 0.0, 0.5], precision=8)
        with pytest.raises(EncodeError, match=r"symbol 7 at position 4 is outside the alphabet 0\.\.2"):
            code.encode(np.array([0, 1, 0, 0, 7], dtype=np.int64))
        with pytest.raises(EncodeError, match=r"symbol -1 at position 0 is outside the alphabet"):
            code.encode(np.array([-1, 0], dtype=np.int64))
        with pytest.raises(EncodeError, match=r"symbol 300 at position 1 is outside"):
            code.encode(np.array([0, 300], dtype=np.uint16))

    def test_floor_makes_every_symbol_encodable(self):
        code = self.cls([0.5, 0.0, 0.5], precision=8, floor=True)
        assert code.frequencies[1] == 1 and code.frequencies.sum() == 256
        round_trip(code, [1, 1, 0, 2], ideal=ideal_static(code.frequencies, 8, [1, 1, 0, 2]))

    # ---------------------------------------------------------------- broken streams
    def _stream(self):
        q = Distribution.zipf(30, 1.0)
        code = self.cls(q, precision=12)
        x = q.sample(400, seed=5)
        return code, x, code.encode(x)

    def test_truncated_stream_always_raises(self):
        code, x, bits = self._stream()
        for cut in range(len(bits)):
            with pytest.raises(DecodeError, match="truncated|corrupted"):
                code.decode_partial(bits[:cut], x.size)

    def test_leftover_bits_rejected_by_strict_decode(self):
        code, x, bits = self._stream()
        with pytest.raises(DecodeError, match=r"8 bits left over after decoding 400 symbols"):
            code.decode(bits + bitarray("10110011"), x.size)

    def test_decode_arguments(self):
        code, x, bits = self._stream()
        with pytest.raises(ValueError, match=r"`n` \(number of symbols to decode\) must be a non-negative integer; got -1"):
            code.decode(bits, -1)
        with pytest.raises(DecodeError, match=r"`bits` must be a bitarray; got bytes"):
            code.decode(bits.tobytes(), x.size)
        little = bitarray(bits, endian="little")
        assert np.array_equal(code.decode(little, x.size), x)

    # ---------------------------------------------------------------- serialisation
    def test_to_dict_from_dict_bit_identical(self):
        q = Distribution.dirichlet(77, 0.3, seed=9)
        code = self.cls(q, precision=18, floor=True)
        data = code.to_dict()
        assert data["coder"] == self.name and data["precision"] == 18
        assert data["frequencies"] == code.frequencies.tolist()
        again = coders.from_json(code.to_json())
        assert type(again) is self.cls
        x = Distribution.uniform(77).sample(1000, seed=1)
        assert again.encode(x) == code.encode(x)

    @pytest.mark.parametrize(
        "patch, message",
        [
            ({"alphabet_size": 10**12}, r"'alphabet_size' must be in 1\.\.16777216; got 1000000000000"),
            ({"alphabet_size": 0}, r"'alphabet_size' must be in 1\.\.16777216; got 0"),
            ({"precision": 40}, r"'precision' must be in 1\.\.24; got 40"),
            ({"precision": "8"}, r"field 'precision' has the wrong type"),
            ({"frequencies": [1, 2]}, r"alphabet_size = 3 but lists 2 frequencies"),
            ({"frequencies": [128, 64, 64.0]}, r"frequencies\[2\] = 64\.0"),
            ({"frequencies": [128, 64, 2**70]}, r"integers in 0\.\.2\*\*8; frequencies\[2\]"),
            ({"frequencies": [128, 64, 63]}, r"they sum to 255"),
            ({"version": 2}, r"version 2 is not supported"),
        ],
    )
    def test_from_dict_validates(self, patch, message):
        data = self.cls([0.5, 0.25, 0.25], precision=8).to_dict()
        data.update(patch)
        with pytest.raises(CodeTableError, match=message):
            coders.from_dict(data)
