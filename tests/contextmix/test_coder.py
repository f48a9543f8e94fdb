"""The context-mixing coder: exact round trips, the payload against the model's own log-loss,
hostile streams, blocks, priming and serialisation."""

from __future__ import annotations

import hashlib
import math
import zlib
from pathlib import Path

import numpy as np
import pytest
from bitarray import bitarray
from hypothesis import given, settings
from hypothesis import strategies as st

from codebook.contextmix import ContextMixingCoder
from codebook.contextmix import coder as cm
from codebook.errors import CodeTableError, DecodeError, EncodeError, TrainingDataError

DATA = Path(__file__).resolve().parents[1] / "data"
PROSE = (DATA / "prose.txt").read_bytes()
LOG = (DATA / "lighthouse.log").read_bytes()
SOURCE = (DATA / "measures.py.txt").read_bytes()
SMALL = 16  # 64 KiB tables: the tests need no more


def round_trip(code: ContextMixingCoder, data: bytes) -> bitarray:
    """Encode, decode, compare; check the payload against the log-loss window; return the bits."""
    bits = code.encode(data)
    encode_loss = code.last_log_loss
    back = code.decode(bits, len(data), dtype=np.uint8)
    assert back.tobytes() == data
    loss = code.log_loss(data)
    assert loss == encode_loss == code.last_log_loss  # the decoder saw the same probabilities
    lo, hi = code.excess_bounds(len(data))
    assert lo <= len(bits) - loss <= hi
    return bits


@pytest.mark.parametrize(
    "data",
    [b"", b"a", b"\x00", b"\xff" * 1000, bytes(range(256)), b"abracadabra" * 50, PROSE[:3000], LOG[:3000], SOURCE],
    ids=["empty", "one", "zero", "run", "every-byte", "repeats", "prose", "log", "source"],
)
def test_round_trip_and_length_window(data):
    round_trip(ContextMixingCoder(memory=SMALL), data)


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=600), st.integers(1, 3))
def test_round_trip_random_bytes_any_block_count(data, blocks):
    round_trip(ContextMixingCoder(memory=SMALL, blocks=blocks), data)


def test_an_empty_message_is_zero_bits_and_a_byte_is_at_most_12_bits_plus_termination():
    code = ContextMixingCoder(memory=SMALL)
    assert len(code.encode(b"")) == 0
    # each of the 8 decisions costs at most -log2(1/4096) = 12 bits
    for value in (0, 97, 255):
        assert 0 < len(code.encode(bytes([value]))) <= 8 * 12 + 2


def test_log_loss_is_the_sum_of_minus_log2_of_the_12_bit_probabilities():
    code = ContextMixingCoder(memory=SMALL)
    model = code._fresh("max")  # after the primer: its log-loss counts cleared
    assert model.loss.sum() == 0
    hist = code._history(np.frombuffer(b"hello", dtype=np.uint8), 5)
    model.run(cm.K.PRIME, hist, hist.size, np.zeros(16, np.uint8))
    counts = model.loss
    assert counts.sum() == 40  # one count per decision
    by_hand = sum(int(counts[q]) * (12 - math.log2(q)) for q in range(1, 4096))
    assert code.log_loss(b"hello") == pytest.approx(by_hand, rel=1e-13)


def test_text_compresses_and_repeats_cost_almost_nothing():
    code = ContextMixingCoder(memory=SMALL)
    assert len(round_trip(code, PROSE)) / len(PROSE) < 2.5  # order-0 entropy is 4.3
    once = len(code.encode(PROSE[:2000]))
    twice = len(code.encode(PROSE[:2000] * 2))
    assert twice - once < 0.05 * once  # the match model finds the copy


@pytest.mark.parametrize("profile, primer, length, digest", [
    ("max", True, 9933, "c97bbf80c9d387ebd33a7fa460fc5d9343fc47eb4a576d48d68eadffe310636d"),
    ("fast", True, 10024, "5f370bd237431b373a5d323371f595ab14a0b1d2d9ae823ae451bf6cdfbbadb4"),
    # without the primer, max is bit for bit model version 1 (its golden stream)
    ("max", False, 11571, "498379254c117b2681815cde47e9b054b5020c57f993feb3839a89a154ddf660"),
    ("fast", False, 11781, "d2e4576b33e47736daf52ef07e80fb5a9955c8a7c173342b772989f6672da521"),
])
def test_golden_bitstream(profile, primer, length, digest):
    """Pins model version 2: any change of the primer, a table, a parameter or the coder changes this."""
    bits = ContextMixingCoder(profile=profile, memory=16, primer=primer).encode(PROSE[:4000])
    assert len(bits) == length
    assert hashlib.sha256(bits.tobytes()).hexdigest() == digest


def test_auto_is_max_below_a_mebibyte_and_fast_from_there():
    code = ContextMixingCoder(memory=SMALL)
    assert code.profile_for(cm.FAST_FROM - 1) == "max" and code.profile_for(cm.FAST_FROM) == "fast"
    assert ContextMixingCoder(profile="max").profile_for(10**9) == "max"
    fast = round_trip(ContextMixingCoder(memory=SMALL, profile="fast"), LOG)
    strong = round_trip(ContextMixingCoder(memory=SMALL, profile="max"), LOG)
    assert len(strong) < len(fast) and ContextMixingCoder(memory=SMALL).encode(LOG) == strong


