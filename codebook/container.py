"""The codebook file format: bytes coded with any registered coder, with the model inside.

A compressed file holds everything needed to decode it and to check the result: the coder's
name and its model (the coder's table in a compact binary form: canonical lengths for
Huffman/Shannon, integer frequencies for the stream coders, the prior and starting counts
of the adaptive one), the number of bytes, the exact bit length of the payload and three
CRC32s. The layout, byte by byte, is in ``docs/container.md``; in short (integers
little-endian)::

    offset  size  field
    0       8     magic  89 43 42 4B 0D 0A 1A 0A   ("\\x89CBK\\r\\n\\x1a\\n", PNG-style)
    8       1     format version (2; version 1 files are still read)
    9       1     flags (0; reserved)
    10      1     L = length of the coder name (1..32)
    11      1     reserved (0)
    12      4     M = length of the model section (1..MAX_MODEL_BYTES)
    16      8     n = number of symbols (bytes of the original)
    24      8     B = payload length in bits
    32      4     CRC32 of the original bytes
    36      4     CRC32 of bytes 0..35
    40      L     coder name (ASCII)
    40+L    M     model: one byte, the model kind, then that kind's parameter bytes
                  (version 1: the UTF-8 JSON of the coder's to_dict())
    40+L+M  P     payload, P = ceil(B / 8) bytes, big-endian bits, unused low bits zero
    ...     4     CRC32 of bytes 40 .. end of payload (name, model, payload)

Model kinds (:data:`MODEL_KINDS`) turn a coder's table (``Code.to_dict()``) into parameter
bytes and back; the rebuilt table goes through the coder's own strict ``from_dict``, so
every field is validated exactly as a JSON table would be. A kind that describes a model by
a name and a few parameters instead of a table is one more entry (see
:func:`register_model_kind`); kind 1 (JSON) takes any table no other kind describes.

Why three checksums: CRC32 detects every error burst of at most 32 bits (so every single-byte
change) within the span it covers. The fixed 40-byte header is covered by its own CRC, which
is checked before any length field in it is trusted; the rest of the file by the body CRC,
checked before the model is parsed or the payload decoded; the CRC32 of the original, checked
after decoding, guards the whole pipeline end to end. So every single-byte change anywhere
in a file is detected deterministically, not merely with probability 1 - 2**-32.

A checksum is not authentication: a hostile file can carry valid CRCs. Every field is
therefore also validated on its own (bounded lengths, the model rebuilt through the coder's
strict ``from_dict``, frequencies summing exactly, the Kraft inequality, a lower bound on the
payload of n symbols for every coder), and no allocation is sized by a header field before
it has been checked against the actual file size or against ``max_size``.

Memory. Everything is in memory: compressing or decompressing ``n`` bytes peaks at about
3.5 n bytes (the input, the bitstream and the output; the coders take and return the symbols
as uint8, one byte each). Measured on 100 MB: 3.41 n both ways (``docs/container.md``).
``max_size`` (default ``DEFAULT_MAX_SIZE`` = 1 GiB) bounds ``n`` on both sides.
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from bitarray import bitarray

from . import coders, filemodels
from ._container_kernels import count_bytes_into, first_in
from ._varint import varint as _varint
from .coders.base import Code
from .coders.prefix import MAX_CODEWORD_BITS
from .distributions import Distribution
from .errors import (
    CodebookError,
    ContainerError,
    DistributionError,
    EncodeError,
    TrainingDataError,
)

MAGIC = b"\x89CBK\r\n\x1a\n"
"""First 8 bytes of every file. The high-bit first byte and the CR LF / ^Z / LF tail (as in
PNG) make a text-mode transfer or a 7-bit channel visibly corrupt the file."""

FORMAT_VERSION = 2
"""Version written. Version 1 (model stored as JSON) is still read: :data:`READ_VERSIONS`."""
READ_VERSIONS = (1, 2)
ALPHABET_SIZE = 256
"""Symbols are bytes."""

FIXED_HEADER = struct.Struct("<8sBBBBIQQII")
"""magic, version, flags, L, reserved, M, n, B, CRC32(original), CRC32(bytes 0..35)."""
FIXED_SIZE = FIXED_HEADER.size  # 40
TRAILER_SIZE = 4
MIN_FILE_SIZE = FIXED_SIZE + 1 + 1 + TRAILER_SIZE
"""Smallest well-formed file: a one-character coder name and a one-byte model."""

MAX_NAME_BYTES = 32
MAX_MODEL_BYTES = 1 << 20
"""Bound on the stored model (1 MiB). A 256-symbol model is far smaller in practice: a few
bytes to a few hundred bytes of lengths or frequencies (a few KB as version-1 JSON);
Shannon-Fano-Elias codewords are at most a few tens of KB. The bound keeps a hostile header
from making a parser chew on gigabytes."""

DEFAULT_MAX_SIZE = 1 << 30
"""Default bound on the original size ``n`` (1 GiB), on compression and decompression alike,
so that a file this codebook writes with the defaults is always one it reads with them.
Decompressing ``n`` bytes needs about 3.5 n bytes of memory (see the module docstring)."""


@dataclass(frozen=True)
class Header:
    """What a file says about itself, after validation (see :func:`read_header`).

    ``code`` is the coder rebuilt from the stored model (``model``, its table, stored as the
    kind ``model_kind``: ``"json"`` for every version-1 file); ``size`` is n, the number of bytes
    of the original; ``payload_bits`` is B, the exact bit length of the coded stream;
    ``header_bytes`` is everything that is not payload (fixed header, coder name, model and
    trailer CRC), the cost of storing the model in the file.
    """

    version: int
    coder: str
    code: Code
    model: dict[str, Any]
    model_kind: str
    size: int
    payload_bits: int
    data_crc32: int
    header_bytes: int
    file_bytes: int


# --------------------------------------------------------------------------- the model
def byte_counts(data) -> np.ndarray:
    """How often each byte value occurs in ``data``: int64 array of length 256.

    A numba loop over the uint8 view (about 2.5 GB/s): ``np.bincount`` would first convert
    the input to int64, 8 bytes per input byte, and run ten times slower.
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    counts = np.zeros(ALPHABET_SIZE, dtype=np.int64)
    count_bytes_into(arr, counts)
    return counts


