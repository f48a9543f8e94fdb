"""``codebook compress`` / ``decompress`` end to end: reports, safety, errors, stdin/stdout.

Runs the real CLI entry (``run_cli``: the same one-line error handling users get) in-process,
and through ``python -m codebook`` with real pipes for ``-``.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from codebook import coders, container
from codebook.cli import cli
from codebook.cli.compress import DEFAULT_CODER_PREFERENCE, default_coder
from codebook.cli.errors import run_cli

compress_cli = importlib.import_module("codebook.cli.compress")  # the module (the package exports the command)
files = importlib.import_module("codebook.cli.files")

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
PROSE, LOG, SOURCE = DATA / "prose.txt", DATA / "lighthouse.log", DATA / "measures.py.txt"


def run(capsys, *args) -> tuple[int, str, str]:
    status = run_cli(cli, [str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def listing(path: Path) -> list[str]:
    return sorted(os.listdir(path))


# --------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("name", coders.names())
@pytest.mark.parametrize("source", [PROSE, LOG, SOURCE])
def test_round_trip_every_coder(capsys, tmp_path, name, source):
    packed, back = tmp_path / "x.cbk", tmp_path / "x.out"
    assert run(capsys, "compress", source, packed, "--coder", name)[0] == 0
    status, out, err = run(capsys, "decompress", packed, back)
    assert (status, err) == (0, "")
    assert back.read_bytes() == source.read_bytes()
    assert "CRC32" in out and f"coder {name}" in out


def test_round_trip_with_model_from_another_file(capsys, tmp_path):
    packed, back = tmp_path / "p.cbk", tmp_path / "p.txt"
    assert run(capsys, "compress", PROSE, packed, "--model-from", LOG, "--coder", "huffman")[0] == 0
    assert run(capsys, "decompress", packed, back)[0] == 0
    assert back.read_bytes() == PROSE.read_bytes()


def test_empty_file_round_trip(capsys, tmp_path):
    empty, packed, back = tmp_path / "empty", tmp_path / "e.cbk", tmp_path / "e.out"
    empty.write_bytes(b"")
    status, out, _ = run(capsys, "compress", empty, packed, "--coder", "huffman")
    assert status == 0 and "H(p_IN)" in out and "n/a" in out
    assert run(capsys, "decompress", packed, back)[0] == 0
    assert back.read_bytes() == b""


# --------------------------------------------------------------------------- the report
def test_reported_cross_entropy_is_exactly_what_measure_prints(capsys, tmp_path):
    status, out, _ = run(capsys, "compress", PROSE, tmp_path / "p.cbk", "--model-from", LOG,
                         "--coder", "huffman", "--format", "json")
    assert status == 0
    report = json.loads(out)
    status, out, _ = run(capsys, "measure", "--p", f"file:{PROSE}", "--q", f"file+0.5:{LOG}", "--format", "json")
    assert status == 0
    measured = json.loads(out)
    assert report["smoothing"] == 0.5
    assert (report["H_p"], report["H_pq"], report["D_pq"]) == (measured["H_p"], measured["H_pq"], measured["D_pq"])
    assert report["measure_command"] == f"codebook measure --p file:{PROSE} --q file+0.5:{LOG}"


def test_reported_cross_entropy_matches_an_independent_sum(capsys, tmp_path):
    # H(p_IN, q_TRAIN) = -Σ_x p(x) log2 q(x), with p the byte frequencies of IN and
    # q(x) = (c_TRAIN(x) + A) / (N_TRAIN + 256 A), summed here in plain Python.
    a = 0.25
    status, out, _ = run(capsys, "compress", SOURCE, tmp_path / "s.cbk", "--model-from", PROSE,
                         "--smoothing", a, "--coder", "shannon", "--format", "json")
    report = json.loads(out)
    data, train = SOURCE.read_bytes(), PROSE.read_bytes()
    c_in = [data.count(bytes([x])) for x in range(256)]
    c_tr = [train.count(bytes([x])) for x in range(256)]
    q = [(c + a) / (len(train) + 256 * a) for c in c_tr]
    h_pq = -math.fsum(c / len(data) * math.log2(q[x]) for x, c in enumerate(c_in) if c)
    h_p = -math.fsum(c / len(data) * math.log2(c / len(data)) for c in c_in if c)
    assert report["H_pq"] == pytest.approx(h_pq, rel=1e-12)
    assert report["H_p"] == pytest.approx(h_p, rel=1e-12)
    assert report["D_pq"] == pytest.approx(h_pq - h_p, rel=1e-9)
    assert report["smoothing"] == a and report["model_from"] == str(PROSE)


def test_report_separates_payload_and_header(capsys, tmp_path):
    packed = tmp_path / "l.cbk"
    status, out, _ = run(capsys, "compress", LOG, packed, "--coder", "huffman", "--format", "json")
    r = json.loads(out)
    assert r["file_bytes"] == packed.stat().st_size
    assert r["file_bytes"] == r["header_bytes"] + (r["payload_bits"] + 7) // 8
    assert r["payload_bits_per_byte"] == r["payload_bits"] / r["n_bytes"]
    # A prefix payload is exactly n * E_p[l] (lengths summed over the data), and Huffman for
    # p itself is within one bit of H(p) (C&T Thm 5.4.1 with optimality, Thm 5.8.1).
    assert r["payload_bits_per_byte"] == pytest.approx(r["coder_model_bits_per_byte"], rel=1e-12)
    assert r["H_p"] <= r["payload_bits_per_byte"] < r["H_p"] + 1
    assert r["model_from_in"] and r["smoothing"] == 0.0 and r["D_pq"] == 0.0


def test_table_report_names_the_model_and_its_smoothing(capsys, tmp_path):
    status, out, _ = run(capsys, "compress", PROSE, tmp_path / "a", "--model-from", LOG, "--coder", "huffman")
    assert status == 0
    assert "add-0.5 smoothing (Krichevsky-Trofimov)" in out
    for label in ("H(p_IN)", "H(p_IN,q_TRAIN)", "D(p_IN||q_TRAIN)", "payload", "header + model", "bits/byte"):
        assert label in out
    status, out, _ = run(capsys, "compress", PROSE, tmp_path / "b", "--coder", "huffman")
    assert "byte distribution of IN itself, no smoothing needed" in out


def test_default_coder_prefers_rans_then_arithmetic_then_huffman():
    registered = coders.names()
    expected = next(name for name in DEFAULT_CODER_PREFERENCE if name in registered)
    assert default_coder() == expected
    assert DEFAULT_CODER_PREFERENCE[0] == "rans"


# --------------------------------------------------------------------------- errors
def test_unseen_byte_without_smoothing_names_the_byte_and_its_offset(capsys, tmp_path):
    data, train = PROSE.read_bytes(), set(LOG.read_bytes())
    offset = next(i for i, b in enumerate(data) if b not in train)  # independent search
    byte = data[offset]
    status, out, err = run(capsys, "compress", PROSE, tmp_path / "x", "--model-from", LOG, "--smoothing", 0,
                           "--coder", "huffman")
    assert status == 1 and out == ""
    assert err == (
        f"codebook: error: byte {byte} (0x{byte:02x}) at offset {offset} of the input has probability 0 "
        f"under the model, so no code can represent it; smooth the model (add-A, A > 0)\n"
    )
    assert listing(tmp_path) == []


def test_existing_output_is_refused_without_force(capsys, tmp_path):
    packed, back = tmp_path / "x.cbk", tmp_path / "x.txt"
    back.write_bytes(b"precious")
    assert run(capsys, "compress", PROSE, packed, "--coder", "huffman")[0] == 0
    status, _, err = run(capsys, "decompress", packed, back)
    assert status == 1 and "already exists; use --force" in err
    assert back.read_bytes() == b"precious"
    status, _, err = run(capsys, "compress", PROSE, packed, "--coder", "huffman")
    assert status == 1 and f"OUT '{packed}' already exists" in err
    assert run(capsys, "decompress", packed, back, "--force")[0] == 0
    assert back.read_bytes() == PROSE.read_bytes()
    assert listing(tmp_path) == ["x.cbk", "x.txt"]


def test_in_and_out_the_same_file_is_refused_even_with_force(capsys, tmp_path):
    packed = tmp_path / "x.cbk"
    assert run(capsys, "compress", PROSE, packed, "--coder", "huffman")[0] == 0
    status, _, err = run(capsys, "decompress", packed, packed, "--force")
    assert status == 1 and "IN and OUT are the same file" in err


@pytest.mark.parametrize(
    "content, message",
    [
        (b"just some text, not compressed", "not a codebook compressed file"),
        (b"", "empty file: not a codebook compressed file"),
    ],
)
def test_foreign_file_gives_one_line_and_no_output(capsys, tmp_path, content, message):
    bad = tmp_path / "bad.cbk"
    bad.write_bytes(content)
    status, out, err = run(capsys, "decompress", bad, tmp_path / "out")
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"codebook: error: {bad}: {message}")
    assert listing(tmp_path) == ["bad.cbk"]


def test_corrupted_and_truncated_files_leave_nothing_behind(capsys, tmp_path):
    packed = tmp_path / "x.cbk"
    assert run(capsys, "compress", LOG, packed, "--coder", "huffman")[0] == 0
    blob = packed.read_bytes()
    for i, bad in enumerate([blob[:-1], blob[: len(blob) // 2], blob[:30]]):
        packed.write_bytes(bad)
        status, _, err = run(capsys, "decompress", packed, tmp_path / "out")
        assert status == 1 and "truncated" in err and err.count("\n") == 1
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 0x10
    packed.write_bytes(bytes(flipped))
    status, _, err = run(capsys, "decompress", packed, tmp_path / "out")
    assert status == 1 and "checksum mismatch" in err
    assert listing(tmp_path) == ["x.cbk"]


def test_a_failure_while_writing_names_out_and_leaves_nothing(capsys, tmp_path, monkeypatch):
    # An error after the data was written (here: in the final link or rename) names OUT, not a
    # temporary file, and leaves nothing behind.
    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "link", broken)
    monkeypatch.setattr(os, "replace", broken)
    monkeypatch.setattr(files, "_link_anonymous", broken)
    out = tmp_path / "x.cbk"
    status, _, err = run(capsys, "compress", PROSE, out, "--coder", "huffman")
    assert status == 1
    assert err == f"codebook: error: cannot write OUT '{out}': No space left on device (OUT left as it was)\n"
    assert listing(tmp_path) == []


def test_missing_input_and_bad_options(capsys, tmp_path):
    status, _, err = run(capsys, "compress", tmp_path / "nope", tmp_path / "x")
    assert status == 1 and "No such file or directory" in err
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "x", "--coder", "nope")
    assert status == 2 and "unknown coder 'nope'" in err
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "x", "--coder", "huffman", "--precision", "12")
    assert status == 2 and "--precision applies to arithmetic, rans, none of which is chosen (huffman)" in err
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "no" / "x")
    assert status == 1 and f"the directory '{tmp_path / 'no'}' does not exist" in err
    status, _, err = run(capsys, "compress", PROSE, tmp_path, "--coder", "huffman")
    assert status == 1 and "is a directory" in err
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "x", "--smoothing", "-1")
    assert status == 2 and "--smoothing" in err
    assert listing(tmp_path) == []


def test_max_size_is_enforced_on_both_sides(capsys, tmp_path):
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "x", "--max-size", 100)
    assert status == 1 and f"IN '{PROSE}' is {PROSE.stat().st_size} bytes, above --max-size 100" in err
    assert run(capsys, "compress", PROSE, tmp_path / "x", "--coder", "huffman")[0] == 0
    status, _, err = run(capsys, "decompress", tmp_path / "x", tmp_path / "y", "--max-size", 100)
    assert status == 1 and "above the limit of 100 bytes" in err
    assert listing(tmp_path) == ["x"]


def test_empty_train_needs_smoothing(capsys, tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "x", "--model-from", empty, "--smoothing", 0)
    assert status == 1 and "is empty; a model needs --smoothing A > 0" in err
    status, out, _ = run(capsys, "compress", PROSE, tmp_path / "x", "--model-from", empty, "--coder", "huffman",
                         "--format", "json")
    assert status == 0 and json.loads(out)["payload_bits_per_byte"] == 8.0  # uniform: 8 bits per byte


# --------------------------------------------------------------------------- stdin / stdout
def cli_process(*args, stdin: bytes) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "codebook", *map(str, args)], input=stdin,
                          capture_output=True, env=env, cwd=ROOT, timeout=120)


def test_dash_reads_stdin_and_writes_stdout():
    data = SOURCE.read_bytes()
    packed = cli_process("compress", "-", "-", "--coder", "huffman", stdin=data)
    assert packed.returncode == 0, packed.stderr
    assert packed.stdout.startswith(b"\x89CBK\r\n\x1a\n")
    assert b"H(p_IN)" in packed.stderr  # the report goes to stderr when stdout carries data
    back = cli_process("decompress", "-", "-", stdin=packed.stdout)
    assert back.returncode == 0, back.stderr
    assert back.stdout == data


def test_dash_output_stays_empty_on_a_corrupted_stream():
    packed = cli_process("compress", "-", "-", "--coder", "huffman", stdin=b"hello hello hello").stdout
    damaged = packed[:-1] + bytes([packed[-1] ^ 1])
    back = cli_process("decompress", "-", "-", stdin=damaged)
    assert back.returncode == 1 and back.stdout == b""
    assert back.stderr == b"codebook: error: stdin: checksum mismatch: the file is corrupted (bytes 40..%d)\n" % (
        len(packed) - 5
    )


def test_byte_counts_of_an_input_above_4_mib():
    data = np.tile(np.arange(256, dtype=np.uint8), (1 << 22) // 256 + 3).tobytes()
    assert len(data) > 1 << 22
    assert container.byte_counts(data).tolist() == [len(data) // 256] * 256


def test_train_can_come_from_stdin(capsys, tmp_path):
    out = cli_process("compress", PROSE, tmp_path / "p.cbk", "--model-from", "-", "--coder", "huffman",
                      "--format", "json", stdin=LOG.read_bytes())
    assert out.returncode == 0, out.stderr
    status, expected, _ = run(capsys, "compress", PROSE, tmp_path / "q.cbk", "--model-from", LOG,
                              "--coder", "huffman", "--format", "json")
    assert json.loads(out.stdout)["H_pq"] == json.loads(expected)["H_pq"]
    assert (tmp_path / "p.cbk").read_bytes() == (tmp_path / "q.cbk").read_bytes()


def test_force_onto_a_device_writes_into_it_instead_of_replacing_it(capsys, tmp_path):
    packed = tmp_path / "x.cbk"
    assert run(capsys, "compress", PROSE, packed, "--coder", "huffman")[0] == 0
    status, _, err = run(capsys, "decompress", packed, os.devnull)
    assert status == 1 and "already exists; use --force" in err
    assert run(capsys, "decompress", packed, os.devnull, "--force")[0] == 0
    assert Path(os.devnull).is_char_device()
    assert listing(tmp_path) == ["x.cbk"]


@pytest.mark.parametrize("name", coders.names("stream"))
def test_stream_report_matches_the_stored_frequencies(capsys, tmp_path, name):
    # H(p_IN, q_hat) from the frequencies stored in the file, summed here in plain Python:
    # -Σ_x p(x) log2(f_x / 2**b); the payload must lie within the coder's documented excess
    # of n times it (theory §f). Runs for every registered stream coder (none before the
    # `stream` branch lands: then this is reported as skipped).
    packed = tmp_path / "s.cbk"
    status, out, _ = run(capsys, "compress", PROSE, packed, "--model-from", LOG, "--coder", name, "--format", "json")
    assert status == 0
    report = json.loads(out)
    header = container.read_header(packed.read_bytes())
    freqs, b = header.model["frequencies"], header.model["precision"]
    data = PROSE.read_bytes()
    counts = [data.count(bytes([x])) for x in range(256)]
    ideal = math.fsum(c * (b - math.log2(freqs[x])) for x, c in enumerate(counts) if c)
    assert report["coder_model_bits_per_byte"] == pytest.approx(ideal / len(data), rel=1e-12)
    low, high = header.code.excess_bounds(len(data))
    assert ideal + low <= report["payload_bits"] <= ideal + high


# --------------------------------------------------------------------------- report: sizes, formats (issue 10)
def test_report_gives_in_and_out_sizes_and_their_ratio(capsys, tmp_path):
    packed = tmp_path / "p.cbk"
    status, out, _ = run(capsys, "compress", PROSE, packed, "--coder", "huffman")
    size_in, size_out = PROSE.stat().st_size, packed.stat().st_size
    first = out.splitlines()[0]
    assert status == 0 and first == (
        f"{PROSE} ({size_in} bytes) -> {packed} ({size_out} bytes), {100 * size_out / size_in:.1f} % of IN, "
        f"coder huffman (prefix)"
    )
    status, out, _ = run(capsys, "compress", PROSE, packed, "--coder", "huffman", "--format", "json", "--force")
    r = json.loads(out)
    assert (r["in_bytes"], r["out_bytes"]) == (size_in, size_out) and r["ratio"] == size_out / size_in


def test_csv_report_is_one_record_of_the_json_fields(capsys, tmp_path):
    import csv
    import io

    status, out, _ = run(capsys, "compress", LOG, tmp_path / "a", "--coder", "rans", "--format", "json")
    as_json = json.loads(out)
    status, out, _ = run(capsys, "compress", LOG, tmp_path / "b", "--coder", "rans", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert status == 0 and len(rows) == 2 and rows[0] == list(as_json)
    record = dict(zip(*rows))
    assert int(record["out_bytes"]) == as_json["out_bytes"] and float(record["H_p"]) == as_json["H_p"]
    assert record["out"] == str(tmp_path / "b")


def test_decompress_report_formats(capsys, tmp_path):
    import csv
    import io

    packed = tmp_path / "x.cbk"
    assert run(capsys, "compress", LOG, packed, "--coder", "arithmetic")[0] == 0
    status, out, err = run(capsys, "decompress", packed, tmp_path / "t", "--format", "table")
    assert (status, err) == (0, "")
    assert out == (f"{packed} ({packed.stat().st_size} bytes) -> {tmp_path / 't'} ({LOG.stat().st_size} bytes), "
                   f"coder arithmetic, CRC32 {zlib_crc(LOG.read_bytes())} ok\n")
    status, out, _ = run(capsys, "decompress", packed, tmp_path / "j", "--format", "json")
    r = json.loads(out)
    assert r["out_bytes"] == LOG.stat().st_size and r["format_version"] == 2 and r["crc32_ok"] is True
    status, out, _ = run(capsys, "decompress", packed, tmp_path / "c", "--format", "csv")
    assert dict(zip(*csv.reader(io.StringIO(out))))["crc32"] == zlib_crc(LOG.read_bytes())


def zlib_crc(data: bytes) -> str:
    import zlib

    return f"{zlib.crc32(data):08x}"


def test_quiet_prints_nothing_and_q_is_not_an_option(capsys, tmp_path):
    status, out, err = run(capsys, "compress", PROSE, tmp_path / "x", "--model-from", LOG, "--model", "order0",
                           "--quiet")
    assert (status, out, err) == (0, "", "")  # not even the warning
    status, out, err = run(capsys, "decompress", tmp_path / "x", tmp_path / "y", "--quiet")
    assert (status, out, err) == (0, "", "")
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "z", "-q")
    assert status == 2 and "No such option '-q'" in err
    status, _, _ = run(capsys, "decompress", tmp_path / "x", tmp_path / "y", "-f")
    assert status == 0


def test_an_empty_file_compresses_to_under_100_bytes(capsys, tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    for coder in ("rans", "arithmetic", "huffman", "shannon", "adaptive"):
        assert run(capsys, "compress", empty, tmp_path / f"e.{coder}", "--coder", coder)[0] == 0
        assert (tmp_path / f"e.{coder}").stat().st_size < 100, coder


def test_a_version_1_file_decompresses(capsys, tmp_path):
    v1 = DATA / "container_v1" / "prose300.rans.cbk"
    status, out, _ = run(capsys, "decompress", v1, tmp_path / "back", "--format", "json")
    assert status == 0 and json.loads(out)["format_version"] == 1
    assert (tmp_path / "back").read_bytes() == PROSE.read_bytes()[:300]


# --------------------------------------------------------------------------- the TRAIN model is used or refused, never ignored
def test_adaptive_coder_starts_from_the_train_counts(capsys, tmp_path):
    # Issue 10: --coder adaptive ignored --model-from. Its payload is now -log2 P(IN) for the
    # estimator started from TRAIN's counts: prod_t (c(x_t) + n_t(x_t) + 1/2) / (N + t + 128),
    # summed here term by term (theory §h), within the coder's [0, 2 + n eps] bits.
    packed = tmp_path / "a.cbk"
    status, out, _ = run(capsys, "compress", PROSE, packed, "--model-from", LOG, "--coder", "adaptive",
                         "--format", "json")
    assert status == 0
    r = json.loads(out)
    data, train = PROSE.read_bytes(), LOG.read_bytes()
    counts = [train.count(bytes([x])) for x in range(256)]
    seen, bits = len(train), 0.0
    for t, x in enumerate(data):
        bits -= math.log2((counts[x] + 0.5) / (seen + t + 128))
        counts[x] += 1
    assert r["coder_model_bits_per_byte"] == pytest.approx(bits / len(data), rel=1e-12)
    assert 0 <= r["payload_bits"] - bits < 2.01
    header = container.read_header(packed.read_bytes())
    assert header.code.counts.tolist() == [train.count(bytes([x])) for x in range(256)]
    assert run(capsys, "decompress", packed, tmp_path / "back")[0] == 0
    assert (tmp_path / "back").read_bytes() == data
    status, out, _ = run(capsys, "compress", PROSE, tmp_path / "b", "--model-from", LOG, "--coder", "adaptive")
    assert "starting from the byte counts of TRAIN" in out and "prior 0.5" in out


def test_adaptive_prior_from_smoothing_or_prior(capsys, tmp_path):
    for extra, prior in [(["--smoothing", "1"], 1.0), (["--prior", "2"], 2.0), ([], 0.5)]:
        out = tmp_path / f"x{prior}"
        assert run(capsys, "compress", PROSE, out, "--coder", "adaptive", *extra)[0] == 0
        header = container.read_header(out.read_bytes())
        assert header.code.prior == prior and header.code.counts is None
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "y", "--coder", "adaptive", "--smoothing", "0.3")
    assert status == 2 and "prior must be a positive multiple of 1/2" in err and "got 0.3" in err
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "y", "--coder", "adaptive", "--smoothing", "0")
    assert status == 2 and "got 0" in err
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "y", "--coder", "adaptive", "--smoothing", "1",
                         "--prior", "2")
    assert status == 2 and "same parameter" in err
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "y", "--coder", "huffman", "--prior", "1")
    assert status == 2 and "--prior applies to adaptive, none of which is chosen (huffman)" in err
    assert sorted(os.listdir(tmp_path)) == ["x0.5", "x1.0", "x2.0"]


def test_warning_when_the_train_model_makes_out_larger_than_the_model_of_in(capsys, tmp_path):
    # The log coded with the prose model costs D(p_log || q_prose) = 2.9 bits/byte more.
    status, out, err = run(capsys, "compress", LOG, tmp_path / "x", "--model-from", PROSE, "--coder", "huffman")
    size = (tmp_path / "x").stat().st_size
    own = tmp_path / "own"
    assert run(capsys, "compress", LOG, own, "--coder", "huffman")[0] == 0
    # Huffman: the bound is exact (header + stored model + the sum of the codeword lengths).
    assert status == 0 and err == (f"codebook: warning: with the model from TRAIN, OUT is {size} bytes; without "
                                   f"--model-from (the model of IN itself) it would be at most "
                                   f"{own.stat().st_size} bytes\n")
    status, out, err = run(capsys, "compress", LOG, tmp_path / "y", "--model-from", PROSE, "--coder", "adaptive")
    assert status == 0 and "without --model-from (no starting counts) it would be at most" in err


@pytest.mark.parametrize("coder", ["rans", "arithmetic", "adaptive", "huffman"])
def test_the_own_model_bound_is_above_the_real_size(capsys, tmp_path, coder):
    for source in (PROSE, LOG, SOURCE):
        out = tmp_path / f"{coder}.{source.name}"
        assert run(capsys, "compress", source, out, "--coder", coder)[0] == 0
        counts = container.byte_counts(source.read_bytes())
        code = container.read_header(out.read_bytes()).code
        options = {"prior": 0.5} if coder == "adaptive" else {}
        bound = compress_cli.own_model_bound(counts, code, options)
        assert out.stat().st_size <= bound <= out.stat().st_size + 16


def test_no_warning_when_the_train_model_costs_nothing_more(capsys, tmp_path):
    # TRAIN = IN without smoothing: the same table, the same file, no warning. (With an order-0
    # model, a model of IN itself is nearly always smaller: it is IN's maximum-likelihood model,
    # and its table costs no more to store; the warning says by how much.)
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "x", "--model-from", PROSE, "--smoothing", "0",
                         "--coder", "huffman")
    assert (status, err) == (0, "")
    assert (tmp_path / "x").read_bytes() == _own_file(capsys, tmp_path, PROSE)


def _own_file(capsys, tmp_path, source) -> bytes:
    assert run(capsys, "compress", source, tmp_path / "own", "--coder", "huffman")[0] == 0
    return (tmp_path / "own").read_bytes()


# --------------------------------------------------------------------------- hostile sizes (issue 9)
def test_train_is_bounded_by_max_size(capsys, tmp_path):
    # /dev/zero never ends: it is refused after --max-size + 1 bytes, read in chunks.
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "x", "--model-from", "/dev/zero",
                         "--max-size", 3 * 2**20)
    assert status == 1 and err == "codebook: error: TRAIN '/dev/zero' is more than 3145728 bytes (--max-size)\n"
    status, _, err = run(capsys, "compress", SOURCE, tmp_path / "x", "--model-from", PROSE, "--max-size", 10000)
    assert status == 1 and f"TRAIN '{PROSE}' is 19999 bytes, above --max-size 10000" in err
    assert listing(tmp_path) == []


def test_dev_full_says_no_space_and_names_out(capsys, tmp_path):
    packed = tmp_path / "x.cbk"
    assert run(capsys, "compress", PROSE, packed)[0] == 0
    status, _, err = run(capsys, "decompress", packed, "/dev/full", "--force")
    assert status == 1
    assert err == "codebook: error: cannot write OUT '/dev/full': No space left on device (OUT left as it was)\n"


def test_a_full_file_system_names_out_and_leaves_nothing(tmp_path):
    # A real short write: the child may not write files above 4 KiB (RLIMIT_FSIZE), so writing
    # the 11 KB output fails with EFBIG inside the temporary file.
    # A first compress runs without the limit, so that numba's cache files (written on a cold
    # cache, as in a fresh CI copy) are not what hits it.
    script = (
        "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "from codebook.cli.errors import run_cli; from codebook.cli import cli\n"
        "assert run_cli(cli, ['compress', sys.argv[1], sys.argv[2] + '.warm', '--quiet']) == 0\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        "sys.exit(run_cli(cli, ['compress', sys.argv[1], sys.argv[2]]))"
    )
    out = tmp_path / "x.cbk"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script, str(PROSE), str(out)], capture_output=True,
                          env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 1
    assert done.stderr == f"codebook: error: cannot write OUT '{out}': File too large (OUT left as it was)\n".encode()
    assert listing(tmp_path) == ["x.cbk.warm"]


def test_an_unwritable_directory_names_out_not_a_temporary_file(capsys, tmp_path, monkeypatch):
    real_open, real_mkstemp = os.open, files.tempfile.mkstemp

    def denied_open(path, flags, *args, **kwargs):
        if flags & getattr(os, "O_TMPFILE", 0) == getattr(os, "O_TMPFILE", -1):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args, **kwargs)

    def denied_mkstemp(prefix="", suffix="", dir=None):
        raise PermissionError(13, "Permission denied", os.path.join(dir, prefix + "abcdefgh" + suffix))

    monkeypatch.setattr(os, "open", denied_open)
    monkeypatch.setattr(files.tempfile, "mkstemp", denied_mkstemp)
    out = tmp_path / "x.cbk"
    status, _, err = run(capsys, "compress", PROSE, out)
    assert status == 1
    assert err == f"codebook: error: cannot write OUT '{out}': Permission denied (OUT left as it was)\n"
    assert real_mkstemp and listing(tmp_path) == []


# --------------------------------------------------------------------------- killed runs leave nothing that lasts
KILLED_WRITER = """
import os, sys, time
import importlib
cli = importlib.import_module("codebook.cli.files")
mode, out = sys.argv[1], sys.argv[2]