def test_the_primer_is_checked_and_helps_a_small_text():
    assert hashlib.sha256(cm.primer_bytes().tobytes()).hexdigest() == cm.PRIMER_SHA256
    assert cm.primer_bytes().size == 65866 and not cm.primer_bytes().flags.writeable
    small = SOURCE[:1500]
    assert len(ContextMixingCoder(memory=SMALL).encode(small)) < 0.85 * len(
        ContextMixingCoder(memory=SMALL, primer=False).encode(small))
    round_trip(ContextMixingCoder(memory=SMALL, primer=False, prime=PROSE[:300]), SOURCE[:500])


def test_blocks_are_fixed_by_n_and_cost_a_48_bit_length_each():
    code = ContextMixingCoder(memory=SMALL)
    assert code.block_count(cm.PARALLEL_MIN - 1) == 1 and code.block_count(cm.PARALLEL_MIN) == 2
    one = ContextMixingCoder(memory=SMALL, blocks=1).encode(LOG)
    three = round_trip(ContextMixingCoder(memory=SMALL, blocks=3, threads=2), LOG)
    assert int(three[:48].to01(), 2) > 0 and len(three) > len(one)
    assert ContextMixingCoder(memory=SMALL, blocks=3, threads=1).encode(LOG) == three  # threads never matter


def test_trailing_junk_bits_are_reported_and_decode_partial_says_where_the_stream_ends():
    code = ContextMixingCoder(memory=SMALL)
    bits = code.encode(PROSE[:500])
    junk = bits + bitarray("1011001110001111")
    out, used = code.decode_partial(junk, 500, dtype=np.uint8)
    assert used == len(bits) and out.tobytes() == PROSE[:500]
    with pytest.raises(DecodeError, match="left over"):
        code.decode(junk, 500)


def test_truncated_streams_never_decode():
    code = ContextMixingCoder(memory=SMALL)
    bits = code.encode(PROSE[:400])
    for cut in range(0, len(bits), 97):
        with pytest.raises(DecodeError):
            code.decode(bits[:cut], 400)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_mutated_and_random_payloads_raise_or_decode_never_hang(data):
    """Hostile input: flipped bits, random bit strings, wrong n. The decoder's work is bounded
    by n (8 decisions per byte) and its reads by the stream's length: it returns n bytes or
    raises DecodeError, nothing else."""
    code = ContextMixingCoder(memory=SMALL, blocks=data.draw(st.integers(1, 2)))
    original = SOURCE[:600]
    bits = code.encode(original)
    kind = data.draw(st.sampled_from(["flip", "random", "n"]))
    n = len(original)
    if kind == "flip":
        for _ in range(data.draw(st.integers(1, 4))):
            bits[data.draw(st.integers(0, len(bits) - 1))] ^= 1
    elif kind == "random":
        bits = bitarray(data.draw(st.lists(st.booleans(), max_size=3000)), endian="big")
        n = data.draw(st.integers(0, 2000))
    else:
        n = data.draw(st.integers(0, 2000))
    try:
        out = code.decode(bits, n, dtype=np.uint8)
    except DecodeError:
        return
    assert out.size == n


def test_priming_helps_a_related_text_and_the_decoder_needs_the_same_training_text():
    primed = ContextMixingCoder(memory=SMALL, prime=PROSE[:10000])
    target = PROSE[10000:14000]
    bits = round_trip(primed, target)
    assert len(bits) < 0.97 * len(ContextMixingCoder(memory=SMALL).encode(target))
    info = primed.to_dict()["prime"]
    assert info == {"size": 10000, "crc32": zlib.crc32(PROSE[:10000])}
    rebuilt = ContextMixingCoder.from_dict(primed.to_dict(), prime=PROSE[:10000])
    assert rebuilt.decode(bits, len(target), dtype=np.uint8).tobytes() == target
    with pytest.raises(TrainingDataError, match="primed on a training file of 10000 bytes"):
        ContextMixingCoder.from_dict(primed.to_dict())
    with pytest.raises(TrainingDataError, match="is not the training file"):
        ContextMixingCoder.from_dict(primed.to_dict(), prime=PROSE[:9999] + b"?")
    with pytest.raises(TrainingDataError, match="without a training file"):
        ContextMixingCoder.from_dict(ContextMixingCoder(memory=SMALL).to_dict(), prime=PROSE[:10])


