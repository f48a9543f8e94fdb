"""Formatting helpers shared by the subcommands: tables, JSON with "inf", numbers with units."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import click
import numpy as np

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format. JSON writes infinity as the string \"inf\".",
)


def jsonable(value: Any) -> Any:
    """Python/NumPy values -> JSON-ready ones; non-finite floats become "inf", "-inf", "nan"."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    return value


def dump_json(data: Any) -> str:
    return json.dumps(jsonable(data), indent=2)


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
