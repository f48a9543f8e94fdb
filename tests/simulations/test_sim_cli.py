"""``codebook simulate`` and ``codebook sweep`` through the real CLI entry (run_cli)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from codebook import coders
from codebook.cli import cli
from codebook.cli.errors import run_cli
from simulations.experiment import RECORD_COLUMNS


def run(capsys, *args):
    status = run_cli(cli, list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_simulate_table(capsys):
    status, out, err = run(capsys, "simulate", "--n", "2e3", "--trials", "2", "--seed", "4")
    assert status == 0, err
    assert "H(p) = 5.766362 bits" in out and "H(p,q) = 5.894698 bits" in out and "D(p||q) = 0.128336 bits" in out
    for name in coders.default_names():
        assert name in out
    assert not any(f"\n{name} " in out for name in coders.FAMILY_CODERS)  # the families run when named
    assert "family-wise level 0.001" in out and "not consistent" not in out


def test_simulate_json_and_reproducible(capsys):
    args = ("simulate", "--p", "0.4,0.3,0.2,0.1", "--q", "uniform:4", "--n", "1000", "--trials", "3",
            "--format", "json", "--coders", "huffman,shannon")
    status, out, _ = run(capsys, *args)
    assert status == 0
    data = json.loads(out)
    assert data["command"] == ("codebook simulate --p 0.4,0.3,0.2,0.1 --q uniform:4 --coder huffman,shannon "
                               "--n 1000 --trials 3 --seed 0")
    assert [s["coder"] for s in data["summaries"]] == ["huffman", "shannon"]
    assert len(data["records"]) == 6
    assert run(capsys, *args)[1] == out


def test_simulate_csv(capsys):
    status, out, _ = run(capsys, "simulate", "--p", "uniform:4", "--q", "uniform:4", "--n", "100", "--trials", "2",
                         "--format", "csv", "--coders", "huffman")
    assert status == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == RECORD_COLUMNS and len(rows) == 3


def test_simulate_writes_report(capsys, tmp_path):
    status, _, err = run(capsys, "simulate", "--n", "1000", "--trials", "2", "--coders", "huffman",
                         "--out", str(tmp_path / "rep"))
    assert status == 0 and "report written to" in err
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "codebook simulate --p zipf:256:1.1" in md


@pytest.mark.parametrize("args, status, message", [
    (("simulate", "--p", "0.5,0.6"), 1, r"codebook: error: .*`p` must sum to 1"),
    (("simulate", "--coders", "huffman,nope"), 2,
     r"codebook simulate: error: Invalid value for '--coder': unknown coder 'nope'; registered coders: huffman"),
    (("simulate", "--n", "1.5"), 2, r"Invalid value for '--n': must be a whole number such as 1000 or 1e6; got '1.5'"),
    (("simulate", "--trials", "0"), 2, r"'--trials': must be at least 1 messages; got '0'"),
    (("simulate", "--n", "0"), 2, r"'--n': must be at least 1 symbols per message"),
    (("simulate", "--n", "1e15"), 2, r"'--n': must be at most 1e8 symbols per message \(a documented limit\)"),
    (("simulate", "--trials", "1e15"), 2, r"'--trials': must be at most 1e5 messages"),
    (("simulate", "--n", "1e8", "--trials", "1e5"), 2, r"this run would code [\d.]+e\+1[34] symbols .* above the limit of 1e11"),
    (("simulate", "--n", "inf"), 2, r"must be a whole number"),
    (("simulate", "--coder", "huffman,shannon,huffman"), 2,
     r"'--coder': lists huffman more than once; give each coder once"),
    (("simulate", "--coder", "huffman", "--precision", "12"), 2, r"--precision applies to arithmetic, rans"),
    (("simulate", "--coder", "adaptive", "--prior", "0.3"), 2, r"Invalid value for '--prior': adaptive: `prior` must be"),
    (("simulate", "--coder", "arithmetic,rans", "--precision", "28"), 2, r"Invalid value for '--precision': arithmetic: "),
    (("simulate", "--format", "json", "--units", "nats"), 2, r"--units nats changes the printed table only"),
    (("simulate", "--p", "uniform:4", "--q", "uniform:8"), 1, r"same alphabet size"),
    (("sweep",), 2, r"give a sweep NAME or --list"),
    (("sweep", "nope"), 2, r"codebook sweep: error: Invalid value for '\[NAME\]': unknown sweep 'nope'; known sweeps: "
                           r"mismatch"),
    (("sweep", "learned-model", "--q", "uniform:4"), 2, r"sweep 'learned-model' has no parameter --q \(its parameters: "
                                                       r"--p, --n, --trials\)"),
    (("sweep", "asymmetry", "--p", "uniform:4"), 2, r"give both --p and --q"),
    (("sweep", "blocks", "--n", "1001"), 2, r"--n 1001 must be a multiple of every block length"),
    (("sweep", "mismatch", "--workers", "100000000"), 2, r"'--workers'.*100000000 is not in the range 1<=x<=64"),
])
def test_errors_are_one_line(capsys, args, status, message):
    import re

    got, out, err = run(capsys, *args)
    assert got == status
    assert err.count("\n") == 1 and re.search(message, err), err


def test_sweep_list(capsys):
    status, out, _ = run(capsys, "sweep", "--list")
    assert status == 0
    names = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert names == ["mismatch", "asymmetry", "learned-model", "convergence", "blocks", "precision", "memory",
                     "learned-context", "predictions", "universal"]
    assert "--n (200000, --quick 20000): symbols per message" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_sweep_quick_report(capsys, tmp_path):
    status, out, err = run(capsys, "sweep", "blocks", "--quick", "--workers", "1", "--out", str(tmp_path))
    assert status == 0, err
    assert "command: codebook sweep blocks --seed 0 --quick" in out
    assert "pair A, k=1: block Huffman E/k = 1.0000 < H(p,q) = 1.7370" in out
    md = (tmp_path / "report.md").read_text()
    assert "![" in md and "blocks.png" in md and "codebook sweep blocks --seed 0 --quick" in md
    assert err.strip() == f"report written to {tmp_path}"  # no progress bar: stderr is not a terminal


def test_an_inconsistent_verdict_exits_with_status_3(capsys):
    # A result whose summary says "not consistent" (as a broken coder would produce) must
    # not exit 0: scripts and CI read the status.
    import click
    import pytest

    from codebook.cli.output import exit_if_inconsistent as _exit_if_inconsistent

    class Result:
        summaries = [{"coder": "huffman", "verdict": "consistent"}, {"coder": "rans", "verdict": "not consistent"}]

    with pytest.raises(click.exceptions.Exit) as info:
        _exit_if_inconsistent([Result()], "simulate")
    assert info.value.exit_code == 3
    assert "not consistent with theory: rans" in capsys.readouterr().err
    Result.summaries = Result.summaries[:1]
    _exit_if_inconsistent([Result()], "simulate")  # all consistent: returns quietly
