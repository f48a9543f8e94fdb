"""The catalogue of named sweeps (``codebook sweep NAME``), each reproducing a claim of docs/theory.md.

A :class:`SweepDef` (defined in :mod:`simulations.sweepdef`, re-exported here) says what the
sweep shows (``describe``, Markdown for the report), which parameters a user may override from
the command line (``defaults``: ``p``, ``q``, ``n``, ``trials``; ``quick``: their ``--quick``
values; ``notes``: what each one means in this sweep), how to build its tasks
(``make_tasks(seed, quick, params)``), how to draw its figures and which findings to state in
words. Every sweep runs every registered coder of the kinds it needs, so
new coders join as soon as they are registered.

Adding a sweep
--------------
1. Write ``_NAME_tasks(seed, quick, params) -> list[Task]`` reading ``params["p"]`` etc.
   (``params`` is ``defaults`` updated by ``quick`` and the user's overrides, already checked),
   a ``_NAME_description(params) -> str`` and, if it has findings, ``_NAME_findings(results)``.
2. Add a figure function to :mod:`simulations.figures` (see the checklist there: the claim's
   own quantity on a scale where it shows, every bound a verdict uses, legend off the data).
3. Make a ``SweepDef`` and add it to :data:`CATALOG`; ``codebook sweep --list`` and
   ``scripts/make_reports.py`` pick it up.

Importing this module is cheap (no NumPy work, no coders built, no matplotlib): ``codebook
sweep --list`` reads it. Experiments and figures are imported when a sweep runs.

``quick=True`` shrinks n and the trial counts (tests, smoke runs); it is part of the recorded
command, so a quick report is as reproducible as a full one.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .families_catalog import sweeps as _family_sweeps
from .sequence_catalog import sweeps as _sequence_sweeps
from .sweepdef import SweepDef, SweepParameterError, lazy_figure

if TYPE_CHECKING:
    from codebook.distributions import Distribution

    from .experiment import CoderSpec, ExperimentResult
    from .sweep import Task

TRAINING_STREAM = 2**31 - 1
"""Seed word of the learned-model sweep's training data: ``SeedSequence([S, TRAINING_STREAM])``."""

PARAMETERS = ("p", "q", "n", "trials")
"""The sweep parameters a user may override (``codebook sweep NAME --p SPEC --n N ...``)."""


def registered(*kinds: str) -> tuple[CoderSpec, ...]:
    """Every registered coder of the given kinds (all kinds if none), in registry order; the
    code families of ``coders.FAMILY_CODERS`` (Golomb, Elias, Tunstall, LZ78) have their own
    sweep (``universal``) and stay out of the others, whose claims are about codes built from q."""
    from codebook import coders

    from .experiment import CoderSpec

    return tuple(CoderSpec(name) for name in coders.default_names() if not kinds or coders.info(name).kind in kinds)


def _spec(text: str) -> tuple[Distribution, str]:
    from codebook.spec import parse_distribution

    return parse_distribution(text, name="p"), text


def _task(*args, **kwargs) -> Task:
    from .sweep import Task

    return Task(*args, **kwargs)


def _fig(name: str):
    """The figure function ``name`` of :mod:`simulations.figures`, imported when first drawn."""
    return lazy_figure("figures", name)


def overhead_text(q_spec: str, n: int, kinds: tuple[str, ...] = ("stream", "adaptive")) -> str:
    """Each registered stream/adaptive coder's own per-message overhead ``bits - ideal``, from its
    documented ``excess_bounds(n)`` for a code built from ``q_spec`` (they differ a lot: an
    arithmetic coder's termination costs at most about 2 bits, rANS flushes its whole state)."""
    from codebook import coders
    from codebook.spec import parse_distribution

    q = parse_distribution(q_spec, name="q")
    parts = []
    for spec in registered(*kinds):
        try:
            lo, hi = coders.build(spec.name, q).excess_bounds(n)
        except (ValueError, TypeError):  # a coder that cannot code this model says so in the report
            continue
        parts.append(f"{spec.name} [{lo:.3g}, {hi:.3g}]")
    if not parts:
        return "(no stream or adaptive coder is registered)"
    return f"(at n = {n}: " + ", ".join(parts) + " bits per message)"


def _inner(spec: str) -> str:
    """A spec as written inside mix(...): an explicit list in brackets (see the spec grammar)."""
    text = spec.strip()
    if "," in text and not text.endswith((")", "]")):
        head, sep, rest = text.partition(":")
        return f"{head}:[{rest}]" if sep and not any(c in head for c in ",=") else f"[{text}]"
    return text


