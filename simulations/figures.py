"""Figures of the reports (matplotlib, Agg backend): measurements next to the theory they are judged by.

What every figure here must do (the checklist for a new one):

* **Readable where it is shown.** 10 inches wide at 160 dpi = 1600 px; text 11-13 pt, so that
  even shown 1000 px wide (a report page) the smallest text is above 10 pt. Use :func:`_figure`.
* **The claim's own quantity, on a scale where it shows.** When the claim is a difference (a gap,
  an overhead, a quantization cost), plot the difference, not two large numbers that differ in
  the third digit; give stream coders (whose bits sit within 1e-3 of H(p,q_hat)) their own panel.
* **Every bound a verdict uses**, drawn and named in the legend: the theorem's range of each
  coder (``bound_low``/``bound_high`` of a summary), the exact expectation, H(p), H(p,q).
* **95 % intervals as error bars** that can be seen (if they cannot, the panel is at the wrong scale).
* **Legends off the data**: below the panels (:func:`_legend_below`), never on top of points.

Files are PNGs (the reports are committed to the repository); the bytes depend only on the
results (no dates, no software versions in the metadata). matplotlib is imported on first use,
so importing this module is cheap.
"""

from __future__ import annotations

import math
from pathlib import Path

from .experiment import ExperimentResult

WIDTH_IN, DPI = 10.0, 160  # 1600 px wide
MARKERS = "osD^v<>ph*"
STYLE = {
    "font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12, "legend.fontsize": 11.5,
    "xtick.labelsize": 11, "ytick.labelsize": 11, "lines.linewidth": 1.8, "lines.markersize": 7,
    "errorbar.capsize": 4, "axes.grid": True, "grid.alpha": 0.3, "legend.framealpha": 0.95,
}


def _plt():
    import matplotlib

    matplotlib.use("Agg")  # no display, and the same pixels on every machine
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update(STYLE)  # the house style for every figure drawn in this process
    return plt


def _figure(rows: int = 1, cols: int = 1, height: float = 4.2, **kw):
    """A figure 1600 px wide in the house style, with constrained layout (legends get room)."""
    return _plt().subplots(rows, cols, figsize=(WIDTH_IN, height * rows), squeeze=False, layout="constrained", **kw)


def _legend_below(ax, ncol: int = 3, handles=None, labels=None):
    """The legend of ``ax`` under its x axis label, outside the data."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=ncol,
                  fontsize=STYLE["legend.fontsize"], frameon=False)


def _once(ax, label: str) -> str | None:
    """``label`` the first time it is used on ``ax``, then None (one legend entry per kind of mark)."""
    return None if label in ax.get_legend_handles_labels()[1] else label


def _finish(ax, xlabel: str, ylabel: str, title: str, *, empty: str | None = None, ncol: int = 2) -> None:
    """Label a panel, say so when it has nothing to show (``empty``), put its legend below."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if empty:
        ax.text(0.5, 0.5, empty, transform=ax.transAxes, ha="center")
    _legend_below(ax, ncol=ncol)


def _figure_legend(fig, axes, ncol: int = 3) -> None:
    """One legend for all panels (each label once), below them."""
    handles: dict = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    if handles:
        fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncol=ncol, frameon=False,
                   fontsize=STYLE["legend.fontsize"])


def _save(fig, out: Path, name: str) -> str:
    fig.savefig(out / name, dpi=DPI, metadata={"Software": None}, pil_kwargs={"optimize": True})
    _plt().close(fig)
    return name


def _finite(v) -> bool:
    return v is not None and not isinstance(v, str) and math.isfinite(v)


def _coders(results: list[ExperimentResult], *kinds: str) -> list[str]:
    seen: list[str] = []
    for r in results:
        for s in r.summaries:
            if s["coder"] not in seen and (not kinds or s["kind"] in kinds):
                seen.append(s["coder"])
    return seen


def _color(results, coder) -> str:
    """One colour per coder across all panels of a figure (registry order)."""
    return f"C{_coders(results).index(coder) % 10}"


def _summary(r: ExperimentResult, coder: str) -> dict | None:
    for s in r.summaries:
        if s["coder"] == coder:
            return s
    return None