def hang(*args, **kwargs):
    print("ready", flush=True)
    time.sleep(60)

if mode == "anonymous":
    cli._link_anonymous = hang          # the data is written, the file not yet linked
else:
    cli._anonymous_file = lambda directory: None
    os.link = hang                      # the named temporary file is written, not yet linked
cli.write_output(out, b"x" * (8 << 20), False)
"""


@pytest.mark.parametrize("mode", ["anonymous", "named"])
def test_sigkill_while_writing_leaves_no_lasting_temporary_file(tmp_path, mode):
    import signal

    if mode == "anonymous":
        fd = files._anonymous_file(str(tmp_path))
        if fd is None:
            pytest.skip("no O_TMPFILE here: the named path is the one used (tested by the other case)")
        os.close(fd)
    out = tmp_path / "big.out"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, mode, str(out)], stdout=subprocess.PIPE,
                             env=env, cwd=ROOT)
    try:
        assert child.stdout.readline() == b"ready\n"
        during = listing(tmp_path)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    after = listing(tmp_path)
    if mode == "anonymous":
        assert during == after == []  # the 8 MB never had a name
    else:
        assert during == after and len(after) == 1 and after[0].startswith(".big.out.") and after[0].endswith(".tmp")
        assert (tmp_path / after[0]).stat().st_size == 8 << 20
    # The next run for the same OUT removes what a killed run left, and writes OUT.
    files.write_output(str(out), b"done", False)
    assert listing(tmp_path) == ["big.out"] and out.read_bytes() == b"done"


def test_a_temporary_file_in_use_is_not_removed(tmp_path):
    import fcntl

    out = tmp_path / "x.cbk"
    held, stale = tmp_path / ".x.cbk.abcdefgh.tmp", tmp_path / ".x.cbk.stale___.tmp"
    other = [tmp_path / ".x.cbk.tmp", tmp_path / ".x.cbk.toolongname.tmp", tmp_path / ".y.cbk.abcdefgh.tmp"]
    for path in [held, stale, *other]:
        path.write_bytes(b"partial")
    with open(held, "rb") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # a run still writing it
        assert files.remove_stale_temporaries(str(out)) == [stale.name]
    assert sorted(listing(tmp_path)) == sorted(p.name for p in [held, *other])


# --------------------------------------------------------------------------- progress on a terminal only
def test_progress_goes_to_a_terminal_stderr_and_is_erased(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    status, out, err = run(capsys, "compress", PROSE, tmp_path / "x", "--coder", "rans")
    assert status == 0 and "encoding 20.0 kB with rans" in err and err.endswith("\r\x1b[K")
    assert "\r" not in out and out.startswith(str(PROSE))
    status, out, err = run(capsys, "decompress", tmp_path / "x", tmp_path / "y")
    assert status == 0 and "decoding" in err and err.endswith("\r\x1b[K")
    status, out, err = run(capsys, "compress", PROSE, tmp_path / "z", "--quiet")
    assert (out, err) == ("", "")


def test_no_progress_when_stderr_is_not_a_terminal(capsys, tmp_path):
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "x")
    assert (status, err) == (0, "")


def test_default_max_size_matches_the_library():
    assert files.DEFAULT_MAX_SIZE == container.DEFAULT_MAX_SIZE


def test_decompress_reads_the_header_first(capsys, tmp_path):
    # /dev/zero and /dev/urandom never end: refused after their first 40 bytes.
    for device in ("/dev/zero", "/dev/urandom"):
        status, _, err = run(capsys, "decompress", device, tmp_path / "x")
        assert status == 1 and err == (f"codebook: error: {device}: not a codebook compressed file (the first 8 "
                                       f"bytes are not the codebook magic)\n")
    # A pipe whose valid header announces far more than n bytes can need is refused before reading on.
    packed = tmp_path / "p.cbk"
    assert run(capsys, "compress", PROSE, packed)[0] == 0
    blob = bytearray(packed.read_bytes())
    struct.pack_into("<Q", blob, 24, 2**40)  # B: 2**37 bytes of payload for 19999 bytes
    struct.pack_into("<I", blob, 36, zlib.crc32(bytes(blob[:36])))
    back = cli_process("decompress", "-", "-", stdin=bytes(blob))
    assert back.returncode == 1 and back.stdout == b""
    assert b"refused when reading from a pipe" in back.stderr and back.stderr.count(b"\n") == 1
    # A regular file of another size than announced: the usual message, nothing decoded.
    (tmp_path / "long.cbk").write_bytes(packed.read_bytes() + b"xyz")
    status, _, err = run(capsys, "decompress", tmp_path / "long.cbk", tmp_path / "y")
    assert status == 1 and "3 unexpected bytes after the end of the compressed data" in err
    assert sorted(os.listdir(tmp_path)) == ["long.cbk", "p.cbk"]


def test_run_cli_turns_a_recursion_error_into_one_line(capsys, monkeypatch):
    import click

    @click.command()
    def deep():
        raise RecursionError("maximum recursion depth exceeded")

    from codebook.cli.errors import run_cli as runner

    assert runner(deep, []) == 1
    assert capsys.readouterr().err == "codebook: error: the input is nested too deeply\n"


@pytest.mark.parametrize("name", [n for n in coders.names() if not coders.info(n).cls.uses_probabilities])
def test_a_coder_that_uses_no_model_is_reported_without_one(capsys, tmp_path, name):
    # Elias and LZ78 take only the alphabet size from q: no H(p_IN, q) row for a q they never saw,
    # and --model-from (which would change nothing) is a usage error.
    status, out, _ = run(capsys, "compress", PROSE, tmp_path / "x.cbk", "--coder", name)
    assert status == 0
    assert f"model: none: {name} codes the byte values themselves" in out
    assert "H(p_IN,q" not in out and "D(p_IN" not in out
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "y.cbk", "--coder", name, "--model-from", LOG)
    assert status == 2 and "--model-from has no effect" in err
    assert not (tmp_path / "y.cbk").exists()


def packed_with_train(capsys, tmp_path) -> Path:
    """PROSE compressed with a model learned from SOURCE (decompressing it needs SOURCE)."""
    packed = tmp_path / "p.cbk"
    assert run(capsys, "compress", PROSE, packed, "--model-from", SOURCE)[0] == 0
    return packed


def test_decompress_reads_in_before_train_and_no_more_of_train_than_it_was_trained_on(capsys, tmp_path):
    # A foreign IN fails before TRAIN is read, and an endless TRAIN (/dev/zero) is refused after
    # one byte more than the training file's stored size, not after --max-size bytes.
    packed = packed_with_train(capsys, tmp_path)
    status, _, err = run(capsys, "decompress", PROSE, tmp_path / "a", "--model-from", "/dev/zero")
    assert status == 1 and "not a codebook compressed file" in err
    status, _, err = run(capsys, "decompress", packed, tmp_path / "b", "--model-from", "/dev/zero")
    assert status == 1 and f"({SOURCE.stat().st_size} bytes, CRC32" in err and "it is longer" in err
    assert not (tmp_path / "b").exists()
    assert run(capsys, "decompress", packed, tmp_path / "c", "--model-from", SOURCE)[0] == 0
    assert (tmp_path / "c").read_bytes() == PROSE.read_bytes()


@pytest.mark.parametrize("model", ["cm", "context:2"])
def test_an_empty_train_is_refused_for_a_learning_model(capsys, tmp_path, model):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "x", "--model", model, "--model-from", empty)
    assert status == 1 and "is empty: there is nothing to learn" in err
    assert not (tmp_path / "x").exists()


def test_a_directory_as_train_is_named_as_a_directory(capsys, tmp_path):
    packed = packed_with_train(capsys, tmp_path)
    status, _, err = run(capsys, "decompress", packed, tmp_path / "b", "--model-from", tmp_path)
    assert status == 1 and "is a directory" in err and "longer" not in err