def _size(spec: str) -> int:
    return len(_spec(spec)[0])


# ------------------------------------------------------------------------------------ mismatch

MISMATCH_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)


def _mismatch_tasks(seed: int, quick: bool, params: dict) -> list[Task]:
    from codebook.spec import parse_distribution

    p, p_spec = _spec(params["p"])
    far_spec = params["q"] or f"uniform:{len(p)}"
    far = parse_distribution(far_spec, name="q")
    weights = MISMATCH_WEIGHTS[::3] if quick else MISMATCH_WEIGHTS
    out = []
    for w in weights:  # what the spec mix(p, far, w) means, built directly (lists need no brackets)
        q, q_spec = p.mix(far, w), f"mix({_inner(p_spec)}, {_inner(far_spec)}, {w})"
        out.append(_task(f"w={w}", p, q, registered("prefix", "stream"), params["n"], params["trials"], x=w,
                         p_spec=p_spec, q_spec=q_spec, meta={"weight": w}))
    return out


def _mismatch_findings(results: list[ExperimentResult]) -> list[str]:
    lines = []
    for r in results:
        for s in r.summaries:
            if s["coder"] == "huffman" and s["expected"] is not None and s["expected"] < r.H_pq:
                lines.append(f"At {r.label} (D(p||q) = {r.D_pq:.4f} bits) the Huffman code for q averages "
                             f"E_p[l] = {s['expected']:.4f} bits/symbol, *below* H(p,q) = {r.H_pq:.4f}: "
                             "allowed, since H(p,q) is no lower bound for a mismatched Huffman code (theory §d).")
    return lines


def _mismatch_description(params: dict) -> str:
    far = f"`{params['q']}`" if params["q"] else "u (u uniform over the symbols of p)"
    return f"""Data come from p = `{params["p"]}`. The code is built from q_w = (1-w) p + w {far} for
w from 0 to 0.99, so q moves away from p and D(p||q) grows from 0. An ideal code for q spends
H(p,q) = H(p) + D(p||q) bits per symbol on data from p (theory §a): the points of an
arithmetic (stream) coder lie on that line, up to its quantization (H(p,q_hat) instead of
H(p,q)) and its O(1/n) termination. The Shannon code stays in [H(p,q), H(p,q) + 1) (theory §c,
C&T Thm 5.4.3), the Shannon-Fano-Elias code one bit higher, in [H(p,q) + 1, H(p,q) + 2). The
Huffman code for q has only H(p) as a lower bound (theory §d): it may dip below H(p,q); its
*expected* length is never below H(p) (McMillan, theory §b), although one finite sample can be.
Messages of n = {params["n"]} symbols, {params["trials"]} per point."""


MISMATCH = SweepDef(
    "mismatch", "Coding with the wrong distribution: bits/symbol against D(p||q)",
    "q moves away from p (mixture weight); each coder's bits/symbol against D(p||q)",
    _mismatch_description, _mismatch_tasks, _fig("mismatch_figures"), _mismatch_findings,
    defaults={"p": "zipf:256:1.1", "q": None, "n": 200_000, "trials": 4},
    quick={"n": 20_000, "trials": 2},
    notes={"p": "the data distribution", "q": "where the mixture q_w = (1-w) p + w q ends (default: uniform over "
           "p's alphabet)", "n": "symbols per message", "trials": "messages per point"})


# ------------------------------------------------------------------------------------ asymmetry

ASYMMETRY_PAIRS = (
    ("theory §j example", "0.1,0.1,0.1,0.7", "1/3,1/3,1/4,1/12"),
    ("Zipf vs uniform", "zipf:16:1.5", "uniform:16"),
    ("one-hot target", "1,0,0,0", "uniform:4"),
)


def _asymmetry_pairs(params: dict) -> tuple[tuple[str, str, str], ...]:
    if params["p"] is None and params["q"] is None:
        return ASYMMETRY_PAIRS
    if params["p"] is None or params["q"] is None:
        raise SweepParameterError("sweep 'asymmetry' replaces its pairs by one pair: give both --p and --q")
    return (("your pair", params["p"], params["q"]),)


