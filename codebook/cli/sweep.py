"""``codebook sweep``: a named experiment from the catalogue (:mod:`simulations.catalog`), or
your own grid (``--grid FILE.toml``, :mod:`codebook.cli.grid`).

Thin: check the options (before any work), build the sweep's tasks, run them on local worker
processes or Dask, print the verification table or write the report folder. ``sweep --list``
and every usage error answer without importing the simulations' heavy parts.
"""

from __future__ import annotations

import shlex

import click

from . import progress
from .options import (FORCE, FORMAT, MAX_WORKERS, QUIET, SEED, UNITS, check_out_dir, check_work, n_option,
                      out_option, trials_option)
from .output import dump_json, exit_if_inconsistent, verdict_notes, verification_table, wrap
from .simulate import check_units, verification_failed


def _catalog():
    from simulations import catalog

    return catalog


def _sweep_name(ctx, param, value):
    if value is None:
        return None
    catalog = _catalog()
    if value not in catalog.CATALOG:
        raise click.BadParameter(f"unknown sweep {value!r}; known sweeps: {', '.join(catalog.CATALOG)} "
                                 "(see 'codebook sweep --list')", ctx, param)
    return value


def _list(verbose: bool = True) -> str:
    catalog = _catalog()
    width = max(len(k) for k in catalog.CATALOG)
    lines = []
    for key, d in catalog.CATALOG.items():
        lines.append(f"{key.ljust(width)}  {d.summary}")
        if verbose:
            for k, default in d.defaults.items():
                quick = d.quick.get(k, default)
                shown = "built-in" if default is None else default
                q_text = f", --quick {quick}" if quick != default else ""
                lines.append(wrap(f"--{k} ({shown}{q_text}): {d.notes.get(k, '')}", indent=" " * (width + 2),
                                  hang=" " * (width + 6)))
    return "\n".join(lines)


def _dask_address(ctx, param, value):
    if value is None:
        return None
    from simulations.workers import parse_dask

    try:
        parse_dask(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc).removeprefix(f"--dask {value!r}: "), ctx, param) from None
    return value


@click.command()
@click.argument("name", required=False, callback=_sweep_name)
@click.option("--list", "list_only", is_flag=True, help="List the catalogue with each sweep's parameters, and exit.")
@click.option("--p", "p_spec", metavar="SPEC", help="Override the sweep's p (see --list: what it means per sweep).")
@click.option("--q", "q_spec", metavar="SPEC", help="Override the sweep's q (see --list).")
@n_option(help="Override the sweep's symbols per message (see --list).")
@trials_option(help="Override the sweep's messages per point (see --list).")
@SEED
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1, max=MAX_WORKERS), metavar="N",
              help=f"Local worker processes (at most {MAX_WORKERS}, and never more than the sweep's tasks); "
                   "the numbers are identical for every value.")
@click.option("--dask", metavar="ADDRESS", callback=_dask_address,
              help="Run on Dask instead of local processes: local:N (a cluster of N worker processes on this "
                   "machine) or a scheduler address such as tcp://HOST:8786. Needs the optional extra: "
                   "pip install \"codebook[dask]\".")
@click.option("--quick", is_flag=True, help="Smaller n and fewer points (a smoke run; recorded in the report).")
@click.option("--grid", "grid_path", type=click.Path(exists=True, dir_okay=False), metavar="FILE.toml",
              help="Run your own grid of experiments from a TOML file (docs/grids.md) into --out DIR.")
@click.option("--resume", is_flag=True, help="With --grid: continue the interrupted run in --out DIR; finished "
              "cells are not computed again and the report is byte-identical to an uninterrupted run's.")
