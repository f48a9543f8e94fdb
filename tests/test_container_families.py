"""The container's ``integers`` model kind (id 10): Golomb, Elias and LZ78 tables in a few bytes."""

from __future__ import annotations

import pytest

from codebook import container, coders
from codebook.errors import ContainerError

DATA = b"abracadabra, abracadabra"


@pytest.mark.parametrize("name", ["golomb", "elias-gamma", "elias-delta", "elias-omega", "lz78"])
def test_family_files_store_their_table_as_integers(name):
    code = coders.build(name, container.byte_distribution(DATA, 0.5))
    blob = container.compress(DATA, code)
    header, back = container.decode(blob)
    assert back == DATA and header.model_kind == "integers" and header.model == code.to_dict()


def test_the_integers_kind_byte_by_byte():
    # docs/container.md: varint(K), varint(field count), then per field (sorted by name)
    # varint(len(name)), the name in ASCII, varint(value)
    table = {"coder": "golomb", "version": 1, "alphabet_size": 256, "parameter": 300}
    assert container.pack_model(table) == bytes([10]) + b"\x80\x02" + b"\x01" + b"\x09parameter" + b"\xac\x02"


@pytest.mark.parametrize("params, message", [
    (b"\x80\x02\x09", r"9 fields; at most 8"),
    (b"\x80\x02\x01\x00", r"field name 0 has 0 bytes"),
    (b"\x80\x02\x01\x021x\x05", r"field name 0 \(b'1x'\) is not a new identifier"),
    (b"\x80\x02\x02\x01a\x05\x01a\x06", r"field name 1 \(b'a'\) is not a new identifier"),
    (b"\x80\x02\x01\x01a", r"it ends before field a"),
    (b"\x81\x02\x00", r"alphabet size 257; bytes need 256"),
])
def test_malformed_integers_models_are_refused(params, message):
    blob = container.compress(DATA, coders.build("lz78", container.byte_distribution(DATA)))
    header = container.read_header(blob)
    section = bytes([10]) + params
    with pytest.raises(ContainerError, match=message):
        container.decode(_replace_model(blob, header, section))


def _replace_model(blob: bytes, header, section: bytes) -> bytes:
    """The same file with another model section (M, the header CRC and the body CRC fixed;
    layout of docs/container.md)."""
    import struct
    import zlib

    name_len = blob[10]
    model_len = struct.unpack_from("<I", blob, 12)[0]
    start = 40 + name_len
    out = bytearray(blob[:start] + section + blob[start + model_len:-4])
    struct.pack_into("<I", out, 12, len(section))
    struct.pack_into("<I", out, 36, zlib.crc32(bytes(out[:36])))
    return bytes(out) + struct.pack("<I", zlib.crc32(bytes(out[40:])))