def _asymmetry_tasks(seed: int, quick: bool, params: dict) -> list[Task]:
    from codebook.spec import parse_distribution

    n, trials = params["n"], params["trials"]
    out = []
    for name, a_text, b_text in _asymmetry_pairs(params):
        a, b = parse_distribution(a_text, name="p"), parse_distribution(b_text, name="q")
        out.append(_task(f"{name}: data ~ p, code for q", a, b, registered("prefix", "stream"), n, trials,
                         p_spec=a_text, q_spec=b_text, meta={"pair": name, "direction": "H(p,q)"}))
        out.append(_task(f"{name}: data ~ q, code for p", b, a, registered("prefix", "stream"), n, trials,
                         p_spec=b_text, q_spec=a_text, meta={"pair": name, "direction": "H(q,p)"}))
    return out


def _asymmetry_findings(results: list[ExperimentResult]) -> list[str]:
    lines = []
    for fwd, back in zip(results[::2], results[1::2]):
        pair = fwd.label.split(":")[0]
        lines.append(f"{pair}: H(p,q) = {_b(fwd.H_pq)} bits but H(q,p) = {_b(back.H_pq)} bits "
                     f"(D(p||q) = {_b(fwd.D_pq)}, D(q||p) = {_b(back.D_pq)}).")
        if math.isinf(back.H_pq):
            lines.append(f"{pair}: coding data from q with a code built for p is impossible: p gives probability 0 "
                         "to symbols q produces, so H(q,p) = inf and the coders refuse those symbols. This is why a "
                         "training loss puts the target (data) distribution outside the logarithm: "
                         "-Σ p_data log q_model is finite whenever the model never rules out observed data "
                         "(theory §j).")
    return lines


def _b(v: float) -> str:
    return "inf" if math.isinf(v) else f"{v:.4f}"


def _asymmetry_description(params: dict) -> str:
    pairs = "; ".join(f"{name}: p = `{a}`, q = `{b}`" for name, a, b in _asymmetry_pairs(params))
    return f"""For each pair (p, q) two experiments: data drawn from p coded with a code built from q (cost
H(p,q)), and data drawn from q coded with a code built from p (cost H(q,p)). The two differ
(theory §j: for p = (.1,.1,.1,.7), q = (1/3,1/3,1/4,1/12), H(p,q) = 3.0265 and
H(q,p) = 3.0880). The expectation always runs over the distribution that produced the data,
so that distribution stays outside the logarithm; the model's probabilities go inside it.
With a one-hot p, H(q,p) is infinite: a code built for p has no codeword for the other symbols.
Pairs: {pairs}. Messages of n = {params["n"]} symbols, {params["trials"]} per experiment."""


ASYMMETRY = SweepDef(
    "asymmetry", "Cross-entropy is not symmetric: H(p,q) against H(q,p)",
    "code data from p with q and data from q with p: H(p,q) vs H(q,p)",
    _asymmetry_description, _asymmetry_tasks, _fig("asymmetry_figures"), _asymmetry_findings,
    defaults={"p": None, "q": None, "n": 100_000, "trials": 5}, quick={"n": 10_000, "trials": 2},
    notes={"p": "with --q, one pair (p, q) instead of the three built-in pairs", "q": "see --p",
           "n": "symbols per message", "trials": "messages per experiment"})


# ------------------------------------------------------------------------------------ learned-model

LEARNED_M = (16, 64, 256, 1024, 4096, 16384, 65536, 262144)
LEARNED_SMOOTHING = (0.0, 0.5)


def _learned_tasks(seed: int, quick: bool, params: dict) -> list[Task]:
    import numpy as np

    from codebook.distributions import Distribution

    p, p_spec = _spec(params["p"])
    ms = LEARNED_M[::2] if quick else LEARNED_M
    n, trials = params["n"], params["trials"]
    train = p.sample(max(ms), rng=np.random.default_rng(np.random.SeedSequence([seed, TRAINING_STREAM])))
    out = []
    for a in LEARNED_SMOOTHING:
        for m in ms:
            counts = np.bincount(train[:m], minlength=len(p))
            q = Distribution.from_counts(counts, smoothing=a)
            unseen = int(((counts == 0) & (p.probs > 0)).sum())
            out.append(_task(f"add-{a:g}, m={m}", p, q, registered("prefix", "stream"), n, trials, x=m,
                             p_spec=p_spec, q_spec=f"counts+{a:g} of the first {m} training symbols",
                             meta={"m": m, "smoothing": a, "unseen": unseen}))
    adaptive = registered("adaptive")
    if adaptive:
        out.append(_task("adaptive (no training data)", p, p, adaptive, n, trials, p_spec=p_spec,
                         q_spec="(ignored: the adaptive coder learns from the message)", meta={"adaptive": True}))
    return out


