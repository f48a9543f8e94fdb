"""User grids (``codebook sweep --grid``): the file, its cells and seeds, the folder policy, --resume."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codebook.cli import cli
from codebook.cli.errors import run_cli
from simulations import grid as G
from simulations.experiment import RECORD_COLUMNS

SMALL = """
name = "small"
coders = ["huffman", "arithmetic"]
p = ["zipf:8:1.1", "dirichlet:8:0.5:{seed}"]
q = ["geometric:8:0.8", "temper({p}, 2)"]
n = [500, 2000]
trials = 2
seeds = [0, 2]
"""
FILES = ("report.md", "results.csv", "results.json", "grid_gap.png", "grid_deviation.png")


def write(tmp_path: Path, text: str, name: str = "grid.toml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The SMALL grid's file and its uninterrupted report folder (in this process): every other
    way of running it must write the same bytes. Returns (path, command, folder)."""
    where = tmp_path_factory.mktemp("small")
    path = str(where / "small.toml")
    Path(path).write_text(SMALL)
    command = f"codebook sweep --grid {path}"
    G.run_grid(G.load_grid(path), where / "whole", command=command)
    return path, command, where / "whole"


def same_files(a: Path, b: Path) -> None:
    assert sorted(p.name for p in a.iterdir()) == sorted(FILES)
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


# ------------------------------------------------------------------------------------ the file and its cells


def test_cells_are_the_product_with_placeholders_expanded_where_used():
    g = G.parse_grid(SMALL)
    cells = list(g.cells())
    # (zipf, uniform) and (zipf, temper) once each; the dirichlet pairs once per seed: 6 (p, q), x 2 n
    assert len(g) == len(cells) == 12 and [c.index for c in cells] == list(range(12))
    assert [(c.p, c.q, c.n) for c in cells[:4]] == [
        ("zipf:8:1.1", "geometric:8:0.8", 500), ("zipf:8:1.1", "geometric:8:0.8", 2000),
        ("zipf:8:1.1", "temper(zipf:8:1.1, 2)", 500), ("zipf:8:1.1", "temper(zipf:8:1.1, 2)", 2000)]
    assert cells[-1].p == "dirichlet:8:0.5:1" and cells[-1].q == "temper(dirichlet:8:0.5:1, 2)"
    assert cells[-1].values == (("seed", 1),)
    assert g.family_size == 12 * (2 * (2 + 1) + 1)  # per cell: coders x (trials + 1) + the sample check
    assert g.x == "n"  # the first coordinate with several values


def test_user_axes_expand_only_the_specs_that_use_them():
    g = G.parse_grid("""
name = "axes"
coders = "huffman"
p = ["zipf:{K}:{s}", "uniform:4"]
q = "uniform:{K}"
n = 100
[axes]
K = [4, 16]
s = [0.5, 1.5]
""")
    specs = [(c.p, c.q) for c in g.cells()]
    assert specs == [("zipf:4:0.5", "uniform:4"), ("zipf:4:1.5", "uniform:4"), ("zipf:16:0.5", "uniform:16"),
                     ("zipf:16:1.5", "uniform:16"), ("uniform:4", "uniform:4"), ("uniform:4", "uniform:16")]
    assert g.x == "K"
    with pytest.raises(G.GridError, match=r"cell p = 'uniform:4', q = 'uniform:16' \(K = 16\): the alphabets differ"):
        g.check_specs()


def test_cell_seed_is_the_grid_seed_and_a_hash_of_the_coordinates():
    digest = hashlib.blake2b(b"p=zipf:8:1.1\nq=uniform:8\nn=500\nblock=1", digest_size=8).digest()
    words = (int.from_bytes(digest[:4], "big"), int.from_bytes(digest[4:], "big"))
    assert G.cell_key("zipf:8:1.1", "uniform:8", 500, 1) == words
    assert G.cell_key("zipf:8:1.1", "uniform:8", 500, 2) != words


