"""Figures of the sequence sweeps (``memory``, ``learned-context``, ``predictions``).

Made to be read in a report: 10 inches at 160 dpi, exactly 1600 pixels wide (no tight crop: a
constrained layout makes room for the legends below the axes), 12-point text, the claim's own quantity on the
y axis, every theory line a verdict uses drawn and named, the legend below the data.
"""

from __future__ import annotations

import math
from pathlib import Path

from .figures import WIDTH_IN, _figure_legend, _plt
from .figures import _save as _save_png

# The house style of simulations.figures (Agg, its rcParams): the same pixels whichever report a
# process drew before (make_reports draws them all in one process).
plt = _plt()
WIDE = (WIDTH_IN, 6.2)


def _x(result):
    """The sweep coordinate of a result (kept in its records and summaries)."""
    return result.summaries[0]["x"] if result.summaries else result.records[0]["x"]


def _save(fig, out: Path, name: str) -> str:
    fig.set_layout_engine("constrained")  # fits the legends below the axes inside the 10-inch canvas
    return _save_png(fig, out, name)


def _mean(r, coder):
    for s in r.summaries:
        if s["coder"] == coder:
            return s["bits_per_symbol"], s["ci_half"] or 0.0
    return math.nan, 0.0


def memory_figures(results, out: Path) -> list[tuple[str, str]]:
    r0 = results[0]
    h_one, h_rate = r0.H_q, r0.H_p
    fig, ax = plt.subplots(figsize=WIDE)
    iid = next(r for r in results if r.label.startswith("i.i.d."))
    ctx = [r for r in results if r.label.startswith("context")]
    true = next((r for r in results if r.label.startswith("the true")), None)
    ks = [_x(r) for r in ctx]
    ys = [_mean(r, "arithmetic") for r in ctx]
    ax.errorbar(ks, [y for y, _ in ys], yerr=[e for _, e in ys], fmt="o-", color="C0", ms=8, lw=2, capsize=4,
                label="adaptive context model of order k, arithmetic coder (measured, 95% CI)")
    for coder, style, color in (("huffman", "s", "C3"), ("arithmetic", "D", "C1")):
        y, e = _mean(iid, coder)
        ax.errorbar([-0.72 if coder == "huffman" else -0.48], [y], yerr=[e], fmt=style, color=color, ms=9, capsize=4,
                    label=f"memoryless {coder} code for the marginal (measured)")
    if true is not None:
        y, e = _mean(true, "arithmetic")
        ax.errorbar([_x(true) + 0.12], [y], yerr=[e], fmt="*", color="C2", ms=14, capsize=4,
                    label="the true chain as the model (measured)")
    ax.axhline(h_one, color="C1", ls="--", lw=1.5, label=f"H(X) = {h_one:.4f}: best memoryless code")
    ax.axhline(h_rate, color="k", ls="-", lw=1.5, label=f"entropy rate H = {h_rate:.4f}: floor of every code")
    ax.annotate("", xy=(-0.9, h_rate), xytext=(-0.9, h_one), arrowprops={"arrowstyle": "<->", "lw": 1.5})
    ax.text(-0.85, (h_one + h_rate) / 2, f" memoryless gap\n H(X) - H = {h_one - h_rate:.3f}", va="center")
    ax.set_xticks([-0.6, *ks], ["i.i.d.", *[f"k = {k:g}" for k in ks]])
    ax.set_xlim(-1.1, max(ks) + 0.5)
    ax.set_xlabel("model: memoryless, or context of the last k symbols")
    ax.set_ylabel("bits/symbol")
    ax.set_title(f"{r0.p_spec}: n = {r0.n} symbols per message, {r0.trials} messages per point")
    ax.grid(alpha=0.3)
    _figure_legend(fig, [ax], 1)
    return [(_save(fig, out, "memory.png"),
             "Bits/symbol of memoryless codes (left) and of adaptive context models of order k, against H(X) and "
             "the entropy rate: the memoryless gap, and the learning cost of long contexts.")]