def _series(results, coder, xs=None):
    """(x, summary, result) of one coder over the results, finite means only."""
    pts = []
    for i, r in enumerate(results):
        s = _summary(r, coder)
        if s is not None and _finite(s["bits_per_symbol"]):
            pts.append((xs[i] if xs is not None else s["x"], s, r))
    return pts


def _errorbar(ax, pts, y, coder, color, marker, label=None, line="-"):
    """Measured points of ``pts`` at ``y(s, r)`` with their 95 % intervals."""
    if not pts:
        return
    ax.errorbar([p[0] for p in pts], [y(p[1], p[2]) for p in pts], yerr=[p[1]["ci_half"] or 0.0 for p in pts],
                fmt=marker + line, color=color, label=label or f"{coder} (measured, 95 % CI)", zorder=3)


def _bound_band(ax, xs, lo, hi, color, label, alpha=0.15):
    """A theorem's range as a shaded band (x ascending), edges dashed."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    xs, lo, hi = [xs[i] for i in order], [lo[i] for i in order], [hi[i] for i in order]
    ax.fill_between(xs, lo, hi, color=color, alpha=alpha, lw=0, label=label, zorder=1)
    ax.plot(xs, lo, "--", color=color, lw=1, zorder=1)
    ax.plot(xs, hi, "--", color=color, lw=1, zorder=1)


# ------------------------------------------------------------------------------------------- simulate


def summary_figure(result: ExperimentResult, out: Path) -> list[tuple[str, str]]:
    """One experiment. Top: each coder's theorem range, exact expectation and measurement, with H(p)
    and H(p,q). Bottom: measured minus exact expectation with the 95 % interval, at a scale where it
    shows, and a stream coder's documented range around H(p,q_hat)."""
    fig, axes = _figure(2, 1, height=4.3)
    ax, ax2 = axes[:, 0]
    ss = result.summaries
    names = [s["coder"] for s in ss]
    for i, s in enumerate(ss):
        lo, hi = s["bound_low"], s["bound_high"]
        if not _finite(lo):  # H(p,q) = inf: nothing to draw but the word
            ax.annotate("H(p,q) = inf:\nnot codable", (i, 0.5), xycoords=("data", "axes fraction"), ha="center",
                        color="C3")
            continue
        tops = [x["bits_per_symbol"] for x in ss if _finite(x["bits_per_symbol"])] + [lo]
        hi_shown = hi if _finite(hi) else max(tops) + 1
        ax.bar(i, hi_shown - lo, bottom=lo, width=0.5, color="C2", alpha=0.25,
               label=_once(ax, "theorem's range for the expected length"))
        if not _finite(hi):
            ax.annotate("no upper bound", (i, hi_shown), ha="center", va="bottom", fontsize=11)
        if _finite(s["expected"]):
            ax.plot([i - 0.25, i + 0.25], [s["expected"]] * 2, "-", color="C3", lw=3,
                    label=_once(ax, "exact E_p[l] (prefix) or H(p,q_hat) (stream)"))
        if _finite(s["bits_per_symbol"]):
            ax.errorbar([i], [s["bits_per_symbol"]], yerr=[s["ci_half"] or 0.0], fmt="o", color="C0", zorder=3,
                        label=_once(ax, "measured (95 % CI)"))
    ax.axhline(result.H_p, color="k", ls="--", lw=1.2, label=f"H(p) = {result.H_p:.4f}")
    if math.isfinite(result.H_pq):
        ax.axhline(result.H_pq, color="C1", ls=":", lw=2, label=f"H(p,q) = {result.H_pq:.4f}")
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("bits/symbol")
    ax.set_title(f"Measured bits/symbol and each coder's theorem range (n = {result.n}, {result.trials} messages)")
    finite = [x for s in ss for x in (s["bits_per_symbol"], s["bound_low"]) if _finite(x)]
    ax.set_ylim(min(finite + [result.H_p]) - 0.25, None)
    _legend_below(ax, ncol=2)

    xs = [i for i, s in enumerate(ss) if _finite(s["expected"]) and _finite(s["bits_per_symbol"])]
    bands = []
    for i in xs:
        s = ss[i]
        if s["kind"] == "stream":
            bands.append(ax2.bar(i, s["bound_high"] - s["bound_low"], bottom=s["bound_low"] - s["expected"],
                                 width=0.5, color="C2", alpha=0.3, label=_once(ax2, "stream: documented range [lo, hi]/n")))
        ax2.errorbar([i], [s["bits_per_symbol"] - s["expected"]], yerr=[s["ci_half"] or 0.0], fmt="o", color="C0",
                     zorder=3, label=_once(ax2, "measured - exact (95 % CI)"))
        if not s["ci_half"]:  # the adaptive coder's: judged by McDiarmid's inequality, no interval (see the table)
            ax2.annotate("no interval", (i, s["bits_per_symbol"] - s["expected"]), textcoords="offset points",
                         xytext=(0, 8), ha="center", fontsize=10)
    ax2.axhline(0, color="C3", lw=2, label="exact expectation")
    low, high = ax2.get_ylim()
    if bands and max(b.patches[0].get_height() for b in bands) < 0.01 * (high - low):
        bands[0].set_label("stream: documented range [lo, hi]/n (thinner than a line at this n)")
    ax2.set_xticks(range(len(names)), names)
    ax2.set_xlim(ax.get_xlim())
    ax2.set_ylabel("measured - exact (bits/symbol)")
    missing = [ss[i]["coder"] for i in range(len(ss)) if i not in xs]
    ax2.set_title("Measured minus exact expectation" + (f" ({', '.join(missing)}: checked exactly per message)"
                                                        if missing else ""))
    _legend_below(ax2, ncol=2)
    return [(_save(fig, out, "bits_per_coder.png"), "Top: each coder's measured bits/symbol (95 % interval over all "
             "trials) inside the range its theorem allows for the expected length, with the exact expectation, H(p) "
             "and H(p,q). Bottom: measured minus exact expectation, where the interval can be seen; a stream "
             "coder's band is its documented per-message overhead [lo, hi] divided by n.")]


