"""Figures of the reports (matplotlib, Agg backend): measurements next to the theory lines.

Every figure labels its axes with units, draws measured means with their 95 % intervals as
error bars and the exact theory (H(p), H(p,q), bounds, exact expectations) as lines or open
markers, so a reader sees at a glance whether the points sit where THEORY.md says. Files are
small PNGs (the reports are committed to the repository).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display, and the same pixels on every machine
import matplotlib.pyplot as plt  # noqa: E402

from .experiment import ExperimentResult  # noqa: E402

DPI = 72
MARKERS = "osD^v<>ph*"


def _save(fig, out: Path, name: str) -> str:
    fig.tight_layout()
    fig.savefig(out / name, dpi=DPI, metadata={"Software": None}, pil_kwargs={"optimize": True})
    plt.close(fig)
    return name


def _coders(results: list[ExperimentResult]) -> list[str]:
    seen: list[str] = []
    for r in results:
        for s in r.summaries:
            if s["coder"] not in seen:
                seen.append(s["coder"])
    return seen


def _series(results, coder, xs=None):
    """(x, mean, ci_half, expected) of one coder over the results, finite means only."""
    pts = []
    for i, r in enumerate(results):
        for s in r.summaries:
            if s["coder"] == coder and s["bits_per_symbol"] is not None and math.isfinite(s["bits_per_symbol"]):
                x = xs[i] if xs is not None else s["x"]
                pts.append((x, s["bits_per_symbol"], s["ci_half"] or 0.0, s["expected"], s))
    return pts


def _plot_coder(ax, pts, coder, j, offset=lambda x: 0.0, key=lambda s: s["bits_per_symbol"]):
    if not pts:
        return
    xs = [p[0] for p in pts]
    ax.errorbar(xs, [key(p[4]) - offset(p[0]) for p in pts], yerr=[p[2] for p in pts], fmt=MARKERS[j % 10] + "-",
                ms=4, lw=1, capsize=2, label=f"{coder} (measured, 95% CI)")


def summary_figure(result: ExperimentResult, out: Path) -> list[tuple[str, str]]:
    """One experiment: measured bits/symbol per coder with CI, exact expectations and bounds."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    names = [s["coder"] for s in result.summaries]
    for i, s in enumerate(result.summaries):
        if s["bits_per_symbol"] is not None and math.isfinite(s["bits_per_symbol"]):
            ax.errorbar([i], [s["bits_per_symbol"]], yerr=[s["ci_half"] or 0.0], fmt="o", color="C0", capsize=3,
                        label="measured (95% CI)" if i == 0 else None)
        if s["expected"] is not None and math.isfinite(s["expected"]):
            ax.plot([i + 0.15], [s["expected"]], "x", color="C3",
                    label="exact E_p[l] or H(p,q_hat)" if i == 0 else None)
        lo, hi = s["bound_low"], s["bound_high"]
        if lo is not None and hi is not None and math.isfinite(hi) and hi - lo < 3:
            ax.plot([i - 0.15, i - 0.15], [lo, hi], "-", color="C2", lw=3, alpha=0.5,
                    label="theorem's range" if i == 0 else None)
    ax.axhline(result.H_p, color="k", ls="--", lw=1, label=f"H(p) = {result.H_p:.4f}")
    if math.isfinite(result.H_pq):
        ax.axhline(result.H_pq, color="C1", ls=":", lw=1.5, label=f"H(p,q) = {result.H_pq:.4f}")
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("bits/symbol")
    ax.set_title(f"n = {result.n}, {result.trials} trials")
    ax.legend(fontsize=7, loc="best")
    return [(_save(fig, out, "bits_per_coder.png"), "Measured bits/symbol per coder (95 % interval over all "
             "trials) against the exact expectation, the theorem's range, H(p) and H(p,q).")]


