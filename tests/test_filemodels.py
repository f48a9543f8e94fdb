"""The models of ``codebook compress`` (codebook.filemodels): cm files in the container, training
data on both sides, hostile cm files, the report's entropies, and the CLI end to end."""

from __future__ import annotations

import json
import math
import re
import struct
import zlib
from collections import Counter
from fractions import Fraction
from itertools import product
from pathlib import Path

import numpy as np
import pytest

from codebook import container, filemodels
from codebook.cli import cli
from codebook.cli.errors import run_cli
from codebook.contextmix import ContextMixingCoder
from codebook.errors import ContainerError, TrainingDataError

DATA = Path(__file__).parent / "data"
PROSE_PATH, LOG_PATH = DATA / "prose.txt", DATA / "lighthouse.log"
PROSE, LOG = PROSE_PATH.read_bytes(), LOG_PATH.read_bytes()
SMALL = 16  # 64 KiB tables: enough for these tests


def cm(**kw) -> ContextMixingCoder:
    return ContextMixingCoder(memory=SMALL, **kw)


def run(capsys, *args) -> tuple[int, str, str]:
    status = run_cli(cli, [str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def refresh_crcs(blob: bytearray) -> bytes:
    """Valid header and body CRCs after a field was changed on purpose (docs/container.md)."""
    struct.pack_into("<I", blob, 36, zlib.crc32(bytes(blob[:36])))
    struct.pack_into("<I", blob, len(blob) - 4, zlib.crc32(bytes(blob[40:-4])))
    return bytes(blob)


# --------------------------------------------------------------------------- names
def test_model_names_parse_and_unknown_ones_name_the_choices():
    assert filemodels.parse_model("cm") == filemodels.FileModel("cm")
    assert filemodels.parse_model(" Order0 ").name == "order0"
    assert filemodels.DEFAULT_MODEL == "cm"
    assert filemodels.parse_model("cm:fast") == filemodels.FileModel("cm", profile="fast")
    assert filemodels.parse_model("CM:max").name == "cm:max" and filemodels.parse_model("cm:auto").name == "cm"
    with pytest.raises(filemodels.ModelNameError, match=r"unknown model 'ppm'; available: cm, cm:max, cm:fast, order0"):
        filemodels.parse_model("ppm")


# --------------------------------------------------------------------------- container
@pytest.mark.parametrize("data", [b"", b"x", PROSE[:3000], bytes(range(256)) * 3], ids=["empty", "one", "prose", "bytes"])
def test_cm_files_round_trip_with_a_compact_model_section(data):
    code = cm()
    blob = container.compress(data, code)
    header, back = container.decode(blob)
    assert back == data and header.coder == "cm" and header.model_kind == "cm"
    # fixed 40 + "cm" + kind, version, profile, memory, blocks, flags + CRC: 52 bytes around the payload
    assert header.header_bytes == 40 + 2 + 6 + 4
    assert blob[42:48] == bytes([filemodels.CM_KIND_ID, 2, 0, SMALL, 0, 2])  # auto, primer
    assert header.payload_bits == len(code.encode(data))


def test_a_primed_file_needs_the_same_training_bytes_and_nothing_else_takes_them():
    train = LOG[:5000]
    blob = container.compress(PROSE[:2000], cm(prime=train))
    assert container.decompress(blob, train=train) == PROSE[:2000]
    assert container.read_header(blob, train=train).model["prime"] == {"size": 5000, "crc32": zlib.crc32(train)}
    with pytest.raises(TrainingDataError, match=r"primed on a training file of 5000 bytes \(CRC32 [0-9a-f]{8}\); "
                                                r"give the same file as TRAIN"):
        container.decompress(blob)
    with pytest.raises(TrainingDataError, match=r"TRAIN \(4999 bytes, CRC32 [0-9a-f]{8}\) is not the training file"):
        container.decompress(blob, train=train[:-1])
    plain = container.compress(PROSE[:2000], cm())
    with pytest.raises(TrainingDataError, match="without a training file"):
        container.decompress(plain, train=train)
    huffman = container.compress(PROSE[:2000], __import__("codebook").coders.build(
        "huffman", container.byte_distribution(PROSE[:2000])))
    with pytest.raises(TrainingDataError, match="coder 'huffman'.* without a training file"):
        container.decompress(huffman, train=train)


def test_every_single_byte_change_of_a_cm_file_is_refused():
    blob = container.compress(b"abracadabra, abracadabra", cm())
    for i in range(len(blob)):
        for mask in (0x01, 0x80):
            bad = bytearray(blob)
            bad[i] ^= mask
            with pytest.raises(ContainerError):
                container.decompress(bytes(bad))


def test_a_cm_file_cannot_make_its_reader_allocate_large_tables_or_n_bytes():
    blob = bytearray(container.compress(PROSE[:500], cm()))
    big = bytearray(blob)
    big[45] = filemodels.MAX_FILE_MEMORY + 1  # the memory byte of the model section
    with pytest.raises(ContainerError, match="cm memory 25 is above the file limit 24"):
        container.decompress(refresh_crcs(big))
    with pytest.raises(ContainerError, match="cm memory 26 is above the file limit 24"):
        container.compress(b"abc", ContextMixingCoder(memory=26))
    # n = 2**30 in a payload of a few hundred bytes: every decision costs >= 3.5e-4 bits
    struct.pack_into("<Q", blob, 16, 2**30)
    with pytest.raises(ContainerError, match=r"n = 1073741824 symbols but the payload has only \d+ bits; coder 'cm' "
                                             r"needs at least 3\d{6} bits"):
        container.decompress(refresh_crcs(blob))


@pytest.mark.parametrize("section, message", [
    (bytes([6, 2, 0, 16, 0, 4]), "the flags byte is 4"),
    (bytes([6, 2, 0, 16, 0]), "it ends before the flags"),
    (bytes([6, 2, 3, 16, 0, 2]), "the profile byte is 3"),
    (bytes([6, 2, 0, 16, 0, 3, 5, 1, 2]), "it ends inside the training CRC32"),
    (bytes([6, 2, 0, 16, 0, 2, 0]), "1 unexpected bytes"),
    (bytes([6, 9, 0, 16, 0, 2]), "cm model version 9 is not supported"),
    (bytes([6, 2, 0, 12, 0, 2]), "'memory' must be in 16..28"),
    (bytes([6, 2, 0, 16, 65, 2]), "'blocks' must be an integer in 1..64"),
])
def test_malformed_cm_model_sections_are_refused_with_the_field_named(section, message):
    blob = bytearray(container.compress(b"hello", cm()))
    blob[42:48] = section
    struct.pack_into("<I", blob, 12, len(section))
    with pytest.raises(ContainerError, match=message):
        container.decompress(refresh_crcs(blob))


# --------------------------------------------------------------------------- entropies
def plug_in(data: bytes, k: int) -> float:
    """H(X_t | k previous bytes) counted with a Counter over the positions t >= k (independent of the kernel)."""
    grams = Counter(data[t - k : t + 1] for t in range(k, len(data)))
    ctx = Counter(data[t - k : t] for t in range(k, len(data)))
    n = len(data) - k
    if n <= 0:
        return math.nan
    return sum(c / n * math.log2(ctx[g[:k]] / c) for g, c in grams.items())


def test_conditional_entropies_against_a_hand_count_and_a_counter():
    text = b"abab" * 3 + b"abc"  # 15 bytes
    h = filemodels.conditional_entropies(text, 2)
    # order 1: after 'a' always 'b' (7 times); after 'b': 'a' 6 times, 'c' once
    assert h[1] == pytest.approx(7 / 14 * -(6 / 7 * math.log2(6 / 7) + 1 / 7 * math.log2(1 / 7)), abs=1e-12)
    # order 2 (13 triples): 'ab' -> a 6 times, c once; 'ba' -> b 6 times
    assert h[2] == pytest.approx(7 / 13 * -(6 / 7 * math.log2(6 / 7) + 1 / 7 * math.log2(1 / 7)), abs=1e-12)
    rng = np.random.default_rng(1)
    for data in (PROSE[:5000], rng.integers(0, 4, 3000, dtype=np.uint8).tobytes(), bytes(5000), b"ab"):
        assert filemodels.conditional_entropies(data, 3) == pytest.approx([plug_in(data, k) for k in range(4)],
                                                                          abs=1e-10, nan_ok=True)
    assert all(math.isnan(v) for v in filemodels.conditional_entropies(b"", 1))
    assert math.isnan(filemodels.conditional_entropies(b"abc", 3)[3])


def test_the_hash_table_grows_past_its_first_size():
    data = np.random.default_rng(2).integers(0, 256, 20000, dtype=np.uint8).tobytes()  # ~20000 distinct 4-grams
    assert filemodels.conditional_entropies(data, 3)[3] == pytest.approx(plug_in(data, 3), abs=1e-10)


# --------------------------------------------------------------------------- command line
def test_compress_uses_cm_by_default_and_reports_log_loss_and_entropies(capsys, tmp_path):
    packed, back = tmp_path / "p.cbk", tmp_path / "p.txt"
    status, out, _ = run(capsys, "compress", PROSE_PATH, packed, "--format", "json")
    r = json.loads(out)
    assert status == 0 and r["model"] == "cm" and r["coder"] == "cm" and r["model_kind"] == "cm"
    assert r["payload_bits"] == container.read_header(packed.read_bytes()).payload_bits
    lo, hi = r["excess_bounds_bits"]
    assert lo <= r["payload_bits"] - r["log_loss_bits"] <= hi
    assert r["H0_bits_per_byte"] == pytest.approx(plug_in(PROSE, 0), abs=1e-9)
    assert r["H3_bits_per_byte"] == pytest.approx(plug_in(PROSE, 3), abs=1e-9)
    assert r["file_bytes"] == packed.stat().st_size < 0.35 * len(PROSE)
    assert run(capsys, "decompress", packed, back)[0] == 0 and back.read_bytes() == PROSE
    status, out, _ = run(capsys, "compress", PROSE_PATH, tmp_path / "q.cbk")
    assert "model cm" in out and "log-loss of the model" in out and "H(X | 3 previous bytes)" in out


def test_cm_with_a_training_file_on_both_sides(capsys, tmp_path):
    packed, back = tmp_path / "l.cbk", tmp_path / "l.txt"
    assert run(capsys, "compress", LOG_PATH, packed, "--model-from", PROSE_PATH)[0] == 0
    status, _, err = run(capsys, "decompress", packed, back)
    assert status == 1 and "primed on a training file of 19999 bytes" in err and not back.exists()
    status, _, err = run(capsys, "decompress", packed, back, "--model-from", LOG_PATH)
    assert status == 1 and "is not the training file" in err and not back.exists()
    assert run(capsys, "decompress", packed, back, "--model-from", PROSE_PATH)[0] == 0
    assert back.read_bytes() == LOG


def test_model_options_that_do_not_fit_are_usage_errors(capsys, tmp_path):
    out = tmp_path / "x"
    status, _, err = run(capsys, "compress", PROSE_PATH, out, "--model", "cm", "--coder", "rans")
    assert status == 2 and "--coder belongs to --model order0" in err
    status, _, err = run(capsys, "compress", PROSE_PATH, out, "--model", "cm", "--smoothing", "1", "--prior", "1")
    assert status == 2 and "--smoothing, --prior belong to" in err
    status, _, err = run(capsys, "compress", PROSE_PATH, out, "--model", "ppm")
    assert status == 2 and "unknown model 'ppm'" in err
    assert not out.exists()
    # an order-0 option without --model chooses order0, as in the first release
    status, stdout, _ = run(capsys, "compress", PROSE_PATH, out, "--coder", "huffman", "--format", "json")
    assert status == 0 and json.loads(stdout)["model"] == "order0" and json.loads(stdout)["coder"] == "huffman"
    assert "H3_bits_per_byte" in json.loads(stdout)


# --------------------------------------------------------------------------- context:K and its bound
def kt_probability(seq, k: int, alpha: Fraction) -> tuple[Fraction, list[int]]:
    """The sequential Dirichlet(alpha) probability of ``seq`` (one context) in exact rationals, and its counts."""
    counts, p = [0] * k, Fraction(1)
    for t, s in enumerate(seq):
        p *= (counts[s] + alpha) / (t + k * alpha)
        counts[s] += 1
    return p, counts


def ml_probability(counts: list[int]) -> Fraction:
    n, p = sum(counts), Fraction(1)
    for c in counts:
        if c:
            p *= Fraction(c, n) ** c
    return p


@pytest.mark.parametrize("alpha", [Fraction(1, 2), Fraction(1), Fraction(3, 2)])
def test_kt_regret_bound_is_exact_on_every_short_sequence(alpha):
    # theory §r: P_ML(x) / P_alpha(x) <= prod_{i<m} (K alpha + i) / (alpha + i) = 2**R(m) for every
    # sequence of m symbols, with equality at a constant sequence; all in exact rationals (K = 3).
    k = 3
    for m in range(1, 7):
        bound = Fraction(1)
        for i in range(m):
            bound *= (k * alpha + i) / (alpha + i)
        worst = max(ml_probability(c) / p for p, c in (kt_probability(s, k, alpha) for s in product(range(k), repeat=m)))
        const_p, const_c = kt_probability((1,) * m, k, alpha)
        assert worst == bound == ml_probability(const_c) / const_p
        assert filemodels.kt_regret(m, k, float(alpha)) == pytest.approx(math.log2(bound), rel=1e-12)


def test_below_one_half_a_constant_sequence_is_not_the_worst():
    # Why the bound needs alpha >= 1/2: at alpha = 1/4, "2 1 0" has regret ratio 77/9 > 77/15 (constant).
    alpha, k = Fraction(1, 4), 3
    p, c = kt_probability((2, 1, 0), k, alpha)
    q, d = kt_probability((0, 0, 0), k, alpha)
    assert ml_probability(c) / p == Fraction(77, 9) > ml_probability(d) / q == Fraction(77, 15)
    with pytest.raises(ValueError, match="prior of at least 1/2"):
        filemodels.context_bound(b"abc", 1, prior=0.25)


def test_the_context_bound_holds_for_the_models_log_loss_and_is_attained():
    from codebook.models import Context

    rng = np.random.default_rng(4)
    for trial in range(12):
        k, alphabet = trial % 4, int(rng.choice([2, 5, 40, 256]))
        data = rng.integers(0, alphabet, int(rng.integers(1, 3000)), dtype=np.uint8).tobytes()
        train = None if trial % 3 else rng.integers(0, alphabet, 500, dtype=np.uint8).tobytes()
        prior = [0.5, 1.0, 2.0][trial % 3]
        loss = Context(k, 256, prior, train=train).log_loss(np.frombuffer(data, np.uint8))
        b = filemodels.context_bound(data, k, prior, train)
        assert loss <= b["bound_bits"] + 1e-6, (trial, loss, b)
    for text in (PROSE[:4000], LOG[:4000]):
        assert Context(2, 256).log_loss(np.frombuffer(text, np.uint8)) <= filemodels.context_bound(text, 2)["bound_bits"]
    # a constant message in one context is the worst case: the bound is its exact cost
    zeros = np.zeros(1000, np.uint8)
    b = filemodels.context_bound(zeros, 0)
    assert b["empirical_bits"] == 0 and b["bound_bits"] == pytest.approx(Context(0, 256).log_loss(zeros), rel=1e-12)


def test_context_files_round_trip_with_their_bound_reported(capsys, tmp_path):
    packed, back = tmp_path / "c.cbk", tmp_path / "c.txt"
    status, out, _ = run(capsys, "compress", PROSE_PATH, packed, "--model", "context:2", "--format", "json")
    r = json.loads(out)
    assert status == 0 and r["model"] == "context:2" and r["coder"] == "arithmetic" and r["model_kind"] == "context"
    assert r["log_loss_bits"] <= r["bound"]["bound_bits"] and r["payload_bits"] <= r["bound"]["payload_bound_bits"]
    assert r["quantized_log_loss_bits"] - r["log_loss_bits"] <= r["quantization_bound_bits"]
    assert run(capsys, "decompress", packed, back)[0] == 0 and back.read_bytes() == PROSE
    status, out, _ = run(capsys, "compress", LOG_PATH, tmp_path / "l.cbk", "--model", "context:1", "--coder", "rans",
                         "--prior", "1", "--model-from", PROSE_PATH)
    assert status == 0 and "guaranteed bound" in out and "log-loss of TRAIN" in out
    status, _, err = run(capsys, "decompress", tmp_path / "l.cbk", back, "--force")
    assert status == 1 and "primed on a training file of 19999 bytes" in err
    assert run(capsys, "decompress", tmp_path / "l.cbk", back, "--force", "--model-from", PROSE_PATH)[0] == 0
    assert back.read_bytes() == LOG
    for argv, message in [(["--smoothing", "1"], "--smoothing belongs to --model order0"),
                          (["--coder", "huffman"], "codes with arithmetic or rans"),
                          (["--prior", "0.1"], "multiple of 2\\*\\*-16")]:
        status, _, err = run(capsys, "compress", PROSE_PATH, tmp_path / "x", "--model", "context:1", *argv)
        assert status == 2 and re.search(message, err), err


def test_a_context_file_is_checked_like_any_other():
    code = filemodels.ContextFileCoder("arithmetic", order=1)
    blob = container.compress(b"abracadabra, abracadabra", code)
    for i in range(0, len(blob), 3):
        bad = bytearray(blob)
        bad[i] ^= 0x10
        with pytest.raises(ContainerError):
            container.decompress(bytes(bad))
    section = bytearray(blob)
    # after the 40 fixed bytes and "arithmetic": kind 7, version 1, order 1, prior 2**15 / 2**16, precision 24, flags
    assert section[50:58] == bytes([filemodels.CONTEXT_KIND_ID, 1, 1, 0x80, 0x80, 0x02, 24, 0])
    for offset, value, message in [(52, 9, "order must be an integer in 0..6"), (56, 30, "precision"),
                                   (57, 2, "the flags byte is 2")]:
        bad = bytearray(blob)
        bad[offset] = value
        with pytest.raises(ContainerError, match=message):
            container.decompress(refresh_crcs(bad))
    # n far beyond what the payload can hold: each byte costs at least -log2(1 - 255/2**24) bits
    bad = bytearray(blob)
    struct.pack_into("<Q", bad, 16, 2**30)
    with pytest.raises(ContainerError, match="needs at least"):
        container.decompress(refresh_crcs(bad))


def test_the_adaptive_coder_of_order0_has_the_same_bound(capsys, tmp_path):
    from codebook import coders

    rng = np.random.default_rng(7)
    for prior in (0.5, 1.0, 2.5):
        for start in (None, rng.integers(0, 9, 256)):
            counts = np.bincount(rng.integers(0, 256, 3000) % int(rng.integers(1, 256)), minlength=256)
            code = coders.build("adaptive", alphabet_size=256, prior=prior, counts=start)
            assert code.ideal_length_from_counts(counts) <= filemodels.adaptive_bound(counts, prior, start)["bound_bits"]
    one = np.zeros(256, dtype=np.int64)
    one[65] = 500  # a constant message: the bound is its exact cost
    assert filemodels.adaptive_bound(one, 0.5)["bound_bits"] == pytest.approx(
        coders.build("adaptive", alphabet_size=256).ideal_length_from_counts(one), rel=1e-12)
    status, out, _ = run(capsys, "compress", PROSE_PATH, tmp_path / "a", "--coder", "adaptive", "--format", "json")
    r = json.loads(out)
    assert status == 0 and r["coder_model_bits_per_byte"] * r["n_bytes"] <= r["bound"]["bound_bits"]


def console_block(path: Path, command: str) -> str:
    """The output shown under ``$ command`` in a console block of ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"$ {command}") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith(("$ ", "```")))
    return "\n".join(lines[start:end]) + "\n"


@pytest.mark.parametrize("doc", ["README.md", "docs/compress.md"])
def test_the_docs_show_what_compress_and_decompress_print(doc, capsys, tmp_path, monkeypatch):
    path = Path(__file__).resolve().parents[1] / doc
    (tmp_path / "prose.txt").write_bytes(PROSE)
    monkeypatch.chdir(tmp_path)
    for command in ("codebook compress prose.txt prose.cbk", "codebook decompress prose.cbk back.txt"):
        if f"$ {command}" not in path.read_text(encoding="utf-8"):
            continue
        status, out, _ = run(capsys, *command.split()[1:])
        assert status == 0 and out == console_block(path, command)


def test_a_high_order_context_file_cannot_make_its_reader_allocate_gigabytes():
    # From order 3 the counts grow with n (about 1.1 KB per context, up to one per byte): a file
    # claiming 3 million bytes (its payload could hold them: 2.2e-5 bits each) is refused.
    blob = bytearray(container.compress(b"abracadabra, abracadabra", filemodels.ContextFileCoder(order=3)))
    struct.pack_into("<Q", blob, 16, 3_000_000)
    with pytest.raises(ContainerError, match=r"context:3 on 3000000 bytes may need 3\.\d GB of counts"):
        container.decompress(refresh_crcs(blob))
    assert filemodels.ContextFileCoder(order=2).state_bytes(10**9) < 80e6  # orders <= 2: a fixed table
    with pytest.raises(ContainerError, match="the limit is 2 GiB"):
        container.compress(bytes(2_000_000), filemodels.ContextFileCoder(order=4))