# ------------------------------------------------------------------------------------------- mismatch


def mismatch_figures(results: list[ExperimentResult], out: Path) -> list[tuple[str, str]]:
    fig, axes = _figure(3, 1, height=4.0)
    ax, ax2, ax3 = axes[:, 0]
    d = [r.D_pq for r in results]
    prefix, stream = _coders(results, "prefix"), _coders(results, "stream")
    for j, c in enumerate(prefix + stream):
        pts = _series(results, c, d)
        _errorbar(ax, pts, lambda s, r: s["bits_per_symbol"], c, _color(results, c), MARKERS[j % 10],
                  label=c, line="-" if c in prefix else "")
    ax.plot(d, [r.H_pq for r in results], "-", color="k", lw=3, alpha=0.45, zorder=4,
            label="H(p,q) = H(p) + D(p||q)")
    ax.axhline(results[0].H_p, color="gray", ls="--", lw=1.2, label="H(p)")
    ax.set_xlabel("D(p||q) (bits)")
    ax.set_ylabel("bits/symbol")
    ax.set_title("Bits/symbol as q moves away from p")
    _legend_below(ax, ncol=4)

    # Prefix codes: the excess over H(p,q) against each theorem's range (same x).
    for j, c in enumerate(prefix):
        pts = _series(results, c, d)
        color = _color(results, c)
        _errorbar(ax2, pts, lambda s, r: s["bits_per_symbol"] - r.H_pq, c, color, MARKERS[j % 10], label=c)
        lo = [s["bound_low"] - r.H_pq for _, s, r in pts]
        hi = [s["bound_high"] - r.H_pq for _, s, r in pts]
        _bound_band(ax2, [p[0] for p in pts], lo, hi, color, f"{c}: theorem's range")
    ax2.axhline(0, color="k", lw=1.2)
    ax2.set_xlabel("D(p||q) (bits)")
    ax2.set_ylabel("bits/symbol - H(p,q)")
    ax2.set_title("Prefix codes: excess over H(p,q) and each theorem's range (Huffman's reaches below 0)")
    _legend_below(ax2, ncol=3)

    # Stream coders: bits/symbol - H(p,q_hat), where their intervals and documented bounds show.
    span = (max(d) - min(d)) if d else 1.0
    for j, c in enumerate(stream):  # side by side: the coders code the same messages, so they often coincide
        pts = [(x + (j - (len(stream) - 1) / 2) * 0.012 * span, s, r) for x, s, r in _series(results, c, d)]
        color = _color(results, c)
        _errorbar(ax3, pts, lambda s, r: s["bits_per_symbol"] - s["H_pqhat"], c, color, MARKERS[(j + 3) % 10],
                  label=f"{c} (95 % CI)", line="")
        _bound_band(ax3, [p[0] for p in pts], [s["bound_low"] - s["H_pqhat"] for _, s, _ in pts],
                    [s["bound_high"] - s["H_pqhat"] for _, s, _ in pts], color, f"{c}: documented [lo, hi]/n")
        ax3.plot([p[0] for p in pts], [s["H_pqhat"] - r.H_pq for _, s, r in pts], ":", color=color, lw=1.5,
                 label=f"{c}: H(p,q_hat) - H(p,q) (quantization)")
    ax3.axhline(0, color="k", lw=1.2)
    _finish(ax3, "D(p||q) (bits)", "bits/symbol - H(p,q_hat)",
            "Stream coders: bits/symbol - H(p,q_hat), where H(p,q_hat) = H(p) + D(p||q) + quantization",
            empty=None if stream else "no stream coder registered")
    n = results[0].n if results else 0
    return [(_save(fig, out, "mismatch.png"), "Top: bits/symbol against D(p||q), with the line H(p) + D(p||q). "
             "Middle: prefix codes' excess over H(p,q), each inside its theorem's range for the expected length "
             "(Shannon [0, 1), SFE [1, 2), Huffman from -D(p||q) = H(p) - H(p,q) up to its Fibonacci cap). Bottom: "
             f"stream coders' bits/symbol minus H(p,q_hat), with their documented per-message bounds / n (n = {n}) "
             "and the exact quantization cost H(p,q_hat) - H(p,q).")]