def _learned_findings(results: list[ExperimentResult]) -> list[str]:
    lines = []
    # The tasks' meta is not in the results; the label carries smoothing and m.
    for r in results:
        if math.isinf(r.H_pq):
            hit = [s for s in r.summaries if s["messages_ok"] < s["trials"]]
            lines.append(f"{r.label}: the unsmoothed estimate gives probability 0 to symbols p still produces, so "
                         f"H(p,q) = D(p||q) = inf (theory §a); "
                         + (f"{len(hit)} coder(s) met such a symbol and could not code it, as predicted."
                            if hit else "no message happened to contain such a symbol."))
    if not lines:
        lines.append("Every estimate had full support on this run (no infinite cross-entropy).")
    return lines


def _learned_description(params: dict) -> str:
    return f"""p = `{params["p"]}`. A training sample of m symbols from p (independent of the test messages;
the smaller training sets are prefixes of the larger ones) gives the plug-in estimate
q_hat(x) = (c(x) + a) / (m + K a), without smoothing (a = 0, maximum likelihood) and with the
Krichevsky-Trofimov a = 1/2. The code built from q_hat costs H(p, q_hat) = H(p) + D(p||q_hat)
bits per symbol; the excess D(p||q_hat) shrinks as m grows. Without smoothing every symbol not
seen in training gets probability 0: then H(p, q_hat) is infinite (theory §a), and a
message containing such a symbol cannot be coded at all. The report says so instead of
plotting a number. An adaptive coder needs no training data: it learns from the message itself.
Its expected cost over n H(p) is computed exactly (theory §h) and quoted in its verdict: for
p = zipf:256:1.1 and n = 10^5, 1098 bits per message, half the worst case over sequences,
(K-1)/2 log2 n = 2118 bits (Krichevsky-Trofimov).
Messages of n = {params["n"]} symbols, {params["trials"]} per point."""


LEARNED = SweepDef(
    "learned-model", "A model learned from m samples: excess bits over H(p) against m",
    "q learned from m samples (add-0, add-1/2), and the adaptive coder: excess over H(p)",
    _learned_description, _learned_tasks, _fig("learned_figures"), _learned_findings,
    defaults={"p": "zipf:256:1.1", "n": 100_000, "trials": 3}, quick={"n": 10_000, "trials": 2},
    notes={"p": "the data distribution (training data and messages)", "n": "symbols per test message",
           "trials": "test messages per point"})


# ------------------------------------------------------------------------------------ convergence

CONV_N = (10, 100, 1_000, 10_000, 100_000, 1_000_000)


