"""``codebook compress`` / ``decompress`` end to end: reports, safety, errors, stdin/stdout.

Runs the real CLI entry (``run_cli``: the same one-line error handling users get) in-process,
and through ``python -m codebook`` with real pipes for ``-``.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from codebook import coders, container
from codebook.cli import cli
from codebook.cli.compress import DEFAULT_CODER_PREFERENCE, default_coder
from codebook.cli.errors import run_cli

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


def test_a_failure_while_writing_removes_the_temporary_file(capsys, tmp_path, monkeypatch):
    # An error after the temporary file was created (here: in the final rename) removes it.
    def broken(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "link", broken)
    monkeypatch.setattr(os, "replace", broken)
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "x.cbk", "--coder", "huffman")
    assert status == 1 and err == "codebook: error: No space left on device\n"
    assert listing(tmp_path) == []


def test_missing_input_and_bad_options(capsys, tmp_path):
    status, _, err = run(capsys, "compress", tmp_path / "nope", tmp_path / "x")
    assert status == 1 and "No such file or directory" in err
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "x", "--coder", "nope")
    assert status == 1 and "unknown coder 'nope'" in err
    status, _, err = run(capsys, "compress", PROSE, tmp_path / "x", "--coder", "huffman", "--precision", "12")
    assert status == 2 and "--precision applies to stream coders" in err
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
    # of n times it (THEORY.md (f)). Runs for every registered stream coder (none before the
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
