"""Reports: report.md, results.json, results.csv and PNG figures in one folder.

A report states what was run (the exact command, seed, package versions), what theory says
for each coder, the measurements with their intervals and verdicts, and embeds the figures.
Its numbers depend only on the command: no timings, no dates, no host names, so running the
recorded command again reproduces the same numbers (the byte-for-byte check is a test).
"""

from __future__ import annotations

import csv
import json
import math
import platform
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

from codebook.jsonio import csv_cell, jsonable  # one JSON convention: inf as "inf", numpy scalars as Python

from . import verdicts
from .experiment import RECORD_COLUMNS, SUMMARY_COLUMNS, ExperimentResult

PACKAGES = ("numpy", "scipy", "bitarray", "numba", "matplotlib", "click")


def versions() -> dict[str, str]:
    """Python and the packages whose code produced the numbers."""
    import codebook

    out = {"python": platform.python_version(), "codebook": codebook.__version__}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def compact(result: ExperimentResult) -> dict:
    """An experiment for results.json: header, summaries, skipped coders, and the records as
    rows in the order of ``record_columns`` (the keys would otherwise repeat in every record)."""
    summaries = [{k: v for k, v in s.items() if k != "statement"} for s in result.summaries]
    return {**result.header(), "summaries": summaries, "skipped": result.skipped,
            "records": [[row.get(c) for c in RECORD_COLUMNS] for row in result.records]}


def _statements(results: Sequence[ExperimentResult]) -> dict[str, list[str]]:
    """What theory says per coder, each distinct statement once (summaries would repeat them)."""
    out: dict[str, list[str]] = {}
    for r in results:
        for s in r.summaries:
            texts = out.setdefault(s["coder"], [])
            if s["statement"] not in texts:
                texts.append(s["statement"])
    return out