# ------------------------------------------------------------------------------------------- asymmetry


def asymmetry_figures(results: list[ExperimentResult], out: Path) -> list[tuple[str, str]]:
    """One panel per pair, zoomed to its two cross-entropies, so a 0.06-bit difference shows."""
    pairs = [(results[i], results[i + 1]) for i in range(0, len(results) - 1, 2)]
    fig, axes = _figure(1, max(1, len(pairs)), height=5.0)
    stream = _coders(results, "stream")
    for ax, (fwd, back) in zip(axes[0], pairs):
        values = []
        for i, r in enumerate((fwd, back)):
            name = "H(p,q)" if i == 0 else "H(q,p)"
            if math.isfinite(r.H_pq):
                ax.plot([i - 0.3, i + 0.3], [r.H_pq] * 2, "-", color="k", lw=3, label="exact cross-entropy")
                ax.annotate(f"{name} = {r.H_pq:.4f}", (i, r.H_pq), xytext=(0, 10), textcoords="offset points",
                            ha="center", fontsize=11.5)
                values.append(r.H_pq)
            for j, c in enumerate(stream):
                s = _summary(r, c)
                if s is None or not _finite(s["bits_per_symbol"]):
                    continue
                x = i - 0.15 + 0.3 * j / max(1, len(stream) - 1)
                color = _color(results, c)
                ax.bar(x, s["bound_high"] - s["bound_low"], bottom=s["bound_low"], width=0.1, color=color,
                       alpha=0.25, label=f"{c}: documented range")
                ax.errorbar([x], [s["bits_per_symbol"]], yerr=[s["ci_half"] or 0.0], fmt=MARKERS[(j + 3) % 10],
                            color=color, zorder=3, label=f"{c} (measured, 95 % CI)")
                values += [s["bits_per_symbol"] - (s["ci_half"] or 0), s["bits_per_symbol"] + (s["ci_half"] or 0)]
        if not math.isfinite(back.H_pq):
            ax.text(1, 0.5, "H(q,p) = inf:\np(x) = 0 for\nsymbols q makes:\nnot codable", ha="center",
                    va="center", transform=ax.get_xaxis_transform(), fontsize=11.5, color="C3")
        if values:
            lo, hi = min(values), max(values)
            pad = max(0.02, 0.25 * (hi - lo))
            ax.set_ylim(lo - pad, hi + 2 * pad)
        ax.set_xlim(-0.6, 1.6)
        ax.set_xticks([0, 1], ["data ~ p\ncode for q", "data ~ q\ncode for p"])
        ax.set_title(fwd.label.split(":")[0])
    axes[0][0].set_ylabel("bits/symbol")
    _figure_legend(fig, axes[0])
    return [(_save(fig, out, "asymmetry.png"), "Each pair coded both ways; every panel has its own scale, so the "
             "difference between H(p,q) and H(q,p) shows. Black: the exact cross-entropy of the data distribution "
             "against the code's; points: the stream coders' measured bits/symbol (95 % interval) inside their "
             "documented range around H(data, model_hat). Prefix codes have other expectations (see the table).")]


