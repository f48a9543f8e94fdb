"""The report folder of a grid: results.csv, results.json, figures and report.md, from the journal.

Same folder and file formats as a catalogue sweep's (:mod:`simulations.report`): results.csv
has one row per cell, coder and trial in the columns of ``docs/simulations.md``; results.json
the same records plus the per-coder summaries and the experiment headers, and the grid itself.
Everything is written in one pass over the journal in cell order, so memory holds one cell at
a time plus a few numbers per cell for the figures; report.md gives the verdict summary, the
not-consistent messages, the figures, and (for small grids) the per-cell tables.
"""

from __future__ import annotations

import csv
import json
import math
import os
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from codebook.jsonio import csv_cell

from .experiment import RECORD_COLUMNS, SUMMARY_COLUMNS
from .report import SUMMARY_HEADERS, figure_markdown, fmt, markdown_table, summary_rows, theorem_key, versions
from .verdicts import CONSISTENT

SMALL_TABLE = 200
"""Grids with at most this many (cell, coder) summaries get the full verification table in report.md."""
LISTED = 50
"""Not-consistent messages and summaries listed by name in report.md (all are in results.csv)."""


@dataclass
class Tally:
    """Verdict counts of one coder over the whole grid."""

    kind: str = ""
    cells: int = 0
    cells_consistent: int = 0
    messages: int = 0
    messages_consistent: int = 0
    unencodable: int = 0
    not_built: int = 0


@dataclass
class Summary:
    """What a grid run found: per-coder tallies and the first not-consistent items."""

    cells: int
    tallies: dict[str, Tally]
    bad_messages: int = 0
    bad_summaries: int = 0
    listed: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return self.bad_messages == 0 and self.bad_summaries == 0

    @property
    def not_consistent_coders(self) -> list[str]:
        return [c for c, t in self.tallies.items() if t.cells_consistent < t.cells]

    def rows(self) -> list[list]:
        """The verdict summary table, one row per coder (also what the CLI prints)."""
        return [[c, t.kind, t.cells, t.cells_consistent, t.messages, t.messages_consistent, t.unencodable,
                 t.not_built] for c, t in self.tallies.items()]


SUMMARY_TABLE = ["coder", "kind", "cells", "consistent cells", "messages", "consistent messages",
                 "unencodable messages", "cells where not built"]


class _Points:
    """A few numbers per (cell, coder) and per message for the figures, in compact arrays."""

    def __init__(self):
        self.x, self.gap, self.coder, self.bad = array("d"), array("d"), array("i"), array("b")
        self.hidden = 0
        self.z, self.z_coder = array("d"), array("i")


def _x_value(grid, e: dict, s: dict):
    return {"H_p": e["H_p"], "H_pq": e["H_pq"], "D_pq": e["D_pq"], "alphabet_size": e["alphabet_size"]}.get(grid.x, s["x"])


def _number(v) -> float:
    """A JSON number or "inf"/"-inf" string as a float; None as NaN."""
    if v is None:
        return math.nan
    return float(v)


