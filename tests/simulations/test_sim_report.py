"""Report folders: the files, their columns, infinity, and byte-for-byte reproducibility."""

from __future__ import annotations

import csv
import json

from codebook import coders
from codebook.distributions import Distribution
from simulations.experiment import RECORD_COLUMNS, run_experiment
from simulations.figures import summary_figure
from simulations.report import write_report


def _write(out, q=None):
    p = Distribution([0.5, 0.25, 0.125, 0.125])
    q = q or Distribution([0.25, 0.25, 0.25, 0.25])
    res = run_experiment(p, q, coders.names(), 4000, 3, seed=3, p_spec="1/2,1/4,1/8,1/8", q_spec="uniform:4")
    return write_report(out, title="test report", description="A test.", command="codebook simulate --seed 3",
                        seed_note="master seed 3", results=[res], figures=lambda rs, o: summary_figure(rs[0], o)), res


def test_report_folder_contents(tmp_path):
    files, res = _write(tmp_path)
    assert [f.name for f in files] == ["report.md", "results.json", "results.csv", "bits_per_coder.png"]
    md = (tmp_path / "report.md").read_text()
    assert "`codebook simulate --seed 3`" in md and "master seed 3" in md
    assert "numpy" in md and "matplotlib" in md
    assert "![" in md and "(bits_per_coder.png)" in md
    assert "family-wise level alpha = 0.001" in md
    for name in coders.names():
        assert f"| {name} |" in md
    with open(tmp_path / "results.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == RECORD_COLUMNS and len(rows) == 1 + len(res.records)
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["record_columns"] == RECORD_COLUMNS
    assert len(data["experiments"][0]["records"]) == len(res.records)
    assert data["command"] == "codebook simulate --seed 3"
    assert (tmp_path / "bits_per_coder.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_infinity_written_as_inf(tmp_path):
    _, res = _write(tmp_path, q=Distribution([0.5, 0.5, 0.0, 0.0]))
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["experiments"][0]["H_pq"] == "inf"
    with open(tmp_path / "results.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["H_pq"] for r in rows} == {"inf"}
    assert all(r["status"] == "unencodable" and r["total_bits"] == "inf" for r in rows
               if r["kind"] == "prefix" and not getattr(coders.info(r["coder_name"]).cls, "codes_every_symbol", False))
    assert "H(p,q) = inf" in (tmp_path / "report.md").read_text()


def test_same_command_same_bytes(tmp_path):
    _write(tmp_path / "a")
    _write(tmp_path / "b")
    for name in ("report.md", "results.json", "results.csv", "bits_per_coder.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_each_statement_once_in_a_block_report(tmp_path):
    # Block codes (k = 1, 2) share the statement text; it used to be printed once per k.
    p = Distribution([0.5, 0.25, 0.125, 0.125])
    q = Distribution([0.4, 0.3, 0.2, 0.1])
    results = [run_experiment(p, q, ["huffman", "shannon"], 40, 2, seed=(1, k), block=k, label=f"k={k}")
               for k in (1, 2)]
    write_report(tmp_path, title="t", description="d", command="c", seed_note="s", results=results)
    md = (tmp_path / "report.md").read_text()
    section = md.split("## What theory says")[1].split("## Results")[0]
    lines = [ln for ln in section.splitlines() if ln.startswith("- **")]
    assert len(lines) == len(set(lines)) == 2, lines