# ------------------------------------------------------------------------------------------- learned-model


def learned_figures(results: list[ExperimentResult], out: Path) -> list[tuple[str, str]]:
    """Excess over H(p) against m, one panel per smoothing. Measured as bits/n - (-log2 p(x^n))/n on each
    message, so the sampling noise shared with the ideal length cancels; its expectation is E[bits]/n - H(p)."""
    groups: dict[str, list[ExperimentResult]] = {}
    adaptive = []
    for r in results:
        if r.label.startswith("adaptive"):
            adaptive.append(r)
        else:
            groups.setdefault(r.label.split(",")[0], []).append(r)
    fig, axes = _figure(len(groups) or 1, 1, height=4.3, sharex=True)
    coders = _coders([r for rs in groups.values() for r in rs])
    lows = []
    for ax, (g, rs) in zip(axes[:, 0], groups.items()):
        infinite = sorted({r.summaries[0]["x"] for r in rs if r.summaries and not math.isfinite(r.H_pq)})
        for j, c in enumerate(coders):
            xs, ys = [], []
            for r in rs:
                rows = [x for x in r.records if x["coder"] == c]
                if rows and all(x["status"] == "ok" for x in rows):
                    xs.append(rows[0]["x"])
                    ys.append(sum(x["bits_per_symbol"] - x["sample_log_loss_p"] for x in rows) / len(rows))
            lows += [y for y in ys if y > 0]
            ax.plot(xs, [max(y, 1e-300) for y in ys], MARKERS[j % 10] + "-", color=_color(results, c), label=c)
        d = [(r.summaries[0]["x"], r.D_pq) for r in rs if r.summaries and math.isfinite(r.D_pq)]
        if d:
            ax.plot([a for a, _ in d], [b for _, b in d], "k--", lw=2.5, alpha=0.7, label="D(p||q_hat), exact")
        if infinite:
            ax.axvspan(min(infinite) / 1.6, max(infinite) * 1.6, color="C3", alpha=0.12,
                       label="H(p,q_hat) = inf: an unseen symbol has q_hat = 0, not codable")
        for r in adaptive:
            for s in r.summaries:
                rows = [x for x in r.records if x["coder"] == s["coder"] and x["status"] == "ok"]
                if rows:
                    y = sum(x["bits_per_symbol"] - x["sample_log_loss_p"] for x in rows) / len(rows)
                    ax.axhline(y, color="C9", ls="-.", lw=2, label=f"{s['coder']} coder, no training (n = {r.n})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylabel("excess over H(p)\n(bits/symbol)")
        ax.set_title(f"{g} smoothing" + (" (maximum likelihood)" if g == "add-0" else " (Krichevsky-Trofimov)"))
    for ax in axes[:, 0]:
        if lows:
            ax.set_ylim(min(lows) / 2, None)
    axes[-1, 0].set_xlabel("training samples m (symbols)")
    _figure_legend(fig, axes[:, 0])
    return [(_save(fig, out, "learned_model.png"), "Excess bits per symbol over H(p) against the training-set size "
             "m, measured as (bits + log2 p(x^n))/n on the same messages, next to the exact D(p||q_hat) (dashed). "
             "Shaded: training sets whose unsmoothed estimate gives probability 0 to a symbol p produces "
             "(H(p,q_hat) infinite, no finite code length). Dash-dot: the adaptive coder, which needs no training.")]


# ------------------------------------------------------------------------------------------- convergence


def convergence_figures(results: list[ExperimentResult], out: Path) -> list[tuple[str, str]]:
    fig, axes = _figure(2, 1, height=4.4)
    ax, ax2 = axes[:, 0]
    hpq = results[0].H_pq
    gaps = []
    for j, c in enumerate(_coders(results, "prefix")):
        pts = _series(results, c)
        color = _color(results, c)
        _errorbar(ax, pts, lambda s, r: s["bits_per_symbol"] - hpq, c, color, MARKERS[j % 10], label=c)
        ax.plot([p[0] for p in pts], [p[1]["expected"] - hpq for p in pts], ":", color=color, lw=2.5,
                label=f"{c}: exact E_p[l] - H(p,q)")
        gaps += [p[1]["expected"] - hpq for p in pts]
    ax.axhline(0, color="k", lw=1.2, label="H(p,q)")
    if gaps:
        ax.set_ylim(min(0, min(gaps)) - 0.4, max(gaps) + 0.4)  # the gaps, not the n = 10 noise, set the scale
    ax.set_xscale("log")
    ax.set_xlabel("message length n (symbols)")
    ax.set_ylabel("bits/symbol - H(p,q)")
    ax.set_title("Prefix codes: gap to H(p,q) against n (the exact E_p[l] does not depend on n)")
    _legend_below(ax, ncol=3)

    any_overhead = False
    for j, c in enumerate(_coders(results, "stream", "adaptive")):
        pts = _series(results, c)
        color = _color(results, c)
        over = [(p[0], p[1]["mean_excess_bits"] / p[0]) for p in pts if p[1]["mean_excess_bits"] is not None]
        if over:  # coders with equal overheads (arithmetic, adaptive: about 2 bits) differ in line and marker style
            any_overhead = True
            adaptive = pts[0][1]["kind"] == "adaptive"  # open, larger markers: drawn over a stream coder's
            ax2.plot([a for a, _ in over], [max(b, 1e-12) for _, b in over], MARKERS[(j + 3) % 10] + "-",
                     color=color, mfc="none" if adaptive else color, ms=13 if adaptive else 7, mew=2,
                     label=f"{c}: (bits - ideal)/n, measured")
            his = [(p[0], p[1]["excess_hi"] / p[0]) for p in pts if _finite(p[1].get("excess_hi"))
                   and p[1]["excess_hi"] > 0]
            if his:
                ax2.plot([a for a, _ in his], [b for _, b in his], ("--", "-.", ":")[j % 3], color=color, lw=2.2,
                         label=f"{c}: documented bound hi/n")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    _finish(ax2, "message length n (symbols)", "overhead per symbol (bits)",
            "Stream and adaptive coders: per-message overhead / n against its documented bound",
            empty=None if any_overhead else "no stream or adaptive coder registered")
    return [(_save(fig, out, "convergence.png"), "Top: prefix codes' bits/symbol minus H(p,q) against n (95 % "
             "intervals) and their exact E_p[l] - H(p,q) (dotted): the gap does not shrink with n. Bottom: the "
             "stream and adaptive coders' overhead over their ideal length, per symbol, against their documented "
             "bound hi/n (dashed, from excess_bounds(n)): it fades like 1/n.")]


# ------------------------------------------------------------------------------------------- blocks


def blocks_figures(results: list[ExperimentResult], out: Path) -> list[tuple[str, str]]:
    pairs: dict[str, list[ExperimentResult]] = {}
    for r in results:
        pairs.setdefault(r.label.split(",")[0], []).append(r)
    fig, axes = _figure(len(pairs) or 1, 1, height=4.6)
    for ax, (name, rs) in zip(axes[:, 0], pairs.items()):
        ks = [r.block for r in rs]
        hpq = rs[0].H_pq
        for j, c in enumerate(_coders(rs)):
            pts = _series(rs, c)
            color = _color(rs, c)
            _errorbar(ax, pts, lambda s, r: s["bits_per_symbol"] - hpq, c, color, MARKERS[j % 10], label=c, line="")
            ax.plot([p[0] for p in pts], [p[1]["expected"] - hpq for p in pts], MARKERS[j % 10] + ":", mfc="none",
                    ms=12, color=color, label=f"{c}: exact E/k")
            _bound_band(ax, [p[0] for p in pts], [p[1]["bound_low"] - hpq for p in pts],
                        [min(p[1]["bound_high"], hpq + 3) - hpq for p in pts], color, f"{c}: theorem's range",
                        alpha=0.08)
        ax.axhline(0, color="k", lw=1.2, label="H(p,q)")
        ax.axhline(rs[0].H_p - hpq, color="gray", ls="--", lw=1.2, label="H(p)")
        ax.set_xticks(ks)
        ax.set_xlabel("block length k (symbols per codeword)")
        ax.set_ylabel("bits/symbol - H(p,q)")
        ax.set_title(f"{name}: p = {rs[0].p_spec}, q = {rs[0].q_spec}")
        ax.set_ylim(rs[0].H_p - hpq - 0.15, max(2.2 / min(ks), 0.5))
        _legend_below(ax, ncol=4)
    return [(_save(fig, out, "blocks.png"), "Per-symbol length of block codes on k-tuples, minus H(p,q): measured "
             "(95 % CI), exact E/k (open markers) and each theorem's range (shaded; Huffman's upper end, "
             "1/k + H(p,q)/log2(phi), is cut at the top). Shannon stays in [0, 1/k), SFE in [1/k, 2/k); block Huffman "
             "has only H(p) below it.")]


# ------------------------------------------------------------------------------------------- precision


def precision_figures(results: list[ExperimentResult], out: Path) -> list[tuple[str, str]]:
    """Quantization cost against precision. The measured side is bits/n - (-log2 q(x^n))/n on
    the same messages: the sampling noise common to both cancels, leaving the realised
    quantization cost plus the termination overhead (its expectation: H(p,q_hat) - H(p,q) + O(1/n))."""
    fig, axes = _figure(1, 1, height=5.2)
    ax = axes[0, 0]
    if not results:
        ax.text(0.5, 0.5, "no stream coder registered", transform=ax.transAxes, ha="center")
    for j, c in enumerate(_coders(results)):
        xs, measured, exact, lo, hi = [], [], [], [], []
        color = _color(results, c)
        for r in results:
            rows = [x for x in r.records if x["coder"] == c and x["status"] == "ok"]
            s = _summary(r, c)
            if not rows or s is None or s["H_pqhat"] is None:
                continue
            xs.append(rows[0]["x"])
            measured.append(sum(x["bits_per_symbol"] - x["sample_log_loss"] for x in rows) / len(rows))
            exact.append(s["H_pqhat"] - r.H_pq)
            lo.append(s["bound_low"] - r.H_pq)
            hi.append(s["bound_high"] - r.H_pq)
        ax.plot(xs, measured, MARKERS[j % 10] + "-", color=color, label=f"{c}: measured (bits + log2 q(x^n))/n")
        ax.plot(xs, exact, MARKERS[j % 10] + "--", mfc="none", ms=13, color=color,
                label=f"{c}: exact H(p,q_hat) - H(p,q)")
        if xs:
            _bound_band(ax, xs, lo, hi, color, f"{c}: exact + documented [lo, hi]/n")
    ax.axhline(0, color="k", lw=1.2)
    ax.set_yscale("symlog", linthresh=1e-4)
    ax.set_xlabel("precision (bits of the frequency total)")
    ax.set_ylabel("excess over H(p,q) (bits/symbol)\n(linear within ±1e-4, log beyond)")
    ax.set_title("Quantization cost against the precision")
    _legend_below(ax, ncol=2)
    return [(_save(fig, out, "precision.png"), "Quantization cost against the coder's precision: the exact "
             "H(p,q_hat) - H(p,q) (open markers), the band the verdict allows around it (the coder's documented "
             "per-message overhead / n), and the measured excess of the real bitstream over the ideal length under q "
             "on the same messages (filled).")]