def test_a_cell_has_the_same_numbers_in_any_grid_that_holds_it(tmp_path):
    """Seeded from its own coordinates: adding other cells around it changes nothing in it."""
    one = G.parse_grid('name = "a"\ncoders = ["huffman"]\np = "zipf:8:1.1"\nq = "uniform:8"\nn = 500\ntrials = 2\n')
    more = G.parse_grid('name = "b"\ncoders = ["huffman"]\np = ["geometric:8:0.5", "zipf:8:1.1"]\n'
                        'q = "uniform:8"\nn = [200, 500]\ntrials = 2\n')
    G.run_grid(one, tmp_path / "one", command="x")
    G.run_grid(more, tmp_path / "more", command="x")
    rows = {}
    for name in ("one", "more"):
        data = json.loads((tmp_path / name / "results.json").read_text())
        cell = [e for e in data["experiments"] if e["label"] == "p=zipf:8:1.1 q=uniform:8 n=500"][0]
        col = data["record_columns"]
        rows[name] = [{k: v for k, v in zip(col, r) if k not in ("x", "verdict", "reason")} for r in cell["records"]]
    assert rows["one"] == rows["more"] and rows["one"][0]["seed"] == ",".join(
        map(str, (0, *G.cell_key("zipf:8:1.1", "uniform:8", 500, 1), 0)))


BAD = [
    ('name = "x"\ncoders = ["huffman"]\np = uniform:2\nq = "uniform:2"\nn = 100\n', r"not valid TOML: .*line 3"),
    ('name = "x"\ncoders = ["huffman"]\np = "uniform:2"\nq = "uniform:2"\nn = 100\ntrails = 3\n',
     r"unknown key 'trails'; a grid file has the keys name, title"),
    ('coders = ["huffman"]\np = "uniform:2"\nq = "uniform:2"\nn = 100\n', r"the key 'name' is missing"),
    ('name = "a b"\ncoders = ["huffman"]\np = "uniform:2"\nq = "uniform:2"\nn = 100\n', r"name must start with a letter"),
    ('name = "x"\ncoders = ["hufman"]\np = "uniform:2"\nq = "uniform:2"\nn = 100\n',
     r"coders\[0\]: unknown coder 'hufman'; registered coders: huffman"),
    ('name = "x"\ncoders = [{name = "rans", precison = 12}]\np = "uniform:2"\nq = "uniform:2"\nn = 100\n',
     r"coders\[0\] \(rans\): coder 'rans' does not take these arguments"),
    ('name = "x"\ncoders = [{name = "rans", precision = 99}]\np = "uniform:2"\nq = "uniform:2"\nn = 100\n',
     r"coders\[0\] \(rans\): .*precision"),
    ('name = "x"\ncoders = ["huffman", "huffman"]\np = "uniform:2"\nq = "uniform:2"\nn = 100\n',
     r"coders\[1\] \(huffman\) appears twice"),
    ('name = "x"\ncoders = ["huffman"]\np = "uniform:2"\nq = "uniform:2"\nn = [100, -5]\n',
     r"n\[1\] must be a whole number >= 1; got -5"),
    ('name = "x"\ncoders = ["huffman"]\np = "uniform:2"\nq = "uniform:2"\nn = 1.5\n', r"n must be a whole number"),
    ('name = "x"\ncoders = ["huffman"]\np = "uniform:2"\nq = "uniform:2"\nn = []\n', r"n must not be an empty list"),
    ('name = "x"\ncoders = ["huffman"]\np = "uniform:2"\nq = "uniform:2"\nn = [100, 100]\n',
     r"n\[1\] = 100 appears twice"),
    ('name = "x"\ncoders = ["huffman"]\np = "uniform:2"\nq = "uniform:2"\nn = 100\ntrials = 0\n',
     r"trials must be a whole number >= 1; got 0"),
    ('name = "x"\ncoders = ["huffman"]\np = "uniform:2"\nq = "uniform:2"\nn = 100\nseed = -1\n',
     r"seed must be a whole number >= 0; got -1"),
    ('name = "x"\ncoders = ["huffman"]\np = "uniform:2"\nq = "uniform:2"\nn = 100\nblock = 3\n',
     r"n = 100 is not a multiple of block = 3"),
    ('name = "x"\ncoders = ["huffman"]\np = 5\nq = "uniform:2"\nn = 100\n', r"p must be a distribution spec string"),
    ('name = "x"\ncoders = ["huffman"]\np = "dirichlet:4:1:{seed}"\nq = "uniform:4"\nn = 100\n',
     r"p\[0\] = 'dirichlet:4:1:\{seed\}' uses \{seed\} but the grid has no seeds"),
    ('name = "x"\ncoders = ["huffman"]\np = "uniform:4"\nq = "temper({P}, 2)"\nn = 100\n',
     r"q\[0\] = 'temper\(\{P\}, 2\)': unknown placeholder \{P\}; known: \{p \(in q only\)\}"),
    ('name = "x"\ncoders = ["huffman"]\np = "uniform:4"\nq = "uniform:4"\nn = 100\nseeds = [0, 5]\n',
     r"seeds is declared but no spec uses \{seed\}"),
    ('name = "x"\ncoders = ["huffman"]\np = "dirichlet:4:1:{seed}"\nq = "uniform:4"\nn = 100\nseeds = [5, 5]\n',
     r"seeds = \[5, 5\] is empty"),
    ('name = "x"\ncoders = ["huffman"]\np = "zipf:{K}:1"\nq = "uniform:4"\nn = 100\n[axes]\nn = [1]\n',
     r"axes.n: an axis name is"),
    ('name = "x"\ncoders = ["huffman"]\np = "zipf:4:{s}"\nq = "uniform:4"\nn = 100\n[axes]\ns = []\n',
     r"axes.s must be a non-empty list"),
    ('name = "x"\ncoders = ["huffman"]\np = "uniform:4"\nq = "uniform:4"\nn = 100\nx = "D"\n',
     r"x = 'D' is not a number the figures can use .*choose one of n, block, H_p, H_pq, D_pq, alphabet_size"),
]


