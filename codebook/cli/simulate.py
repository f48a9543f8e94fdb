"""``codebook simulate`` (one verified experiment) and ``codebook sweep`` (the catalogue).

Thin: parse the options, run :mod:`simulations`, print the verification table or write the
report folder. Nothing random happens without a seed; the recorded command line reproduces
every number.
"""

from __future__ import annotations

import shlex
import sys

import click

from .. import coders
from ..spec import SPEC_HELP, parse_distribution
from .output import dump_json, table

DEFAULT_P = "zipf:256:1.1"
DEFAULT_Q = "mix(zipf:256:1.1, uniform:256, 0.3)"
DEFAULT_N = 1_000_000
DEFAULT_TRIALS = 10

# Not output.FORMAT_OPTION: the simulations also print CSV records, so the choices differ.
FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
                      show_default=True, help="What to print on stdout. JSON/CSV write infinity as \"inf\".")


def _count(value: str, what: str) -> int:
    """An integer option that may be written 1e6 or 1_000_000."""
    try:
        f = float(value.replace("_", ""))
    except ValueError:
        raise click.BadParameter(f"{what} must be a whole number such as 1000 or 1e6; got {value!r}") from None
    if not f.is_integer() or f < 0:
        raise click.BadParameter(f"{what} must be a non-negative whole number; got {value!r}")
    return int(f)


def _coder_list(text: str | None) -> list[str]:
    if text is None:
        return list(coders.names())
    names = [c.strip() for c in text.split(",") if c.strip()]
    if not names:
        raise click.BadParameter("--coders needs at least one coder name")
    for name in names:
        coders.info(name)  # UnknownCoderError names the registered ones
    repeated = sorted({n for n in names if names.count(n) > 1}, key=names.index)
    if repeated:  # two identical coders would be counted twice in the summaries and in m
        raise click.BadParameter(f"--coders lists {', '.join(repeated)} more than once; give each coder once")
    return names


def _verification_error():
    from simulations.experiment import VerificationError

    return VerificationError


@click.command()
@click.option("--p", "p_spec", default=DEFAULT_P, show_default=True, metavar="SPEC",
              help="True distribution of the data. " + SPEC_HELP)
@click.option("--q", "q_spec", default=DEFAULT_Q, show_default=True, metavar="SPEC",
              help="Distribution the codes are built from (same grammar).")
@click.option("--coders", "coder_text", metavar="A,B", help="Coders to run (default: every registered coder: "
              + ", ".join(coders.names()) + ").")
@click.option("--n", "n_text", default=str(DEFAULT_N), show_default=True, metavar="N",
              help="Symbols per message (1e6 is accepted).")
@click.option("--trials", "trials_text", default=str(DEFAULT_TRIALS), show_default=True, metavar="T",
              help="Messages per coder.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Master seed.")
@FORMAT
@click.option("--out", "out_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Also write report.md, results.json, results.csv and a figure into DIR.")
def simulate(p_spec, q_spec, coder_text, n_text, trials_text, seed, fmt, out_dir):
    """Encode seeded messages from p with codes built from q; verify every bit against THEORY.md.

    Each coder encodes and decodes the same messages (decode must return the original).
    Prefix codes are checked exactly (bits = Σ n_x l(x)) and their bits/symbol against the
    exact E_p[l] with an interval from the exact variance; stream coders message by message
    against -log2 q_hat(x^n) plus their documented overhead. Verdicts use a family-wise
    (Bonferroni) level with tests valid for every n (exact law of the sum of the lengths, or
    Bernstein's inequality); the ± column is a 95 % interval. Exit status 3 when any verdict is
    "not consistent" (1 for bad input).

    \b
    Examples:
      codebook simulate                                   # the default experiment
      codebook simulate --p 0.4,0.3,0.2,0.1 --q uniform:4 --n 1e5 --trials 5 --format json
      codebook simulate --coders huffman,shannon --out report/
    """
    from simulations.experiment import run_experiment
    from simulations.figures import summary_figure
    from simulations.report import records_csv_text, write_report

    n = _count(n_text, "--n")
    if n < 1:  # an empty message has no bits per symbol to compare with anything
        raise click.BadParameter("--n must be at least 1 (symbols per message)")
    trials = _count(trials_text, "--trials")
    if trials < 1:
        raise click.BadParameter("--trials must be at least 1")
    names = _coder_list(coder_text)
    p = parse_distribution(p_spec, name="p")
    q = parse_distribution(q_spec, name="q")
    try:
        result = run_experiment(p, q, names, n, trials, seed, p_spec=p_spec, q_spec=q_spec)
    except _verification_error() as exc:
        raise click.ClickException(f"verification failed: {exc}") from None
    command = ["codebook", "simulate", "--p", p_spec, "--q", q_spec, "--coders", ",".join(names),
               "--n", str(n), "--trials", str(trials), "--seed", str(seed)]
    command_text = shlex.join(command)
    if fmt == "json":
        click.echo(dump_json({"command": command_text, **result.to_dict()}))
    elif fmt == "csv":
        click.echo(records_csv_text([result]), nl=False)
    else:
        click.echo(_table(result))
    if out_dir:
        write_report(out_dir, title="codebook simulate: verification report",
                     description=f"Messages of n = {n} symbols drawn from p = `{p_spec}`, coded with codes built "
                                 f"from q = `{q_spec}`, {trials} trials per coder, every bitstream decoded and "
                                 "compared with the original.",
                     command=command_text,
                     seed_note=f"master seed {seed}; trial t samples with numpy SeedSequence([{seed}, t]) on PCG64.",
                     results=[result], figures=lambda rs, out: summary_figure(rs[0], out))
        click.echo(f"report written to {out_dir}", err=True)
    _exit_if_inconsistent([result], "simulate")