def mismatch_figures(results: list[ExperimentResult], out: Path) -> list[tuple[str, str]]:
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    d = [r.D_pq for r in results]
    for j, c in enumerate(_coders(results)):
        _plot_coder(ax, _series(results, c, d), c, j)
        _plot_coder(ax2, _series(results, c, d), c, j, offset=lambda x, r=results: _hpq_at(r, x))
    ax.plot(d, [r.H_pq for r in results], "k-", lw=1, label="H(p,q) = H(p) + D(p||q)")
    ax.plot(d, [r.H_pq + 1 for r in results], "k:", lw=1, label="H(p,q) + 1 (Shannon upper bound)")
    ax.axhline(results[0].H_p, color="gray", ls="--", lw=1, label="H(p) (every code, in expectation)")
    ax.set_xlabel("D(p||q) (bits)")
    ax.set_ylabel("bits/symbol")
    ax.legend(fontsize=7)
    ax2.axhline(0, color="k", lw=1, label="H(p,q)")
    ax2.axhline(1, color="k", ls=":", lw=1, label="H(p,q) + 1")
    ax2.set_xlabel("D(p||q) (bits)")
    ax2.set_ylabel("bits/symbol - H(p,q) (bits/symbol)")
    ax2.legend(fontsize=7)
    return [(_save(fig, out, "mismatch.png"), "Left: bits/symbol against D(p||q) with the line H(p) + D(p||q). "
             "Right: the same minus H(p,q); Shannon stays in [0, 1), Huffman may go below 0.")]


def _hpq_at(results, d):
    for r in results:
        if r.D_pq == d:
            return r.H_pq
    return math.nan


def asymmetry_figures(results: list[ExperimentResult], out: Path) -> list[tuple[str, str]]:
    coders = _coders(results)
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.8 / max(1, len(coders))
    labels = []
    for i, r in enumerate(results):
        labels.append(r.label.replace(": ", "\n"))
        ax.plot([i - 0.4, i + 0.4], [r.H_pq, r.H_pq] if math.isfinite(r.H_pq) else [math.nan] * 2, "k-", lw=2,
                label="H(data, model)" if i == 0 else None)
        if math.isinf(r.H_pq):
            ax.text(i, 0.2, "H = inf:\nnot codable", ha="center", fontsize=8, color="C3")
        for j, c in enumerate(coders):
            for s in r.summaries:
                if s["coder"] == c and s["bits_per_symbol"] is not None and math.isfinite(s["bits_per_symbol"]):
                    ax.bar(i - 0.4 + (j + 0.5) * width, s["bits_per_symbol"], width, color=f"C{j}", alpha=0.7,
                           label=c if i == 0 else None)
    ax.set_xticks(range(len(results)), labels, fontsize=7)
    ax.set_ylabel("bits/symbol")
    ax.legend(fontsize=7)
    return [(_save(fig, out, "asymmetry.png"), "Each pair coded both ways: bars are measured bits/symbol, "
             "the black line is the cross-entropy of the data distribution against the model.")]