def write(out: Path, grid, command: str, journal) -> Summary:
    """Write the report folder ``out`` from ``journal`` (every cell done); return the summary."""
    work = journal.path.parent
    from codebook import coders as registry

    coders = [c.display for c in grid.coders]
    summary = Summary(cells=len(grid), tallies={c.display: Tally(kind=registry.info(c.name).kind)
                                                for c in grid.coders})
    pts = _Points()
    theory: dict[str, list[str]] = {}
    seen_keys: set = set()
    small_rows, small_cells = [], []
    col = {c: i for i, c in enumerate(RECORD_COLUMNS)}
    head = {"title": _title(grid), "command": command, "seed": _seed_note(grid), "versions": versions(),
            "grid": grid.canonical(), "record_columns": RECORD_COLUMNS, "summary_columns": SUMMARY_COLUMNS}
    with open(work / "results.csv.part", "w", newline="", encoding="utf-8") as cf, \
            open(work / "results.json.part", "w", encoding="utf-8") as jf:
        rows_out = csv.writer(cf, lineterminator="\n")
        rows_out.writerow(RECORD_COLUMNS)
        jf.write(json.dumps(head, separators=(",", ":"))[:-1] + ',"experiments":[')
        for k, line in enumerate(journal.lines()):
            data = json.loads(line)
            e, statements = data["e"], data["s"]
            jf.write(("," if k else "") + json.dumps(e, separators=(",", ":")))
            for rec in e["records"]:
                rows_out.writerow([csv_cell(v) for v in rec])
                t = summary.tallies[rec[col["coder"]]]
                t.messages += 1
                if rec[col["verdict"]] == CONSISTENT:
                    t.messages_consistent += 1
                else:
                    summary.bad_messages += 1
                    _list(summary, f"{e['label']}: {rec[col['coder']]} trial {rec[col['trial']]}: {rec[col['reason']]}")
                if rec[col["status"]] != "ok":
                    t.unencodable += 1
                _z(pts, rec, col, coders)
            for s, statement in zip(e["summaries"], statements):
                t = summary.tallies[s["coder"]]
                t.cells += 1
                if s["verdict"] == CONSISTENT:
                    t.cells_consistent += 1
                else:
                    summary.bad_summaries += 1
                    _list(summary, f"{e['label']}: {s['coder']} (all trials): {s['reason']}")
                key = theorem_key(s)
                said = theory.setdefault(s["coder"], [])
                if key not in seen_keys and statement not in said:
                    seen_keys.add(key)
                    said.append(statement)
                _gap(pts, grid, e, s, coders)
            for item in e["skipped"]:
                summary.tallies[item["coder"]].not_built += 1
            if len(grid) * len(coders) <= SMALL_TABLE:
                small_rows.append(SimpleNamespace(label=e["label"], summaries=e["summaries"]))
                small_cells.append([e["label"], f"`{e['p_spec']}`", f"`{e['q_spec']}`", e["n"], e["trials"],
                                    fmt(_number(e["H_p"])), fmt(_number(e["H_pq"])), fmt(_number(e["D_pq"]))])
        verdicts = {"cells": len(grid), "coders": {c: vars(t) for c, t in summary.tallies.items()},
                    "not_consistent_messages": summary.bad_messages,
                    "not_consistent_summaries": summary.bad_summaries}
        jf.write('],"theory":' + json.dumps(theory, separators=(",", ":")) + ',"verdicts":'
                 + json.dumps(verdicts, separators=(",", ":")) + "}\n")
    figs = _figures(pts, grid, coders, work)
    md = _markdown(grid, command, summary, theory, figs, small_rows, small_cells, pts)
    (work / "report.md.part").write_text(md, encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    for name in ("results.csv", "results.json", "report.md"):
        os.replace(work / f"{name}.part", out / name)
        summary.files.append(out / name)
    for name, _ in figs:
        os.replace(work / name, out / name)
        summary.files.append(out / name)
    return summary


def _list(summary: Summary, text: str) -> None:
    if len(summary.listed) < LISTED:
        summary.listed.append(" ".join(text.split()))


def _z(pts: _Points, rec: list, col: dict, coders: list[str]) -> None:
    """The message's standardized deviation from its exact expectation: prefix codes
    (bits/n - E_p[l]) / sqrt(Var/n); stream coders the same with -log2 q_hat(x^n)/n and H(p,q_hat)
    (their per-message overhead is checked exactly, not statistically)."""
    var, n = rec[col["variance"]], rec[col["n"]]
    if rec[col["status"]] != "ok" or not isinstance(var, (int, float)) or not n:
        return
    if rec[col["kind"]] == "prefix":
        mean, expected = rec[col["bits_per_symbol"]], rec[col["expected"]]
    elif rec[col["kind"]] == "stream" and rec[col["ideal_bits"]] is not None:
        mean, expected = rec[col["ideal_bits"]] / n, rec[col["H_pqhat"]]
    else:
        return
    if not isinstance(expected, (int, float)) or not isinstance(mean, (int, float)) \
            or var <= 1e-12 * max(1.0, expected * expected):  # every message has the same length (round-off)
        return
    pts.z.append((mean - expected) / math.sqrt(var / n))
    pts.z_coder.append(coders.index(rec[col["coder"]]))


def _gap(pts: _Points, grid, e: dict, s: dict, coders: list[str]) -> None:
    bits, hpq, x = _number(s["bits_per_symbol"]), _number(e["H_pq"]), _x_value(grid, e, s)
    if not (math.isfinite(bits) and math.isfinite(hpq)) or x is None or not math.isfinite(_number(x)):
        pts.hidden += 1
        return
    pts.x.append(_number(x))
    pts.gap.append(bits - hpq)
    pts.coder.append(coders.index(s["coder"]))
    pts.bad.append(s["verdict"] != CONSISTENT)


# ------------------------------------------------------------------------------------------ figures

X_LABELS = {"n": "message length n (symbols)", "block": "block length k (symbols per codeword)",
            "H_p": "H(p) (bits)", "H_pq": "H(p,q) (bits)", "D_pq": "D(p||q) (bits)", "alphabet_size": "alphabet size K",
            "seed": "{seed}"}


def _figures(pts: _Points, grid, coders: list[str], work: Path) -> list[tuple[str, str]]:
    from .figures import MARKERS, _figure, _finish, _save

    out = []
    x, gap, who, bad = (np.frombuffer(a, dtype=d) if len(a) else np.zeros(0, d)
                        for a, d in ((pts.x, np.float64), (pts.gap, np.float64), (pts.coder, np.int32),
                                     (pts.bad, np.int8)))
    if len(x):
        fig, axes = _figure(height=4.6)
        ax = axes[0][0]
        distinct = np.unique(x)
        alpha = float(min(0.8, max(0.08, 400 / len(x))))
        log_x = distinct.size > 1 and distinct.min() > 0 and (grid.x == "n" or distinct.max() / distinct.min() >= 100)
        few = len(distinct) <= 40
        shown = [j for j in range(len(coders)) if (who == j).any()]
        for rank, j in enumerate(shown):
            mine, c = who == j, coders[j]
            xs = _dodge(x[mine], distinct, rank, len(shown), log_x) if few else x[mine]
            ax.plot(xs, gap[mine], MARKERS[j % 10], ms=4, color=f"C{j}", alpha=alpha, ls="none",
                    label=None if few else c)
            if few:
                at = [v for v in distinct if (mine & (x == v)).any()]
                med = [float(np.median(gap[mine & (x == v)])) for v in at]
                ax.plot(_dodge(np.array(at), distinct, rank, len(shown), log_x), med, MARKERS[j % 10] + "-", ms=7,
                        color=f"C{j}", label=f"{c} (median over cells; dots: each cell)")
        if bad.any():
            ax.plot(x[bad == 1], gap[bad == 1], "x", color="red", ms=9, mew=2, ls="none", label="not consistent")
        ax.axhline(0, color="k", lw=1, label="H(p,q)")
        if gap.max() > 0.5:  # the Shannon code's upper bound, drawn when some cell comes near it
            ax.axhline(1, color="k", ls=":", lw=1, label="H(p,q) + 1")
        if log_x:
            ax.set_xscale("log")
        hidden = f"; {pts.hidden} not shown (infinite H(p,q) or length)" if pts.hidden else ""
        _finish(ax, X_LABELS.get(grid.x, grid.x), "bits/symbol - H(p,q)",
                f"{len(grid)} cells x {len(coders)} coders, each point pooled over {grid.trials} "
                f"trial{'s' if grid.trials > 1 else ''}{hidden}")
        out.append((_save(fig, work, "grid_gap.png"),
                    "Each cell's measured bits/symbol (pooled over its trials) minus its exact H(p,q), per coder, "
                    f"against {X_LABELS.get(grid.x, grid.x)}. Stream coders sit at H(p,q_hat) - H(p,q) plus their "
                    "per-message overhead / n, Shannon codes in [0, 1); a Huffman code built for q may lie below 0 "
                    "(theory §d). Red crosses: summaries judged not consistent."))
    z, zc = np.frombuffer(pts.z, dtype=np.float64), np.frombuffer(pts.z_coder, dtype=np.int32)
    if len(pts.z):
        fig, axes = _figure(height=4.6)
        ax = axes[0][0]
        edges = np.linspace(-6, 6, 49)
        for j, c in enumerate(coders):
            mine = z[zc == j]
            if not mine.size:
                continue
            outside = int((np.abs(mine) > 6).sum())
            ax.hist(np.clip(mine, -6, 6), bins=edges, density=True, histtype="step", lw=2, color=f"C{j}",
                    label=f"{c}: {mine.size} messages" + (f", {outside} beyond ±6 (at the edge)" if outside else ""))
        grid_z = np.linspace(-6, 6, 400)
        ax.plot(grid_z, np.exp(-grid_z**2 / 2) / math.sqrt(2 * math.pi), "k--", lw=1.5, label="N(0, 1)")
        _finish(ax, "(measured - exact expectation) / standard error, per message", "density",
                "Each message against its exact expectation")
        out.append((_save(fig, work, "grid_deviation.png"),
                    "Each message's deviation from its exact expectation in standard errors: prefix codes "
                    "(bits/n - E_p[l]) / sqrt(Var_p[l]/n), stream coders the same for their ideal length "
                    "-log2 q_hat(x^n) against H(p,q_hat) (theory §i). Close to N(0, 1) when n p_min is large; for short "
                    "messages the law is discrete and skewed, which is why the verdicts use the exact law of the sum "
                    "or Bernstein's inequality, never this normal curve."))
    return out


def _dodge(xs: np.ndarray, distinct: np.ndarray, rank: int, count: int, log_x: bool) -> np.ndarray:
    """Shift coder ``rank`` of ``count`` sideways by a fraction of the smallest gap between the x
    values (in log space on a log axis), so the coders' points at one x do not hide each other."""
    if count < 2 or distinct.size < 2:
        return xs
    span = np.log10(distinct) if log_x else distinct
    step = 0.5 * float(np.min(np.diff(span))) / count
    shift = (rank - (count - 1) / 2) * step
    return xs * 10**shift if log_x else xs + shift


# ------------------------------------------------------------------------------------------ report.md


def _title(grid) -> str:
    return f"codebook sweep --grid: {grid.title or grid.name}"


def _seed_note(grid) -> str:
    return (f"grid seed {grid.seed}; the cell with coordinates (p, q, n, block) samples trial t with numpy "
            f"SeedSequence([{grid.seed}, h1, h2, t]) on PCG64, where (h1, h2) are the 8-byte BLAKE2b digest "
            "(digest_size=8) of \"p=P\\nq=Q\\nn=N\\nblock=K\" as two big-endian 32-bit words (the `seed` column holds all four): "
            "the numbers of a cell depend on nothing but the grid seed and its coordinates, whatever the backend, "
            "the number of workers, the order cells finished in, or an interruption and --resume.")


def _markdown(grid, command, summary: Summary, theory, figs, small_rows, small_cells, pts) -> str:
    t_all = sum(t.cells for t in summary.tallies.values())
    m_all = sum(t.messages for t in summary.tallies.values())
    md = [f"# {_title(grid)}", ""]
    if grid.description.strip():
        md += [grid.description.strip(), ""]
    md += [f"The grid `{grid.name}` ({grid.path}): {grid.shape_text()}, each coded by {len(grid.coders)} coder"
           f"{'s' if len(grid.coders) > 1 else ''} ({', '.join(c.display for c in grid.coders)}) in {grid.trials} "
           f"trial{'s' if grid.trials > 1 else ''}: {m_all} messages, every one encoded, decoded and compared.", "",
           "## How this was made", "",
           f"- Command: `{command}` (add `--out DIR` to write this report again; the numbers are identical on every "
           "backend, `--workers` count and `--dask` cluster, and after `--resume`).",
           f"- Seeds: {_seed_note(grid)}",
           "- Packages: " + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".",
           f"- Verdicts: all statistical intervals of the grid are judged together at family-wise level alpha = 0.001 "
           f"(Bonferroni over m = {grid.family_size} intervals, coders x (trials + 1) per cell, each at alpha/m = "
           f"{0.001 / grid.family_size:.2g}) by tests whose false-alarm rate is guaranteed for every n (theory §i); "
           "exact checks (bit counts, per-message bounds) are never relaxed. A larger grid makes each interval "
           "stricter, so the same cell's verdict can differ between two grids; its numbers cannot.",
           "", "## Verdict summary", ""]
    bad = summary.bad_messages + summary.bad_summaries
    md.append(f"{t_all - summary.bad_summaries} of {t_all} coder summaries (cell x coder) and "
              f"{m_all - summary.bad_messages} of {m_all} messages are consistent with theory"
              + ("." if not bad else f"; {bad} not consistent, listed below."))
    md += ["", markdown_table(SUMMARY_TABLE, summary.rows()), ""]
    if any(t.not_built for t in summary.tallies.values()):
        md += ["A coder that cannot be built for a cell's q (e.g. a precision too small for K symbols) is not run "
               "there; its reason is in results.json (`skipped` of that experiment).", ""]
    if summary.listed:
        md += ["### Not consistent", ""]
        md += [f"- {line}" for line in summary.listed]
        if bad > len(summary.listed):
            md.append(f"- ... and {bad - len(summary.listed)} more (results.csv, column `verdict`).")
        md.append("")
    md += ["## What theory says", "",
           "(One line per coder and theorem; the numbers inside a statement, such as a stream coder's [lo, hi], are "
           "those of the first cell where it appears.)", ""]
    for coder, texts in theory.items():
        kind = summary.tallies[coder].kind
        md += [f"- **{coder}** ({kind}): {text}." for text in texts]
    md += ["", "## Figures", "", *figure_markdown(figs)]
    if not figs:
        md += ["No cell has a finite length to plot.", ""]
    if small_rows:
        md += ["## Cells", "", markdown_table(["experiment", "p", "q", "n", "trials", "H(p)", "H(p,q)", "D(p||q)"],
                                              small_cells),
               "", "### Verification table", "", markdown_table(SUMMARY_HEADERS, summary_rows(small_rows)), ""]
    else:
        md += ["## Cells", "", f"{len(grid)} cells: too many for a table here; every cell's summaries are in "
               "results.json and every message in results.csv.", ""]
    md += ["## Grid file", "", f"`{grid.path}`, as read:", "", "```toml", grid.source.rstrip(), "```", "",
           "## Files", "",
           "- `results.csv`: one row per cell, coder and message (trial); columns are documented in "
           "`docs/simulations.md` of the codebook repository. Infinity is written `inf`, n/a is empty.",
           "- `results.json`: the same records plus the per-coder summaries and the experiment headers of every cell, "
           "the grid (`grid`, every default filled in), the theory statements and the verdict counts; infinity as the "
           "string \"inf\", n/a as null.",
           ]
    md += [f"- `{name}`: figure." for name, _ in figs]
    return "\n".join(md) + "\n"