def byte_distribution(data, smoothing: float = 0.0) -> Distribution:
    """The add-``smoothing`` byte distribution of ``data``, (c(x) + A) / (n + 256 A).

    The same float vector as :meth:`Distribution.from_bytes` (and so as the spec
    ``file+A:PATH`` of ``codebook measure``): both normalise the same counts through
    :meth:`Distribution.from_counts`; only the counting is done without an int64 copy.
    """
    return counts_distribution(byte_counts(data), smoothing)


def counts_distribution(counts: np.ndarray, smoothing: float = 0.0) -> Distribution:
    """:func:`byte_distribution` from byte counts already taken (e.g. over a file in chunks)."""
    if int(np.sum(counts)) == 0 and smoothing == 0:
        raise DistributionError("cannot estimate a byte distribution from empty data without smoothing")
    return Distribution.from_counts(counts, smoothing)


# --------------------------------------------------------------------------- model kinds
class _Reader:
    """Reads a model kind's parameter bytes; every failure is one ContainerError naming the field."""

    def __init__(self, raw: bytes, kind: str):
        self.raw, self.pos, self.kind = raw, 0, kind

    def fail(self, message: str):
        raise ContainerError(f"the stored model ({self.kind}) is invalid: {message}")

    def byte(self, what: str) -> int:
        if self.pos >= len(self.raw):
            self.fail(f"it ends before {what}")
        self.pos += 1
        return self.raw[self.pos - 1]

    def varint(self, what: str) -> int:
        """An unsigned LEB128 integer in its shortest form, at most 10 bytes (< 2**70)."""
        value = shift = 0
        for i in range(10):
            b = self.byte(what)
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                if b == 0 and i > 0:
                    self.fail(f"{what} is not in its shortest form (byte {self.pos - 1} of the model)")
                return value
        self.fail(f"{what} is longer than 10 bytes")

    def ints(self, count: int, what: str) -> list[int]:
        """``count`` integers written by :func:`_pack_ints` (value/run tokens)."""
        out: list[int] = []
        while len(out) < count:
            token = self.varint(f"{what}[{len(out)}]")
            value, run = token >> 1, 1
            if token & 1:
                run = self.varint(f"the run length at {what}[{len(out)}]") + 2
                if len(out) + run > count:
                    self.fail(f"a run of {run} at {what}[{len(out)}] goes past the {count} entries")
            out.extend([value] * run)
        return out

    def take(self, size: int, what: str) -> bytes:
        if len(self.raw) - self.pos < size:
            self.fail(f"it ends inside {what} ({size} bytes needed, {len(self.raw) - self.pos} left)")
        self.pos += size
        return self.raw[self.pos - size : self.pos]

    def end(self) -> None:
        if self.pos != len(self.raw):
            self.fail(f"{len(self.raw) - self.pos} unexpected bytes after its last field")


def _pack_ints(values) -> bytes:
    """Non-negative integers as tokens: ``varint(2 v)`` for a single value, ``varint(2 v + 1)``
    then ``varint(r - 2)`` for ``r >= 2`` equal values in a row. The 256 equal frequencies of
    a uniform model take 4 bytes; codeword lengths of a byte code take about one byte each."""
    values = [int(v) for v in values]
    out = bytearray()
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        run = j - i + 1
        if run == 1:
            out += _varint(2 * values[i])
        else:
            out += _varint(2 * values[i] + 1) + _varint(run - 2)
        i = j + 1
    return bytes(out)


def _is_int_list(value, size: int) -> bool:
    return isinstance(value, list) and len(value) == size and all(type(v) is int and v >= 0 for v in value)


def _table_with(table: dict, fields: set[str], versions=(1,)) -> int | None:
    """The table's alphabet size if it has exactly ``fields`` (plus coder, version,
    alphabet_size) and a version in ``versions``; else None (the kind does not describe it)."""
    if set(table) != fields | {"coder", "version", "alphabet_size"} or table["version"] not in versions:
        return None
    size = table["alphabet_size"]
    return size if type(size) is int and size > 0 else None


def _pack_lengths(table: dict) -> bytes | None:
    k = _table_with(table, {"lengths"})
    if k is None or not _is_int_list(table["lengths"], k):
        return None
    return _varint(k) + _pack_ints(table["lengths"])


def _unpack_lengths(r: _Reader) -> dict:
    k = _alphabet(r)
    return {"version": 1, "alphabet_size": k, "lengths": r.ints(k, "lengths")}


def _pack_codewords(table: dict) -> bytes | None:
    k = _table_with(table, {"lengths", "codewords"})
    if k is None or not _is_int_list(table["lengths"], k) or not isinstance(table["codewords"], list):
        return None
    words = table["codewords"]
    if len(words) != k or any(not isinstance(w, str) or len(w) != n for w, n in zip(words, table["lengths"])):
        return None
    bits = bitarray("".join(words), endian="big")
    return _varint(k) + _pack_ints(table["lengths"]) + bits.tobytes()


