"""The container format (codebook.container): round trips, the layout, and hostile input.

Every coder in the registry is covered (parametrized over ``coders.names()``), so coders that
land later are tested without editing this file. The layout is checked against hand-computed
bytes built here with ``struct`` and ``zlib`` straight from docs/container.md, not by the
module under test.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from codebook import Distribution, coders, container
from codebook.errors import ContainerError, DecodeError, DistributionError, EncodeError

DATA = Path(__file__).parent / "data"
TEXTS = sorted(p.name for p in DATA.iterdir() if p.suffix in (".txt", ".log"))
MAGIC = b"\x89CBK\r\n\x1a\n"  # docs/container.md, offset 0


def build(name: str, data: bytes, smoothing: float = 0.0):
    q = container.byte_distribution(data, smoothing)
    return coders.build(name, q), q


def pack(data: bytes, name: str, model: dict | bytes, payload_bits: str, *, n=None, version=1, flags=0,
         reserved=0, data_crc=None, name_len=None, model_len=None, tail: bytes = b"", pad: int = 0) -> bytes:
    """A container assembled by hand from the documented layout, with correct CRCs.

    Lets the hostile-input tests set one field to a bad value while every checksum is valid,
    so that the validation of the field itself is what is tested.
    """
    name_b = name.encode()
    model_b = model if isinstance(model, bytes) else json.dumps(model, separators=(",", ":")).encode()
    nbits = len(payload_bits)
    payload = int(payload_bits or "0", 2) << ((-nbits) % 8) if nbits else 0
    payload_b = payload.to_bytes((nbits + 7) // 8, "big")
    if pad and payload_b:
        payload_b = payload_b[:-1] + bytes([payload_b[-1] | pad])
    fixed = struct.pack(
        "<8sBBBBIQQI", MAGIC, version, flags, len(name_b) if name_len is None else name_len, reserved,
        len(model_b) if model_len is None else model_len, len(data) if n is None else n, nbits,
        zlib.crc32(data) if data_crc is None else data_crc,
    )
    fixed += struct.pack("<I", zlib.crc32(fixed))
    body = name_b + model_b + payload_b
    return fixed + body + struct.pack("<I", zlib.crc32(body)) + tail


HUFFMAN_ABRA = {"coder": "huffman", "version": 1, "alphabet_size": 256}


def huffman_model(lengths_by_byte: dict[int, int]) -> dict:
    lengths = [0] * 256
    for b, length in lengths_by_byte.items():
        lengths[b] = length
    return dict(HUFFMAN_ABRA, lengths=lengths)


# Hand computation for "abracadabra": counts a5 b2 r2 c1 d1. Huffman merges c+d (2), then the
# leaves b+r (4, leaves before merged nodes on ties), then 2+4 (6), then a+6: lengths a=1 and
# b=c=d=r=3, 23 bits. Canonical codewords by (length, symbol): a=0, b=100, c=101, d=110, r=111.
ABRA = b"abracadabra"
ABRA_LENGTHS = {ord("a"): 1, ord("b"): 3, ord("c"): 3, ord("d"): 3, ord("r"): 3}
ABRA_BITS = "0" "100" "111" "0" "101" "0" "110" "0" "100" "111" "0"


# --------------------------------------------------------------------------- layout
# The model section of that file (docs/container.md, version 2): kind 2 (canonical lengths),
# varint K = 256 -> 80 02, then the 256 lengths as tokens varint(2v) for one value and
# varint(2v + 1), varint(r - 2) for a run of r: bytes 0..96 have length 0 (run of 97: 01 5f),
# a = 1 (02), b c d = 3 (run of 3: 07 01), 101..113 zero (run of 13: 01 0b), r = 3 (06),
# 115..255 zero (run of 141: 01, varint 139 = 8b 01).
ABRA_MODEL_V2 = bytes.fromhex("02 8002 015f 02 0701 010b 06 018b01")


def test_golden_layout_of_a_huffman_file_matches_the_documented_bytes():
    code, q = build("huffman", ABRA)
    blob = container.compress(ABRA, code, model=q)
    assert len(ABRA_BITS) == 23 and len(ABRA_MODEL_V2) == 14
    assert blob == pack(ABRA, "huffman", ABRA_MODEL_V2, ABRA_BITS, version=2)
    assert blob[:8] == MAGIC and blob[8] == 2 and blob[10] == 7 and blob[40:47] == b"huffman"
    assert struct.unpack_from("<IQQI", blob, 12) == (14, 11, 23, zlib.crc32(ABRA))
    # The bytes printed in docs/container.md (example section).
    assert blob[:40].hex(" ") == (
        "89 43 42 4b 0d 0a 1a 0a 02 00 07 00 0e 00 00 00 0b 00 00 00 00 00 00 00 "
        "17 00 00 00 00 00 00 00 b7 f9 ea 17 bb fc a6 01"
    )
    assert blob[47:61] == ABRA_MODEL_V2
    assert blob[-7:-4] == bytes([0b01001110, 0b10101100, 0b10011100]) and len(blob) == 68


def test_golden_layout_of_a_version_1_huffman_file_is_still_read():
    # Version 1 stored the model as the JSON of to_dict() (629 bytes for this file).
    blob = pack(ABRA, "huffman", huffman_model(ABRA_LENGTHS), ABRA_BITS)
    assert blob[:40].hex(" ") == (
        "89 43 42 4b 0d 0a 1a 0a 01 00 07 00 3f 02 00 00 0b 00 00 00 00 00 00 00 "
        "17 00 00 00 00 00 00 00 b7 f9 ea 17 15 cc 76 ee"
    )
    assert len(blob) == 629
    header, data = container.decode(blob)
    assert data == ABRA and (header.version, header.model_kind) == (1, "json")
    assert header.model == huffman_model(ABRA_LENGTHS)


V1_FILES = sorted((DATA / "container_v1").glob("*.cbk"))


@pytest.mark.parametrize("path", V1_FILES, ids=lambda p: p.name)
def test_version_1_files_written_by_the_old_code_decode(path):
    # tests/data/container_v1: written by the version-1 code (tests/data/README.md).
    original = b"" if path.name.startswith("empty") else (DATA / "container_v1" / "prose300.txt").read_bytes()
    assert original == (DATA / "prose.txt").read_bytes()[: len(original)]
    header, data = container.decode(path.read_bytes())
    assert data == original and header.version == 1 and header.model_kind == "json"
    assert header.coder == path.name.split(".")[1]
    # The same coder writes version 2 today; the model is the same table, stored smaller.
    blob = container.compress(data, header.code)
    again = container.read_header(blob)
    assert again.version == 2 and again.model == header.model and len(blob) < path.stat().st_size
    assert container.decompress(blob) == original


def test_v1_files_cover_every_coder_of_version_1():
    assert {p.name.split(".")[1] for p in V1_FILES} == {"huffman", "shannon", "sfe", "arithmetic", "rans", "adaptive"}


def test_header_reports_sizes_and_rebuilt_code():
    code, q = build("huffman", ABRA)
    blob = container.compress(ABRA, code, model=q)
    h = container.read_header(blob)
    assert (h.coder, h.size, h.payload_bits, h.file_bytes) == ("huffman", 11, 23, len(blob))
    assert h.header_bytes == len(blob) - 3  # 23 bits = 3 payload bytes; the rest is overhead
    assert h.code.lengths.tolist() == huffman_model(ABRA_LENGTHS)["lengths"]
    again, data = container.decode(blob)
    assert data == ABRA and (again.size, again.payload_bits, again.header_bytes) == (11, 23, h.header_bytes)


def test_a_hand_built_file_decodes():
    blob = pack(ABRA, "huffman", huffman_model(ABRA_LENGTHS), ABRA_BITS)
    assert container.decompress(blob) == ABRA


# --------------------------------------------------------------------------- round trips
EDGE_CASES = {
    "empty": b"",
    "one byte": b"\x00",
    "one value repeated": b"z" * 1000,
    "every byte value once": bytes(range(256)),
    "binary": np.random.default_rng(5).integers(0, 256, 3000, dtype=np.uint8).tobytes(),
}


@pytest.mark.parametrize("name", coders.names())
@pytest.mark.parametrize("text", TEXTS)
def test_round_trip_real_text_with_own_model(name, text):
    data = (DATA / text).read_bytes()
    code, q = build(name, data)
    blob = container.compress(data, code, model=q)
    assert container.decompress(blob) == data


@pytest.mark.parametrize("name", coders.names())
def test_round_trip_with_a_model_from_another_file(name):
    data, train = (DATA / "prose.txt").read_bytes(), (DATA / "lighthouse.log").read_bytes()
    code, q = build(name, train, smoothing=0.5)
    blob = container.compress(data, code, model=q)
    h = container.read_header(blob)
    assert container.decompress(blob) == data
    if coders.info(name).kind == "prefix":
        # A prefix payload is exactly the sum of the codeword lengths (C&T §5.3).
        counts = np.bincount(np.frombuffer(data, np.uint8), minlength=256)
        assert h.payload_bits == int((counts * h.code.lengths).sum())


@pytest.mark.parametrize("name", coders.names())
@pytest.mark.parametrize("case", EDGE_CASES)
def test_round_trip_edge_cases(name, case):
    data = EDGE_CASES[case]
    code, q = build(name, data, smoothing=0.0 if data else 1.0)
    blob = container.compress(data, code, model=q)
    assert container.decompress(blob) == data
    assert container.read_header(blob).size == len(data)


def test_accepts_bytearray_and_memoryview_input():
    code, q = build("huffman", ABRA)
    assert container.compress(bytearray(ABRA), code) == container.compress(memoryview(ABRA), code)


# --------------------------------------------------------------------------- the model
@pytest.mark.parametrize("smoothing", [0.0, 0.5, 1.0, 1e-3])
def test_byte_distribution_is_exactly_from_bytes(smoothing):
    data = (DATA / "measures.py.txt").read_bytes()
    ours, reference = container.byte_distribution(data, smoothing), Distribution.from_bytes(data, smoothing)
    assert np.array_equal(ours.probs, reference.probs)


def test_byte_counts_and_first_uncodable_byte_by_hand():
    for data in [(DATA / "prose.txt").read_bytes()[:1003], b"", b"\xff", b"ab" * 7]:
        expected = [0] * 256
        for b in data:
            expected[b] += 1
        assert container.byte_counts(data).tolist() == expected
    data = (DATA / "prose.txt").read_bytes()[:1000]
    value = ord("v")
    mask = np.zeros(256, dtype=bool)
    mask[value] = True
    assert container._first_byte_in(data, mask) == (value, data.index(bytes([value])))
    assert container._first_byte_in(data, np.zeros(256, dtype=bool)) is None
    mask[:] = False
    mask[0] = True
    assert container._first_byte_in(data, mask) is None  # no NUL in the prose


def test_empty_data_without_smoothing_has_no_distribution():
    with pytest.raises(DistributionError, match="empty data without smoothing"):
        container.byte_distribution(b"")


def test_byte_with_zero_probability_is_named_with_its_offset():
    code, q = build("huffman", b"abc")
    with pytest.raises(EncodeError, match=r"byte 122 \(0x7a\) at offset 4 of the input has probability 0"):
        container.compress(b"abcaz", code, model=q)
    with pytest.raises(EncodeError, match=r"byte 122 \(0x7a\) at offset 4"):
        container.compress(b"abcaz", code, model=q, counts=container.byte_counts(b"abcaz"))
    assert container.zero_probability_byte(b"abcaz", q) == (122, 4)
    assert container.zero_probability_byte(b"abca", q) is None


def test_without_the_model_the_code_table_still_names_byte_and_offset():
    code, _ = build("huffman", b"abc")
    with pytest.raises(EncodeError, match=r"byte 122 \(0x7a\) at offset 4 of the input has no code in the huffman"):
        container.compress(b"abcaz", code)
    assert container.uncodable_bytes(code).sum() == 253


def test_refuses_a_code_not_over_bytes():
    with pytest.raises(ContainerError, match="must have 256 symbols"):
        container.compress(b"\x00\x01", coders.build("huffman", [0.5, 0.5]))


def test_refuses_input_above_max_size():
    code, _ = build("huffman", ABRA)
    with pytest.raises(ContainerError, match="input is 11 bytes, above the limit of 10"):
        container.compress(ABRA, code, max_size=10)


# --------------------------------------------------------------------------- corruption
def small_file(name: str) -> bytes:
    data = (DATA / "prose.txt").read_bytes()[:200]
    code, q = build(name, data, smoothing=0.5)
    return container.compress(data, code, model=q)


DETECTED = (
    "checksum mismatch|not a codebook|unsupported format version|truncated|reserved bits|outside|"
    "unexpected bytes|CRC32 of the decoded data"
)


@pytest.mark.parametrize("name", coders.names())
def test_every_single_byte_flip_is_detected(name):
    assert_every_byte_flip_is_detected(small_file(name))


def assert_every_byte_flip_is_detected(blob: bytes) -> None:
    """Flip one bit, the top bit and the whole byte of every byte: each must raise ContainerError."""
    for i in range(len(blob)):
        for mask in (0x01, 0x80, 0xFF):
            bad = bytearray(blob)
            bad[i] ^= mask
            with pytest.raises(ContainerError, match=DETECTED):
                container.decompress(bytes(bad))


@pytest.mark.parametrize("name", coders.names())
def test_every_truncation_is_detected(name):
    blob = small_file(name)
    for length in range(len(blob)):
        with pytest.raises(ContainerError, match="truncated|checksum mismatch|empty file"):
            container.decompress(blob[:length])


def test_flip_messages_say_where():
    blob = bytearray(small_file("huffman"))
    blob[20] ^= 1
    with pytest.raises(ContainerError, match=r"header checksum mismatch: the file is corrupted \(bytes 0\.\.39\)"):
        container.decompress(bytes(blob))
    blob[20] ^= 1
    blob[-10] ^= 1
    with pytest.raises(ContainerError, match=r"checksum mismatch: the file is corrupted \(bytes 40\.\."):
        container.decompress(bytes(blob))


def test_not_a_container():
    with pytest.raises(ContainerError, match=r"not a codebook compressed file \(the first 8 bytes"):
        container.decompress(b"hello, this is plain text and not compressed at all")
    with pytest.raises(ContainerError, match="empty file: not a codebook compressed file"):
        container.decompress(b"")
    with pytest.raises(ContainerError, match="truncated file: 3 bytes"):
        container.decompress(MAGIC[:3])


def test_trailing_bytes_are_refused():
    with pytest.raises(ContainerError, match=r"2 unexpected bytes after the end .* \(at "):
        container.decompress(pack(ABRA, "huffman", huffman_model(ABRA_LENGTHS), ABRA_BITS, tail=b"xx"))


# --------------------------------------------------------------------------- hostile fields, valid CRCs
GOOD_MODEL = huffman_model(ABRA_LENGTHS)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"version": 3}, "unsupported format version 3"),
        ({"version": 0}, "unsupported format version 0"),
        ({"flags": 1}, "reserved bits set"),
        ({"reserved": 4}, "reserved bits set"),
        ({"n": 2**63}, r"n = 9223372036854775808 bytes, above the limit"),
        ({"n": 2**64 - 1}, "above the limit"),
        ({"n": 24}, "payload has only 23 bits; a prefix code spends at least one bit per symbol"),
        ({"n": 10}, "payload does not decode with coder 'huffman': 1 bits left over"),
        ({"data_crc": 0}, "CRC32 of the decoded data is .*, the header says 00000000"),
        ({"pad": 1}, "padding bits after the payload's last bit are not zero"),
    ],
)
def test_bad_fields_are_refused(fields, message):
    with pytest.raises(ContainerError, match=message):
        container.decompress(pack(ABRA, "huffman", GOOD_MODEL, ABRA_BITS, **fields))


def test_absurd_lengths_in_the_header():
    # Lengths that do not match the file, with a valid header CRC: refused before any slicing.
    for fields, message in [
        ({"name_len": 0}, r"L \(coder name length\) = 0"),
        ({"name_len": 200}, r"L \(coder name length\) = 200"),
        ({"model_len": 0}, r"M \(model length\) = 0"),
        ({"model_len": 2**32 - 1}, r"M \(model length\) = 4294967295"),
        ({"model_len": 5}, "unexpected bytes after the end"),
        ({"model_len": 10**6}, "truncated file: .* the header announces"),
    ]:
        with pytest.raises(ContainerError, match=message):
            container.decompress(pack(ABRA, "huffman", GOOD_MODEL, ABRA_BITS, **fields))


def test_n_above_max_size_is_refused_before_decoding():
    blob = pack(ABRA, "huffman", GOOD_MODEL, ABRA_BITS)
    with pytest.raises(ContainerError, match="n = 11 bytes, above the limit of 10 bytes"):
        container.decompress(blob, max_size=10)


def test_a_different_original_with_the_same_length_fails_the_data_crc():
    # "abracadabra" rotated: same counts and bit length, different bytes; CRCs of the file valid.
    rotated = "0" + ABRA_BITS[:-1]
    with pytest.raises(ContainerError, match="CRC32 of the decoded data"):
        container.decompress(pack(ABRA, "huffman", GOOD_MODEL, rotated))


@pytest.mark.parametrize(
    "name, model, message",
    [
        ("zzz", GOOD_MODEL, "written with coder 'zzz', which this codebook does not have"),
        ("Huff", GOOD_MODEL, "coder name b'Huff' in the header is not of the form"),
        ("huffman", b"{not json", "the stored model is not valid JSON"),
        ("huffman", b"\xff\xfe", "the stored model is not valid JSON"),
        ("huffman", b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        ("huffman", b'{"coder": "huffman", "x": NaN}', "not valid JSON: NaN is not a number"),
        ("huffman", [1, 2], "must be a JSON object; got list"),
        ("huffman", dict(GOOD_MODEL, coder="shannon"), "model is for coder 'shannon', the header says 'huffman'"),
        ("huffman", dict(GOOD_MODEL, alphabet_size=255), "alphabet_size = 255; bytes need 256"),
        ("huffman", dict(GOOD_MODEL, lengths=[1] * 256, alphabet_size=256), "Kraft inequality"),
        ("huffman", dict(GOOD_MODEL, lengths=[0] * 256), "at least one codeword"),
        ("huffman", dict(GOOD_MODEL, lengths=[1] * 3, alphabet_size=3), "alphabet_size = 3"),
        ("huffman", dict(GOOD_MODEL, lengths=["x"] * 256), "lengths must be non-negative integers"),
        ("huffman", dict(GOOD_MODEL, lengths=[10**9] * 256), "at most 4096"),
        ("huffman", {"coder": "huffman"}, "missing the field 'lengths'"),
        ("huffman", dict(GOOD_MODEL, version=9), "version 9 is not supported"),
    ],
)
def test_bad_models_are_refused(name, model, message):
    with pytest.raises(ContainerError, match=message):
        container.decompress(pack(ABRA, name, model, ABRA_BITS))


def test_kraft_incomplete_code_with_an_invalid_sequence_is_a_decode_error():
    # Lengths a=1, b=2 leave the prefix "11" unused; the payload "11" is no codeword.
    model = huffman_model({ord("a"): 1, ord("b"): 2})
    message = "does not decode with coder 'huffman': invalid code sequence at bit position 1"
    with pytest.raises(ContainerError, match=message):
        container.decompress(pack(b"a", "huffman", model, "11"))


def test_the_make_log_generator_reproduces_the_shipped_log():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_log", DATA / "make_log.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.generate() == (DATA / "lighthouse.log").read_text(encoding="ascii")


# --------------------------------------------------------------------------- generic over coder kinds
class ToyStream(coders.Code):
    """A stand-in "stream" coder for the container's kind-specific checks.

    Its model is 256 integer frequencies summing to 2**8; it writes each symbol as 8 plain bits
    (exactly right for the uniform table) and refuses symbols of frequency 0. Its from_dict
    checks nothing on purpose, so that the container's own checks are what is tested.
    """

    name = "toystream"

    def __init__(self, q=None, precision=8, frequencies=None):
        self.precision = precision
        self.frequencies = np.ones(256, dtype=np.int64) if frequencies is None else np.asarray(frequencies)

    @property
    def alphabet_size(self):
        return len(self.frequencies)

    def encode(self, symbols):
        arr = np.asarray(symbols, dtype=np.uint8)
        bad = np.flatnonzero(self.frequencies[arr] == 0)
        if bad.size:
            raise EncodeError(f"symbol {arr[bad[0]]} at position {bad[0]} has frequency 0")
        from bitarray import bitarray

        bits = bitarray(endian="big")
        bits.frombytes(arr.tobytes())
        return bits

    def decode_partial(self, bits, n, *, dtype=np.int64):
        if len(bits) < 8 * n:
            raise DecodeError("truncated", position=len(bits))
        return np.frombuffer(bits[: 8 * n].tobytes(), dtype=np.uint8).astype(dtype), 8 * n

    def excess_bounds(self, n):
        return 0.0, 0.0  # exactly 8 bits per symbol, the ideal length under the uniform table

    def to_dict(self):
        return {"coder": self.name, "precision": self.precision, "frequencies": self.frequencies.tolist()}

    @classmethod
    def from_dict(cls, data):
        return cls(precision=data["precision"], frequencies=data["frequencies"])


@pytest.fixture
def toystream(monkeypatch):
    from codebook.coders import registry

    monkeypatch.setitem(registry._REGISTRY, "toystream", registry.CoderInfo("toystream", ToyStream, "stream", "test"))
    return ToyStream


def test_a_stream_coder_round_trips_through_the_registry(toystream):
    blob = container.compress(ABRA, coders.build("toystream", container.byte_distribution(ABRA)))
    assert container.read_header(blob).payload_bits == 88
    assert container.decompress(blob) == ABRA


@pytest.mark.parametrize(
    "model, message",
    [
        ({"precision": 8, "frequencies": [1] * 255 + [2]}, r"frequencies sum to 257, not 2\*\*8 = 256"),
        ({"precision": 8, "frequencies": [2] * 127 + [-1, 3] + [1] * 127}, "non-negative integers"),
        ({"precision": 8, "frequencies": [0.5] * 256}, "non-negative integers"),
        ({"precision": 8}, r"invalid \(KeyError"),
        ({"precision": 8, "frequencies": [1] * 512}, "512 symbols; bytes need 256"),
    ],
)
def test_stream_tables_are_checked_by_the_container(toystream, model, message):
    bits = "".join(f"{b:08b}" for b in ABRA)
    with pytest.raises(ContainerError, match=message):
        container.decompress(pack(ABRA, "toystream", dict(model, coder="toystream"), bits))


def test_a_quantized_zero_frequency_is_named_before_encoding(toystream):
    freqs = [1] * 256
    freqs[ord("c")], freqs[ord("a")] = 0, 2
    code = ToyStream(frequencies=freqs)
    with pytest.raises(EncodeError, match=r"byte 99 \(0x63\) at offset 4 .* no code in the toystream coder's table"):
        container.compress(ABRA, code)


def test_stream_symbol_count_is_bounded_by_the_model_not_by_one_bit_per_symbol(toystream):
    bits = "".join(f"{b:08b}" for b in ABRA)
    skewed = [2**16 - 255] + [1] * 255  # q_hat(0) close to 1: 2.2e-5 bits per symbol 0
    # n > B is legal for a stream coder whose model is skewed: the decoder decides (here it
    # finds the stream too short).
    with pytest.raises(ContainerError, match="does not decode with coder 'toystream': truncated"):
        container.decompress(pack(ABRA, "toystream", dict(ToyStream().to_dict(), precision=16, frequencies=skewed),
                                  bits, n=100))
    # With the uniform table every symbol costs 8 bits: 100 symbols cannot fit in 88 bits.
    with pytest.raises(ContainerError, match="n = 100 symbols but the payload has only 88 bits; coder 'toystream' "
                                             "needs at least 791 bits"):
        container.decompress(pack(ABRA, "toystream", ToyStream().to_dict(), bits, n=100))
    with pytest.raises(ContainerError, match="above the limit"):
        container.decompress(pack(ABRA, "toystream", ToyStream().to_dict(), bits, n=2**40))
    # (8 * 100 ideal bits) * (1 - 1e-9) - 8 margin: the documented slack of min_payload_bits.
    assert container.min_payload_bits(ToyStream(), 100) == pytest.approx(792 - 8e-7)


@pytest.mark.parametrize("name", coders.names())
def test_an_absurd_symbol_count_is_refused_before_decoding(name):
    blob = bytearray(small_file(name))
    struct.pack_into("<Q", blob, 16, 2**29)  # within max_size, far beyond what the payload holds
    struct.pack_into("<I", blob, 36, zlib.crc32(blob[:36]))
    with pytest.raises(ContainerError, match=r"n = 536870912 symbols but the payload has only \d+ bits"):
        container.decompress(bytes(blob))


@pytest.mark.parametrize("name", coders.names())
def test_min_payload_bits_is_below_every_real_payload(name):
    for data in [(DATA / "prose.txt").read_bytes()[:3000], b"a" * 5000, bytes(range(256)) * 3]:
        for smoothing in (0.0, 0.5):
            code, q = build(name, data, smoothing)
            h = container.read_header(container.compress(data, code, model=q))
            assert container.min_payload_bits(h.code, h.size) <= h.payload_bits


# --------------------------------------------------------------------------- properties
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@pytest.mark.parametrize("name", coders.names())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600), train=st.binary(max_size=300), smoothing=st.sampled_from([0.5, 1.0, 1e-3]))
def test_round_trip_any_bytes_with_any_smoothed_training_file(name, data, train, smoothing):
    q = container.byte_distribution(train, smoothing)
    blob = container.compress(data, coders.build(name, q), model=q)
    header, back = container.decode(blob)
    assert back == data and header.size == len(data)
    assert container.min_payload_bits(header.code, len(data)) <= header.payload_bits


# --------------------------------------------------------------------------- version 2 models
def v2(data: bytes, name: str, section: bytes, payload_bits: str, **fields) -> bytes:
    return pack(data, name, section, payload_bits, version=2, **fields)


def ints(values) -> bytes:
    """The documented token form of a list (docs/container.md), written out without runs."""
    out = b""
    for v in values:
        out += varint(2 * v)
    return out


def varint(v: int) -> bytes:
    out = b""
    while v >= 0x80:
        out += bytes([v & 0x7F | 0x80])
        v >>= 7
    return out + bytes([v])


ABRA_LENGTHS_LIST = huffman_model(ABRA_LENGTHS)["lengths"]


def test_every_kind_of_version_2_model_round_trips_the_coders_table():
    data = (DATA / "prose.txt").read_bytes()[:500]
    kinds = {}
    for name in coders.names():
        code, q = build(name, data, smoothing=0.5)
        header = container.read_header(container.compress(data, code, model=q))
        assert header.model == code.to_dict()
        kinds[name] = header.model_kind
    families = {name: "integers" for name in coders.FAMILY_CODERS}
    families["tunstall"] = "json"  # its table is q itself: the phrase tree is rebuilt from it
    assert kinds == {"huffman": "lengths", "shannon": "lengths", "sfe": "codewords", "arithmetic": "frequencies",
                     "rans": "frequencies", "adaptive": "adaptive", **families}


def test_runs_and_single_values_decode_alike():
    # The same lengths written without runs (one token per entry) are the same model.
    section = b"\x02" + varint(256) + ints(ABRA_LENGTHS_LIST)
    assert container.decompress(v2(ABRA, "huffman", section, ABRA_BITS)) == ABRA


def test_an_empty_file_is_small():
    # Issue 10: 1416 bytes with the version-1 JSON model. Shannon-Fano-Elias stores its 256
    # codewords themselves (9 bits each for the uniform model): 288 bytes of them.
    for name in coders.names():
        code = coders.build(name, container.byte_distribution(b"", 1.0))
        limit = {"sfe": 400, "tunstall": 3000}.get(name, 100)  # Tunstall stores q: 256 floats as JSON
        assert len(container.compress(b"", code)) < limit, name


@pytest.mark.parametrize(
    "section, message",
    [
        (b"", r"M \(model length\) = 0"),
        (b"\x00", "has kind 0, which this codebook does not read"),
        (b"\x99abc", "has kind 153, which this codebook does not read"),
        (b"\x02", r"\(lengths\) is invalid: it ends before the alphabet size"),
        (b"\x02" + varint(255), "alphabet size 255; bytes need 256"),
        (b"\x02" + varint(2**80), "the alphabet size is longer than 10 bytes"),
        (b"\x02\x80\x82\x00", "the alphabet size is not in its shortest form"),
        (b"\x02" + varint(256) + ints(ABRA_LENGTHS_LIST[:200]), r"it ends before lengths\[200\]"),
        (b"\x02" + varint(256) + b"\x03\x80\x02", r"a run of 258 at lengths\[0\] goes past the 256 entries"),
        (b"\x02" + varint(256) + ints(ABRA_LENGTHS_LIST) + b"\x00", "1 unexpected bytes after its last field"),
        (b"\x02" + varint(256) + ints([1] * 256), "Kraft inequality"),
        (b"\x02" + varint(256) + ints([5000] + [0] * 255), "at most 4096"),
        (b"\x03" + varint(256) + ints(ABRA_LENGTHS_LIST) + b"\x4e", r"it ends inside the codeword bits \(2 bytes"),
        (b"\x04", "it ends before the precision"),
        (b"\x04\x08" + varint(256) + ints([1] * 256), "missing the field 'lengths'"),  # not Huffman's table
        (b"\x05\x01" + varint(256) + b"\x02", "the starting-counts flag is 2"),
        (b"\x05\x01" + varint(256) + b"\x01" + ints([0] * 255), r"it ends before counts\[255\]"),
        (b"\x01{not json", "the stored model is not valid JSON"),
        (b"\x01" + json.dumps(dict(GOOD_MODEL, coder="rans")).encode(), "model is for coder 'rans'"),
    ],
)
def test_bad_version_2_models_are_refused(section, message):
    with pytest.raises(ContainerError, match=message):
        container.decompress(v2(ABRA, "huffman", section, ABRA_BITS))


@pytest.mark.parametrize(
    "name, section, message",
    [
        ("rans", b"\x04\x08" + varint(256) + ints([1] * 255 + [2]), r"must sum to 2\*\*precision = 2\*\*8 = 256"),
        ("rans", b"\x04\x19" + varint(256) + b"\x01\xfe\x01", "'precision' must be in 1..24; got 25"),
        ("arithmetic", b"\x04\x00" + varint(256) + b"\x01\xfe\x01", "'precision' must be in 1..24; got 0"),
        ("adaptive", b"\x05\x00" + varint(256) + b"\x00", r"field 'prior': `prior` must be a positive multiple"),
        ("adaptive", b"\x05" + varint(2**18) + varint(256) + b"\x00", r"up to 65536 .*; got 131072.0"),
        ("adaptive", b"\x05\x01" + varint(256) + b"\x01" + varint(2 * (2**40 - 1)) + b"\x01" + varint(253),
         "1099511627775 starting counts plus alphabet size 256 times prior 0.5 leaves no room"),
        ("adaptive", b"\x05\x01" + varint(256) + b"\x01" + varint(2**41) + b"\x01\xfd\x01",
         r"counts\[0\] = 1099511627776"),
        ("sfe", b"\x03" + varint(256) + ints([2] * 4 + [0] * 252) + b"\x0b", "not prefix-free"),
    ],
)
def test_bad_version_2_tables_are_refused_by_their_coder(name, section, message):
    with pytest.raises(ContainerError, match=message):
        container.read_header(v2(ABRA, name, section, "0" * 88))


def test_a_version_2_file_may_store_any_table_as_json():
    section = b"\x01" + json.dumps(GOOD_MODEL).encode()
    header, data = container.decode(v2(ABRA, "huffman", section, ABRA_BITS))
    assert data == ABRA and header.model_kind == "json"


def test_sfe_codeword_padding_must_be_zero():
    data = b"abcab"
    code, q = build("sfe", data)
    blob = container.compress(data, code, model=q)
    header = container.read_header(blob)
    start = 40 + 3
    section = bytearray(blob[start : start + header.header_bytes - 44 - 3])
    assert section[0] == 3 and sum(code.lengths) % 8  # the codeword bits end inside a byte
    section[-1] |= 1
    payload = "".join(format(b, "08b") for b in blob[header.header_bytes - 4 : -4])[: header.payload_bits]
    with pytest.raises(ContainerError, match="padding bits after the last codeword are not zero"):
        container.decompress(v2(data, "sfe", bytes(section), payload))


def test_a_new_model_kind_is_one_registration(toystream, monkeypatch):
    # A model named by a few parameter bytes instead of a table (what a context model needs):
    # here the toy coder's uniform table, stored as the single byte 8 (its precision).
    monkeypatch.setattr(container, "MODEL_KINDS", dict(container.MODEL_KINDS))

    def pack_toy(table):
        if table.get("coder") == "toystream" and table.get("frequencies") == [1] * 256:
            return bytes([table["precision"]])
        return None

    def unpack_toy(reader):
        return {"precision": reader.byte("the precision"), "frequencies": [1] * 256}

    container.register_model_kind(200, "toy-uniform", pack_toy, unpack_toy)
    blob = container.compress(ABRA, coders.build("toystream", container.byte_distribution(ABRA)))
    header, data = container.decode(blob)
    assert data == ABRA and header.model_kind == "toy-uniform" and blob[49:51] == b"\xc8\x08"
    with pytest.raises(ValueError, match="already taken"):
        container.register_model_kind(200, "again", pack_toy, unpack_toy)


# --------------------------------------------------------------------------- n against the model, every coder
def adaptive_bomb(prior: float, n: int, counts=None) -> bytes:
    """An adaptive file claiming n symbols with an 8-byte payload (valid CRCs)."""
    table = {"coder": "adaptive", "version": 1, "alphabet_size": 256, "prior": prior}
    if counts is not None:
        table.update(version=2, counts=counts)
    return v2(b"", "adaptive", container.pack_model(table), "0" * 64, n=n, data_crc=0)


@pytest.mark.parametrize("prior", [0.5, 1, 2, 7.5, 65536])
def test_adaptive_files_with_any_prior_bound_n_by_the_payload(prior):
    # Issue 9: prior 2 and n = 2**30 in 114 bytes decoded for 113 s before failing.
    import time

    start = time.perf_counter()
    with pytest.raises(ContainerError, match=r"n = 1073741824 symbols but the payload has only 64 bits; coder "
                                             r"'adaptive' needs at least \d+ bits"):
        container.decompress(adaptive_bomb(prior, 2**30))
    assert time.perf_counter() - start < 2


def test_adaptive_starting_counts_enter_the_bound():
    # Starting counts on one byte make its constant message cheap: 2**20 copies of byte 7
    # after 2**30 of them cost -log2 of prod (2**30 + t + 1/2)/(2**30 + t + 128) ~ 127.5 *
    # log2(1 + 2**20/2**30) ~ 0.18 bits: 64 payload bits may then hold n = 2**20.
    counts = [0] * 256
    counts[7] = 2**30
    code = coders.from_dict({"coder": "adaptive", "version": 2, "alphabet_size": 256, "prior": 0.5,
                             "counts": counts})
    assert 0.17 < code.min_ideal_length(2**20) < 0.19
    assert container.min_payload_bits(code, 2**20) == 0.0
    with pytest.raises(ContainerError, match=r"payload does not decode|CRC32"):
        container.decompress(adaptive_bomb(0.5, 2**20, counts))
    with pytest.raises(ContainerError, match=r"needs at least \d+ bits"):
        container.decompress(adaptive_bomb(0.5, 2**30, [2**20] * 256))


@pytest.mark.parametrize("name", ["rans", "arithmetic"])
def test_a_one_symbol_model_is_checked_by_crc_before_decoding(name):
    # A stream coder whose model gives byte 0x41 all the mass codes any n in a few bits, so
    # the payload cannot bound n; the only possible original is n copies of 0x41, and its
    # CRC32 is checked before anything is decoded.
    import time

    freqs = [0] * 256
    freqs[0x41] = 1 << 20
    table = {"coder": name, "version": 1, "alphabet_size": 256, "precision": 20, "frequencies": freqs}
    code = coders.from_dict(table)
    assert container.only_symbol(code) == 0x41 and container.min_payload_bits(code, 2**30) < 128  # any n: a few bits
    good = container.compress(b"A" * 1000, code)
    assert container.decompress(good) == b"A" * 1000
    header = container.read_header(good)
    bits = "".join(format(b, "08b") for b in good[header.header_bytes - 4 : -4])[: header.payload_bits]
    start = time.perf_counter()
    with pytest.raises(ContainerError, match=r"only byte 65 \(0x41\), so the original can only be 1073741824 "
                                             r"copies of it, whose CRC32 is [0-9a-f]{8}; the header says 00000000"):
        container.decompress(v2(b"", name, container.pack_model(table), bits, n=2**30, data_crc=0))
    assert time.perf_counter() - start < 2


def test_version_1_rans_files_use_the_first_release_stream_layout():
    # rANS changed its stream (16-bit words, L = 2**47) after version 1: a version-1 file is read
    # with the frozen old decoder and its old length window [70 - n eps, 72 + n eps].
    blob = (DATA / "container_v1" / "prose300.rans.cbk").read_bytes()
    header = container.read_header(blob)
    assert type(header.code).__name__ == "RansV1" and header.code.excess_bounds(0) == (70.0, 72.0)
    assert container.decompress(blob) == (DATA / "prose.txt").read_bytes()[:300]
    assert_every_byte_flip_is_detected(blob)


@pytest.mark.parametrize("size", [[1], "x", None, 1.5])
def test_a_malformed_prime_field_is_refused_by_name_not_crashed_on(size, tmp_path, capsys):
    # A hostile file: a cm model, stored as JSON, whose training record has no integer size.
    # decompress --model-from reads that record first to bound how much of TRAIN it reads;
    # it used to crash there (TypeError) instead of refusing the model.
    from codebook.cli import cli
    from codebook.cli.errors import run_cli

    train_path, good = tmp_path / "train.txt", tmp_path / "good.cbk"
    train_path.write_bytes((DATA / "prose.txt").read_bytes()[:2000])
    assert run_cli(cli, ["compress", str(train_path), str(good), "--model-from", str(train_path), "--quiet"]) == 0
    model = container.read_header(good.read_bytes(), train=train_path.read_bytes()).model
    assert model["coder"] == "cm" and set(model["prime"]) == {"size", "crc32"}
    blob = v2(ABRA, "cm", b"\x01" + json.dumps(dict(model, prime={"size": size, "crc32": 0})).encode(), "0" * 16)
    assert container.training_info(blob) is None
    with pytest.raises(ContainerError, match="field 'prime' must be an object with integer 'size' and 'crc32'"):
        container.read_header(blob)
    path = tmp_path / "bad.cbk"
    path.write_bytes(blob)
    status = run_cli(cli, ["decompress", str(path), str(tmp_path / "out"), "--model-from", str(train_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 1 and len(err) == 1 and "field 'prime' must be an object" in err[0]
