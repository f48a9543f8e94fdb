"""The adaptive (KT / Laplace) arithmetic coder: its length is the estimator's sequential
log-loss, checked against exact rational products and the closed forms of theory §h."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from bitarray import bitarray
from hypothesis import given, settings
from hypothesis import strategies as st

from codebook import Distribution, coders
from codebook.coders import AdaptiveArithmeticCoder
from codebook.errors import AlphabetMismatchError, CodeTableError, DecodeError, EncodeError

try:
    from ._stream_helpers import DTYPES, kt_exact_bits, round_trip
except ImportError:  # rootdir-style imports (no __init__.py in tests/coders)
    from _stream_helpers import DTYPES, kt_exact_bits, round_trip


def test_registered_and_built_like_the_others():
    info = coders.info("adaptive")
    assert info.cls is AdaptiveArithmeticCoder and info.kind == "adaptive"
    code = coders.build("adaptive", [0.9, 0.05, 0.05])  # q: only its size counts
    assert code.alphabet_size == 3 and code.prior == 0.5
    assert coders.build("adaptive", alphabet_size=7, prior=1).prior == 1.0
    # Same bits whatever q says: the probabilities are ignored.
    x = [0, 1, 2, 2, 1]
    assert code.encode(x) == coders.build("adaptive", [0.1, 0.1, 0.8]).encode(x)


def test_golden_by_hand():
    # KT, K = 2. [0]: P = 1/2, interval [0, 1/2) = "0". [1]: [1/2, 1) = "1".
    # [0, 1]: [0, 1/2) then symbol 1 with P = (0 + 1/2)/(1 + 1) = 1/4 at the top: [3/8, 1/2),
    # width 1/8 starting at 0.011b -> "011".
    # [0, 0, 0, 1]: [0, 1/2) -> [0, 3/8) -> [0, 5/16) -> [35/128, 40/128); the widest dyadic
    # interval inside is [36/128, 40/128) = 0.01001b with 5 bits.
    code = AdaptiveArithmeticCoder(alphabet_size=2)
    assert [code.encode(m).to01() for m in ([0], [1], [0, 1], [0, 0, 0, 1])] == ["0", "1", "011", "01001"]


def test_golden_pinned_laplace():
    code = AdaptiveArithmeticCoder(alphabet_size=3, prior=1)
    assert code.encode([2, 2, 0, 1, 2]).to01() == "110110010"  # pinned from this implementation


def test_golden_kt_k6():
    code = AdaptiveArithmeticCoder(alphabet_size=6)  # pinned from this implementation
    assert code.encode([0, 1, 0, 5, 2, 0, 3, 1, 4, 0]).to01() == "0001000110001011100010101010111"


@pytest.mark.parametrize("prior", [0.5, 1, 1.5, 2])
def test_ideal_length_is_the_exact_product(prior):
    rng = np.random.default_rng(5)
    for _ in range(25):
        k = int(rng.integers(1, 9))
        x = rng.integers(0, k, int(rng.integers(0, 60)))
        code = AdaptiveArithmeticCoder(alphabet_size=k, prior=prior)
        exact = kt_exact_bits(x.tolist(), k, Fraction(prior))
        assert code.ideal_length(x) == pytest.approx(exact, rel=1e-12, abs=1e-9)
        round_trip(code, x, ideal=exact)


def test_laplace_is_the_enumerative_code():
    # theory §h: -log2 P_1(x^n) = log2 C(n+K-1, K-1) + log2(n! / Π n_k!).
    rng = np.random.default_rng(9)
    for _ in range(20):
        k = int(rng.integers(1, 12))
        x = rng.integers(0, k, int(rng.integers(0, 200)))
        counts = np.bincount(x, minlength=k).tolist()
        multinomial = math.factorial(len(x))
        for c in counts:
            multinomial //= math.factorial(c)
        expected = math.log2(math.comb(len(x) + k - 1, k - 1)) + math.log2(multinomial)
        code = AdaptiveArithmeticCoder(alphabet_size=k, prior=1)
        assert code.ideal_length(x) == pytest.approx(expected, rel=1e-12, abs=1e-9)


def test_theory_vector_k256_every_symbol_once():
    # theory §h: K = 256, every symbol once (n = 256): regret R = 238.5 bits against
    # n Ĥ = 256 * 8, so -log2 P_KT = 2286.5 (to the 0.1 quoted).
    code = AdaptiveArithmeticCoder(alphabet_size=256)
    x = np.arange(256)
    assert code.ideal_length(x) - 256 * 8 == pytest.approx(238.5, abs=0.05)
    round_trip(code, x)


def test_kt_binary_regret_bound():
    # theory §h: for K = 2, R(x^n) <= 1/2 log2 n + 1 for every sequence (checked on all
    # count pairs for n < 60; the length only depends on the counts).
    code = AdaptiveArithmeticCoder(alphabet_size=2)
    for n in range(1, 60):
        for a in range(n + 1):
            x = np.array([0] * a + [1] * (n - a))
            emp = 0.0 if a in (0, n) else -(a * math.log2(a / n) + (n - a) * math.log2((n - a) / n))
            assert code.ideal_length(x) - emp <= 0.5 * math.log2(n) + 1 + 1e-9


@pytest.mark.parametrize(
    "message",
    [[], [3] * 200, list(range(10)), [0, 9] * 40, list(range(10)) * 30],
)
def test_catalogue(message):
    code = AdaptiveArithmeticCoder(alphabet_size=10)
    round_trip(code, np.array(message, dtype=np.int64), ideal=kt_exact_bits(message, 10, Fraction(1, 2)))


def test_k1_costs_at_most_the_termination():
    # The ideal length is 0; the integer ranges (T = 2t + 1 does not divide the range) may
    # cost a fraction of a bit in total, within the 2-bit termination bound.
    code = AdaptiveArithmeticCoder(alphabet_size=1)
    assert len(round_trip(code, np.zeros(1000, dtype=np.int64), ideal=0.0)) <= 2


def test_large_alphabet():
    k = 1 << 16
    code = AdaptiveArithmeticCoder(alphabet_size=k, prior=1)
    x = Distribution.zipf(k, 1.0).sample(5000, seed=3)
    x[:2] = [k - 1, 0]
    round_trip(code, x.astype(np.uint16))


@pytest.mark.parametrize("dtype", DTYPES)
def test_any_integer_dtype(dtype):
    code = AdaptiveArithmeticCoder(alphabet_size=100)
    x = Distribution.geometric(100, 0.95).sample(400, seed=1)
    assert round_trip(code, x.astype(dtype)) == code.encode(x)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 30).flatmap(
        lambda k: st.tuples(st.just(k), st.lists(st.integers(0, k - 1), max_size=300), st.sampled_from([0.5, 1.0]))
    )
)
def test_hypothesis_round_trip_and_bound(case):
    k, message, prior = case
    code = AdaptiveArithmeticCoder(alphabet_size=k, prior=prior)
    exact = kt_exact_bits(message, k, Fraction(prior)) if len(message) <= 120 else None
    round_trip(code, np.array(message, dtype=np.int64), ideal=exact)


def test_length_tracks_log_loss_on_a_long_message():
    p = Distribution.zipf(256, 1.1)
    x = p.sample(200_000, seed=21)
    code = AdaptiveArithmeticCoder(alphabet_size=256)
    bits = round_trip(code, x)
    assert 0 <= len(bits) - code.ideal_length(x) < 2.01


def test_out_of_range_symbol():
    code = AdaptiveArithmeticCoder(alphabet_size=4)
    with pytest.raises(EncodeError, match=r"symbol 4 at position 2 is outside the alphabet 0\.\.3"):
        code.encode(np.array([0, 1, 4, 1], dtype=np.int64))
    with pytest.raises(EncodeError, match=r"symbol 9 at position 0 is outside the alphabet 0\.\.3"):
        code.encode([9])


@pytest.mark.parametrize("bad", [0.3, 0, -1, True, "half", 1 / 3, 10**6])
def test_bad_prior(bad):
    with pytest.raises(ValueError, match=r"`prior` must be a positive multiple of 1/2 up to 65536"):
        AdaptiveArithmeticCoder(alphabet_size=3, prior=bad)


def test_bad_alphabet():
    with pytest.raises(ValueError, match=r"needs `alphabet_size` \(or a q to take it from\)"):
        AdaptiveArithmeticCoder()
    with pytest.raises(AlphabetMismatchError, match=r"`alphabet_size` = 4 but len\(q\) = 3"):
        AdaptiveArithmeticCoder([0.5, 0.25, 0.25], alphabet_size=4)
    with pytest.raises(ValueError, match=r"`alphabet_size` must be an integer in 1\.\.16777216; got 0"):
        AdaptiveArithmeticCoder(alphabet_size=0)


def test_truncated_stream_always_raises():
    code = AdaptiveArithmeticCoder(alphabet_size=20)
    x = Distribution.zipf(20, 1.0).sample(300, seed=6)
    bits = code.encode(x)
    for cut in range(len(bits)):
        with pytest.raises(DecodeError, match="truncated|corrupted"):
            code.decode_partial(bits[:cut], x.size)
    with pytest.raises(DecodeError, match=r"5 bits left over after decoding 300 symbols"):
        code.decode(bits + bitarray("10101"), x.size)


def test_every_accepted_stream_is_the_encoding_of_what_it_decodes_to():
    code = AdaptiveArithmeticCoder(alphabet_size=3)
    for length in range(11):
        for value in range(1 << length):
            bits = bitarray(format(value, f"0{length}b") if length else "", endian="big")
            try:
                out, used = code.decode_partial(bits, 3)
            except DecodeError:
                continue
            assert code.encode(out) == bits[:used]


def test_excess_bounds():
    code = AdaptiveArithmeticCoder(alphabet_size=256)
    assert code.excess_bounds(0) == (0.0, 2.0)
    lo, hi = code.excess_bounds(10**6)
    t_max = 2 * (10**6 - 1) + 256
    assert lo == 0.0 and hi == pytest.approx(2 - 10**6 * math.log2(1 - t_max / 2**48), rel=1e-12)


def test_serialisation():
    code = AdaptiveArithmeticCoder(alphabet_size=12, prior=1)
    again = coders.from_json(code.to_json())
    assert type(again) is AdaptiveArithmeticCoder and again.prior == 1.0 and again.alphabet_size == 12
    x = [3, 1, 4, 1, 5, 9, 2, 6]
    assert again.encode(x) == code.encode(x)
    data = code.to_dict()
    for patch, message in [
        ({"prior": 0.3}, r"field 'prior': `prior` must be a positive multiple of 1/2"),
        ({"prior": "1"}, r"field 'prior' has the wrong type"),
        ({"alphabet_size": 2**40}, r"'alphabet_size' must be in 1\.\.16777216"),
        ({"version": 3}, r"version 3 is not supported"),
    ]:
        with pytest.raises(CodeTableError, match=message):
            coders.from_dict({**data, **patch})


def test_small_alphabet_search_matches_fenwick_search():
    # Two decoders answer the same search question (K <= 256 uses 16x16 blocks, larger K a
    # Fenwick tree); run both on the same streams.
    from codebook.coders import _range_kernels as kernels

    rng = np.random.default_rng(17)
    for k in (1, 2, 17, 255, 256):
        code = AdaptiveArithmeticCoder(alphabet_size=k)
        x = rng.integers(0, k, 3000)
        bits = code.encode(x)
        buf = np.frombuffer(bits, dtype=np.uint8) if len(bits) else np.zeros(0, np.uint8)
        a, b = np.empty(x.size, np.int64), np.empty(x.size, np.int64)
        weight0 = np.ones(k, dtype=np.int64)  # KT: num = 1, den = 2
        ra = kernels.decode_adaptive(buf, len(bits), x.size, weight0, 2, a)
        rb = kernels.decode_adaptive_small(buf, len(bits), x.size, weight0, 2, b)
        assert tuple(ra) == tuple(rb) == (kernels.OK, x.size, len(bits))
        assert np.array_equal(a, x) and np.array_equal(b, x)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"alphabet_size": 3, "prior": float("inf")}, r"`prior` must be a positive multiple of 1/2 .* got inf"),
        ({"alphabet_size": 3, "prior": "0.5"}, r"`prior` must be a positive multiple of 1/2 .* got '0.5'"),
        ({"alphabet_size": 2**24, "prior": 65535.5}, r"leaves no room in the coder's pseudo-count total"),
    ],
)
def test_priors_the_coder_cannot_honour_are_refused_when_built(kwargs, message):
    with pytest.raises(ValueError, match=message):
        AdaptiveArithmeticCoder(**kwargs)


# ---------------------------------------------------------------------- starting counts
@pytest.mark.parametrize("prior", [0.5, 1, 2.5])
def test_starting_counts_ideal_length_is_the_exact_product(prior):
    # P(x^n) = prod_t (c_s + n_s(t) + alpha) / (N + t + K alpha), multiplied out in fractions.
    rng = np.random.default_rng(11)
    for _ in range(25):
        k = int(rng.integers(1, 9))
        start = rng.integers(0, 50, k)
        x = rng.integers(0, k, int(rng.integers(0, 80)))
        code = AdaptiveArithmeticCoder(alphabet_size=k, prior=prior, counts=start)
        exact = kt_exact_bits(x.tolist(), k, Fraction(prior), start.tolist())
        assert code.ideal_length(x) == pytest.approx(exact, rel=1e-12, abs=1e-9)
        round_trip(code, x, ideal=exact)


def test_starting_counts_by_hand():
    # counts (3, 1), KT: symbol 0 has (3 + 1/2) / (4 + 1) = 7/10, then (4 + 1/2)/6 = 3/4:
    # P = 21/40; then symbol 1: (1 + 1/2)/7 = 3/14, P = 9/80.
    code = AdaptiveArithmeticCoder(alphabet_size=2, counts=[3, 1])
    assert code.ideal_length([0, 0]) == pytest.approx(-math.log2(21 / 40), rel=1e-15)
    assert code.ideal_length([0, 0, 1]) == pytest.approx(-math.log2(9 / 80), rel=1e-15)
    # all-zero starting counts are the plain estimator, bit for bit
    plain, zero = AdaptiveArithmeticCoder(alphabet_size=5), AdaptiveArithmeticCoder(alphabet_size=5, counts=[0] * 5)
    x = [4, 0, 0, 2, 4, 4, 1]
    assert plain.encode(x) == zero.encode(x)


def test_large_starting_counts_keep_the_ideal_length_precise():
    # N = 2**31: ln Gamma differences of about 4.4e10 would lose 1e-6 nats; the rising
    # factorials through betaln do not. Reference: the same product summed term by term.
    start = np.array([2**31, 5, 0], dtype=np.int64)
    code = AdaptiveArithmeticCoder(alphabet_size=3, prior=0.5, counts=start)
    x = [0] * 40 + [1, 2, 1]
    counts, seen, bits = [int(c) for c in start], int(start.sum()), 0.0
    for t, s in enumerate(x):
        bits -= math.log2((counts[s] + 0.5) / (seen + t + 1.5))
        counts[s] += 1
    assert code.ideal_length(x) == pytest.approx(bits, rel=1e-13)
    round_trip(code, np.array(x))


@pytest.mark.parametrize("prior", [0.5, 1, 2, 3.5])
@pytest.mark.parametrize("start", [None, [0, 0, 0], [2, 7, 1], [5, 5, 0]])
def test_min_ideal_length_is_the_minimum_over_every_message(prior, start):
    # Exhaustive: every message over K = 3 of n <= 6 symbols; the smallest exact ideal
    # length equals min_ideal_length(n), and no encoding is shorter (container bound, any prior).
    import itertools

    code = AdaptiveArithmeticCoder(alphabet_size=3, prior=prior, counts=start)
    for n in range(7):
        exact = [kt_exact_bits(list(x), 3, Fraction(prior), start) for x in itertools.product(range(3), repeat=n)]
        assert code.min_ideal_length(n) == pytest.approx(min(exact), rel=1e-12, abs=1e-12)
        shortest = min(len(code.encode(list(x))) for x in itertools.product(range(3), repeat=n))
        assert shortest >= code.min_ideal_length(n) - 1e-9


def test_starting_counts_serialise_as_version_2():
    code = AdaptiveArithmeticCoder(alphabet_size=4, prior=1, counts=[9, 0, 2, 1])
    data = code.to_dict()
    assert data == {"coder": "adaptive", "version": 2, "alphabet_size": 4, "prior": 1.0, "counts": [9, 0, 2, 1]}
    again = coders.from_json(code.to_json())
    assert again.counts.tolist() == [9, 0, 2, 1] and again.encode([2, 2, 0]) == code.encode([2, 2, 0])
    assert AdaptiveArithmeticCoder(alphabet_size=4).to_dict()["version"] == 1
    for patch, message in [
        ({"counts": [9, 0, 2]}, r"one starting count per symbol \(4\)"),
        ({"counts": [9, 0, -2, 1]}, r"counts\[2\] = -2"),
        ({"counts": [9, 0, 2.5, 1]}, r"field 'counts' must be a list of integers"),
        ({"counts": [9, True, 2, 1]}, r"field 'counts' must be a list of integers"),
        ({"counts": [2**40, 0, 0, 0]}, r"counts\[0\] = 1099511627776"),
        ({"counts": "9021"}, r"field 'counts' has the wrong type"),
    ]:
        with pytest.raises(CodeTableError, match=message):
            coders.from_dict({**data, **patch})
    with pytest.raises(CodeTableError, match="missing the field 'counts'"):
        coders.from_dict({k: v for k, v in data.items() if k != "counts"})


def test_starting_counts_too_large_for_the_coder():
    with pytest.raises(ValueError, match=r"1099511627200 starting counts plus alphabet size 2 times prior 0.5 leaves no room"):
        AdaptiveArithmeticCoder(alphabet_size=2, counts=[2**40 - 1000, 424])
    code = AdaptiveArithmeticCoder(alphabet_size=2, prior=1, counts=[2**40 - 10, 0])
    with pytest.raises(ValueError, match=r"codes at most 8 symbols per message"):
        code.encode([0] * 9)