def write_csv(path: Path, rows: Sequence[dict], columns: Sequence[str]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        for row in rows:
            w.writerow([csv_cell(row.get(c)) for c in columns])


def records_csv_text(results: Sequence[ExperimentResult]) -> str:
    """The records of every result as CSV text (the format of results.csv)."""
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(RECORD_COLUMNS)
    for r in results:
        for row in r.records:
            w.writerow([csv_cell(row.get(c)) for c in RECORD_COLUMNS])
    return buf.getvalue()


def fmt(value, digits: int = 6) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if math.isnan(value):
            return "-"
        return f"{value:.{digits}f}"
    return str(value)


def summary_rows(results: Sequence[ExperimentResult]) -> list[list[str]]:
    """Rows of the verification table: one per experiment and coder."""
    rows = []
    for r in results:
        for s in r.summaries:
            expected = fmt(s["expected"])
            if s["kind"] == "stream" and s["H_pqhat"] is not None:
                expected = f"{fmt(s['H_pqhat'])} (H(p,q_hat))"
            elif s["kind"] == "adaptive" and s["expected"] is not None:
                expected = f"{fmt(s['expected'])} (E[L_alpha]/n)"
            ci = f"[{fmt(s['ci_low'])}, {fmt(s['ci_high'])}]" if s.get("ci_low") is not None else "-"
            bits = fmt(s["bits_per_symbol"])
            if s["messages_ok"] < s["trials"]:
                bits += f" ({s['trials'] - s['messages_ok']} of {s['trials']} messages not codable)"
            rows.append([r.label, s["coder"], bits, ci, expected,
                         f"{s['bound']}", f"{s['rows_consistent']}/{s['trials']}", s["verdict"]])
    return rows


SUMMARY_HEADERS = ["experiment", "coder", "bits/symbol", "95 % interval of expected", "exact / expected", "theorem",
                   "consistent messages", "verdict"]


def theorem_key(summary: dict) -> tuple[str, str]:
    """``(coder, theorem)`` of a summary, so that a report states each coder's theorem once: a
    block sweep's bounds differ only by "on k-tuples", a stream coder's by its [lo, hi] numbers."""
    return summary["coder"], summary["bound"].split(", [lo")[0].split(" on ")[0]


def figure_markdown(figs: Sequence[tuple[str, str]]) -> list[str]:
    """report.md lines embedding each ``(file name, caption)``, the caption also below it."""
    return [line for name, caption in figs for line in (f"![{caption}]({name})", "", f"*{caption}*", "")]


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def esc(c):
        return str(c).replace("|", "\\|")

    lines = ["| " + " | ".join(esc(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def write_report(
    out: Path,
    *,
    title: str,
    description: str,
    command: str,
    seed_note: str,
    results: Sequence[ExperimentResult],
    figures: Callable[[Sequence[ExperimentResult], Path], list[tuple[str, str]]] | None = None,
    findings: Sequence[str] = (),
) -> list[Path]:
    """Write the report folder ``out``; return the files written (Markdown first)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    figs = figures(results, out) if figures is not None else []
    vers = versions()
    records = [row for r in results for row in r.records]
    summaries = [s for r in results for s in r.summaries]

    data = {
        "title": title, "command": command, "seed": seed_note, "versions": vers,
        "record_columns": RECORD_COLUMNS, "summary_columns": SUMMARY_COLUMNS,
        "theory": _statements(results),
        "experiments": [compact(r) for r in results],
    }
    (out / "results.json").write_text(json.dumps(jsonable(data), separators=(",", ":")) + "\n", encoding="utf-8")
    write_csv(out / "results.csv", records, RECORD_COLUMNS)

    md = [f"# {title}", "", description.strip(), "", "## How this was made", ""]
    md.append(f"- Command: `{command}` (add `--out DIR` to write this report again; the numbers will be identical).")
    md.append(f"- Seeds: {seed_note}")
    md.append("- Packages: " + ", ".join(f"{k} {v}" for k, v in vers.items()) + ".")
    if results:
        r0 = results[0]
        scope = ("the whole report" if len(results) > 1 and len({r.intervals_judged for r in results}) == 1
                 else "each experiment")
        if r0.verdict_note:
            md.append(f"- Verdicts: {r0.verdict_note}")
        else:
            md.append(f"- Verdicts: the statistical tests of {scope} are judged together at family-wise level "
                      f"alpha = {r0.family_alpha:g} (Bonferroni: each of m = {r0.intervals_judged} tests at "
                      f"alpha/m = {r0.family_alpha / max(1, r0.intervals_judged):.2g}), each by a test whose false-alarm "
                      "rate is guaranteed for every n: the exact law of the sum (prefix codes, n-fold convolution), "
                      "Bernstein's inequality (stream coders, and sums too large to convolve), McDiarmid's (adaptive "
                      "coders) and a multinomial bound on the sampled counts. The interval columns are "
                      f"{r0.confidence:.0%} intervals for the exact expectation (theory §i; docs/simulations.md says "
                      "how they are made), shown for reading, not used by the verdicts. Exact checks (bit counts, "
                      "per-message bounds) need no statistics and are never relaxed.")
    md += ["", "## What theory says", "",
           "(Numbers inside a statement, such as a stream coder's [lo, hi], are those of the first experiment "
           "where it appears.)", ""]
    seen, said = set(), set()
    for r in results:
        for s in r.summaries:
            key = theorem_key(s)  # one line per coder and theorem, and per statement text
            line = f"- **{s['coder']}** ({s['kind']}): {s['statement']}."
            if key in seen or line in said:
                continue
            seen.add(key)
            said.add(line)
            md.append(line)
    md += ["", "## Results", "", *figure_markdown(figs)]
    if results:
        hp, hpq, dpq = results[0].measure_names
        md.append(f"{hp}, {hpq} and {dpq} per experiment, in bits: " if len(results) > 1 else
                  f"{hp} = {fmt(results[0].H_p)} bits, {hpq} = {fmt(results[0].H_pq)} bits, "
                  f"{dpq} = {fmt(results[0].D_pq)} bits (p = `{results[0].p_spec}`, q = `{results[0].q_spec}`, "
                  f"K = {results[0].alphabet_size}, n = {results[0].n}, {results[0].trials} trials).")
        if len(results) > 1:
            md += ["", markdown_table(["experiment", "p", "q", "n", "trials", hp, hpq, dpq],
                                      [[r.label, f"`{r.p_spec}`", f"`{r.q_spec}`", r.n, r.trials, fmt(r.H_p),
                                        fmt(r.H_pq), fmt(r.D_pq)] for r in results])]
        md += ["", "### Verification table", "", markdown_table(SUMMARY_HEADERS, summary_rows(results)), ""]
    else:
        md += ["No experiment ran (see the findings).", ""]
    skipped = [(r.label, s) for r in results for s in r.skipped]
    if findings or skipped:
        md += ["## Findings", ""]
        md += [f"- {line}" for line in findings]
        md += [f"- {label}: {s['coder']} was not run: {s['reason']}" for label, s in skipped]
        md.append("")
    n_bad = sum(verdicts.failed(rec["verdict"]) for rec in records)
    bad_s = [s for s in summaries if verdicts.failed(s["verdict"])]
    n_ok = sum(rec["verdict"] == verdicts.CONSISTENT for rec in records)
    s_ok = sum(s["verdict"] == verdicts.CONSISTENT for s in summaries)
    refused = len(records) - n_ok - n_bad
    md += ["## Verdicts", "",
           f"{n_ok} of {len(records)} messages and {s_ok} of {len(summaries)} coder summaries are consistent with "
           "the theory (docs/theory.md)"
           + (f"; {refused} messages were not codable, as theory predicts (H(p,q) = inf), which is not a failure."
              if refused else ".")
           + (f" {n_bad} messages and {len(bad_s)} summaries are not consistent." if n_bad or bad_s else ""), ""]
    for rec in records:
        if verdicts.failed(rec["verdict"]):
            md.append(f"- NOT CONSISTENT: {rec['experiment']} {rec['coder']} trial {rec['trial']}: {rec['reason']}")
    md += ["", "<details><summary>Reason of every coder summary</summary>", ""]
    md += [f"- {s['experiment'] + ' / ' if s['experiment'] else ''}{s['coder']}: {s['reason']}" for s in summaries]
    md += ["", "</details>", "", "## Files", "",
           "- `results.csv`: one row per coder and message (trial); columns are documented in "
           "`docs/simulations.md` of the codebook repository. Infinity is written `inf`, n/a is empty.",
           "- `results.json`: the same records plus the per-coder summaries and the experiment headers "
           "(H(p), H(p,q), D(p||q), z levels); infinity as the string \"inf\", n/a as null.",
           ]
    md += [f"- `{name}`: figure." for name, _ in figs]
    (out / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    return [out / "report.md", out / "results.json", out / "results.csv"] + [out / n for n, _ in figs]