@pytest.mark.parametrize("text, message", BAD)
def test_grid_file_errors_name_the_key(text, message):
    with pytest.raises(G.GridError, match=r"^g\.toml: " + message):
        G.parse_grid(text, "g.toml")


def test_spec_errors_name_the_key_and_the_placeholder_values():
    g = G.parse_grid('name = "x"\ncoders = ["huffman"]\np = ["uniform:4", "zipf:4:{s}"]\nq = "uniform:4"\n'
                     'n = 100\n[axes]\ns = [1, "a"]\n', "g.toml")
    with pytest.raises(G.GridError, match=r"^g\.toml: p\[1\] = 'zipf:4:\{s\}' -> 'zipf:4:a' \(s = 'a'\): "):
        g.check_specs()


def test_unreadable_file(tmp_path):
    with pytest.raises(G.GridError, match="cannot read the grid file"):
        G.load_grid(tmp_path / "missing.toml")
    (tmp_path / "bin.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(G.GridError, match="not a UTF-8 text file"):
        G.load_grid(tmp_path / "bin.toml")


# ------------------------------------------------------------------------------------ the report folder


def test_report_folder_and_the_overwrite_policy(tmp_path, capsys, small):
    path, _, whole = small
    out = tmp_path / "out"
    status = run_cli(cli, ["sweep", "--grid", path, "--out", str(out), "--format", "json"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    data = json.loads(captured.out)
    assert data["cells"] == 12 and data["computed"] == 12 and data["consistent"]
    same_files(whole, out)  # .grid/ is gone once the report is written; the CLI writes what the library does
    rows = (out / "results.csv").read_text().splitlines()
    assert rows[0].split(",") == RECORD_COLUMNS and len(rows) == 1 + 12 * 2 * 2  # cell x coder x trial
    md = (out / "report.md").read_text()
    assert f"- Command: `codebook sweep --grid {path}`" in md and "48 of 48 messages are consistent" in md
    assert "![" in md and "grid_gap.png" in md and "```toml" in md
    full = json.loads((out / "results.json").read_text())
    assert full["grid"]["seeds"] == [0, 2] and len(full["experiments"]) == 12 and full["verdicts"]["cells"] == 12
    # the one overwrite policy: a finished report is replaced only with --force
    assert run_cli(cli, ["sweep", "--grid", path, "--out", str(out)]) == 1
    assert "exists and is not empty; use --force" in capsys.readouterr().err
    assert run_cli(cli, ["sweep", "--grid", path, "--out", str(out), "--resume"]) == 0
    assert "nothing to resume" in capsys.readouterr().err


def test_cli_usage_errors(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, SMALL)
    cases = [
        (["sweep", "--grid", path], 2, "--grid needs --out DIR"),
        (["sweep", "mismatch", "--grid", path, "--out", "o"], 2, "give no sweep NAME"),
        (["sweep", "--grid", path, "--out", "o", "--dask", "local:0"], 2, "number of local workers must be"),
        (["sweep", "--grid", path, "--out", "o", "--dask", "10.0.0.1"], 2, "expected local:N"),
        (["sweep", "--grid", path, "--out", "o", "--dask", "local:2", "--workers", "2"], 2, "give one"),
        (["sweep", "mismatch", "--resume"], 2, "--resume continues an interrupted --grid run"),
        (["sweep", "--grid", str(tmp_path / "nope.toml"), "--out", "o"], 2, "does not exist"),
    ]
    for args, code, message in cases:
        assert run_cli(cli, args) == code, args
        assert message in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the dask extra were not installed
    assert run_cli(cli, ["sweep", "--grid", path, "--out", str(tmp_path / "o"), "--dask", "local:2"]) == 1
    assert 'needs Dask distributed, which is not installed: pip install "codebook[dask]"' in capsys.readouterr().err
    assert not (tmp_path / "o").exists()  # nothing written before the backend is up


def test_interrupted_folder_needs_resume_or_force_and_the_same_grid(tmp_path, capsys):
    path = write(tmp_path, SMALL)
    g = G.load_grid(path)
    out = tmp_path / "out"
    G.start_folder(out, g, "codebook sweep --grid x")
    assert run_cli(cli, ["sweep", "--grid", path, "--out", str(out)]) == 1
    assert "holds an interrupted run of a grid; add --resume to continue it, or --force" in capsys.readouterr().err
    other = write(tmp_path, SMALL.replace("trials = 2", "trials = 3"), "other.toml")
    assert run_cli(cli, ["sweep", "--grid", other, "--out", str(out), "--resume"]) == 1
    assert "was started with another grid or seed" in capsys.readouterr().err
    assert run_cli(cli, ["sweep", "--grid", path, "--out", str(out), "--resume", "--seed", "1"]) == 1
    assert "another grid or seed" in capsys.readouterr().err
    assert run_cli(cli, ["sweep", "--grid", other, "--out", str(out), "--force", "--quiet"]) == 0


def test_a_line_cut_short_is_computed_again(tmp_path, small):
    path, command, whole = small
    g = G.load_grid(path)
    out = tmp_path / "cut"
    G.start_folder(out, g, command)
    cells = list(g.cells())
    lines = [G.run_cell(g.task(c), (g.seed, *c.key), c.index, g.family_size) for c in (cells[5], cells[2])]
    (out / ".grid" / "cells.jsonl").write_text(lines[0] + lines[1][: len(lines[1]) // 2])
    info = G.run_grid(g, out, command=command, resume=True)
    assert (info.done_before, info.computed) == (1, 11)
    same_files(whole, out)


def test_a_failure_while_writing_the_report_keeps_every_cell(tmp_path, monkeypatch, small):
    from simulations import grid_report

    path, command, whole = small
    g = G.load_grid(path)
    write_report = grid_report.write

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(grid_report, "write", broken)
    with pytest.raises(OSError, match="No space left"):
        G.run_grid(g, tmp_path / "out", command=command)
    monkeypatch.setattr(grid_report, "write", write_report)
    info = G.run_grid(g, tmp_path / "out", command=command, resume=True)
    assert (info.done_before, info.computed, info.backend) == (12, 0, "")
    same_files(whole, tmp_path / "out")


# ------------------------------------------------------------------------------------ kill and --resume


def _wait_for_lines(journal: Path, count: int, proc: subprocess.Popen, limit: float = 60.0) -> int:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if journal.exists():
            with open(journal, "rb") as fh:
                done = fh.read().count(b"\n")
            if done >= count:
                return done
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before it could be killed: {proc.communicate()}")
        time.sleep(0.05)
    raise AssertionError(f"no {count} finished cells in {journal} after {limit} s")


def _resume_gives_the_same_files(capsys, tmp_path: Path, path: str, out: Path, *, cells: int, at_least: int,
                                 options: tuple = ()) -> None:
    """After a run of the grid ``path`` (``cells`` cells) into ``out`` was stopped: its journal
    holds at least ``at_least`` finished cells and not all; ``--resume`` computes only the others
    and writes the same files as an uninterrupted run."""
    with open(out / ".grid" / "cells.jsonl", "rb") as fh:
        done = fh.read().count(b"\n")
    assert at_least <= done < cells
    resume = ["sweep", "--grid", path, "--out", str(out), "--resume", *options, "--format", "json"]
    assert run_cli(cli, resume) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["done_before"], data["computed"]) == (done, cells - done)  # finished cells not computed again
    assert run_cli(cli, ["sweep", "--grid", path, "--out", str(tmp_path / "whole"), "--quiet"]) == 0
    same_files(tmp_path / "whole", out)


def test_resume_after_a_real_kill_gives_the_same_files(tmp_path, capsys):
    text = SMALL.replace("n = [500, 2000]", "n = [10000, 20000]").replace("seeds = [0, 2]", "seeds = [0, 6]")
    path = write(tmp_path, text)  # 28 cells of about 0.05 s each
    killed = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "codebook", "sweep", "--grid", path, "--out", str(killed),
                             "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_lines(killed / ".grid" / "cells.jsonl", 5, proc)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    _resume_gives_the_same_files(capsys, tmp_path, path, killed, cells=28, at_least=5)


def test_ctrl_c_on_worker_processes_stops_them_and_resume_gives_the_same_files(tmp_path, capsys):
    text = SMALL.replace("n = [500, 2000]", "n = [5000, 10000]").replace("seeds = [0, 2]", "seeds = [0, 16]")
    path = write(tmp_path, text)  # 68 cells of a few hundredths of a second: sent in batches of up to 4
    out = tmp_path / "interrupted"
    proc = subprocess.Popen([sys.executable, "-m", "codebook", "sweep", "--grid", path, "--out", str(out),
                             "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        _wait_for_lines(out / ".grid" / "cells.jsonl", 6, proc)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == 130
    assert "--resume" in err.decode().strip().splitlines()[-1]
    deadline = time.monotonic() + 10
    while True:  # no worker left behind: the group empties
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "worker processes outlived an interrupted run"
        time.sleep(0.05)
    _resume_gives_the_same_files(capsys, tmp_path, path, out, cells=68, at_least=6, options=("--workers", "2"))


# ------------------------------------------------------------------------------------ backends


def _distributed():
    if os.environ.get("CI"):  # CI installs the test extra, which brings Dask: never skip there
        import distributed

        return distributed
    return pytest.importorskip("distributed", reason='Dask tests need the test extra: pip install ".[test]"')


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A real `dask scheduler` and two `dask worker` processes on 127.0.0.1, stopped after the tests
    (also when one fails)."""
    distributed = _distributed()
    scheduler_file = tmp_path_factory.mktemp("dask") / "scheduler.json"
    procs: list[subprocess.Popen] = []

    def start(*args):
        procs.append(subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True))

    try:
        start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
              "--scheduler-file", str(scheduler_file))
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        for _ in range(2):
            start("worker", "--scheduler-file", str(scheduler_file), "--host", "127.0.0.1", "--nthreads", "1",
                  "--no-nanny", "--no-dashboard")
        with distributed.Client(scheduler_file=str(scheduler_file), timeout=60) as client:
            client.wait_for_workers(2, timeout=90)
            address = client.scheduler.address
        yield address
    finally:
        for proc in reversed(procs):  # the workers first: they leave while their scheduler still answers
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def test_identical_files_locally_on_dask_local_and_on_a_real_scheduler(tmp_path, dask_cluster, small):
    path, command, whole = small
    runs = {"processes": ["--workers", "2"], "local": ["--dask", "local:2"], "scheduler": ["--dask", dask_cluster]}
    for name, args in runs.items():
        status = run_cli(cli, ["sweep", "--grid", path, "--out", str(tmp_path / name), "--quiet", *args])
        assert status == 0, name
    from distributed import Client

    from simulations.backends import DaskBackend

    with Client(dask_cluster) as client:  # the library with a client of your own (dask-jobqueue, Kubernetes...)
        G.run_grid(G.load_grid(path), tmp_path / "client", command=command, backend=DaskBackend.from_client(client))
        # Told of many calls, the backend puts the cells after the first two in one task: the same bytes.
        batched = DaskBackend.from_client(client, calls=10**6)
        G.run_grid(G.load_grid(path), tmp_path / "batched", command=command, backend=batched)
        assert client.status == "running"  # not closed by the backend
    for name in (*runs, "client", "batched"):
        same_files(whole, tmp_path / name)


def test_a_local_cluster_runs_with_its_quiet_settings():
    """``--dask local:N`` workers run with LOCAL_CLUSTER_CONFIG (no profiler, slow ticks: less idle
    CPU taken from the cells) and without Dask's MALLOC_TRIM_THRESHOLD_ (twice the CPU per cell),
    settings that must reach the worker processes, not only this one."""
    _distributed()
    from simulations.backends import LOCAL_CLUSTER_CONFIG, DaskBackend

    def settings():
        import os

        import dask

        return {key: dask.config.get(key) for key in LOCAL_CLUSTER_CONFIG}, os.environ.get("MALLOC_TRIM_THRESHOLD_")

    with DaskBackend("local:1") as backend:
        seen = backend._client.run(settings)
        stealing = backend._client.run_on_scheduler(lambda dask_scheduler: "stealing" in dask_scheduler.extensions)
    assert list(seen.values()) == [(LOCAL_CLUSTER_CONFIG, None)]
    assert stealing is False
    assert LOCAL_CLUSTER_CONFIG["distributed.worker.profile.enabled"] is False


@pytest.mark.parametrize("bokeh", [False, True])
def test_a_local_cluster_gives_a_dashboard_address_only_with_bokeh(monkeypatch, bokeh):
    """Without bokeh Dask's dashboard port serves only a page asking for it: no address then."""
    _distributed()
    import importlib.util

    from simulations.backends import DaskBackend

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: (object() if bokeh else None) if name == "bokeh" else find_spec(name, *a))
    with DaskBackend("local:1") as backend:
        dashboard = backend.dashboard
    assert (dashboard is not None and dashboard.startswith("http://127.0.0.1:")) if bokeh else dashboard is None


def test_catalogue_sweep_on_dask_matches_local(tmp_path, capsys, dask_cluster):
    args = ["sweep", "blocks", "--quick", "--format", "csv", "--quiet"]
    assert run_cli(cli, args) == 0
    local = capsys.readouterr().out
    assert run_cli(cli, [*args, "--dask", dask_cluster]) == 0
    assert capsys.readouterr().out == local
