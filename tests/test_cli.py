"""The command line: output formats, JSON keys, one-line errors with non-zero exits."""

import json
import subprocess
import sys

import pytest

from codebook.cli import cli
from codebook.cli.errors import run_cli


def run(capsys, *argv):
    status = run_cli(cli, list(argv))
    out, err = capsys.readouterr()
    return status, out, err


class TestMeasure:
    def test_json_keys_and_values(self, capsys):
        status, out, _ = run(capsys, "measure", "--p", "1/2,1/2", "--q", "1/4,3/4", "--format", "json")
        data = json.loads(out)
        assert status == 0 and set(data) == {"H_p", "H_q", "H_pq", "H_qp", "D_pq", "D_qp", "units"}
        assert data["units"] == "bits"
        # By hand: H(p) = 1; H(p,q) = (2 + log2(4/3))/2; D(p||q) = H(p,q) - 1.
        assert data["H_p"] == 1.0
        assert data["H_pq"] == pytest.approx(1.2075187496394219, rel=1e-15)
        assert data["D_pq"] == pytest.approx(0.2075187496394219, rel=1e-14)

    def test_infinity_is_the_string_inf(self, capsys):
        _, out, _ = run(capsys, "measure", "--p", "0.5,0.5", "--q", "1,0", "--format", "json")
        data = json.loads(out)
        assert data["H_pq"] == "inf" and data["D_pq"] == "inf" and data["D_qp"] == 1.0

    def test_table(self, capsys):
        status, out, _ = run(capsys, "measure", "--p", "zipf:256:1.1", "--q", "mix(zipf:256:1.1, uniform:256, 0.3)")
        assert status == 0
        assert "H(p,q)" in out and "D(p||q)" in out and "bits" in out


class TestCode:
    def test_json_with_p(self, capsys):
        status, out, _ = run(
            capsys, "code", "--q", "0.25,0.25,0.2,0.15,0.15", "--p", "0.25,0.25,0.2,0.15,0.15", "--format", "json"
        )
        data = json.loads(out)
        assert status == 0
        assert set(data) == {
            "coder", "lengths", "codewords", "kraft_sum", "expected_length_q", "expected_length_p", "H_p", "H_pq",
            "units",
        }
        # Cover & Thomas Example 5.6.1: lengths 2,2,2,3,3 and L = 2.3
        assert data["lengths"] == [2, 2, 2, 3, 3] and data["expected_length_q"] == pytest.approx(2.3)
        assert data["kraft_sum"] == 1.0

    def test_json_without_p_and_other_coders(self, capsys):
        _, out, _ = run(capsys, "code", "--q", "0.25,0.5,0.125,0.125", "--coder", "sfe", "--format", "json")
        data = json.loads(out)
        assert "expected_length_p" not in data
        assert data["codewords"] == ["001", "10", "1101", "1111"]  # C&T §5.9 example

    def test_stream_coders_show_their_quantized_model(self, capsys):
        status, out, _ = run(capsys, "code", "--q", "0.5,0.25,0.25", "--coder", "rans", "--precision", "4",
                             "--p", "0.25,0.25,0.5", "--format", "json")
        data = json.loads(out)
        assert status == 0
        # A dyadic q quantizes exactly at 4 bits: 8, 4, 4 of 16; ideal lengths 1, 2, 2 bits.
        assert data["frequencies"] == [8, 4, 4] and data["ideal_lengths"] == [1.0, 2.0, 2.0]
        # H(p, q_hat) by hand: .25*1 + .25*2 + .5*2 = 1.75 bits.
        assert data["expected_length_p"] == 1.75 and data["H_pq"] == 1.75

    def test_adaptive_has_no_static_table(self, capsys):
        status, _, err = run(capsys, "code", "--q", "0.5,0.5", "--coder", "adaptive")
        assert status == 2 and "has no static code table" in err

    def test_table_marks_symbols_without_codeword(self, capsys):
        _, out, _ = run(capsys, "code", "--q", "0.5,0,0.5", "--p", "1/3,1/3,1/3")
        assert "(none: q = 0)" in out and "inf" in out


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["measure", "--p", "0.5,0.6", "--q", "1"], 1, r"codebook: error: p '0.5,0.6': `p` must sum to 1 .* = 1\.1\. To normalise explicitly, write weights:0\.5,0\.6$"),
        (["measure", "--p", "0.5,0.5", "--q", "1"], 1, r"`p` and `q` must have the same alphabet size"),
        (["measure", "--p", "0.5,0.5"], 2, r"codebook measure: error: Missing option '--q'"),
        (["measure", "--p", "-1,2", "--q", "0.5,0.5"], 1, r"`p` must be non-negative; p\[0\] = -1$"),
        (["code", "--q", "0.5,0.5", "--coder", "nope"], 2,
         r"codebook code: error: Invalid value for '--coder': unknown coder 'nope'; registered coders: huffman"),
        (["code", "--q", "0.5,0.5", "--precision", "12"], 2, r"--precision applies to arithmetic, rans"),
        (["code", "--q", "file:/no/such/file"], 1, r"cannot read '/no/such/file'"),
        (["code", "--q", "0.5,0.5", "--format", "xml"], 2, r"Invalid value for '--format'"),
        (["nosuchcommand"], 2, r"No such command 'nosuchcommand'"),
    ],
)
def test_errors_are_one_line_with_nonzero_exit(capsys, argv, status, message):
    import re

    code, out, err = run(capsys, *argv)
    assert code == status
    assert err.count("\n") == 1 and re.search(message, err), err
    assert "Traceback" not in err and out == ""


def test_help_documents_the_spec_grammar(capsys):
    status, out, _ = run(capsys, "measure", "--help")
    assert status == 0 and "zipf:K:S" in out and "mix(SPEC, SPEC, W)" in out and "Example" in out


def test_installed_entry_point_prints_no_traceback():
    # A real process, as a user runs it: one line on stderr, exit status 1.
    proc = subprocess.run(
        [sys.executable, "-m", "codebook", "measure", "--p", "0.5,nan", "--q", "0.5,0.5"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == "codebook: error: p '0.5,nan': probability #1 must be finite; got 'nan'"