def learned_context_figures(results, out: Path) -> list[tuple[str, str]]:
    from .sequence_catalog import CM_VARIANTS, learned_context_points

    context, cm = learned_context_points(results)
    alphas = list(dict.fromkeys(alpha for alpha, _ in context))
    sizes = sorted({m for _, m in context})
    colour = {m: f"C{j}" for j, m in enumerate(sizes)}
    plain, primed = CM_VARIANTS[0][1], CM_VARIANTS[1][1]
    fig, axes = plt.subplots(1, len(alphas), figsize=WIDE, sharey=True, squeeze=False)
    for ax, alpha in zip(axes[0], alphas):
        for m in sizes:
            ks, ys = zip(*context[(alpha, m)])
            ax.plot(ks, ys, "o-", ms=7, lw=2, color=colour[m], label=f"trained on {m} bytes (measured)")
            best = min(range(len(ys)), key=ys.__getitem__)
            ax.plot([ks[best]], [ys[best]], "o", ms=16, mfc="none", mec=colour[m], mew=2)
        rs = [r for r in results if r.label.startswith(f"{alpha}, train {sizes[0]} B,")]
        ax.plot([_x(r) for r in rs], [r.H_p for r in rs], "k--", lw=1.5,
                label="plug-in H(X | k previous bytes) of the test text (in-sample, optimistic)")
        for m in sizes:  # one legend entry for the four (their values: the second figure)
            if (plain, m) in cm:
                ax.axhline(cm[(plain, m)], color=colour[m], ls=":", lw=2.2)
        if cm:
            ax.plot([], [], ls=":", lw=2.2, color="0.35", label="cm without primer after the same training (dotted)")
        ax.set_xticks(sorted({k for m in sizes for k, _ in context[(alpha, m)]}))
        ax.set_xlabel("context order k (bytes)")
        ax.set_ylim(bottom=0)
        ax.set_title(f"pseudo-count {alpha.replace('alpha=', 'α = ')}: circles mark the best order")
        ax.grid(alpha=0.3)
    _figure_legend(fig, axes[0], 2)  # columns filled in turn: with two panels, one column each
    axes[0][0].set_ylabel("bits/byte of the test half")
    figures = [(_save(fig, out, "learned_context.png"),
                "Bits/byte of adaptive order-k context models on the test half of the text, for four amounts of "
                "training (circles: the best order), with the Krichevsky-Trofimov pseudo-count 1/2 (left) and 1/32 "
                "(right): context dilution makes the best order finite; training moves it up when the estimator "
                "learns sparse contexts fast enough. Dotted, in the same colours: cm without its primer after the "
                "same training, the like-for-like reference (its values in the next figure).")]
    cm_sizes = sorted({m for _, m in cm})
    if not cm_sizes:
        return figures
    fig, ax = plt.subplots(figsize=WIDE)
    top = 0.0
    for j, alpha in enumerate(alphas):
        best = [min(context[(alpha, m)], key=lambda p: p[1]) for m in cm_sizes]
        ax.plot(cm_sizes, [b for _, b in best], "s-", color=f"C{4 + j}", ms=8, lw=2,
                label=f"best context model, {alpha.replace('alpha=', 'α = ')}")
        top = max(top, *(b for _, b in best))
        for m, (k, b) in zip(cm_sizes, best):
            ax.annotate(f"k = {k:g}", (m, b), textcoords="offset points", xytext=(0, 9), ha="center",
                        color=f"C{4 + j}")
    for variant, style, text, dy in ((plain, "o-", "cm without primer (like for like)", 9),
                                     (primed, "D--", "cm with its primer (as codebook compress)", -20)):
        ms = [m for m in cm_sizes if (variant, m) in cm]
        colour = "k" if variant == plain else "C7"
        ax.plot(ms, [cm[(variant, m)] for m in ms], style, color=colour, ms=8, lw=2, label=text)
        for m in ms:  # values above the upper cm line, below the lower one
            ax.annotate(f"{cm[(variant, m)]:.3f}", (m, cm[(variant, m)]), textcoords="offset points", xytext=(0, dy),
                        ha="center", color=colour)
    ax.set_xticks(cm_sizes)
    ax.set_xlabel("training bytes m (the end of the first half)")
    ax.set_ylabel("bits/byte of the test half")
    ax.set_ylim(0, top * 1.12)  # room for the labels k = ... above the highest line
    ax.set_title("cm against the best context model (k: its order) at each amount of training")
    ax.grid(alpha=0.3)
    _figure_legend(fig, [ax], 2)
    figures.append((_save(fig, out, "learned_context_cm.png"),
                    "Bits/byte of the test half against the amount of training: the best context model of each "
                    "pseudo-count (its best order k written above it), cm without its primer (the like-for-like "
                    "reference) and cm with its built-in primer, as codebook compress runs it (values in bits/byte)."))
    return figures