@FORMAT
@UNITS
@out_option()
@FORCE
@QUIET
@click.pass_context
def sweep(ctx, name, list_only, p_spec, q_spec, n, trials, seed, workers, dask, quick, grid_path, resume, fmt, units,
          out_dir, force, quiet):
    """Run a named experiment from the catalogue (see --list), or your own grid (--grid), and report it.

    Every task of a sweep is seeded from the master seed and its index, so the results do
    not depend on --workers. --p, --q, --n and --trials override the sweep's own values where
    it has them (--list says which, and what each means); they are part of the recorded
    command. Limits, checked before any work: n <= 1e8, trials <= 1e5, n x trials x coders
    summed over the tasks <= 1e11 symbols coded. Progress goes to stderr when it is a
    terminal. Exit status 3 when any verdict is "not consistent", 130 when interrupted.

    A grid (--grid FILE.toml, docs/grids.md) is the product of its p, q and n lists; each cell
    is seeded from the grid seed and its own coordinates, streamed to --out DIR as it finishes,
    and an interrupted grid continues with --resume. --workers or --dask choose where cells run:
    the files are the same bytes on every backend.

    \b
    Examples:
      codebook sweep --list
      codebook sweep mismatch --out reports/mismatch
      codebook sweep mismatch --p zipf:64:1.3 --n 1e5 --trials 2
      codebook sweep blocks --workers 2 --format csv > blocks.csv
      codebook sweep --grid my-grid.toml --out runs/my-grid --workers 2
      codebook sweep --grid my-grid.toml --out runs/my-grid --resume --dask local:2
      codebook sweep --grid my-grid.toml --out runs/my-grid --dask tcp://scheduler:8786
    """
    if dask is not None and ctx.get_parameter_source("workers") is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError("--workers N (local processes) and --dask ADDRESS choose where to run: give one")
    if grid_path is not None:
        given = [f"--{k}" for k, v in (("p", p_spec), ("q", q_spec), ("n", n), ("trials", trials)) if v is not None]
        if name or list_only or quick or given:
            raise click.UsageError("--grid FILE runs your own grid, which takes p, q, n and trials from the file: "
                                   "give no sweep NAME, --list, --quick, --p, --q, --n or --trials with it")
        if units != "bits":
            raise click.UsageError("--units: a grid prints verdict counts only (its files hold bits)")
        from .grid import run_grid_command

        seed_given = ctx.get_parameter_source("seed") is not click.core.ParameterSource.DEFAULT
        run_grid_command(grid_path=grid_path, out_dir=out_dir, seed=seed if seed_given else None, workers=workers,
                         dask=dask, resume=resume, force=force, quiet=quiet, fmt=fmt)
        return
    if resume:
        raise click.UsageError("--resume continues an interrupted --grid run; catalogue sweeps are short and "
                               "simply run again")
    if list_only:
        click.echo(_list())
        return
    if not name:
        raise click.UsageError("give a sweep NAME or --list")
    check_units(units, fmt)
    check_out_dir(out_dir, force)
    catalog = _catalog()
    sdef = catalog.get(name)
    overrides = {"p": p_spec, "q": q_spec, "n": n, "trials": trials}
    try:
        params = sdef.parameters(quick, **overrides)
        tasks = sdef.tasks(seed, quick, **overrides)
    except catalog.SweepParameterError as exc:
        raise click.UsageError(str(exc)) from None
    check_work(sum(t.n * t.trials * len(t.coders) for t in tasks), f"sweep {name}")

    from simulations.backends import make_backend
    from simulations.experiment import VerificationError
    from simulations.sweep import run_sweep

    progress.compile_coders(sorted({c.name for t in tasks for c in t.coders}), quiet=quiet)
    try:
        with make_backend(workers, dask, calls=len(tasks)) as backend:  # capped at the number of tasks there
            if backend.dashboard and not quiet:
                click.echo(f"Dask dashboard: {backend.dashboard}", err=True)
            with progress.bar(len(tasks), f"sweep {name}", quiet=quiet) as bar:
                results = run_sweep(tasks, seed, backend=backend, progress=bar.update)
    except VerificationError as exc:
        raise verification_failed(exc) from None
    given = [x for k, v in overrides.items() if v is not None for x in (f"--{k}", str(v))]
    command = shlex.join(["codebook", "sweep", name] + given + ["--seed", str(seed)] + (["--quick"] if quick else []))
    findings = sdef.findings(results)
    if fmt == "json":
        click.echo(dump_json({"command": command, "parameters": params, "findings": findings,
                              "experiments": [r.to_dict() for r in results]}))
    elif fmt == "csv":
        from simulations.report import records_csv_text

        click.echo(records_csv_text(results), nl=False)
    else:
        click.echo(sdef.title)
        click.echo(wrap(f"command: {command}", indent="", hang="  "))
        click.echo(verification_table(results, units, experiments=True))
        click.echo("\n".join(verdict_notes(results, reasons=False)))
        if findings:
            click.echo("Findings:")
        for line in findings:
            click.echo(wrap(f"* {line}", indent="", hang="  "))
    if out_dir:
        from simulations.report import write_report

        write_report(out_dir, title=f"codebook sweep {name}: {sdef.title}", description=sdef.describe(params),
                     command=command,
                     seed_note=f"master seed {seed}; task i samples trial t with numpy SeedSequence([{seed}, i, t]) "
                               "on PCG64, whatever the number of workers.",
                     results=results, figures=sdef.figures, findings=findings)
        if not quiet:
            click.echo(f"report written to {out_dir}", err=True)
    exit_if_inconsistent(results, f"sweep {name}")