def _table(result) -> str:
    from simulations.report import fmt as f

    lines = [f"p = {result.p_spec}   q = {result.q_spec}   K = {result.alphabet_size}   n = {result.n}   "
             f"trials = {result.trials}   seed = {result.seed[0]}",
             f"H(p) = {f(result.H_p)} bits   H(p,q) = {f(result.H_pq)} bits   D(p||q) = {f(result.D_pq)} bits", ""]
    rows = []
    for s in result.summaries:
        if s["kind"] == "stream":
            exp = f"{f(s['H_pqhat'])} (H(p,q_hat))"
        elif s["kind"] == "adaptive":
            exp = "exact per message"
        else:
            exp = f(s["expected"])
        ci = f"+- {f(s['ci_half'])}" if s["ci_half"] is not None else ""
        rows.append((s["coder"], f(s["bits_per_symbol"]), ci, exp, s["bound"], s["verdict"]))
    lines.append(table(["coder", "bits/symbol", "95% CI", "exact/expected", "theorem", "verdict"], rows, "lrlrll"))
    for item in result.skipped:
        lines.append(f"{item['coder']}: not run: {item['reason']}")
    lines.append("")
    lines.append(f"Verdicts at family-wise level {result.family_alpha:g} (Bonferroni over {result.intervals_judged} "
                 f"intervals, each at {result.family_alpha / max(1, result.intervals_judged):.2g} by the exact law of "
                 "the sum of the lengths or Bernstein's inequality); bits/symbol are pooled over all trials.")
    for s in result.summaries:
        lines.append(f"  {s['coder']}: {s['reason']}")
    return "\n".join(lines)


@click.command()
@click.argument("name", required=False)
@click.option("--list", "list_only", is_flag=True, help="List the catalogue and exit.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Write report.md, results.json, results.csv and the figures into DIR.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Master seed.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Local worker processes; the numbers are identical for every value.")
@click.option("--quick", is_flag=True, help="Smaller n and fewer points (a smoke run; recorded in the report).")
@click.option("--grid", "grid_path", type=click.Path(exists=True, dir_okay=False), metavar="FILE.toml",
              help="Run your own grid of experiments from a TOML file (docs/grids.md) into --out DIR.")
@click.option("--resume", is_flag=True, help="With --grid: continue the interrupted run in --out DIR; finished "
              "cells are not computed again and the report is byte-identical to an uninterrupted run's.")
@click.option("--dask", metavar="ADDRESS", help="Run on Dask instead of local processes: local:N (a cluster of N "
              "worker processes on this machine) or a scheduler address such as tcp://HOST:8786. Needs the "
              "optional extra: pip install \"codebook[dask]\".")
