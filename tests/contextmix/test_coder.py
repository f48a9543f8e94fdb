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
from codebook.errors import CodeTableError, DecodeError, EncodeError

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
    model = code._fresh()
    hist = np.frombuffer(b"hello", dtype=np.uint8).copy()
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


def test_golden_bitstream():
    """Pins model version 1: any change of a table, a parameter or the coder changes this."""
    bits = ContextMixingCoder(memory=16).encode(PROSE[:4000])
    assert len(bits) == 11571
    assert hashlib.sha256(bits.tobytes()).hexdigest() == "498379254c117b2681815cde47e9b054b5020c57f993feb3839a89a154ddf660"


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
    with pytest.raises(CodeTableError, match="primed on a training file of 10000 bytes"):
        ContextMixingCoder.from_dict(primed.to_dict())
    with pytest.raises(CodeTableError, match="is not the one"):
        ContextMixingCoder.from_dict(primed.to_dict(), prime=PROSE[:9999] + b"?")


def test_serialisation_round_trip_and_hostile_tables():
    code = ContextMixingCoder(memory=17, blocks=2)
    assert ContextMixingCoder.from_dict(code.to_dict()).to_dict() == code.to_dict() == {
        "coder": "cm", "version": 1, "memory": 17, "blocks": 2,
    }  # fmt: skip
    bad = [
        ({"memory": 40}, "'memory' must be in 16..28"),
        ({"memory": True}, "wrong type"),
        ({"blocks": 0}, "'blocks' must be"),
        ({"version": 2}, "version 2 is not supported"),
        ({"alphabet_size": 2}, "alphabet_size must be 256"),
        ({"prime": [1, 2]}, "'prime' must be an object"),
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
    with pytest.raises(EncodeError, match="symbol 300 at position 1 is outside the alphabet 0..255"):
        ContextMixingCoder(memory=SMALL).encode([1, 300])


def test_memory_is_what_the_docstring_says():
    code = ContextMixingCoder(memory=22)
    model = code._fresh()
    state = sum(v.nbytes for v in vars(model).values() if isinstance(v, np.ndarray))
    scratch = model.regs.nbytes + model.coder.nbytes + model.loss.nbytes
    assert state - scratch == code.memory_bytes(1) == 8 * 2**22 + cm.MODEL_FIXED_BYTES
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

    from codebook.contextmix.report import conditional_entropies

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
    from codebook.contextmix.report import summary

    code = ContextMixingCoder(memory=SMALL)
    bits = code.encode(PROSE)
    s = summary(PROSE, code, len(bits))
    assert s["payload_bits"] == len(bits) and 0 <= s["excess_bits"] <= 2
    # plug-in estimates fall with the order (H2 on 20 KB is already below what any model pays)
    assert s["H3_bits_per_byte"] < s["H2_bits_per_byte"] < s["H1_bits_per_byte"] < s["H0_bits_per_byte"]
    assert s["payload_bits_per_byte"] < s["H1_bits_per_byte"]
    with pytest.raises(AssertionError, match="outside"):
        summary(PROSE, code, len(bits) + 5)