def predictions_figures(results, out: Path) -> list[tuple[str, str]]:
    steps = [_x(r) for r in results]
    xs = [max(s, 0.5) for s in steps]  # log axis: 0 steps drawn at 0.5
    loss_bits = [r.H_pq for r in results]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=WIDE)
    ax.plot(xs, loss_bits, "k-", lw=2, label="cross-entropy loss / ln 2 (bits per label)")
    for j, coder in enumerate(["arithmetic", "rans"]):
        ys = [_mean(r, coder)[0] for r in results]
        ax.plot(xs, ys, "os"[j], color=f"C{j}", ms=10 - 3 * j, mfc="none" if j else None, mew=2,
                label=f"{coder}: measured bits per label")
    ax.axhline(results[0].H_p, color="C2", ls="--", lw=1.5,
               label=f"Bayes rate {results[0].H_p:.4f} (the true model's expected loss)")
    ax.set_xscale("log")
    ax.set_xlabel("training steps (0 drawn at 0.5)")
    ax.set_ylabel("bits per label")
    nats = ax.secondary_yaxis("right", functions=(lambda b: b * math.log(2), lambda v: v / math.log(2)))
    nats.set_ylabel("loss in nats (as an ML library reports it)")
    ax.set_title(f"loss and code length fall together\n(n = {results[0].n} test labels)")
    ax.grid(alpha=0.3)
    n = results[0].n
    for j, coder in enumerate(["arithmetic", "rans"]):
        diff = [(_mean(r, coder)[0] - r.H_pq) * n for r in results]
        ax2.plot(xs, diff, "os"[j], color=f"C{j}", ms=10 - 3 * j, mfc="none" if j else None, mew=2,
                 label=f"{coder}: measured bits - loss bits, per message")
        lo = [_window(r, coder)[0] for r in results]
        hi = [_window(r, coder)[1] for r in results]
        ax2.fill_between(xs, lo, hi, color=f"C{j}", alpha=0.2, label=f"{coder}: its window, plus the quantization bound")
    ax2.axhline(0, color="k", lw=1)
    ax2.set_xscale("log")
    ax2.set_xlabel("training steps")
    ax2.set_ylabel("bits per message (whole test set)")
    ax2.set_title("bits minus loss, per message:\ninside each coder's window")
    ax2.grid(alpha=0.3)
    _figure_legend(fig, [ax, ax2], 2)  # left column: the left panel's entries, right column: the right panel's
    return [(_save(fig, out, "predictions.png"),
             "Left: the classifier's test loss (converted from nats to bits, right axis in nats) and the measured "
             "bits per label of coding the labels with its predictions. Right: their difference per message, with "
             "the coders' documented windows (quantization bound + termination).")]


def _window(r, coder) -> tuple[float, float]:
    """The coder's documented window of bits - ideal, its upper end raised by the quantization
    bound on ideal - loss (theory §l)."""
    from codebook.models import quantization_bound

    for s in r.summaries:
        if s["coder"] == coder:
            return s["excess_lo"], s["excess_hi"] + quantization_bound(r.alphabet_size, 24, r.n)
    return math.nan, math.nan