def test_serialisation_round_trip_and_hostile_tables():
    code = ContextMixingCoder(memory=17, blocks=2, profile="fast")
    assert ContextMixingCoder.from_dict(code.to_dict()).to_dict() == code.to_dict() == {
        "coder": "cm", "version": 2, "profile": "fast", "memory": 17, "primer": True, "blocks": 2,
    }  # fmt: skip
    bad = [
        ({"memory": 40}, "'memory' must be in 16..28"),
        ({"memory": True}, "wrong type"),
        ({"blocks": 0}, "'blocks' must be"),
        ({"version": 1}, "version 1 is not supported"),
        ({"alphabet_size": 2}, "alphabet_size must be 256"),
        ({"prime": [1, 2]}, "'prime' must be an object"),
        ({"profile": "best"}, "'profile' must be one of auto, max, fast"),
        ({"primer": 1}, "'primer' must be true or false"),
    ]
    for change, message in bad:
        with pytest.raises(CodeTableError, match=message):
            ContextMixingCoder.from_dict({**code.to_dict(), **change})


def test_bad_arguments_name_the_value():
    with pytest.raises(ValueError, match="`memory` must be an integer in 16..28"):
        ContextMixingCoder(memory=12)
    with pytest.raises(ValueError, match="`blocks` must be an integer"):
        ContextMixingCoder(blocks=0)
    with pytest.raises(ValueError, match="`threads` must be a positive integer"):
        ContextMixingCoder(threads=0)
    with pytest.raises(ValueError, match="`profile` must be one of auto, max, fast; got 'best'"):
        ContextMixingCoder(profile="best")
    with pytest.raises(ValueError, match="`primer` must be True or False"):
        ContextMixingCoder(primer=None)
    with pytest.raises(EncodeError, match="symbol 300 at position 1 is outside the alphabet 0..255"):
        ContextMixingCoder(memory=SMALL).encode([1, 300])


@pytest.mark.parametrize("profile, hashed", [("max", 7), ("fast", 4)])
def test_memory_is_what_the_docstring_says(profile, hashed):
    code = ContextMixingCoder(memory=20, profile=profile)
    model = code._fresh(profile)
    state = sum(v.nbytes for v in vars(model).values() if isinstance(v, np.ndarray))
    scratch = model.regs.nbytes + model.coder.nbytes + model.loss.nbytes + model.cfg.nbytes
    fixed = cm.PROFILES[profile].state_bytes(20) - (hashed + 1) * 2**20
    assert state - scratch == code.memory_bytes(1) == (hashed + 1) * 2**20 + fixed
    assert 4.4e6 < fixed < 4.5e6  # bit histories 64 KiB, SSE 4.3 MB, state maps and weights
    assert code.memory_bytes(cm.PARALLEL_MIN) == 2 * code.memory_bytes(1)


def test_an_absurd_n_is_refused_before_anything_is_allocated():
    code = ContextMixingCoder(memory=SMALL)
    bits = code.encode(PROSE[:100])
    with pytest.raises(DecodeError, match=r"10000000000 bytes need at least 28\d{6} bits"):
        code.decode(bits, 10**10)


def test_min_payload_bits_is_below_every_real_payload():
    code = ContextMixingCoder(memory=SMALL)
    for data in (b"\x00" * 5000, PROSE[:2000]):
        assert code.min_payload_bits(len(data)) <= len(code.encode(data))


def test_conditional_entropies_against_a_hand_count():
    from fractions import Fraction

    from codebook.filemodels import conditional_entropies

    text = b"abab" * 3 + b"abc"  # 15 bytes
    h = conditional_entropies(text, 2)
    # order 0: a 7, b 7, c 1 of 15
    counts = {b: text.count(bytes([b])) for b in set(text)}
    h0 = -sum(Fraction(c, 15) * math.log2(c / 15) for c in counts.values())
    assert h[0] == pytest.approx(float(h0), abs=1e-12)
    # order 1: after 'a' always 'b' (7 times); after 'b': 'a' 6 times, 'c' once (7 pairs) -> 14 pairs
    h1 = 7 / 14 * 0 + 7 / 14 * -(6 / 7 * math.log2(6 / 7) + 1 / 7 * math.log2(1 / 7))
    assert h[1] == pytest.approx(h1, abs=1e-12)
    # order 2 (13 triples): 'ab' -> a 6 times, c once; 'ba' -> b 6 times
    assert h[2] == pytest.approx(7 / 13 * -(6 / 7 * math.log2(6 / 7) + 1 / 7 * math.log2(1 / 7)), abs=1e-12)
    assert conditional_entropies(b"", 1) == [pytest.approx(math.nan, nan_ok=True)] * 2


def test_summary_puts_payload_and_log_loss_side_by_side():
    from codebook.filemodels import summary

    code = ContextMixingCoder(memory=SMALL)
    bits = code.encode(PROSE)
    s = summary(PROSE, code, len(bits))
    assert s["payload_bits"] == len(bits) and 0 <= s["excess_bits"] <= 2
    # plug-in estimates fall with the order (H2 on 20 KB is already below what any model pays)
    assert s["H3_bits_per_byte"] < s["H2_bits_per_byte"] < s["H1_bits_per_byte"] < s["H0_bits_per_byte"]
    assert s["payload_bits_per_byte"] < s["H1_bits_per_byte"]
    with pytest.raises(AssertionError, match="outside"):
        summary(PROSE, code, len(bits) + 5)