def _unpack_codewords(r: _Reader) -> dict:
    k = _alphabet(r)
    lengths = r.ints(k, "lengths")
    if max(lengths) > MAX_CODEWORD_BITS:
        r.fail(f"a codeword of {max(lengths)} bits, above {MAX_CODEWORD_BITS}")
    total = sum(lengths)
    bits = bitarray(endian="big")
    bits.frombytes(r.take((total + 7) // 8, "the codeword bits"))
    if bits[total:].any():
        r.fail("the padding bits after the last codeword are not zero")
    text = bits[:total].to01()
    words, at = [], 0
    for n in lengths:
        words.append(text[at : at + n])
        at += n
    return {"version": 1, "alphabet_size": k, "lengths": lengths, "codewords": words}


def _pack_frequencies(table: dict) -> bytes | None:
    k = _table_with(table, {"precision", "frequencies"})
    b = table.get("precision")
    if k is None or type(b) is not int or not 0 < b < 256 or not _is_int_list(table["frequencies"], k):
        return None
    return bytes([b]) + _varint(k) + _pack_ints(table["frequencies"])


def _unpack_frequencies(r: _Reader) -> dict:
    b = r.byte("the precision")
    k = _alphabet(r)
    return {"version": 1, "alphabet_size": k, "precision": b, "frequencies": r.ints(k, "frequencies")}


def _pack_adaptive(table: dict) -> bytes | None:
    with_counts = table.get("version") == 2
    k = _table_with(table, {"prior", "counts"} if with_counts else {"prior"}, versions=(2,) if with_counts else (1,))
    prior = table.get("prior")
    if k is None or isinstance(prior, bool) or not isinstance(prior, (int, float)) or not math.isfinite(prior):
        return None
    halves = 2 * prior
    if halves != int(halves) or halves < 1 or (with_counts and not _is_int_list(table["counts"], k)):
        return None
    head = _varint(int(halves)) + _varint(k) + bytes([int(with_counts)])
    return head + (_pack_ints(table["counts"]) if with_counts else b"")


def _unpack_adaptive(r: _Reader) -> dict:
    halves = r.varint("the prior")
    k = _alphabet(r)
    flag = r.byte("the starting-counts flag")
    if flag not in (0, 1):
        r.fail(f"the starting-counts flag is {flag}, not 0 or 1")
    table = {"version": 1 + flag, "alphabet_size": k, "prior": halves / 2}
    if flag:
        table["counts"] = r.ints(k, "counts")
    return table


def _alphabet(r: _Reader) -> int:
    k = r.varint("the alphabet size")
    if k != ALPHABET_SIZE:
        r.fail(f"alphabet size {k}; bytes need {ALPHABET_SIZE}")
    return k


def _pack_json(table: dict) -> bytes:
    return json.dumps(table, separators=(",", ":"), allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class ModelKind:
    """How one kind of model is stored: ``pack(table)`` gives the parameter bytes for a coder
    table it describes (``None`` for any other), ``unpack(reader)`` rebuilds the table (without
    its ``coder`` field, which the header names) from a :class:`_Reader` over them."""

    id: int
    name: str
    pack: Callable[[dict], bytes | None]
    unpack: Callable[[_Reader], dict]


MODEL_KINDS: dict[int, ModelKind] = {}
"""Model kinds by id (the first byte of the model section). Writing tries every kind but
JSON in id order and stores the first that describes the table; JSON (kind 1) takes the rest."""

JSON_KIND = 1


def register_model_kind(kind_id: int, name: str, pack, unpack) -> ModelKind:
    """Add a way to store a model: an unused id (2..255), a name, ``pack`` and ``unpack``.

    A model given by a name and a few parameters (no table) needs nothing else: ``pack``
    returns, say, ``varint(len(name)) + name + parameter bytes`` for its coder's table and
    ``None`` for any other; ``unpack`` reads them back into the same table with the
    :class:`_Reader` methods (``byte``, ``varint``, ``ints``, ``take``), which refuse
    anything short, overlong or left over. The coder's ``from_dict`` validates the result.
    """
    if not 1 <= kind_id <= 255 or kind_id in MODEL_KINDS:
        raise ValueError(f"model kind id {kind_id} is outside 1..255 or already taken")
    kind = ModelKind(kind_id, name, pack, unpack)
    MODEL_KINDS[kind_id] = kind
    return kind


register_model_kind(JSON_KIND, "json", _pack_json, lambda r: r.fail("unreachable"))  # read by _parse_model
register_model_kind(2, "lengths", _pack_lengths, _unpack_lengths)
register_model_kind(3, "codewords", _pack_codewords, _unpack_codewords)
register_model_kind(4, "frequencies", _pack_frequencies, _unpack_frequencies)
register_model_kind(5, "adaptive", _pack_adaptive, _unpack_adaptive)
for _kind in filemodels.MODEL_KINDS:  # the byte models of ``codebook compress`` (cm)
    register_model_kind(*_kind)


def _pack_integers(table: dict) -> bytes | None:
    """A table whose fields beyond coder, version (1) and alphabet_size are a few non-negative
    integers (Golomb's parameter; the Elias codes and LZ78 have none): each by name."""
    fields = sorted(set(table) - {"coder", "version", "alphabet_size"})
    k = _table_with(table, set(fields))
    if k is None or len(fields) > 8 or any(type(table[f]) is not int or not 0 <= table[f] < 1 << 64 or
                                           not f.isascii() or not f.isidentifier() or len(f) > 32 for f in fields):
        return None
    out = _varint(k) + _varint(len(fields))
    for f in fields:
        out += _varint(len(f)) + f.encode("ascii") + _varint(table[f])
    return out


def _unpack_integers(r: _Reader) -> dict:
    table = {"version": 1, "alphabet_size": _alphabet(r)}
    count = r.varint("the field count")
    if count > 8:
        r.fail(f"{count} fields; at most 8")
    for i in range(count):
        size = r.varint(f"the length of field name {i}")
        if not 1 <= size <= 32:
            r.fail(f"field name {i} has {size} bytes; 1..32 allowed")
        name = r.take(size, f"field name {i}")
        if not name.isascii() or not name.decode("ascii").isidentifier() or name.decode("ascii") in table:
            r.fail(f"field name {i} ({name[:32]!r}) is not a new identifier")
        table[name.decode("ascii")] = r.varint(f"field {name.decode('ascii')}")
    return table


register_model_kind(10, "integers", _pack_integers, _unpack_integers)  # Golomb, Elias, LZ78 (issue 14)


def pack_model(table: dict[str, Any]) -> bytes:
    """The model section for a coder table: the kind byte, then its parameter bytes.

    The first kind (by id) that describes the table is used, JSON if none does; the bytes are
    checked to unpack to the same table, so a kind can never store a different model.
    """
    for kind_id in sorted(MODEL_KINDS):
        if kind_id == JSON_KIND:
            continue
        kind = MODEL_KINDS[kind_id]
        params = kind.pack(table)
        if params is None:
            continue
        section = bytes([kind_id]) + params
        again, _ = unpack_model(section, table.get("coder"))
        if again != table:
            raise AssertionError(f"model kind {kind.name!r} does not round-trip this table")
        return section
    return bytes([JSON_KIND]) + _pack_json(table)


def unpack_model(section, coder: str) -> tuple[dict[str, Any], str]:
    """``(table, kind name)`` from a version-2 model section written for ``coder``."""
    raw = bytes(section)
    if not raw:
        raise ContainerError("the stored model is empty")
    kind = MODEL_KINDS.get(raw[0])
    if kind is None:
        known = ", ".join(f"{i} ({k.name})" for i, k in sorted(MODEL_KINDS.items()))
        raise ContainerError(f"the stored model has kind {raw[0]}, which this codebook does not read (known: {known})")
    if kind.id == JSON_KIND:
        return _parse_model(raw[1:], coder), kind.name
    reader = _Reader(raw[1:], kind.name)
    table = kind.unpack(reader)
    reader.end()
    return {"coder": coder, **table}, kind.name


# --------------------------------------------------------------------------- writing
def zero_probability_byte(data, model: Distribution) -> tuple[int, int] | None:
    """The first byte of ``data`` whose probability under ``model`` is 0, as (value, offset).

    Such a byte has no codeword (prefix codes) or no interval (stream coders): H(p, q) is
    infinite and the data cannot be coded with this model. ``None`` if every byte is codable.
    """
    if len(model) != ALPHABET_SIZE:
        raise ContainerError(f"the model must have {ALPHABET_SIZE} symbols (bytes); got K = {len(model)}")
    return _first_byte_in(data, model.probs == 0)


def coder_kind(name: str) -> str:
    """The registry kind of coder ``name`` (prefix, stream, adaptive), or ``"model"`` for a
    coder only files use (:data:`codebook.filemodels.FILE_CODERS`: it codes every byte)."""
    return "model" if name in filemodels.FILE_CODERS else coders.info(name).kind


def coder_names() -> list[str]:
    """Every coder name a file may carry: the registry's and the file models' (``cm``)."""
    return [*coders.names(), *filemodels.FILE_CODERS]


def uncodable_bytes(code: Code) -> np.ndarray | None:
    """Byte values the coder cannot code at all (bool mask of 256), or ``None`` if unknown.

    A prefix code has no codeword for a length-0 symbol; a stream coder no interval for a
    frequency-0 symbol (a probability its quantizer rounded to 0). Adaptive coders and the file
    models (cm) code every symbol.
    """
    own = getattr(code, "uncodable_symbols", None)  # a coder that says so itself (Tunstall)
    if own is not None:
        return np.asarray(own())
    kind = coder_kind(code.name)
    table = getattr(code, "lengths", None) if kind == "prefix" else getattr(code, "frequencies", None)
    if kind in ("adaptive", "model") or table is None:
        return None
    return np.asarray(table) == 0


def _first_byte_in(data, mask: np.ndarray) -> tuple[int, int] | None:
    """(value, offset) of the first byte of ``data`` whose ``mask[value]`` is set, or None."""
    arr = np.frombuffer(data, dtype=np.uint8)
    if arr.size == 0 or not mask.any():
        return None
    offset = int(first_in(arr, np.ascontiguousarray(mask, dtype=np.bool_)))
    return None if offset < 0 else (int(arr[offset]), offset)


def compress(
    data, code: Code, *, model: Distribution | None = None, max_size: int = DEFAULT_MAX_SIZE, counts=None
) -> bytes:
    """Encode the bytes ``data`` with ``code`` and wrap them in a container (see module doc).

    Parameters
    ----------
    data : bytes-like
        The original; read through a uint8 view (no per-byte Python objects).
    code : Code
        Any registered coder over 256 symbols (``codebook.coders.build(name, q)``).
    model : Distribution, optional
        The distribution ``code`` was built from. If given, a byte of probability 0 under it
        is reported first, as "byte 0x41 ... at offset i", before the coder is called.
    max_size : int
        Refuse inputs longer than this many bytes (default 1 GiB).
    counts : array of 256 ints, optional
        ``byte_counts(data)`` if the caller has it: the scan for uncodable bytes is then skipped
        when none of them occurs (one pass less over a large input).

    Raises :class:`EncodeError` when a byte cannot be coded (naming its value and offset) and
    :class:`ContainerError` when the input or the code does not fit the format.
    """
    view = memoryview(data).cast("B")
    n = view.nbytes
    if n > max_size:
        raise ContainerError(f"input is {n} bytes, above the limit of {max_size} bytes (max_size)")
    if code.alphabet_size != ALPHABET_SIZE:
        raise ContainerError(f"the coder must have {ALPHABET_SIZE} symbols (bytes); got K = {code.alphabet_size}")
    name = code.name.encode("ascii")
    _check_name(name)
    try:
        filemodels.check_writable(code)
    except CodebookError as exc:
        raise ContainerError(str(exc)) from None
    model_bytes = pack_model(code.to_dict())
    if len(model_bytes) > MAX_MODEL_BYTES:
        raise ContainerError(f"the model of coder {code.name!r} takes {len(model_bytes)} bytes, above {MAX_MODEL_BYTES}")
    _check_codable(view, code, model, counts)
    _check_size(code, n)
    symbols = np.frombuffer(view, dtype=np.uint8)
    bits = code.encode(symbols)
    nbits = len(bits)
    payload = bits.tobytes()  # bitarray pads the last byte with zero bits
    fixed = _pack_fixed(len(name), len(model_bytes), n, nbits, zlib.crc32(view))
    body_crc = zlib.crc32(payload, zlib.crc32(model_bytes, zlib.crc32(name)))
    return b"".join([fixed, name, model_bytes, payload, struct.pack("<I", body_crc)])


def _check_codable(view, code: Code, model: Distribution | None, counts=None) -> None:
    """Name the first byte that the model gives probability 0, or the code no codeword/interval.

    One scan of the input for both masks (they usually coincide), before the coder runs.
    """
    zero_q = None
    if model is not None:
        if len(model) != ALPHABET_SIZE:
            raise ContainerError(f"the model must have {ALPHABET_SIZE} symbols (bytes); got K = {len(model)}")
        zero_q = model.probs == 0
    table = uncodable_bytes(code)
    if table is not None and table.size != ALPHABET_SIZE:
        table = None
    masks = [m for m in (zero_q, table) if m is not None]
    if not masks:
        return
    mask = np.logical_or.reduce(masks)
    if counts is not None and np.asarray(counts)[mask].sum() == 0:
        return
    bad = _first_byte_in(view, mask)
    if bad is None:
        return
    value, offset = bad
    if zero_q is not None and zero_q[value]:
        raise EncodeError(
            f"byte {value} (0x{value:02x}) at offset {offset} of the input has probability 0 "
            f"under the model, so no code can represent it; smooth the model (add-A, A > 0)"
        )
    raise EncodeError(
        f"byte {value} (0x{value:02x}) at offset {offset} of the input has no code in the "
        f"{code.name} coder's table (its model probability is 0 or was quantized to 0)"
    )


def _pack_fixed(name_len: int, model_len: int, n: int, nbits: int, data_crc: int) -> bytes:
    head = FIXED_HEADER.pack(MAGIC, FORMAT_VERSION, 0, name_len, 0, model_len, n, nbits, data_crc, 0)
    return head[:-4] + struct.pack("<I", zlib.crc32(head[:-4]))


def _check_name(name: bytes) -> None:
    if not (1 <= len(name) <= MAX_NAME_BYTES) or not all(c in _NAME_CHARS for c in name):
        raise ContainerError(
            f"coder name {name[:40]!r} must be 1..{MAX_NAME_BYTES} characters from a-z, 0-9, '_', '-'"
        )


_NAME_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_-")


# --------------------------------------------------------------------------- reading
def _fixed_fields(view: memoryview, max_size: int) -> tuple[int, int, int, int, int, int, int]:
    """Validate the fixed header at the start of ``view`` (all of a file, or its first bytes):
    ``(version, L, M, n, B, CRC32 of the original, announced file size)``."""
    size = view.nbytes
    if size == 0:
        raise ContainerError("empty file: not a codebook compressed file")
    if size < len(MAGIC) or view[: len(MAGIC)] != MAGIC:
        if size < len(MAGIC) and MAGIC.startswith(bytes(view)):
            raise ContainerError(f"truncated file: {size} bytes, a codebook file has at least {MIN_FILE_SIZE}")
        raise ContainerError("not a codebook compressed file (the first 8 bytes are not the codebook magic)")
    if size >= 9 and view[8] not in READ_VERSIONS:
        raise ContainerError(
            f"unsupported format version {view[8]} (this codebook reads versions "
            f"{', '.join(map(str, READ_VERSIONS))}); the file is newer or its header is corrupted"
        )
    if size < FIXED_SIZE:
        raise ContainerError(f"truncated file: {size} bytes, shorter than the {FIXED_SIZE}-byte header")
    _, version, flags, name_len, reserved, model_len, n, nbits, data_crc, head_crc = FIXED_HEADER.unpack(
        view[:FIXED_SIZE]
    )
    if zlib.crc32(view[: FIXED_SIZE - 4]) != head_crc:
        raise ContainerError("header checksum mismatch: the file is corrupted (bytes 0..39)")
    # The CRC matched, so from here on a bad field is a file written wrongly or on purpose.
    if flags != 0 or reserved != 0:
        raise ContainerError(f"header has reserved bits set (flags = {flags}, byte 11 = {reserved}); not supported")
    if not 1 <= name_len <= MAX_NAME_BYTES:
        raise ContainerError(f"header field L (coder name length) = {name_len}, outside 1..{MAX_NAME_BYTES}")
    if not 1 <= model_len <= MAX_MODEL_BYTES:
        raise ContainerError(f"header field M (model length) = {model_len}, outside 1..{MAX_MODEL_BYTES}")
    if n > max_size:
        raise ContainerError(
            f"header says the original has n = {n} bytes, above the limit of {max_size} bytes (max_size)"
        )
    expected = FIXED_SIZE + name_len + model_len + (nbits + 7) // 8 + TRAILER_SIZE
    return version, name_len, model_len, n, nbits, data_crc, expected


def announced_sizes(head, *, max_size: int = DEFAULT_MAX_SIZE) -> tuple[int, int]:
    """``(n, file size)`` as announced by a file's first 40 bytes (``head``), after checking them
    (magic, version, header CRC, fields, ``n <= max_size``): lets a reader of a pipe refuse a
    foreign or absurd stream after 40 bytes and read no more than the file."""
    fields = _fixed_fields(memoryview(head).cast("B")[:FIXED_SIZE], max_size)
    return fields[3], fields[-1]


def check_file_size(size: int, expected: int) -> None:
    """Raise the container's message when a file of ``size`` bytes is not the ``expected`` size."""
    if size < expected:
        raise ContainerError(f"truncated file: {size} bytes, the header announces {expected}")
    if size > expected:
        raise ContainerError(f"{size - expected} unexpected bytes after the end of the compressed data (at {expected})")


def _checked_model(view, max_size: int):
    """The fixed fields, file size and body CRC checked, the coder name and the stored model
    read (not yet rebuilt): ``(version, name, model, kind, n, nbits, data_crc, body_end)``."""
    version, name_len, model_len, n, nbits, data_crc, expected = _fixed_fields(view, max_size)
    check_file_size(view.nbytes, expected)
    body_end = expected - TRAILER_SIZE
    (body_crc,) = struct.unpack("<I", view[body_end:])
    if zlib.crc32(view[FIXED_SIZE:body_end]) != body_crc:
        raise ContainerError(f"checksum mismatch: the file is corrupted (bytes {FIXED_SIZE}..{body_end - 1})")
    name_bytes = bytes(view[FIXED_SIZE : FIXED_SIZE + name_len])
    _check_name_stored(name_bytes)
    name = name_bytes.decode("ascii")
    if name not in coder_names():
        raise ContainerError(
            f"the file was written with coder {name!r}, which this codebook does not have "
            f"(registered: {', '.join(coder_names())})"
        )
    start = FIXED_SIZE + name_len
    if version == 1:
        model, kind = _parse_model(view[start : start + model_len], name), "json"
    else:
        model, kind = unpack_model(view[start : start + model_len], name)
    return version, name, model, kind, n, nbits, data_crc, body_end


def training_info(blob, *, max_size: int = DEFAULT_MAX_SIZE) -> dict | None:
    """``{"size", "crc32"}`` of the training file a file's model was primed on, or None.

    Reads only what the header and the body CRC vouch for, so a reader can bound how much of
    TRAIN it reads (a TRAIN longer than ``size`` bytes is the wrong one) before reading it.
    Raises :class:`ContainerError` as :func:`read_header` does. A malformed ``prime`` field
    (a hostile file's) gives None too: :func:`read_header` then refuses the model by name.
    """
    model = _checked_model(memoryview(blob).cast("B"), max_size)[2]
    prime = model.get("prime") if isinstance(model, dict) else None
    if isinstance(prime, dict) and all(type(prime.get(k)) is int for k in ("size", "crc32")) and prime["size"] >= 0:
        return prime
    return None


def read_header(blob, *, max_size: int = DEFAULT_MAX_SIZE, train=None) -> Header:
    """Validate everything but the payload's content and rebuild the coder; see module doc.

    ``train``: the training bytes of a file whose model was primed on them (cm with
    ``--model-from``); such a file without them, or with other bytes, or any other file with
    them, raises :class:`~codebook.errors.TrainingDataError` (a ContainerError).

    Checks, in order: magic, version, size of the fixed header, its CRC, reserved fields,
    bounds of the lengths, ``n <= max_size``, the exact file size, the body CRC, the coder
    name (registered), the model (strict JSON, rebuilt by the coder's ``from_dict``, 256
    symbols, frequencies summing exactly for stream coders), ``n`` against what B bits can
    hold (:func:`min_payload_bits`) and the zero padding bits. Raises :class:`ContainerError` with one plain sentence.
    """
    view = memoryview(blob).cast("B")
    size = view.nbytes
    version, name, model, kind, n, nbits, data_crc, body_end = _checked_model(view, max_size)
    payload_len = (nbits + 7) // 8
    code = _rebuild(model, name, train)
    if version == 1 and name == "rans":  # the first release's rANS stream layout (32-bit words)
        from .coders._rans_v1 import RansV1

        code = RansV1(code)
    _check_count(code, name, n, nbits)
    _check_size(code, n)
    if nbits % 8 and view[body_end - 1] & ((1 << (8 - nbits % 8)) - 1):
        raise ContainerError(f"the {8 - nbits % 8} padding bits after the payload's last bit are not zero")
    return Header(
        version=version,
        coder=name,
        code=code,
        model=model,
        model_kind=kind,
        size=n,
        payload_bits=nbits,
        data_crc32=data_crc,
        header_bytes=size - payload_len,
        file_bytes=size,
    )


def decompress(blob, *, max_size: int = DEFAULT_MAX_SIZE, train=None) -> bytes:
    """The original bytes of a container written by :func:`compress`, verified by CRC32.

    Raises :class:`ContainerError` (one plain sentence) on anything this module did not write:
    bad magic, truncation, a checksum mismatch, a bad field, a payload that does not decode.
    """
    return decode(blob, max_size=max_size, train=train)[1]


def decode(blob, *, max_size: int = DEFAULT_MAX_SIZE, train=None) -> tuple[Header, bytes]:
    """:func:`read_header` and :func:`decompress` in one pass: ``(header, original bytes)``."""
    header = read_header(blob, max_size=max_size, train=train)
    view = memoryview(blob).cast("B")
    start = header.header_bytes - TRAILER_SIZE
    bits = bitarray(endian="big")
    bits.frombytes(view[start : start + (header.payload_bits + 7) // 8])
    del bits[header.payload_bits :]
    only = only_symbol(header.code)
    if only is not None and header.size and (crc := _run_crc32(only, header.size)) != header.data_crc32:
        raise ContainerError(
            f"the model codes only byte {only} (0x{only:02x}), so the original can only be {header.size} copies "
            f"of it, whose CRC32 is {crc:08x}; the header says {header.data_crc32:08x}: the file is corrupted"
        )
    try:
        symbols = header.code.decode(bits, header.size, dtype=np.uint8)
    except ValueError as exc:  # DecodeError, or any ValueError a coder raises on untrusted bits
        raise ContainerError(f"the payload does not decode with coder {header.coder!r}: {exc}") from None
    if symbols.size != header.size:  # the protocol promises exactly n; guard anyway
        raise ContainerError(f"the decoder returned {symbols.size} symbols, the header says {header.size}")
    del bits
    out = symbols.tobytes()  # one byte per symbol: the decoder wrote uint8 (K = 256 fits)
    del symbols
    crc = zlib.crc32(out)
    if crc != header.data_crc32:
        raise ContainerError(
            f"CRC32 of the decoded data is {crc:08x}, the header says {header.data_crc32:08x}: "
            f"the file is corrupted"
        )
    return header, out


def max_file_size(max_size: int = DEFAULT_MAX_SIZE) -> int:
    """Largest file worth reading for an original of at most ``max_size`` bytes.

    64 payload bits per original byte on average (a badly mismatched model costs at most a
    few tens of bits per byte; a codeword of more than 64 bits needs q(x) < 2**-44), plus the
    largest model, the fields and one maximal codeword. Used to bound reads from a pipe.
    """
    return 8 * max_size + MAX_MODEL_BYTES + MAX_NAME_BYTES + FIXED_SIZE + TRAILER_SIZE + 4096


def _check_name_stored(name: bytes) -> None:
    if not all(c in _NAME_CHARS for c in name):
        raise ContainerError(f"coder name {name!r} in the header is not of the form [a-z0-9_-]+")


def _parse_model(raw: memoryview, name: str) -> dict[str, Any]:
    try:
        text = bytes(raw).decode("utf-8")
        model = json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ContainerError(f"the stored model is not valid JSON: {_short(exc)}") from None
    if not isinstance(model, dict):
        raise ContainerError(f"the stored model must be a JSON object; got {type(model).__name__}")
    if model.get("coder") != name:
        raise ContainerError(f"the stored model is for coder {model.get('coder')!r}, the header says {name!r}")
    size = model.get("alphabet_size", ALPHABET_SIZE)
    if size != ALPHABET_SIZE or isinstance(size, bool):
        raise ContainerError(f"the stored model has alphabet_size = {size!r}; bytes need {ALPHABET_SIZE}")
    return model


def _reject_constant(token: str):
    raise ValueError(f"{token} is not a number")


def _rebuild(model: dict[str, Any], name: str, train=None) -> Code:
    """The coder's own ``from_dict`` validates its table; anything it raises becomes one line.

    Besides :class:`CodebookError`, a coder written without hostile input in mind might raise
    ``TypeError``/``KeyError``/``IndexError``/``OverflowError`` on a malformed table; they are
    caught here too, because this is the boundary where untrusted bytes become objects.
    """
    if filemodels.handles(name, model):
        try:
            code = filemodels.rebuild(name, model, train)
        except TrainingDataError:
            raise
        except CodebookError as exc:
            raise ContainerError(f"the stored model is invalid: {_short(exc)}") from None
        if code.name != name:
            raise ContainerError(f"the stored model rebuilds coder {code.name!r}, the header says {name!r}")
        return code
    if train is not None:
        raise TrainingDataError(
            f"this file (coder {name!r}) was compressed without a training file; TRAIN (--model-from) is not needed"
        )
    try:
        code = coders.from_dict(model)
    except CodebookError as exc:
        raise ContainerError(f"the stored model is invalid: {_short(exc)}") from None
    except (TypeError, KeyError, IndexError, OverflowError, RecursionError, ValueError) as exc:
        raise ContainerError(f"the stored model is invalid ({type(exc).__name__}: {_short(exc)})") from None
    if code.name != name:
        raise ContainerError(f"the stored model rebuilds coder {code.name!r}, the header says {name!r}")
    if code.alphabet_size != ALPHABET_SIZE:
        raise ContainerError(f"the stored model has {code.alphabet_size} symbols; bytes need {ALPHABET_SIZE}")
    if coders.info(name).kind == "stream":
        _check_frequencies(code)
    return code


def _check_frequencies(code: Code) -> None:
    """A stream coder's integer model must sum exactly to 2**precision (its total T)."""
    freqs = getattr(code, "frequencies", None)
    precision = getattr(code, "precision", None)
    if freqs is None or precision is None:
        return
    freqs = np.asarray(freqs)
    if freqs.dtype.kind not in "iu" or (freqs < 0).any():
        raise ContainerError("the stored frequencies must be non-negative integers")
    total = sum(int(f) for f in freqs.tolist())
    if total != 1 << int(precision):
        raise ContainerError(f"the stored frequencies sum to {total}, not 2**{precision} = {1 << int(precision)}")


def _check_size(code: Code, n: int) -> None:
    """A coder whose working memory grows with n says how many symbols it accepts
    (``check_size(n)``: a context model of order >= 3, ``codebook.filemodels``)."""
    check = getattr(code, "check_size", None)
    if check is not None:
        try:
            check(n)
        except CodebookError as exc:
            raise ContainerError(_short(exc)) from None


def _check_count(code: Code, name: str, n: int, nbits: int) -> None:
    """Refuse an n that no message of n symbols could fit into B payload bits.

    Prefix codes: every codeword has at least one bit, so n <= B exactly. Other coders: see
    :func:`min_payload_bits`; where no bound is known, n is bounded by ``max_size`` only.
    """
    if coder_kind(name) == "prefix" and n > nbits:
        raise ContainerError(
            f"header says n = {n} symbols but the payload has only {nbits} bits; a prefix code "
            f"spends at least one bit per symbol"
        )
    floor = min_payload_bits(code, n)
    if floor > nbits:
        raise ContainerError(
            f"header says n = {n} symbols but the payload has only {nbits} bits; coder {name!r} "
            f"needs at least {math.floor(floor)} bits for any {n} symbols"
        )


def min_payload_bits(code: Code, n: int) -> float:
    """A lower bound on ``len(code.encode(x))`` over all messages x of n symbols (bits; 0 if unknown).

    This is what lets the reader refuse an absurd symbol count before the decoder allocates
    n output symbols. It is built from each coder's documented public model, and is
    deliberately loose (a 1e-9 relative margin plus 8 bits), because it only has to reject
    what cannot be, never what can:

    * prefix code: n * (shortest codeword length);
    * a coder with ``min_ideal_length(n)`` (the adaptive coder, any prior, with or without
      starting counts: the constant message of its most likely symbol, theory §h; the cm
      model: 8n decisions of at least -log2(4095/4096) bits each) plus ``excess_bounds(n)[0]``;
    * stream coder (``frequencies``, ``precision``, ``excess_bounds``): every symbol costs at
      least ``precision - log2(max f)`` ideal bits, and the coder's output stays above the ideal
      length plus ``excess_bounds(n)[0]`` (theory §f).

    A model that gives one symbol all the probability codes n symbols in a constant number
    of bits; :func:`decode` then checks the CRC32 of the only possible original before
    decoding (see :func:`only_symbol`).
    """
    if n == 0:
        return 0.0
    own = getattr(code, "min_bits", None)  # the code families state their own exact minimum
    if own is not None:
        return float(own(n))
    kind = coder_kind(code.name)
    if kind == "prefix":
        lengths = np.asarray(code.lengths)
        return float(n * int(lengths[lengths > 0].min()))
    bounds = getattr(code, "excess_bounds", None)
    if bounds is None:
        return 0.0
    try:
        low = float(bounds(n)[0])
    except (NotImplementedError, ValueError):
        return 0.0
    shortest = getattr(code, "min_ideal_length", None)
    freqs, precision = getattr(code, "frequencies", None), getattr(code, "precision", None)
    if shortest is not None:
        ideal = float(shortest(n))
    elif kind == "stream" and freqs is not None and precision is not None:
        ideal = n * (int(precision) - math.log2(int(np.max(freqs))))
    else:
        return 0.0
    return max(0.0, (ideal + low) * (1 - 1e-9) - 8)


def only_symbol(code: Code) -> int | None:
    """The byte value if ``code`` can code exactly one (its model gives it all the mass), else None.

    Such a model codes n symbols in a constant number of bits (a stream coder spends 0 bits
    per symbol), so the payload size cannot bound n; but the original can only be n copies
    of that byte, whose CRC32 :func:`decode` checks before decoding anything.
    """
    mask = uncodable_bytes(code)
    if mask is None:
        return None
    codable = np.flatnonzero(~mask)
    return int(codable[0]) if codable.size == 1 else None


def _run_crc32(value: int, n: int) -> int:
    """CRC32 of ``n`` copies of the byte ``value``, in 1 MiB steps (about 0.1 s per GiB)."""
    chunk = bytes([value]) * min(n, _CRC_CHUNK)
    crc = 0
    for _ in range(n // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    return zlib.crc32(chunk[: n % len(chunk)], crc)


_CRC_CHUNK = 1 << 20


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:197] + "..."


def bits_per_byte(nbits: int, n: int) -> float:
    """``nbits / n`` (bits per byte of the original); ``nan`` for an empty original."""
    return nbits / n if n else math.nan


__all__ = [
    "ALPHABET_SIZE",
    "DEFAULT_MAX_SIZE",
    "FORMAT_VERSION",
    "MAGIC",
    "MAX_MODEL_BYTES",
    "MODEL_KINDS",
    "READ_VERSIONS",
    "Header",
    "announced_sizes",
    "bits_per_byte",
    "byte_counts",
    "byte_distribution",
    "check_file_size",
    "coder_kind",
    "coder_names",
    "compress",
    "counts_distribution",
    "decode",
    "decompress",
    "max_file_size",
    "min_payload_bits",
    "only_symbol",
    "pack_model",
    "read_header",
    "register_model_kind",
    "training_info",
    "uncodable_bytes",
    "unpack_model",
    "zero_probability_byte",
]
