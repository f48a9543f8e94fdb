"""The ``universal`` sweep: LZ78's bits/symbol against n on an i.i.d. and a Markov source.

Registered in :data:`simulations.catalog.CATALOG`. LZ78 needs no model: the same code learns an
i.i.d. source and a source with memory, and its bits/symbol fall towards each source's entropy
rate as n grows, with a redundancy that Ziv's inequality bounds per sequence by
O(log log n / log n) (theory §q). Every message is decoded and checked exactly (its length is
L(c), at most Ziv's bound, not below the source's information content by more than chance
allows); the figure shows the measured redundancy next to Ziv's allowance. Cheap to import.
"""

from __future__ import annotations

import math
from pathlib import Path

from .sweepdef import SweepDef

UNIVERSAL_N = (100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000)
STICKY = 0.05
"""The Markov source: a binary chain that flips with probability 0.05 (entropy rate h(0.05) =
0.2864 bits; its stationary marginal is uniform, so an order-0 code pays 1 bit/symbol)."""
CHAIN = ((1 - STICKY, STICKY), (STICKY, 1 - STICKY))


def _trials(n: int, quick: bool, given: int | None) -> int:
    if given is not None:
        return given
    return max(3, min(30, 1_000_000 // n)) if not quick else max(2, min(6, 20_000 // n))


def _tasks(seed: int, quick: bool, params: dict) -> list:
    from codebook.spec import parse_distribution

    from .experiment import CoderSpec
    from .sweep import Task

    p = parse_distribution(params["p"], name="p")
    ns = UNIVERSAL_N[:4] if quick else UNIVERSAL_N
    lz = (CoderSpec("lz78"),)
    out = []
    for n in ns:
        out.append(Task(f"i.i.d., n={n}", p, p, lz, n, _trials(n, quick, params["trials"]), x=n, p_spec=params["p"],
                        q_spec="(none: LZ78 needs no model)", meta={"source": "iid", "n": n}))
    for n in ns:
        out.append(Task(f"Markov, n={n}", p, p, lz, n, _trials(n, quick, params["trials"]), x=n,
                        p_spec=f"markov: flip {STICKY}",
                        q_spec="(none: LZ78 needs no model; H(p,q) is that of the best memoryless model)",
                        meta={"source": "markov", "n": n}, run=run_markov_task))
    return out


def run_markov_task(task, master_seed: int, index: int, family: int | None):
    """A Markov task: LZ78 on the sticky binary chain, through the sequence runner."""
    from codebook.sources import Markov

    from .sequence import run_sequence_experiment

    chain = Markov([list(row) for row in CHAIN])
    return run_sequence_experiment(chain, "static", chain.marginal(), task.coders, task.n, task.trials,
                                   (master_seed, index), label=task.label, p_spec=task.p_spec, q_spec=task.q_spec,
                                   x=task.x, family_size=family)


def _describe(params: dict) -> str:
    return f"""LZ78 (Ziv & Lempel 1978) codes with no model at all: it parses the message into phrases, each an
earlier phrase plus one symbol, and sends each phrase as an index and a symbol (theory §q). Two
sources: the i.i.d. `{params["p"]}` and a binary Markov chain that flips with probability {STICKY}
(entropy rate h({STICKY}) = 0.2864 bits/symbol; its symbols are uniform, so any memoryless code pays
1 bit/symbol there). For every sequence Ziv's inequality (C&T Lemma 13.5.5) bounds the length by the
sequence's k-th order empirical entropy plus c(k log2 K + log2(n/c) + O(1)) bits for c phrases; with
c = O(n / log n) that allowance is O(log log n / log n) per symbol, so bits/symbol converges to the
entropy rate of any stationary ergodic source (C&T Thm 13.5.3). Every message is decoded, its
length checked to be exactly L(c) and at most that bound (orders 0 and 1); an i.i.d. message
must not fall below -log2 P(x^n) by more than chance allows, and the Markov means not below the
floor H(X^n)/n (theory §b). Messages of n = 10^2 to 10^7 symbols (trials per n:
max(3, min(30, 10^6/n)))."""


def _figures(results, out: Path) -> list[tuple[str, str]]:
    import numpy as np
    from scipy.stats import t as student_t

    from codebook.coders.lz78 import phrases_from_bits
    from codebook.theory_families import lz78_ziv_bound

    from .figures import _figure, _finish, _save

    fig, axes = _figure(1, 2, height=4.6)
    left, right = axes[0]
    for j, source in enumerate(("i.i.d.", "Markov")):
        rs = [r for r in results if r.label.startswith(source)]
        if not rs:
            continue
        rate = rs[0].H_p
        order = 1 if source == "Markov" else 0
        xs, mean, half, red, allowance = [], [], [], [], []
        for r in rs:
            ok = [rec for rec in r.records if rec["status"] == "ok"]
            if not ok:
                continue
            per = np.array([rec["bits_per_symbol"] for rec in ok])
            xs.append(r.n)
            mean.append(per.mean())
            # messages are independent: a Student t interval over them (95 %)
            half.append(student_t.ppf(0.975, per.size - 1) * per.std(ddof=1) / math.sqrt(per.size) if per.size > 1
                        else 0.0)
            red.append(per.mean() - rate)
            # Ziv's allowance above n Ĥ_k, per symbol, at each message's own phrase count
            extra = [lz78_ziv_bound(r.n, phrases_from_bits(rec["total_bits"], r.alphabet_size), order,
                                    r.alphabet_size, 0.0) / r.n for rec in ok]
            allowance.append(sum(extra) / len(extra))
        color = f"C{j}"
        left.errorbar(xs, mean, yerr=half, fmt="o-", color=color, label=f"LZ78, {source} (95% interval)")
        left.axhline(rate, color=color, ls="--", lw=1.2, label=f"entropy rate, {source}: {rate:.4f}")
        right.loglog(xs, red, "o-", color=color, label=f"{source}: bits/symbol - rate")
        right.loglog(xs, allowance, "--", color=color, label=f"{source}: Ziv's bound - n Ĥ_{order}, /n")
    left.axhline(1.0, color="k", ls=":", lw=1.2, label="memoryless code, Markov: 1 bit")
    left.set_xscale("log")
    left.set_ylim(top=1.06)
    _finish(left, "message length n (symbols)", "bits/symbol", "Bits/symbol against n", ncol=1)
    _finish(right, "message length n (symbols)", "bits/symbol above the rate",
            "Redundancy under Ziv's bound", ncol=1)
    name = _save(fig, out, "universal.png")
    return [(name, "LZ78 bits/symbol against n on an i.i.d. and a Markov source (left), and the redundancy over "
                   "the entropy rate next to Ziv's per-sequence allowance (right)")]


def _findings(results) -> list[str]:
    lines = []
    for source in ("i.i.d.", "Markov"):
        rs = [r for r in results if r.label.startswith(source) and r.summaries]
        if len(rs) >= 2:
            first, last = rs[0], rs[-1]
            b0, b1 = first.summaries[0]["bits_per_symbol"], last.summaries[0]["bits_per_symbol"]
            lines.append(f"{source} source: {b0:.4f} bits/symbol at n = {first.n}, {b1:.4f} at n = {last.n}, against "
                         f"the entropy rate {last.H_p:.4f} (redundancy {b0 - first.H_p:.4f} -> {b1 - last.H_p:.4f}).")
    return lines


def sweeps():
    return [SweepDef(
        "universal", "Universal coding: LZ78 converges to the entropy rate of an i.i.d. and a Markov source",
        "LZ78 against n on an i.i.d. and a Markov source; redundancy under Ziv's bound",
        _describe, _tasks, _figures, _findings,
        defaults={"p": "0.9,0.1", "trials": None}, quick={},
        notes={"p": "the i.i.d. source (the Markov one is fixed: flips with probability 0.05)",
               "trials": "messages per n (default: max(3, min(30, 10^6/n)))"})]


__all__ = ["run_markov_task", "sweeps"]