def learned_figures(results: list[ExperimentResult], out: Path) -> list[tuple[str, str]]:
    """Excess over H(p) against m. Measured as bits/n - (-log2 p(x^n))/n on each message, so the
    sampling noise shared with the ideal length cancels; its expectation is E[bits]/n - H(p)."""
    fig, ax = plt.subplots(figsize=(9.5, 4.4))
    groups: dict[str, list[ExperimentResult]] = {}
    adaptive = []
    for r in results:
        if r.label.startswith("adaptive"):
            adaptive.append(r)
        else:
            groups.setdefault(r.label.split(",")[0], []).append(r)
    j = 0
    infinite_at: set = set()
    for g, rs in groups.items():
        for c in _coders(rs):
            xs, ys = [], []
            for r in rs:
                rows = [x for x in r.records if x["coder"] == c]
                if not rows:
                    continue
                if any(x["status"] != "ok" for x in rows):
                    infinite_at.add(rows[0]["x"])
                    continue
                xs.append(rows[0]["x"])
                ys.append(sum(x["bits_per_symbol"] - x["sample_log_loss_p"] for x in rows) / len(rows))
            ax.plot(xs, ys, MARKERS[j % 10] + ("-" if g.endswith("-0") else ":"), ms=4, lw=1, color=f"C{j % 10}",
                    label=f"{c}, {g}")
            j += 1
        d = [(s["x"], r.D_pq) for r in rs for s in r.summaries[:1] if math.isfinite(r.D_pq)]
        if d:
            ax.plot([a for a, _ in d], [b for _, b in d], "k" + ("--" if g.endswith("-0") else "-."), lw=1.5,
                    label=f"D(p||q_hat), {g} (exact)")
    for x in sorted(infinite_at):  # no finite length to plot: say so at the top of the axes
        ax.text(x, 0.97, "inf", transform=ax.get_xaxis_transform(), fontsize=8, color="C3", ha="center", va="top")
    for r in adaptive:
        for s in r.summaries:
            rows = [x for x in r.records if x["coder"] == s["coder"] and x["status"] == "ok"]
            if rows:
                y = sum(x["bits_per_symbol"] - x["sample_log_loss_p"] for x in rows) / len(rows)
                ax.axhline(y, color="C9", ls="-.", lw=1, label=f"{s['coder']} (message of n = {r.n}, no training)")
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("training samples m (symbols)")
    ax.set_ylabel("excess over H(p) (bits/symbol)")
    ax.legend(fontsize=6, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return [(_save(fig, out, "learned_model.png"), "Excess bits per symbol over H(p) against the training-set size m, "
             "measured as (bits + log2 p(x^n))/n on the same messages; 'inf' marks training sets whose unsmoothed "
             "estimate rules out a symbol p produces (no finite code length). Black lines: the exact D(p||q_hat).")]


def convergence_figures(results: list[ExperimentResult], out: Path) -> list[tuple[str, str]]:
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    hpq = results[0].H_pq
    any_overhead = False
    for j, c in enumerate(_coders(results)):
        pts = _series(results, c)
        _plot_coder(ax, pts, c, j, offset=lambda x: hpq)
        if pts and pts[0][4]["kind"] == "prefix":
            ax.plot([p[0] for p in pts], [p[3] - hpq for p in pts], ":", color=f"C{j}", lw=1.5,
                    label=f"{c}: exact E_p[l] - H(p,q)")
        over = [(p[0], p[4]["mean_excess_bits"] / p[0]) for p in pts if p[4]["mean_excess_bits"] is not None]
        if over:
            any_overhead = True
            ax2.plot([a for a, _ in over], [max(b, 1e-12) for _, b in over], MARKERS[j % 10] + "-", ms=4,
                     color=f"C{j}", label=f"{c}: (bits - ideal)/n")
            # The coder's own documented bound hi/n (excess_bounds(n)): 2/n for arithmetic, ~72/n for rANS.
            his = [(p[0], p[4]["excess_hi"] / p[0]) for p in pts
                   if p[4].get("excess_hi") is not None and p[4]["excess_hi"] > 0]
            if his:
                ax2.plot([a for a, _ in his], [b for _, b in his], "--", color=f"C{j}", lw=1,
                         label=f"{c}: documented bound hi/n")
    ax.axhline(0, color="k", lw=1, label="H(p,q)")
    ax.set_xscale("log")
    ax.set_xlabel("message length n (symbols)")
    ax.set_ylabel("bits/symbol - H(p,q) (bits/symbol)")
    ax.legend(fontsize=7)
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("message length n (symbols)")
    ax2.set_ylabel("per-message overhead per symbol (bits/symbol)")
    if not any_overhead:
        ax2.text(0.5, 0.5, "no stream or adaptive coder registered", transform=ax2.transAxes, ha="center", fontsize=8)
    ax2.legend(fontsize=7)
    return [(_save(fig, out, "convergence.png"), "Left: bits/symbol minus H(p,q) against n (95 % intervals). "
             "Right: the stream and adaptive coders' overhead over their ideal length, per symbol, each "
             "against its own documented bound hi/n (dashed, from excess_bounds(n)).")]


def blocks_figures(results: list[ExperimentResult], out: Path) -> list[tuple[str, str]]:
    pairs: dict[str, list[ExperimentResult]] = {}
    for r in results:
        pairs.setdefault(r.label.split(",")[0], []).append(r)
    fig, axes = plt.subplots(1, len(pairs), figsize=(5 * len(pairs), 4), squeeze=False)
    for ax, (name, rs) in zip(axes[0], pairs.items()):
        ks = [r.block for r in rs]
        for j, c in enumerate(_coders(rs)):
            pts = _series(rs, c)
            _plot_coder(ax, pts, c, j)
            ax.plot([p[0] for p in pts], [p[3] for p in pts], MARKERS[j % 10], mfc="none", ms=9, color=f"C{j}",
                    label=f"{c}: exact E/k")
        ax.axhline(rs[0].H_pq, color="k", lw=1, label="H(p,q)")
        ax.axhline(rs[0].H_p, color="gray", ls="--", lw=1, label="H(p)")
        ax.plot(ks, [rs[0].H_pq + 1 / k for k in ks], "k:", lw=1, label="H(p,q) + 1/k (Shannon bound)")
        ax.set_xticks(ks)
        ax.set_xlabel("block length k (symbols per codeword)")
        ax.set_ylabel("bits/symbol")
        ax.set_title(f"{name}: p = {rs[0].p_spec}, q = {rs[0].q_spec}", fontsize=8)
        ax.legend(fontsize=6)
    return [(_save(fig, out, "blocks.png"), "Per-symbol length of block codes on k-tuples: measured (95 % CI) and "
             "exact E/k. Shannon stays in [H(p,q), H(p,q)+1/k); block Huffman has no such bound.")]


def precision_figures(results: list[ExperimentResult], out: Path) -> list[tuple[str, str]]:
    """Quantization cost against precision. The measured side is bits/n - (-log2 q(x^n))/n on
    the same messages: the sampling noise common to both cancels, leaving the realised
    quantization cost plus the termination overhead (its expectation: H(p,q_hat) - H(p,q) + O(1/n))."""
    fig, ax = plt.subplots(figsize=(7, 4))
    if not results:
        ax.text(0.5, 0.5, "no stream coder registered", transform=ax.transAxes, ha="center")
    for j, c in enumerate(_coders(results)):
        xs, measured, exact = [], [], []
        for r in results:
            rows = [x for x in r.records if x["coder"] == c and x["status"] == "ok"]
            summary = [s for s in r.summaries if s["coder"] == c]
            if not rows or not summary or summary[0]["H_pqhat"] is None:
                continue
            xs.append(rows[0]["x"])
            measured.append(sum(x["bits_per_symbol"] - x["sample_log_loss"] for x in rows) / len(rows))
            exact.append(summary[0]["H_pqhat"] - r.H_pq)
        ax.plot(xs, measured, MARKERS[j % 10] + "-", ms=5, color=f"C{j}",
                label=f"{c}: measured (bits + log2 q(x^n))/n")
        ax.plot(xs, exact, MARKERS[j % 10] + "--", mfc="none", ms=10, color=f"C{j}",
                label=f"{c}: exact H(p,q_hat) - H(p,q)")
    ax.axhline(0, color="k", lw=1)
    ax.set_yscale("symlog", linthresh=1e-4)
    ax.set_xlabel("precision (bits of the frequency total)")
    ax.set_ylabel("excess over H(p,q) (bits/symbol)")
    if results:
        ax.legend(fontsize=7)
    return [(_save(fig, out, "precision.png"), "Quantization cost against the coder's precision: the exact "
             "H(p,q_hat) - H(p,q) (open markers) and the measured excess of the real bitstream over the ideal length "
             "under q on the same messages (filled), which adds the per-message termination overhead / n.")]
