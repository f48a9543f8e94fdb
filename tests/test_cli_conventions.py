"""The shared CLI conventions: lazy commands, one overwrite policy, progress only on a terminal,
hidden aliases, no short option colliding with a long one, usage errors exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest

from codebook.cli import cli
from codebook.cli.errors import run_cli
from codebook.cli.main_group import COMMANDS


def run(capsys, *argv):
    status = run_cli(cli, list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _all_commands():
    ctx = click.Context(cli)
    return {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}


def test_lazy_summaries_are_the_commands_own_first_lines():
    # codebook --help lists COMMANDS' summaries without importing the commands: they must say
    # what the commands themselves say (update COMMANDS when a docstring's first line changes).
    for name, command in _all_commands().items():
        if name in COMMANDS:
            assert COMMANDS[name][1] == command.help.strip().splitlines()[0], name


def test_help_and_list_import_nothing_heavy():
    code = ("import sys; from codebook.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('matplotlib', 'scipy', 'numba', 'simulations.experiment', 'codebook.coders') "
            "if m in sys.modules]\n"
            "print('HEAVY', heavy, file=sys.stderr)")
    for argv in (["--help"], ["sweep", "--list"], ["sweep", "nope"], ["simulate", "--n", "1.5"]):
        proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
        assert proc.stderr.strip().splitlines()[-1] == "HEAVY []", (argv, proc.stderr)


def test_no_short_option_but_h_and_f():
    for name, command in _all_commands().items():
        for param in [p for p in command.params if isinstance(p, click.Option)]:
            shorts = [o for o in param.opts + param.secondary_opts if not o.startswith("--")]
            assert set(shorts) <= {"-h", "-f"}, (name, param.opts)
            if "-f" in shorts:
                assert "--force" in param.opts, (name, param.opts)


def test_coders_is_a_hidden_alias(capsys):
    status, out, _ = run(capsys, "simulate", "--help")
    assert status == 0 and "--coder A,B" in out and "--coders" not in out and "Registered: huffman" in out
    status, out, _ = run(capsys, "simulate", "--coders", "huffman", "--n", "100", "--trials", "1", "--format", "json")
    assert status == 0 and '"coder": "huffman"' in out


def test_out_refuses_a_non_empty_folder_without_force(capsys, tmp_path):
    (tmp_path / "old.txt").write_text("keep me")
    args = ("simulate", "--coder", "huffman", "--n", "100", "--trials", "1", "--out", str(tmp_path))
    status, out, err = run(capsys, *args)
    assert status == 2 and out == ""
    assert "folder" in err and "is not empty; add --force" in err and err.count("\n") == 1
    assert not (tmp_path / "report.md").exists()
    status, _, err = run(capsys, *args, "--force")
    assert status == 0 and (tmp_path / "report.md").exists() and (tmp_path / "old.txt").exists()
    status, _, err = run(capsys, *args, "--force", "--quiet")
    assert status == 0 and err == ""  # --quiet: not even "report written to"
    status, _, err = run(capsys, "sweep", "blocks", "--quick", "--out", str(tmp_path))
    assert status == 2 and "add --force" in err


def test_workers_are_capped_at_the_tasks(capsys, monkeypatch):
    import simulations.backends as backends

    seen = []

    def make_backend(workers=1, dask=None, *, calls=None):  # the library's one cap, without starting 6 processes
        seen.append(backends.cap_workers(workers, calls))
        return backends.SerialBackend()

    monkeypatch.setattr(backends, "make_backend", make_backend)
    status, _, err = run(capsys, "sweep", "asymmetry", "--quick", "--n", "100", "--workers", "64", "--format", "csv")
    assert status == 0, err
    assert seen == [6]  # 3 pairs x 2 directions


def test_sweep_parameters_override_and_are_recorded(capsys):
    status, out, err = run(capsys, "sweep", "mismatch", "--quick", "--p", "zipf:16:1.2", "--n", "300",
                           "--trials", "1", "--format", "json")
    assert status == 0, err
    import json

    data = json.loads(out)
    assert data["command"] == "codebook sweep mismatch --p zipf:16:1.2 --n 300 --trials 1 --seed 0 --quick"
    assert data["parameters"] == {"p": "zipf:16:1.2", "q": None, "n": 300, "trials": 1}
    first = data["experiments"][0]
    assert first["alphabet_size"] == 16 and first["n"] == 300 and first["trials"] == 1
    assert data["experiments"][-1]["q_spec"] == "mix(zipf:16:1.2, uniform:16, 0.9)"


@pytest.mark.parametrize("argv", [
    ["measure", "--p", "0.5,0.5", "--q", "0.9,0.1", "--units", "nats", "--format", "csv"],
    ["code", "--q", "0.5,0.25,0.25", "--format", "csv"],
])
def test_csv_everywhere(capsys, argv):
    import csv
    import io

    status, out, _ = run(capsys, *argv)
    rows = list(csv.reader(io.StringIO(out)))
    assert status == 0 and len(rows) >= 4 and len({len(r) for r in rows}) == 1


def test_units_nats(capsys):
    import json
    import math

    _, out, _ = run(capsys, "measure", "--p", "1/2,1/2", "--q", "1/4,3/4", "--units", "nats", "--format", "json")
    data = json.loads(out)
    assert data["units"] == "nats" and data["H_p"] == pytest.approx(math.log(2), rel=1e-15)  # 1 bit = ln 2 nats


def _pty_run(argv, env=None):
    """Run the CLI with stderr on a pseudo-terminal (stdout a pipe); return (status, stdout, terminal text)."""
    import pty
    import select

    main_fd, child_fd = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "codebook", *argv], stdout=subprocess.PIPE, stderr=child_fd,
                            stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    os.close(child_fd)
    chunks = []
    while True:
        ready, _, _ = select.select([main_fd], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(main_fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read().decode()
    proc.wait(60)
    os.close(main_fd)
    return proc.returncode, out, b"".join(chunks).decode(errors="replace")


def test_progress_on_a_terminal_only(tmp_path):
    args = ["simulate", "--coder", "huffman", "--n", "2e4", "--trials", "3", "--format", "csv"]
    cache = {"NUMBA_CACHE_DIR": str(tmp_path / "numba")}  # a cold cache: the first run compiles
    status, out, term = _pty_run(args, cache)
    assert status == 0 and out.startswith("experiment,")
    assert "compiling coders (first run only" in term and "simulate (1 coder, n = 20000)" in term
    status, out2, term = _pty_run(args, cache)  # warm now: no compile notice, still a bar
    assert status == 0 and out2 == out
    assert "compiling" not in term and "simulate (1 coder" in term
    status, _, term = _pty_run(args + ["--quiet"], cache)
    assert status == 0 and term == ""
    proc = subprocess.run([sys.executable, "-m", "codebook", *args], capture_output=True, text=True,
                          env={**os.environ, **cache})
    assert proc.returncode == 0 and proc.stderr == "" and proc.stdout == out  # not a terminal: silent


def test_a_coder_with_build_options_runs_under_its_own_label(capsys):
    # 'huffman(arity=3)' is the D-ary code, not a second plain Huffman: its summary says D = 3, and
    # its mean over the same messages differs from the binary code's.
    args = ("simulate", "--p", "0.5,0.25,0.125,0.125", "--q", "0.5,0.25,0.125,0.125",
            "--coder", "huffman, huffman(arity=3) ,rans(precision=12)", "--n", "1000", "--trials", "2",
            "--format", "json")
    status, out, _ = run(capsys, *args)
    assert status == 0
    summaries = {s["coder"]: s for s in json.loads(out)["summaries"]}
    assert set(summaries) == {"huffman", "huffman(arity=3)", "rans(precision=12)"}
    # By hand: the binary Huffman lengths for this dyadic q are 1,2,3,3, so E_p[l] = 1.75 bits; the
    # ternary code (one dummy symbol, K - 1 = 3 is odd) merges 1/8,1/8,0 and then 1/2,1/4,1/4:
    # lengths 1,1,2,2, E_p[l] = 5/4 digits, at 46/29 bits a digit in the stream (theory §m).
    assert summaries["huffman"]["expected"] == 1.75
    assert summaries["huffman(arity=3)"]["expected"] == pytest.approx(5 / 4 * 46 / 29, rel=1e-12)
    assert all(s["verdict"] == "consistent" for s in summaries.values())


@pytest.mark.parametrize("value, message", [
    ("huffman(foo=1)", "huffman has no option foo; it takes arity, max_length"),
    ("huffman(arity=1)", "must be an integer in 2..65536"),
    ("huffman(arity", "is not NAME or NAME(OPTION=VALUE, ...)"),
    ("huffman(arity=3, arity=4)", "gives arity twice"),
    ("elias-gamma(m=2)", "elias-gamma has no option m; it takes no options"),
    ("huffman(arity=3),huffman( arity=3 )", "lists huffman(arity=3) more than once"),
    ("nope(arity=3)", "unknown coder 'nope'"),
])
def test_bad_coder_options_are_usage_errors(capsys, value, message):
    status, _, err = run(capsys, "simulate", "--coder", value, "--n", "100", "--trials", "1")
    assert status == 2 and message in err and len(err.strip().splitlines()) == 1


def test_single_coder_commands_take_a_name_only(capsys):
    status, _, err = run(capsys, "code", "--coder", "huffman(arity=3)")
    assert status == 2 and "options in parentheses" in err