def _convergence_trials(n: int, quick: bool, trials: int | None) -> int:
    if trials is not None:
        return trials
    return max(2, min(100, 200_000 // n)) if not quick else (4 if n <= 100 else 2)


def _convergence_tasks(seed: int, quick: bool, params: dict) -> list[Task]:
    p, p_spec = _spec(params["p"])
    q, q_spec = _spec(params["q"])
    ns = CONV_N[:-2] if quick else CONV_N
    return [_task(f"n={n}", p, q, registered(), n, _convergence_trials(n, quick, params["trials"]), x=n,
                  p_spec=p_spec, q_spec=q_spec, meta={"n": n}) for n in ns]


def _convergence_description(params: dict) -> str:
    trials = (f"{params['trials']} messages per n" if params["trials"] is not None
              else "more trials for short messages: max(2, min(100, 200000/n))")
    return f"""p = `{params["p"]}`, q = `{params["q"]}`, messages of n = 10 to 10^6 symbols ({trials}).
A stream coder's length is -log2 q_hat(x^n) plus a per-message overhead within the
coder's own documented bounds, excess_bounds(n) {overhead_text(params["q"], 1000)} (theory §f):
per symbol a bounded overhead fades like 1/n, and bits/symbol tends to H(p, q_hat). A prefix
code's mean length per symbol is an average of i.i.d. codeword lengths: its expectation E_p[l]
does not depend on n, so its gap to H(p,q) stays while the noise around it shrinks like
1/sqrt(n) (theory §i)."""


CONVERGENCE = SweepDef(
    "convergence", "Bits/symbol against message length n",
    "bits/symbol against n: arithmetic overhead fades as 1/n, the Huffman gap stays",
    _convergence_description, _convergence_tasks, _fig("convergence_figures"),
    defaults={"p": "zipf:256:1.1", "q": "mix(zipf:256:1.1, uniform:256, 0.3)", "trials": None},
    notes={"p": "the data distribution", "q": "the distribution the codes are built from",
           "trials": "messages per n (default: max(2, min(100, 200000/n)); n is the swept axis)"})


# ------------------------------------------------------------------------------------ blocks

BLOCK_PAIRS = (
    ("pair A", "1/2,1/2", "9/10,1/10", 10),
    ("pair B", "0.01,0.01,0.97,0.01", "0.34,0.33,0.32,0.01", 5),
)
BLOCK_MAX_CODEWORDS = 1024
"""A pair given with --p/--q is coded in blocks of k = 1, 2, ... while K^k <= this (at most 10)."""


def _block_pairs(params: dict) -> tuple[tuple[str, str, str, int], ...]:
    if params["p"] is None and params["q"] is None:
        return BLOCK_PAIRS
    if params["p"] is None or params["q"] is None:
        raise SweepParameterError("sweep 'blocks' replaces its pairs by one pair: give both --p and --q")
    k_size = _size(params["p"])
    kmax = 1
    while kmax < 10 and k_size ** (kmax + 1) <= BLOCK_MAX_CODEWORDS:
        kmax += 1
    return (("your pair", params["p"], params["q"], kmax),)


def _blocks_tasks(seed: int, quick: bool, params: dict) -> list[Task]:
    from codebook.spec import parse_distribution

    n, trials = params["n"], params["trials"]
    out = []
    for name, p_text, q_text, kmax in _block_pairs(params):
        p, q = parse_distribution(p_text, name="p"), parse_distribution(q_text, name="q")
        ks = range(1, (min(kmax, 4) if quick else kmax) + 1)
        bad = [k for k in ks if n % k]
        if bad:
            raise SweepParameterError(f"sweep 'blocks': --n {n} must be a multiple of every block length k = 1..{max(ks)} "
                             f"(not of {', '.join(map(str, bad))}); 2520 is a multiple of 1..10")
        for k in ks:
            out.append(_task(f"{name}, k={k}", p, q, registered("prefix"), n, trials, x=k, block=k,
                             p_spec=p_text, q_spec=q_text, meta={"pair": name, "k": k}))
    return out


def _blocks_findings(results: list[ExperimentResult]) -> list[str]:
    lines = []
    for r in results:
        for s in r.summaries:
            if s["coder"] == "huffman" and s["expected"] is not None:
                e = s["expected"]
                if e < r.H_pq:
                    lines.append(f"{r.label}: block Huffman E/k = {e:.4f} < H(p,q) = {r.H_pq:.4f} (allowed, theory §g).")
                elif e >= r.H_pq + 1 / r.block:
                    lines.append(f"{r.label}: block Huffman E/k = {e:.4f} >= H(p,q) + 1/k = {r.H_pq + 1 / r.block:.4f} "
                                 "(allowed: no H(p,q)+1/k bound for mismatched block Huffman, theory §g).")
    return lines


def _blocks_description(params: dict) -> str:
    pairs = "; ".join(f"{name}: p = `{a}`, q = `{b}`, k = 1..{k}" for name, a, b, k in _block_pairs(params))
    return f"""The prefix coders are built from q^k (k-tuples of symbols, K^k codewords) and code messages
of k-tuples drawn from p^k; the figures show bits per original symbol. For the Shannon code of q^k,
H(p,q) <= E/k < H(p,q) + 1/k (C&T Thm 5.4.3 applied to q^k, theory §g), so it converges to
H(p,q). For the mismatched **Huffman** code of q^k there is no such bound: only
H(p) <= E/k <= 1/k + H(p,q)/log2(phi) holds. Its E/k approaches H(p,q) non-monotonically and
often from below (pair A is theory §g's example p = (1/2,1/2), q = (9/10,1/10):
E/k = 1.000, 1.125, 1.25, 1.594, 1.606, 1.763, 1.765, 1.739, 1.804, 1.706 for k = 1..10,
against H(p,q) = 1.737; pair B is the §d counterexample, 2.97 at k = 1).
Pairs: {pairs}. Messages of n = {params["n"]} symbols, {params["trials"]} per point."""


BLOCKS = SweepDef(
    "blocks", "Block (extension) codes: per-symbol length against block length k",
    "Huffman and Shannon on k-tuples: per-symbol length against k",
    _blocks_description, _blocks_tasks, _fig("blocks_figures"), _blocks_findings,
    defaults={"p": None, "q": None, "n": 2_520 * 40, "trials": 3}, quick={"n": 2_520 * 4, "trials": 2},
    notes={"p": "with --q, one pair (p, q) instead of the two built-in pairs, k up to K^k <= 1024",
           "q": "see --p", "n": "symbols per message, a multiple of every k (2520 = lcm(1..10))",
           "trials": "messages per point"})


# ------------------------------------------------------------------------------------ precision

PRECISIONS = (8, 9, 10, 11, 12, 14, 16)


def _precision_tasks(seed: int, quick: bool, params: dict) -> list[Task]:
    from .experiment import CoderSpec

    p, p_spec = _spec(params["p"])
    q, q_spec = _spec(params["q"])
    precisions = PRECISIONS[::2] if quick else PRECISIONS
    out = []
    for b in precisions:
        specs = tuple(CoderSpec(c.name, (("precision", b),), f"{c.name}") for c in registered("stream"))
        if specs:
            out.append(_task(f"precision={b}", p, q, specs, params["n"], params["trials"], x=b, p_spec=p_spec,
                             q_spec=q_spec, meta={"precision": b}))
    return out


def _precision_findings(results: list[ExperimentResult]) -> list[str]:
    if not results:
        return ["No stream coder is registered in this installation, so there is nothing to sweep: "
                "the precision sweep runs every coder of kind 'stream' (arithmetic, rANS) once they exist."]
    lines = []
    for r in results:
        for item in r.skipped:
            lines.append(f"{r.label}: {item['coder']} could not be built: {item['reason']}")
        for s in r.summaries:
            if s["H_pqhat"] is not None and s["H_pqhat"] < r.H_pq:
                lines.append(f"{r.label}, {s['coder']}: H(p,q_hat) = {s['H_pqhat']:.6f} < H(p,q) = {r.H_pq:.6f}: "
                             "rounding moved q_hat towards p, so quantization *saved* bits here; under mismatch "
                             "its cost can be negative (theory §f).")
    return lines


def _precision_description(params: dict) -> str:
    return f"""p = `{params["p"]}`, q = `{params["q"]}`. A stream coder codes with integer frequencies: its model
is q_hat = f/T with T = 2^precision, not q. This costs exactly H(p,q_hat) - H(p,q) bits per
symbol (theory §f); at low precision every frequency is at least 1, which flattens q_hat
and can cost a lot (K = 256 symbols at precision 8 leaves no room at all). The measured excess
bits/symbol - H(p,q) should follow the exact quantization cost, plus each coder's own per-message
overhead from its documented excess_bounds(n) {overhead_text(params["q"], params["n"], ("stream",))} at the
default precision, divided by n. Messages of n = {params["n"]} symbols, {params["trials"]} per point."""


PRECISION = SweepDef(
    "precision", "Stream coder precision: quantization cost H(p,q_hat) - H(p,q)",
    "stream coder precision against H(p,q_hat) - H(p,q) and the measured excess",
    _precision_description, _precision_tasks, _fig("precision_figures"), _precision_findings,
    defaults={"p": "zipf:256:1.1", "q": "mix(zipf:256:1.1, uniform:256, 0.3)", "n": 200_000, "trials": 3},
    quick={"n": 10_000, "trials": 2},
    notes={"p": "the data distribution", "q": "the distribution quantized at each precision",
           "n": "symbols per message", "trials": "messages per point"})


CATALOG: dict[str, SweepDef] = {s.name: s for s in (MISMATCH, ASYMMETRY, LEARNED, CONVERGENCE, BLOCKS, PRECISION)}

CATALOG.update({s.name: s for s in _sequence_sweeps()})  # sources and models with memory
CATALOG.update({s.name: s for s in _family_sweeps()})  # the code families: universal


def get(name: str) -> SweepDef:
    """The sweep called ``name``, or a ValueError listing the known ones."""
    try:
        return CATALOG[name]
    except KeyError:
        raise ValueError(f"unknown sweep {name!r}; known sweeps: {', '.join(CATALOG)}") from None


__all__ = ["CATALOG", "PARAMETERS", "SweepDef", "SweepParameterError", "get", "registered"]
