"""Fuzz targets shared by the fuzz tests (``tests/fuzz``) and the campaign (``scripts/fuzz_campaign.py``).

Each target takes a byte string, derives one structured input from it (which coder, which
file, which mutation: :class:`Choices` reads the bytes as a sequence of decisions, like
libFuzzer's FuzzedDataProvider, so a coverage-guided engine, hypothesis and a random
generator can all drive it) and checks the property every input must satisfy:

    a clean error (a ``CodebookError``, or for the CLI one line on stderr and exit 1 or 2)
    or a correct result; never a traceback, never a wrong result that a documented check
    should catch.

A target returns normally when the property holds, raises :class:`SilentWrong` when a result
is wrong and no error said so, and lets any other exception escape (a traceback). Time and
memory are measured by the caller (the campaign runs targets in a child process).

Areas: ``container`` (container bytes, with and without recomputed CRCs), ``tables`` (code
tables through ``coders.from_json``), ``decode`` (bitstreams through every coder's
``decode``: random bits, truncations, flips), ``cli`` (option values of every command through
the real entry point ``run_cli``), ``spec`` (distribution specs; the campaign only: spec
parsing and its fuzz tests belong to ``tests/test_spec.py``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import struct
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
from bitarray import bitarray

from codebook import coders, container, filemodels
from codebook.contextmix import ContextMixingCoder
from codebook.errors import CodebookError, ContainerError, DecodeError, TrainingDataError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
AREAS = ("container", "tables", "decode", "cli", "spec")


class SilentWrong(AssertionError):
    """A result is wrong and no error said so (the worst outcome: counted as 'silent')."""


class Choices:
    """Decisions read from a byte string (0 once it is used up, so every input is complete)."""

    def __init__(self, data: bytes):
        self.data, self.pos = bytes(data), 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def int(self, lo: int, hi: int) -> int:
        """An integer in ``lo..hi`` (inclusive), from as many bytes as the range needs."""
        span = hi - lo + 1
        value, scale = 0, 1
        while scale < span:
            value = value * 256 + self.byte()
            scale *= 256
        return lo + value % span

    def pick(self, options):
        return options[self.int(0, len(options) - 1)]

    def chance(self, numerator: int, denominator: int = 8) -> bool:
        return self.int(0, denominator - 1) < numerator

    def blob(self, max_size: int) -> bytes:
        size = self.int(0, max_size)
        out = self.data[self.pos : self.pos + size]
        self.pos += len(out)
        return out

    def rng(self) -> np.random.Generator:
        return np.random.default_rng(self.int(0, 2**32 - 1))


SAMPLES = {
    "prose": (DATA / "prose.txt").read_bytes()[:1500],
    "log": (DATA / "lighthouse.log").read_bytes()[:1500],
    "source": (DATA / "measures.py.txt").read_bytes()[:1500],
    "zeros": bytes(300),
    "one byte": b"A",
    "empty": b"",
    "all bytes": bytes(range(256)),
    "skewed": b"a" * 500 + b"b",
}

INTERESTING_INTS = [0, 1, 2, 3, 7, 8, 15, 16, 24, 25, 31, 32, 255, 256, 257, 4095, 4096, 4097, 65535, 65536,
                    2**20, 2**24, 2**30, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**40, 2**48, 2**53 + 1, 2**63 - 1,
                    2**63, 2**64 - 1, 2**64, 10**30, -1, -2**31, -2**63]


# ============================================================================ container
FILE_CODERS = ["cm"]
"""Coders only files use (``codebook.filemodels``): fuzzed with the registry's in the container
and decode areas; ``context`` (a stream coder following a context model) in the container area."""


def _cm(c: Choices, prime: bytes | None = None) -> ContextMixingCoder:
    """A small cm coder (64 KiB tables), automatic or 1-3 blocks, maybe primed on ``prime``."""
    return ContextMixingCoder(memory=16, blocks=c.pick([None, 1, 2, 3]), prime=prime)


def _codable_model(c: Choices, data: bytes, name: str):
    """A coder for ``name`` over bytes built from ``data`` (or a TRAIN sample), or None."""
    if name == "cm":
        return _cm(c, c.pick(list(SAMPLES.values())) if c.chance(3) else None)
    if name == "context":
        train = c.pick(list(SAMPLES.values())) if c.chance(3) else None
        return filemodels.ContextFileCoder(c.pick(list(filemodels.CONTEXT_CODERS)), order=c.int(0, 3),
                                           prior=c.pick([0.5, 1, 2, 1 / 32]), precision=c.pick([None, 12, 16, 20]),
                                           train=train)
    smoothing = c.pick([0.0, 0.5, 1.0, 1e-3])
    train = data if c.chance(6) else c.pick(list(SAMPLES.values()))
    if not train and smoothing == 0:
        smoothing = 1.0
    q = container.byte_distribution(train, smoothing)
    options = {}
    if coders.info(name).kind == "stream" and c.chance(3):
        options["precision"] = c.pick([8, 9, 12, 16, 20, 24])
    if coders.info(name).kind == "adaptive":
        options["prior"] = c.pick([0.5, 1, 1.5, 2, 64])
        if c.chance(3):
            options["counts"] = container.byte_counts(train)
    try:
        return coders.build(name, q, **options)
    except CodebookError:
        return None


def _mutate_container(c: Choices, blob: bytes) -> bytes:
    out = bytearray(blob)
    for _ in range(c.int(1, 4)):
        what = c.int(0, 9)
        if what == 0 and out:  # flip one bit
            i = c.int(0, len(out) - 1)
            out[i] ^= 1 << c.int(0, 7)
        elif what == 1 and out:  # set one byte
            out[c.int(0, len(out) - 1)] = c.byte()
        elif what == 2:  # truncate
            del out[c.int(0, len(out)) :]
        elif what == 3:  # append
            out += c.blob(64)
        elif what == 4 and out:  # delete a span
            i = c.int(0, len(out) - 1)
            del out[i : i + c.int(1, 16)]
        elif what == 5:  # insert bytes
            i = c.int(0, len(out))
            out[i:i] = c.blob(16)
        elif what in (6, 7) and len(out) >= container.FIXED_SIZE:  # a header field
            field = c.pick([(8, "B"), (9, "B"), (10, "B"), (11, "B"), (12, "I"), (16, "Q"), (24, "Q"), (32, "I")])
            offset, fmt = field
            bits = struct.calcsize(fmt) * 8
            value = c.pick(INTERESTING_INTS) % (1 << bits)
            if c.chance(4):  # near the real value
                value = (struct.unpack_from("<" + fmt, out, offset)[0] + c.int(-3, 3)) % (1 << bits)
            struct.pack_into("<" + fmt, out, offset, value)
        elif what == 8 and len(out) > container.FIXED_SIZE + 8:  # a byte of the model or payload
            i = c.int(container.FIXED_SIZE, len(out) - 5)
            out[i] = c.pick([0, 1, 0x7F, 0x80, 0xFF, out[i] ^ 1, out[i] + 1 & 0xFF])
        elif what == 9 and len(out) >= container.FIXED_SIZE:  # the model section replaced
            name_len, model_len = out[10], struct.unpack_from("<I", out, 12)[0]
            start = container.FIXED_SIZE + name_len
            end = min(start + model_len, len(out))
            new = bytes([c.pick(list(container.MODEL_KINDS) + [0, 6, 255])]) + c.blob(40)
            out[start:end] = new
            struct.pack_into("<I", out, 12, len(new))
    return bytes(out)


def _fix_crcs(c: Choices, blob: bytearray, original: bytes) -> None:
    """Recompute some checksums so that the fields themselves are what gets tested."""
    if len(blob) < container.FIXED_SIZE:
        return
    if c.chance(3):  # the data CRC: of the original (a success must then return it) or anything
        struct.pack_into("<I", blob, 32, zlib.crc32(original) if c.chance(6) else c.int(0, 2**32 - 1))
    if c.chance(6):
        struct.pack_into("<I", blob, 36, zlib.crc32(bytes(blob[:36])))
    if c.chance(6) and len(blob) >= container.FIXED_SIZE + 4:
        struct.pack_into("<I", blob, len(blob) - 4, zlib.crc32(bytes(blob[container.FIXED_SIZE : -4])))


def target_container(data: bytes) -> str:
    """Mutated files of every coder, with and without recomputed CRCs: ContainerError or the
    original (when the data CRC is the original's) / bytes whose CRC is the stored one.
    Returns the coder's name (the campaign counts per coder)."""
    c = Choices(data)
    name = c.pick([*coders.names(), *FILE_CODERS, "context"])
    original = c.pick(list(SAMPLES.values()))
    original = original[: c.int(0, len(original))]
    code = _codable_model(c, original, name)
    if code is None:
        return name
    try:
        blob = container.compress(original, code)
    except CodebookError:
        return name  # a byte the model cannot code: a clean refusal
    train = getattr(code, "_train", None)  # a context model's training bytes
    if getattr(code, "prime_info", None) is not None:  # cm's
        train = bytes(code._prime)
    train = None if train is None else bytes(train)
    header, back = container.decode(blob, train=train)
    if back != original:
        raise SilentWrong(f"{name}: an unmutated file decodes to other bytes")
    if c.chance(1, 16):
        bad = bytearray(blob)  # only the CRCs fixed: must decode as before
    else:
        bad = bytearray(_mutate_container(c, blob))
    recomputed = c.chance(5)
    if recomputed:
        _fix_crcs(c, bad, original)
    if c.chance(1):  # training bytes where none are needed, other ones, or none
        train = c.pick([None, b"", SAMPLES["prose"], (train or b"")[:-1]])
    try:
        header, out = container.decode(bytes(bad), max_size=c.pick([container.DEFAULT_MAX_SIZE, 1 << 20, 1000]),
                                       train=train)
    except ContainerError:
        return name
    if zlib.crc32(out) != header.data_crc32 or len(out) != header.size:
        raise SilentWrong(f"{name}: decoded {len(out)} bytes whose CRC32 is not the stored one")
    if header.data_crc32 == zlib.crc32(original) and out != original:
        raise SilentWrong(f"{name}: a mutated file decoded to other bytes with the original's CRC32")
    return name


# ============================================================================ tables
def _random_q(c: Choices, k: int) -> np.ndarray:
    w = c.rng().random(k) ** c.pick([1, 4, 16])
    w[c.rng().random(k) < c.pick([0.0, 0.2, 0.5])] = 0.0
    if not w.any():
        w[c.int(0, k - 1)] = 1.0
    return w / w.sum()


def _build(c: Choices, name: str, k: int):
    q = _random_q(c, k)
    options = {}
    kind = coders.info(name).kind
    if kind == "stream":
        options["precision"] = c.pick([max(1, int(np.ceil(np.log2(k)))) + 1, 8, 12, 16, 20, 24])
        options["floor"] = c.chance(2)
    elif kind == "adaptive":
        options["prior"] = c.pick([0.5, 1, 2.5])
        if c.chance(3):
            options["counts"] = c.rng().integers(0, 50, k)
    try:
        return coders.build(name, q, **options)
    except CodebookError:
        return None


def _codable(code) -> np.ndarray:
    if hasattr(code, "uncodable_symbols"):  # Tunstall: the symbols of supp(q)
        return np.flatnonzero(~code.uncodable_symbols())
    kind = container.coder_kind(code.name)
    if kind == "prefix":
        return np.flatnonzero(np.asarray(code.lengths) > 0)
    if kind == "stream":
        return np.flatnonzero(np.asarray(code.frequencies) > 0)
    return np.arange(code.alphabet_size)


def _round_trip(code, c: Choices, where: str) -> None:
    symbols = _codable(code)
    if symbols.size == 0:
        return
    x = symbols[c.rng().integers(0, symbols.size, c.int(0, 60))]
    bits = code.encode(x)
    try:
        back = code.decode(bits, x.size)
    except DecodeError as exc:
        raise SilentWrong(f"{where}: its own encoding does not decode: {exc}") from None
    if not np.array_equal(back, x):
        raise SilentWrong(f"{where}: decode(encode(x)) != x")


def _mutate_value(c: Choices, value):
    choice = c.int(0, 11)
    if choice == 0:
        return c.pick(INTERESTING_INTS)
    if choice == 1:
        return c.pick([0.5, -0.5, 1e300, 1e-300, 0.1, 2.0, True, False, None])
    if choice == 2:
        return c.pick(["", "1", "huffman", "x" * 100, "0" * 4097])
    if choice == 3:
        return [] if c.chance(4) else {}
    if choice == 4:  # nested lists
        nested = 0
        for _ in range(c.int(1, 50)):
            nested = [nested]
        return nested
    if isinstance(value, list) and value:
        i = c.int(0, len(value) - 1)
        if choice == 5:
            return value[:i]
        if choice == 6:
            return value + value[: c.int(1, 8)]
        if choice == 7:
            copy = list(value)
            copy[i] = _mutate_value(c, copy[i]) if c.chance(2) else c.pick(INTERESTING_INTS)
            return copy
        if choice == 8:
            copy = list(value)
            copy[i] = copy[i] + c.int(-2, 2) if isinstance(copy[i], int) and not isinstance(copy[i], bool) else 0
            return copy
        if choice == 9 and all(isinstance(v, str) for v in value):
            copy = list(value)
            word = copy[i]
            copy[i] = (word[:-1] if word and c.chance(4) else word + c.pick(["0", "1", "2"]))
            return copy
    if isinstance(value, int) and not isinstance(value, bool):
        return value + c.int(-3, 3)
    if isinstance(value, float):
        return value * c.pick([0.5, 2, -1, 1e10])
    return value


def target_tables(data: bytes) -> None:
    """Mutated code tables (JSON values and JSON text) through ``coders.from_json``:
    CodeTableError, or a code whose own encodings decode to the message."""
    c = Choices(data)
    name = c.pick(coders.names())
    code = _build(c, name, c.int(1, 40))
    if code is None:
        return
    table = code.to_dict()
    for _ in range(c.int(0, 3)):
        keys = [*table, "extra"]
        key = c.pick(keys)
        if c.chance(1) and key in table:
            del table[key]
        else:
            table[key] = _mutate_value(c, table.get(key, 0))
    try:
        text = json.dumps(table)
    except (ValueError, TypeError):
        return
    if c.chance(2):
        raw = bytearray(text.encode())
        for _ in range(c.int(1, 3)):
            if raw:
                raw[c.int(0, len(raw) - 1)] = c.pick(list(b'0123456789[]{},:"-.eE ') + [c.byte()])
        text = bytes(raw)
    try:
        again = coders.from_json(text)
    except CodebookError:
        return
    _round_trip(again, c, f"{name} table {text[:80]!r}")


# ============================================================================ decode
def target_decode(data: bytes) -> str:
    """Streams of every coder, random or mutated, through ``decode``/``decode_partial``:
    DecodeError, or symbols whose encoding is exactly the bits consumed. Returns the coder's name."""
    c = Choices(data)
    name = c.pick([*coders.names(), *FILE_CODERS])
    k = c.int(1, 40)
    code = _cm(c, c.pick([None, SAMPLES["log"][:200]])) if name == "cm" else _build(c, name, k)
    if code is None:
        return name
    symbols = _codable(code)
    x = symbols[c.rng().integers(0, symbols.size, c.int(0, 300))]
    bits = code.encode(x)
    if not np.array_equal(code.decode(bits, x.size), x):
        raise SilentWrong(f"{name}: decode(encode(x)) != x")
    n = x.size
    how = c.int(0, 6)
    if how == 0:  # random bits
        bits = bitarray(c.rng().integers(0, 2, c.int(0, 400)).tolist() or [], endian="big")
    elif how == 1 and len(bits):  # truncated
        bits = bits[: c.int(0, len(bits) - 1)]
    elif how == 2:  # junk appended
        bits = bits + bitarray(c.rng().integers(0, 2, c.int(1, 64)).tolist(), endian="big")
    elif how == 3 and len(bits):  # flips
        bits = bitarray(bits)
        for _ in range(c.int(1, 3)):
            i = c.int(0, len(bits) - 1)
            bits[i] = not bits[i]
    elif how == 4:  # another n
        n = max(0, n + c.int(-3, 3)) if c.chance(6) else c.pick([0, 1, n * 2, 10**6])
    elif how == 5 and len(bits):  # a byte-aligned slice out of the middle
        i = c.int(0, len(bits) - 1)
        bits = bits[:i] + bits[i + c.int(1, 16) :]
    try:
        out = code.decode(bits, n)
    except DecodeError:
        pass
    else:
        if out.size != n or code.encode(out) != bits:
            raise SilentWrong(f"{name}: decode accepted {len(bits)} bits that are not the encoding of its result")
    junk = bitarray(c.rng().integers(0, 2, c.int(0, 40)).tolist() or [], endian="big")
    try:
        out, used = code.decode_partial(bits + junk, n)
    except DecodeError:
        return name
    if out.size != n or not 0 <= used <= len(bits) + len(junk) or code.encode(out) != (bits + junk)[:used]:
        raise SilentWrong(f"{name}: decode_partial returned symbols whose encoding is not the {used} bits it consumed")
    return name


# ============================================================================ spec (campaign only)
SPEC_PIECES = ["0.5,0.5", "1/2,1/4,1/4", "uniform:4", "zipf:8:1.1", "geometric:5:0.5", "dyadic:6",
               "dirichlet:5:0.5:1", "weights:1,2,3", "counts:3,1", "counts+0.5:3,0,1", "a=1/2,b=1/2",
               "[0.9,0.1]", "uniform:2"]
SPEC_HOSTILE = ["1e1000000000,0", "counts:1e999999999", "file:/dev/zero", "file:/dev/urandom", "uniform:100000000",
                "zipf:1e9:1", "weights:" + ",".join(["1"] * 10000), "1e308,1e308", "-0.0,1", "nan,1", "1e-400,1",
                "9" * 5000 + ",1"]


def random_spec(c: Choices, hostile: bool) -> str:
    depth = c.int(0, 3)
    spec = c.pick(SPEC_PIECES + (SPEC_HOSTILE if hostile else []))
    for _ in range(depth):
        other = c.pick(SPEC_PIECES)
        spec = c.pick([f"mix({spec}, {other}, {c.pick(['0.3', '0', '1', '2', '-1', 'nan'])})",
                       f"temper({spec}, {c.pick(['2', '0.5', '0', '-1', '1e308'])})"])
    if hostile and c.chance(1):
        spec = c.pick(["mix(", "temper("]) * c.int(1, 3000) + spec
    if c.chance(1):  # text-level damage
        raw = list(spec)
        if raw:
            raw[c.int(0, len(raw) - 1)] = c.pick(list("(),:=[]+-.e0123456789 x"))
        spec = "".join(raw)
    return spec


def target_spec(data: bytes) -> None:
    """Specs through ``parse_distribution``: SpecError/DistributionError or a valid pmf."""
    from codebook import parse_distribution

    c = Choices(data)
    spec = random_spec(c, hostile=True)
    try:
        dist = parse_distribution(spec)
    except CodebookError:
        return
    probs = np.asarray(dist.probs)
    if not (np.isfinite(probs).all() and (probs >= 0).all() and abs(probs.sum() - 1) < 1e-6):
        raise SilentWrong(f"spec {spec[:80]!r} gave an invalid pmf")


# ============================================================================ cli
NUMBERS_SAFE = ["0", "1", "2", "3", "7", "20", "64", "100", "1e2", "-1", "0.5", "1.5", "nan", "inf", "-inf", "",
                " ", "x", "1_000", "0x10", "1/3", "9" * 40, "1e-400", "2**8", "é"]
NUMBERS_HOSTILE = ["1e6", "1e9", "1e15", "1e1000", "-1e999", "18446744073709551616", "100000000", "4294967296"]
CODER_VALUES = [*coders.names(), "huffman,rans", "nope", "", ",", "huffman,huffman", "RANS", "adaptive,x"]
SMALL_SPECS = ["0.5,0.5", "0.4,0.3,0.2,0.1", "uniform:4", "zipf:16:1.1", "dyadic:5", "geometric:8:0.7",
               "mix(uniform:4, dyadic:4, 0.3)", "temper(zipf:8:1, 2)", "counts+0.5:3,0,1", "0.5,0.6", "uniform:0",
               "zipf:4", "mix(", "[0.5,0.5]", "a=1/2,b=1/2", "uniform:3,", "1,0", "0,1", "1", "",
               "file+0.5:{prose}", "file:{empty}", "file:{missing}", "weights:0,0", "counts:0,0"]
SWEEPS = ["mismatch", "asymmetry", "learned-model", "convergence", "blocks", "precision", "nope", ""]


@contextlib.contextmanager
def captured(stdin: bytes = b""):
    """Run with stdin/stdout/stderr as in-memory byte streams (``.buffer`` included)."""
    new_in = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    new_out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    new_err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = new_in, new_out, new_err
    try:
        yield new_out, new_err
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def run_argv(argv: list[str], stdin: bytes = b"") -> tuple[int, bytes, str]:
    """The real entry point in-process: (exit status, stdout bytes, stderr text)."""
    from codebook.cli import cli
    from codebook.cli.errors import run_cli

    with captured(stdin) as (out, err):
        status = run_cli(cli, argv)
        out.flush()
        err.flush()
        stdout, stderr = out.buffer.getvalue(), err.buffer.getvalue().decode("utf-8", "replace")
    return status, stdout, stderr


def check_cli_outcome(argv: list[str], status, stderr: str) -> None:
    """Exit 0-3; an error is one line ``... error: ...`` on stderr; never a traceback."""
    where = " ".join(argv)[:200]
    if not isinstance(status, int) or status not in (0, 1, 2, 3):
        raise RuntimeError(f"exit status {status!r} for: codebook {where}")
    if "Traceback" in stderr:
        raise RuntimeError(f"traceback on stderr for: codebook {where}")
    if status in (1, 2):
        lines = [line for line in stderr.replace("\r\x1b[K", "").splitlines() if line.strip()]
        errors = [line for line in lines if "error:" in line]
        if len(errors) != 1 or not lines or lines[-1] != errors[0] or not errors[0].startswith("codebook"):
            raise RuntimeError(f"exit {status} without exactly one closing error line for: codebook {where}: "
                               f"{stderr[-300:]!r}")


def _workspace(tmp: Path) -> dict[str, str]:
    prose = tmp / "prose.txt"
    prose.write_bytes(SAMPLES["prose"])
    (tmp / "empty").write_bytes(b"")
    good = tmp / "good.cbk"
    q = container.byte_distribution(SAMPLES["log"], 0.5)
    good.write_bytes(container.compress(SAMPLES["log"], coders.build("huffman", q)))
    bad = bytearray(good.read_bytes())
    bad[60] ^= 4
    (tmp / "bad.cbk").write_bytes(bytes(bad))
    (tmp / "sub").mkdir()
    return {"prose": str(prose), "empty": str(tmp / "empty"), "missing": str(tmp / "missing"),
            "good": str(good), "bad": str(tmp / "bad.cbk"), "dir": str(tmp / "sub"), "out": str(tmp / "out.bin"),
            "out2": str(tmp / "sub" / "o")}


def _paths(c: Choices, ws: dict, role: str, hostile: bool) -> str:
    base = {"in": ["prose", "empty", "missing", "good", "bad", "dir"], "out": ["out", "out2", "dir", "good", "prose"],
            "train": ["prose", "empty", "missing", "good", "dir"]}[role]
    extra = ["-", "/dev/null"] + (["/dev/zero", "/dev/urandom", "/dev/full"] if hostile else [])
    value = c.pick(base + extra)
    return ws.get(value, value)


VALID = {
    "--n": ["100", "1000", "1e3", "50"],
    "--trials": ["1", "2", "3"],
    "--seed": ["0", "1", "42"],
    "--precision": ["8", "12", "16", "20", "24"],
    "--prior": ["0.5", "1", "2"],
    "--smoothing": ["0", "0.5", "1", "0.001"],
    "--max-size": ["100000", "1000000", "1000"],
    "--workers": ["1", "2"],
    "--units": ["bits", "nats"],
    "--model": ["cm", "order0", "cm", "context:2"],
}
"""Option values that make sense, chosen three times in four so that inputs get past parsing."""


def random_argv(c: Choices, ws: dict, hostile: bool) -> list[str]:
    """A command line for a random command, with options from its own click parameters."""
    import click

    from codebook.cli import cli

    names = sorted(cli.list_commands(None))
    command = c.pick(names + ["", "--help", "--version", "nope"])
    if command not in names:
        return [command] if command else []
    cmd = cli.get_command(None, command)
    numbers = NUMBERS_SAFE + (NUMBERS_HOSTILE if hostile else [])
    heavy = command in ("simulate", "sweep")
    valid_specs = [s for s in SMALL_SPECS[:9]]
    argv = [command]
    for param in cmd.params:
        if isinstance(param, click.Argument):
            if command == "sweep":
                if c.chance(7):
                    argv.append(c.pick(SWEEPS))
            else:
                argv.append(_paths(c, ws, "in" if param.name.startswith("in") else "out", hostile))
            continue
        if not param.opts or not (param.required or c.chance(3)):
            continue
        opt = max(param.opts, key=len)
        good = c.chance(6)
        if getattr(param, "is_flag", False):
            argv.append(opt)
            continue
        choices = getattr(param.type, "choices", None)
        if choices:
            value = c.pick(list(choices) if good else [*choices, "nope", ""])
        elif opt in ("--p", "--q"):
            pool = valid_specs if good else SMALL_SPECS + (SPEC_HOSTILE if hostile else [])
            value = c.pick(pool).format(**ws)
        elif opt in ("--coder", "--coders"):
            value = c.pick(coders.names() if good else CODER_VALUES)
        elif opt == "--model-from":
            value = _paths(c, ws, "train", hostile)
        elif opt == "--out":
            value = c.pick([ws["dir"], ws["out2"], ws["prose"], ws["missing"]])
        elif heavy and opt in ("--n", "--trials", "--workers") and not hostile:
            value = c.pick(VALID[opt] if good else ["1", "2", "5", "50", "0", "-1", "x", "1.5", "nan"])
        elif opt == "--max-size":  # the user's memory budget: never above the default here
            value = c.pick(["0", "100", "100000", "-1", "x", "1e3", "1073741824", "1099511627777"])
        elif good and opt in VALID:
            value = c.pick(VALID[opt])
        else:
            value = c.pick(numbers)
        argv += [opt, value]
    if heavy and not hostile:  # keep the safe profile quick: small n and trials unless chosen above
        if command == "simulate":
            argv += [] if "--n" in argv else ["--n", "200"]
            argv += [] if "--trials" in argv else ["--trials", "2"]
        if command == "sweep" and "--list" not in argv:
            argv.append("--list")  # a catalogue sweep takes seconds: options are parsed, nothing runs
    if c.chance(1):  # an unknown option or a stray argument
        argv.insert(c.int(1, len(argv)), c.pick(["--nope", "-q", "-x", "extra", "--", "-"]))
    return argv


LAST_COMMAND: list = ["", []]
"""The command and argv of the last :func:`target_cli` input (for the campaign's counters)."""
LAST_STATUS: list = [None]
"""The exit status of the last :func:`target_cli` input (the campaign tells a completed long run
from a slow error by it)."""


def target_cli(data: bytes, hostile: bool = False) -> str:
    """A command line through ``run_cli``: exit 0-3 with at most one error line, no traceback;
    a successful compress of a regular file decompresses to that file. Returns the command."""
    c = Choices(data)
    with tempfile.TemporaryDirectory(prefix="cbfuzz") as tmp:
        ws = _workspace(Path(tmp))
        argv = random_argv(c, ws, hostile)
        LAST_COMMAND[:] = [cli_label(argv), argv]
        stdin = c.pick([b"", SAMPLES["prose"][:300], Path(ws["good"]).read_bytes(), c.blob(64)])
        LAST_STATUS[0] = None
        status, stdout, stderr = run_argv(argv, stdin)
        LAST_STATUS[0] = status
        check_cli_outcome(argv, status, stderr)
        if argv[:1] == ["compress"] and status == 0 and len(argv) >= 3 and os.path.isfile(argv[1]):
            source, packed = argv[1], argv[2]
            blob = stdout if packed == "-" else (Path(packed).read_bytes() if os.path.isfile(packed) else None)
            if blob is not None and packed != "/dev/null":
                try:
                    try:
                        back = container.decompress(blob)
                    except TrainingDataError:  # cm primed on --model-from TRAIN: decoded with the same bytes
                        train = argv[argv.index("--model-from") + 1] if "--model-from" in argv else None
                        if train == "-":  # TRAIN was this run's stdin
                            back = container.decompress(blob, train=stdin)
                        elif train is None or not os.path.isfile(train):
                            raise
                        else:
                            back = container.decompress(blob, train=Path(train).read_bytes())
                except ContainerError as exc:
                    raise SilentWrong(f"compress wrote a file that does not decompress: {exc}") from None
                if back != Path(source).read_bytes():
                    raise SilentWrong(f"compress -> decompress changed the data: codebook {' '.join(argv)}")
    return LAST_COMMAND[0]


def describe_cli(data: bytes, hostile: bool = True) -> list[str]:
    """The command line :func:`target_cli` would run for ``data`` (nothing is run; the paths
    point into a workspace that is removed again)."""
    c = Choices(data)
    with tempfile.TemporaryDirectory(prefix="cbfuzz") as tmp:
        return random_argv(c, _workspace(Path(tmp)), hostile)


def cli_label(argv: list[str]) -> str:
    """The command of an argv, for counters: a command name, or 'top-level'."""
    from codebook.cli import cli

    return argv[0] if argv and argv[0] in cli.list_commands(None) else "top-level"


TARGETS = {
    "container": target_container,
    "tables": target_tables,
    "decode": target_decode,
    "cli": target_cli,
    "spec": target_spec,
}
"""Area -> target(data). The campaign calls ``target_cli(data, hostile=True)``."""

__all__ = ["AREAS", "TARGETS", "Choices", "SilentWrong", "check_cli_outcome", "cli_label", "describe_cli", "run_argv"]
