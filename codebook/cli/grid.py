"""``codebook sweep --grid FILE.toml``: a user-defined grid (:mod:`simulations.grid`).

Thin: load and check the grid, prepare the report folder, run the missing cells on local
processes or Dask with a progress bar, print the verdict summary. The report folder, the
journal and ``--resume`` live in the library; this module only talks to the user.
"""

from __future__ import annotations

import contextlib
import shlex

import click

from . import progress
from .output import dump_json, table, write_csv


def _notice(text: str, quiet: bool) -> None:
    if not quiet:
        click.echo(text, err=True)


def run_grid_command(*, grid_path: str, out_dir: str | None, seed: int | None, workers: int, dask: str | None,
                     resume: bool, force: bool, quiet: bool, fmt: str) -> None:
    """Run the grid file ``grid_path`` into ``out_dir`` and print its verdict summary."""
    from simulations.experiment import VerificationError
    from simulations.grid import load_grid, run_grid
    from simulations.grid_report import SUMMARY_TABLE

    if not out_dir:
        raise click.UsageError("--grid needs --out DIR: a grid's results are written there as its cells finish "
                               "(and --resume continues from there)")
    grid = load_grid(grid_path).with_seed(seed)
    command = shlex.join(["codebook", "sweep", "--grid", str(grid_path)]
                         + (["--seed", str(seed)] if seed is not None else []))
    stack = contextlib.ExitStack()
    bar = []

    def started(info) -> None:
        if info.done_before == info.cells:
            _notice(f"grid {grid.name}: all {info.cells} cells were done already (resuming); writing the report", quiet)
            return
        where = f"{info.cells} cells"
        if info.done_before:
            where += f", {info.done_before} already done (resuming), {info.cells - info.done_before} to compute"
        _notice(f"grid {grid.name}: {where}; running {info.backend}", quiet)
        if info.dashboard:
            _notice(f"Dask dashboard: {info.dashboard}", quiet)
        bar.append(stack.enter_context(progress.bar(info.cells - info.done_before, f"grid {grid.name}", quiet=quiet)))

    progress.compile_coders(sorted({c.name for c in grid.coders}), quiet=quiet)
    try:
        with stack:
            info = run_grid(grid, out_dir, command=command, workers=workers, dask=dask, resume=resume, force=force,
                            progress=lambda k: bar[0].update(k), on_start=started)
    except KeyboardInterrupt:
        click.echo(f"codebook: interrupted; the finished cells are kept in {out_dir}: run the same command with "
                   "--resume to continue", err=True)
        raise click.exceptions.Exit(130) from None
    except VerificationError as exc:
        raise click.ClickException(f"verification failed: {exc} (the cells finished before are kept in {out_dir}; "
                                   "--resume continues)") from None
    if info.finished_already:
        _notice(f"{out_dir} holds the finished report of this grid; nothing to resume", quiet)
        return
    summary = info.summary
    rows = summary.rows()
    if fmt == "json":
        click.echo(dump_json({"command": command, "grid": grid.name, "cells": info.cells,
                              "done_before": info.done_before, "computed": info.computed,
                              "consistent": summary.consistent,
                              "coders": [dict(zip(SUMMARY_TABLE, r)) for r in rows],
                              "not_consistent": summary.listed, "files": [str(f) for f in summary.files]}))
    elif fmt == "csv":
        click.echo(write_csv([h.replace(" ", "_") for h in SUMMARY_TABLE], rows), nl=False)
    else:
        click.echo(f"grid {grid.name}: {grid.shape_text()}   ({command})")
        click.echo(table(SUMMARY_TABLE, rows, "llrrrrrr"))
        for line in summary.listed:
            click.echo(f"* NOT CONSISTENT: {line}")
    _notice(f"report written to {out_dir}", quiet)
    if not summary.consistent:
        click.echo(f"codebook sweep --grid: not consistent with theory: {', '.join(summary.not_consistent_coders)} "
                   "(exit status 3)", err=True)
        raise click.exceptions.Exit(3)