@click.option("--force", "-f", is_flag=True, help="With --grid: replace the report in --out DIR (or an interrupted run).")
@click.option("--quiet", is_flag=True, help="No progress bar and no notices.")
@FORMAT
@click.pass_context
def sweep(ctx, name, list_only, out_dir, seed, workers, quick, grid_path, resume, dask, force, quiet, fmt):
    """Run a named experiment from the catalogue (see --list), or your own grid (--grid), and report it.

    Every task of a sweep is seeded from the master seed and its index (a grid's cells from
    the grid seed and their coordinates), so the results do not depend on --workers or
    --dask. A progress bar goes to stderr when it is a terminal. Exit status 3 when any
    verdict is "not consistent", 130 when interrupted (a grid then continues with --resume).

    \b
    Examples:
      codebook sweep --list
      codebook sweep mismatch --out reports/mismatch
      codebook sweep blocks --workers 2 --format csv > blocks.csv
      codebook sweep --grid my-grid.toml --out runs/my-grid --workers 2
      codebook sweep --grid my-grid.toml --out runs/my-grid --resume --dask local:2
      codebook sweep --grid my-grid.toml --out runs/my-grid --dask tcp://scheduler:8786
    """
    from simulations.workers import parse_dask

    from .grid import run_grid_command

    if dask is not None:
        try:
            parse_dask(dask)
        except ValueError as exc:
            raise click.BadParameter(str(exc).removeprefix(f"--dask {dask!r}: "), param_hint="--dask") from None
        if ctx.get_parameter_source("workers") is not click.core.ParameterSource.DEFAULT:
            raise click.UsageError("--workers N (local processes) and --dask ADDRESS choose where to run: give one")
    if grid_path is not None:
        if name or list_only or quick:
            raise click.UsageError("--grid FILE runs your own grid: give no sweep NAME, --list or --quick with it")
        seed_given = ctx.get_parameter_source("seed") is not click.core.ParameterSource.DEFAULT
        run_grid_command(grid_path=grid_path, out_dir=out_dir, seed=seed if seed_given else None, workers=workers,
                         dask=dask, resume=resume, force=force, quiet=quiet, fmt=fmt)
        return
    if resume:
        raise click.UsageError("--resume continues an interrupted --grid run; catalogue sweeps are short and "
                               "simply run again")
    from simulations import catalog
    from simulations.report import SUMMARY_HEADERS, records_csv_text, summary_rows, write_report
    from simulations.sweep import run_sweep

    if list_only:
        width = max(len(k) for k in catalog.CATALOG)
        for key, d in catalog.CATALOG.items():
            click.echo(f"{key.ljust(width)}  {d.summary}")
        return
    if not name:
        raise click.UsageError("give a sweep NAME or --list")
    sdef = catalog.get(name)
    tasks = sdef.tasks(seed, quick)
    show = not quiet and sys.stderr.isatty() and tasks
    from simulations.backends import make_backend

    try:
        with make_backend(workers, dask, calls=len(tasks)) as backend:
            if backend.dashboard and not quiet:
                click.echo(f"Dask dashboard: {backend.dashboard}", err=True)
            if show:
                with click.progressbar(length=len(tasks), label=f"sweep {name}", file=sys.stderr) as bar:
                    results = run_sweep(tasks, seed, backend=backend, progress=bar.update)
            else:
                results = run_sweep(tasks, seed, backend=backend)
    except _verification_error() as exc:
        raise click.ClickException(f"verification failed: {exc}") from None
    command = shlex.join(["codebook", "sweep", name, "--seed", str(seed)] + (["--quick"] if quick else []))
    findings = sdef.findings(results)
    if fmt == "json":
        click.echo(dump_json({"command": command, "findings": findings,
                              "experiments": [r.to_dict() for r in results]}))
    elif fmt == "csv":
        click.echo(records_csv_text(results), nl=False)
    else:
        click.echo(f"{sdef.title}   ({command})")
        rows = summary_rows(results)
        click.echo(table(SUMMARY_HEADERS, rows, "llrrllrl") if rows else "no experiment ran")
        for line in findings:
            click.echo(f"* {line}")
    if out_dir:
        write_report(out_dir, title=f"codebook sweep {name}: {sdef.title}", description=sdef.description,
                     command=command,
                     seed_note=f"master seed {seed}; task i samples trial t with numpy SeedSequence([{seed}, i, t]) "
                               "on PCG64, whatever the number of workers.",
                     results=results, figures=sdef.figures, findings=findings)
        click.echo(f"report written to {out_dir}", err=True)
    _exit_if_inconsistent(results, f"sweep {name}")


EXIT_INCONSISTENT = 3


def _exit_if_inconsistent(results, what: str) -> None:
    """Exit with status 3 when any verdict is "not consistent", so scripts and CI can tell."""
    from simulations.verdicts import CONSISTENT

    bad = sorted({s["coder"] for r in results for s in r.summaries if s["verdict"] != CONSISTENT})
    if bad:
        click.echo(f"codebook {what}: not consistent with theory: {', '.join(bad)} (exit status 3)", err=True)
        raise click.exceptions.Exit(EXIT_INCONSISTENT)
