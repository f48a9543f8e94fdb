"""Formatting helpers shared by the subcommands: tables, JSON with "inf", numbers with units."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

import click

from ..jsonio import csv_cell, dump_json, jsonable  # noqa: F401  (one JSON convention, below the CLI)

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format. JSON writes infinity as the string \"inf\".",
)
"""Kept for ``compress``; every other command uses :data:`codebook.cli.options.FORMAT` (with csv)."""

WIDTH = 100
"""Default tables and the text below them fit in this many columns."""

NATS_PER_BIT = math.log(2)


def in_units(value: float | None, units: str) -> float | None:
    """A quantity in bits, converted to ``units`` ("bits" or "nats"); None stays None."""
    if value is None or units == "bits":
        return value
    return value * NATS_PER_BIT


def fmt_bits(value: float, digits: int = 6) -> str:
    """A number of bits for a table: fixed digits, "inf" for infinity, and scientific notation
    for tiny non-zero values (H(p) = 4.13e-11 bits must not print as 0.000000)."""
    if math.isinf(value):
        return "inf"
    if value != 0 and abs(value) < 10.0**-digits * 100:
        return f"{value:.{max(digits - 2, 1)}e}"
    return f"{value:.{digits}f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str | None = None) -> str:
    """A plain-text table; ``align`` is one of l/r per column (default: l for the first)."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    align = align or "l" + "r" * (len(headers) - 1)

    def line(row):
        return "  ".join(c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(row, widths, align)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells])


def wrap(text: str, indent: str = "  ", width: int = WIDTH, hang: str | None = None) -> str:
    """``text`` wrapped to ``width`` columns, continuation lines indented by ``hang`` (default
    twice ``indent``)."""
    return textwrap.fill(text, width=width, initial_indent=indent,
                         subsequent_indent=indent * 2 if hang is None else hang,
                         break_long_words=False, break_on_hyphens=False)


def exit_if_inconsistent(results, what: str) -> None:
    """Exit with status 3 when any verdict is "not consistent", so scripts and CI can tell
    ("not codable", a refusal theory predicts, is not a failure)."""
    from simulations.verdicts import failed

    bad = sorted({s["coder"] for r in results for s in r.summaries if failed(s["verdict"])}
                 | {"the sample" for r in results if getattr(r, "sample", None) and failed(r.sample["verdict"])})
    if bad:
        click.echo(f"codebook {what}: not consistent with theory: {', '.join(bad)} (exit status 3)", err=True)
        raise click.exceptions.Exit(EXIT_INCONSISTENT)


EXIT_INCONSISTENT = 3


# ----------------------------------------------------------------------------- verification tables


def _num(value: float | None, units: str, digits: int = 6) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return fmt_bits(in_units(value, units), digits)


def verification_table(results, units: str = "bits", *, experiments: bool = False) -> str:
    """The verification table of ``simulate`` / ``sweep`` in at most :data:`WIDTH` columns: one
    row per coder, under a line naming each experiment (``experiments``); the theorem and the
    verdict's reason go below (:func:`verdict_notes`)."""
    per = "bits" if units == "bits" else "nats"
    rows, starts = [], []
    for r in results:
        starts.append((len(rows), r.label))
        for s in r.summaries:
            if s["kind"] == "stream" and s["H_pqhat"] is not None:
                expected = f"{_num(s['H_pqhat'], units)} H(p,q_hat)"
            elif s["kind"] == "adaptive" and s["expected"] is not None:
                expected = f"{_num(s['expected'], units)} E[L]/n"
            else:
                expected = _num(s["expected"], units)
            bits = _num(s["bits_per_symbol"], units)
            if 0 < s["messages_ok"] < s["trials"]:
                bits += f" ({s['messages_ok']}/{s['trials']} coded)"
            # The interval is for `expected`, from the random part (a stream coder's ideal length,
            # not its bits): shown as its two ends, not as ± around bits/symbol.
            ci = (f"[{_num(s['ci_low'], units)}, {_num(s['ci_high'], units)}]"
                  if s.get("ci_low") is not None else "")
            rows.append([s["coder"], bits, ci, expected, f"{s['rows_consistent']}/{s['trials']}", s["verdict"]])
    if not rows:
        return "no experiment ran"
    lines = table(["coder", f"{per}/symbol", "95 % interval of expected", "exact/expected", "ok msgs", "verdict"], rows,
                  "lrrrrl").splitlines()
    if not experiments:
        return "\n".join(lines)
    out = ["  " + line for line in lines[:2]]
    labels = dict(starts)
    for i, line in enumerate(lines[2:]):
        if i in labels:
            out.append(f"{labels[i]}:")
        out.append("  " + line)
    return "\n".join(out)


def verdict_notes(results, *, reasons: bool = True, width: int = WIDTH) -> list[str]:
    """Below the table: each coder's theorem (once per distinct text) and why each verdict was
    reached (with ``reasons=False`` only the verdicts that are not consistent), wrapped to
    ``width`` columns."""
    lines, seen = ["Theorems checked (docs/theory.md):"], set()
    for r in results:
        for s in r.summaries:
            key = (s["coder"], s["bound"].split(", [lo")[0])
            if key not in seen:
                seen.add(key)
                lines.append(wrap(f"{s['coder']}: {s['bound']}", width=width))
    shown = [(r, s) for r in results for s in r.summaries if reasons or s["verdict"] != "consistent"]
    if shown:
        lines.append("Verdicts:" if reasons else "Verdicts that are not consistent:")
        for r, s in shown:
            where = f"{r.label} / " if r.label else ""
            lines.append(wrap(f"{where}{s['coder']}: {s['reason']}", width=width))
    return lines


def write_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV text in the reports' convention: infinity as ``inf``, None as empty, floats in full."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(headers)
    w.writerows([csv_cell(c) for c in row] for row in rows)
    return buf.getvalue()


def print_result(result, command_text: str, fmt: str, table_text) -> None:
    """One experiment on stdout: JSON (with the command), CSV records, or ``table_text()``."""
    if fmt == "json":
        click.echo(dump_json({"command": command_text, **result.to_dict()}))
    elif fmt == "csv":
        from simulations.report import records_csv_text

        click.echo(records_csv_text([result]), nl=False)
    else:
        click.echo(table_text())
