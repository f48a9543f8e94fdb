"""The catalogue of named sweeps (``codebook sweep NAME``), each reproducing a claim of THEORY.md.

A :class:`SweepDef` says what the sweep shows (``description``, Markdown for the report), how
to build its tasks from a master seed (``tasks(seed, quick)``), how to draw its figures and
which findings to state in words. Every sweep runs every registered coder of the kinds it
needs, so stream and adaptive coders join as soon as they are registered.

``quick=True`` shrinks n and the trial counts (tests, smoke runs); it is part of the recorded
command, so a quick report is as reproducible as a full one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from codebook import coders
from codebook.distributions import Distribution
from codebook.spec import parse_distribution

from . import figures as fig
from .experiment import CoderSpec, ExperimentResult
from .sweep import Task

TRAINING_STREAM = 2**31 - 1
"""Seed word of the learned-model sweep's training data: ``SeedSequence([S, TRAINING_STREAM])``."""


@dataclass(frozen=True)
class SweepDef:
    name: str
    title: str
    summary: str
    description: str
    tasks: Callable[[int, bool], list[Task]]
    figures: Callable[[list[ExperimentResult], Path], list[tuple[str, str]]]
    findings: Callable[[list[ExperimentResult]], list[str]] = lambda results: []


def registered(*kinds: str) -> tuple[CoderSpec, ...]:
    """Every registered coder of the given kinds (all kinds if none), in registry order."""
    return tuple(CoderSpec(name) for name in coders.names() if not kinds or coders.info(name).kind in kinds)


def _spec(text: str) -> tuple[Distribution, str]:
    return parse_distribution(text), text


def overhead_text(q_spec: str, n: int, kinds: tuple[str, ...] = ("stream", "adaptive")) -> str:
    """Each registered stream/adaptive coder's own per-message overhead ``bits - ideal``, from its
    documented ``excess_bounds(n)`` for a code built from ``q_spec`` (they differ a lot: an
    arithmetic coder's termination costs at most about 2 bits, rANS flushes its whole state)."""
    q = parse_distribution(q_spec)
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


# ------------------------------------------------------------------------------------ mismatch

MISMATCH_P = "zipf:256:1.1"
MISMATCH_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)


def _mismatch_tasks(seed: int, quick: bool) -> list[Task]:
    p, p_spec = _spec(MISMATCH_P)
    weights = MISMATCH_WEIGHTS[::3] if quick else MISMATCH_WEIGHTS
    n, trials = (20_000, 2) if quick else (200_000, 4)
    out = []
    for w in weights:
        q, q_spec = _spec(f"mix({MISMATCH_P}, uniform:256, {w})")
        out.append(Task(f"w={w}", p, q, registered("prefix", "stream"), n, trials, x=w, p_spec=p_spec,
                        q_spec=q_spec, meta={"weight": w}))
    return out


def _mismatch_findings(results: list[ExperimentResult]) -> list[str]:
    lines = []
    for r in results:
        for s in r.summaries:
            if s["coder"] == "huffman" and s["expected"] is not None and s["expected"] < r.H_pq:
                lines.append(f"At {r.label} (D(p||q) = {r.D_pq:.4f} bits) the Huffman code for q averages "
                             f"E_p[l] = {s['expected']:.4f} bits/symbol, *below* H(p,q) = {r.H_pq:.4f}: "
                             "allowed, since H(p,q) is no lower bound for a mismatched Huffman code (THEORY.md (d)).")
    return lines


MISMATCH = SweepDef(
    "mismatch", "Coding with the wrong distribution: bits/symbol against D(p||q)",
    "q moves away from p (mixture weight); each coder's bits/symbol against D(p||q)",
    f"""Data come from p = `{MISMATCH_P}`. The code is built from q_w = (1-w) p + w uniform for
w from 0 to 0.99, so q moves away from p and D(p||q) grows from 0. An ideal code for q spends
H(p,q) = H(p) + D(p||q) bits per symbol on data from p (THEORY.md (a)): the points of an
arithmetic (stream) coder lie on that line, up to its quantization (H(p,q_hat) instead of
H(p,q)) and its O(1/n) termination. The Shannon code stays in [H(p,q), H(p,q) + 1) (THEORY.md (c),
C&T Thm 5.4.3). The Huffman code for q has only H(p) as a lower bound (THEORY.md (d)): it may dip
below H(p,q); its *expected* length is never below H(p) (McMillan, THEORY.md (b)), although one
finite sample can be.""",
    _mismatch_tasks, lambda results, out: fig.mismatch_figures(results, out), _mismatch_findings)


# ------------------------------------------------------------------------------------ asymmetry

ASYMMETRY_PAIRS = (
    ("THEORY.md (j) pair", "0.1,0.1,0.1,0.7", "1/3,1/3,1/4,1/12"),
    ("Zipf vs uniform", "zipf:16:1.5", "uniform:16"),
    ("one-hot target", "1,0,0,0", "uniform:4"),
)


def _asymmetry_tasks(seed: int, quick: bool) -> list[Task]:
    n, trials = (10_000, 2) if quick else (100_000, 5)
    out = []
    for name, a_text, b_text in ASYMMETRY_PAIRS:
        a, b = parse_distribution(a_text), parse_distribution(b_text)
        out.append(Task(f"{name}: data ~ p, code for q", a, b, registered("prefix", "stream"), n, trials,
                        p_spec=a_text, q_spec=b_text, meta={"pair": name, "direction": "H(p,q)"}))
        out.append(Task(f"{name}: data ~ q, code for p", b, a, registered("prefix", "stream"), n, trials,
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
                         "(THEORY.md (j)).")
    return lines


def _b(v: float) -> str:
    return "inf" if math.isinf(v) else f"{v:.4f}"


ASYMMETRY = SweepDef(
    "asymmetry", "Cross-entropy is not symmetric: H(p,q) against H(q,p)",
    "code data from p with q and data from q with p: H(p,q) vs H(q,p)",
    """For each pair (p, q) two experiments: data drawn from p coded with a code built from q (cost
H(p,q)), and data drawn from q coded with a code built from p (cost H(q,p)). The two differ
(THEORY.md (j): for p = (.1,.1,.1,.7), q = (1/3,1/3,1/4,1/12), H(p,q) = 3.0265 and
H(q,p) = 3.0880). The expectation always runs over the distribution that produced the data,
so that distribution stays outside the logarithm; the model's probabilities go inside it.
With a one-hot p, H(q,p) is infinite: a code built for p has no codeword for the other symbols.""",
    _asymmetry_tasks, lambda results, out: fig.asymmetry_figures(results, out), _asymmetry_findings)


# ------------------------------------------------------------------------------------ learned-model

LEARNED_P = "zipf:256:1.1"
LEARNED_M = (16, 64, 256, 1024, 4096, 16384, 65536, 262144)
LEARNED_SMOOTHING = (0.0, 0.5)


def _learned_tasks(seed: int, quick: bool) -> list[Task]:
    p, p_spec = _spec(LEARNED_P)
    ms = LEARNED_M[::2] if quick else LEARNED_M
    n, trials = (10_000, 2) if quick else (100_000, 3)
    train = p.sample(max(ms), rng=np.random.default_rng(np.random.SeedSequence([seed, TRAINING_STREAM])))
    out = []
    for a in LEARNED_SMOOTHING:
        for m in ms:
            counts = np.bincount(train[:m], minlength=len(p))
            q = Distribution.from_counts(counts, smoothing=a)
            unseen = int(((counts == 0) & (p.probs > 0)).sum())
            out.append(Task(f"add-{a:g}, m={m}", p, q, registered("prefix", "stream"), n, trials, x=m,
                            p_spec=p_spec, q_spec=f"counts+{a:g} of the first {m} training symbols",
                            meta={"m": m, "smoothing": a, "unseen": unseen}))
    adaptive = registered("adaptive")
    if adaptive:
        out.append(Task("adaptive (no training data)", p, p, adaptive, n, trials, p_spec=p_spec,
                        q_spec="(ignored: the adaptive coder learns from the message)", meta={"adaptive": True}))
    return out


def _learned_findings(results: list[ExperimentResult]) -> list[str]:
    lines = []
    # The tasks' meta is not in the results; the label carries smoothing and m.
    for r in results:
        if math.isinf(r.H_pq):
            hit = [s for s in r.summaries if s["messages_ok"] < s["trials"]]
            lines.append(f"{r.label}: the unsmoothed estimate gives probability 0 to symbols p still produces, so "
                         f"H(p,q) = D(p||q) = inf (THEORY.md (a)); "
                         + (f"{len(hit)} coder(s) met such a symbol and could not code it, as predicted."
                            if hit else "no message happened to contain such a symbol."))
    if not lines:
        lines.append("Every estimate had full support on this run (no infinite cross-entropy).")
    return lines


LEARNED = SweepDef(
    "learned-model", "A model learned from m samples: excess bits over H(p) against m",
    "q estimated from m training samples (add-0 / add-1/2) and the adaptive coder: excess over H(p)",
    f"""p = `{LEARNED_P}`. A training sample of m symbols from p (independent of the test messages;
the smaller training sets are prefixes of the larger ones) gives the plug-in estimate
q_hat(x) = (c(x) + a) / (m + K a), without smoothing (a = 0, maximum likelihood) and with the
Krichevsky-Trofimov a = 1/2. The code built from q_hat costs H(p, q_hat) = H(p) + D(p||q_hat)
bits per symbol; the excess D(p||q_hat) shrinks as m grows. Without smoothing every symbol not
seen in training gets probability 0: then H(p, q_hat) is infinite (THEORY.md (a)), and a
message containing such a symbol cannot be coded at all. The report says so instead of
plotting a number. An adaptive coder needs no training data: it learns from the message itself.
Its expected cost over n H(p) is computed exactly (theory §h): about 1098 bits per message of
n = 10^5 symbols here, half the worst case over sequences, (K-1)/2 log2 n = 2118 bits
(Krichevsky-Trofimov); the adaptive coder's verdict gives the exact figure of each run.""",
    _learned_tasks, lambda results, out: fig.learned_figures(results, out), _learned_findings)


# ------------------------------------------------------------------------------------ convergence

CONV_P, CONV_Q = "zipf:256:1.1", "mix(zipf:256:1.1, uniform:256, 0.3)"
CONV_N = (10, 100, 1_000, 10_000, 100_000, 1_000_000)


def _convergence_tasks(seed: int, quick: bool) -> list[Task]:
    p, p_spec = _spec(CONV_P)
    q, q_spec = _spec(CONV_Q)
    ns = CONV_N[:-2] if quick else CONV_N
    out = []
    for n in ns:
        trials = max(2, min(100, 200_000 // n)) if not quick else (4 if n <= 100 else 2)
        out.append(Task(f"n={n}", p, q, registered(), n, trials, x=n, p_spec=p_spec, q_spec=q_spec, meta={"n": n}))
    return out


CONVERGENCE = SweepDef(
    "convergence", "Bits/symbol against message length n",
    "bits/symbol against n: arithmetic overhead fades as 1/n, the Huffman gap stays",
    f"""p = `{CONV_P}`, q = `{CONV_Q}`, messages of n = 10 to 10^6 symbols (more trials for short
messages). A stream coder's length is -log2 q_hat(x^n) plus a per-message overhead within the
coder's own documented bounds, excess_bounds(n) {overhead_text(CONV_Q, 1000)} (THEORY.md (f)):
per symbol a bounded overhead fades like 1/n, and bits/symbol tends to H(p, q_hat). A prefix code's mean length per symbol is an average of i.i.d. codeword lengths:
its expectation E_p[l] does not depend on n, so its gap to H(p,q) stays while the noise around
it shrinks like 1/sqrt(n) (THEORY.md (i)).""",
    _convergence_tasks, lambda results, out: fig.convergence_figures(results, out))


# ------------------------------------------------------------------------------------ blocks

BLOCK_PAIRS = (
    ("pair A", "1/2,1/2", "9/10,1/10", 10),
    ("pair B", "0.01,0.01,0.97,0.01", "0.34,0.33,0.32,0.01", 5),
)


def _blocks_tasks(seed: int, quick: bool) -> list[Task]:
    n, trials = (2_520 * 4, 2) if quick else (2_520 * 40, 3)  # 2520 = lcm(1..10): every k divides n
    out = []
    for name, p_text, q_text, kmax in BLOCK_PAIRS:
        p, q = parse_distribution(p_text), parse_distribution(q_text)
        for k in range(1, (min(kmax, 4) if quick else kmax) + 1):
            out.append(Task(f"{name}, k={k}", p, q, registered("prefix"), n, trials, x=k, block=k,
                            p_spec=p_text, q_spec=q_text, meta={"pair": name, "k": k}))
    return out


def _blocks_findings(results: list[ExperimentResult]) -> list[str]:
    lines = []
    for r in results:
        for s in r.summaries:
            if s["coder"] == "huffman" and s["expected"] is not None:
                e = s["expected"]
                if e < r.H_pq:
                    lines.append(f"{r.label}: block Huffman E/k = {e:.4f} < H(p,q) = {r.H_pq:.4f} (allowed, THEORY.md (g)).")
                elif e >= r.H_pq + 1 / r.block:
                    lines.append(f"{r.label}: block Huffman E/k = {e:.4f} >= H(p,q) + 1/k = {r.H_pq + 1 / r.block:.4f} "
                                 "(allowed: no H(p,q)+1/k bound for mismatched block Huffman, THEORY.md (g)).")
    return lines


BLOCKS = SweepDef(
    "blocks", "Block (extension) codes: per-symbol length against block length k",
    "Huffman and Shannon on k-tuples: per-symbol length against k",
    """The prefix coders are built from q^k (k-tuples of symbols, K^k codewords) and code messages
of k-tuples drawn from p^k; the figures show bits per original symbol. For the Shannon code of q^k,
H(p,q) <= E/k < H(p,q) + 1/k (C&T Thm 5.4.3 applied to q^k, THEORY.md (g)), so it converges to
H(p,q). For the mismatched **Huffman** code of q^k there is no such bound: only
H(p) <= E/k <= 1/k + H(p,q)/log2(phi) holds. Its E/k approaches H(p,q) non-monotonically and
often from below (pair A is THEORY.md's example p = (1/2,1/2), q = (9/10,1/10):
E/k = 1.000, 1.125, 1.25, 1.594, 1.606, 1.763, 1.765, 1.739, 1.804, 1.706 for k = 1..10,
against H(p,q) = 1.737; pair B is the (d) counterexample, 2.97 at k = 1).""",
    _blocks_tasks, lambda results, out: fig.blocks_figures(results, out), _blocks_findings)


# ------------------------------------------------------------------------------------ precision

PREC_P, PREC_Q = "zipf:256:1.1", "mix(zipf:256:1.1, uniform:256, 0.3)"
PRECISIONS = (8, 9, 10, 11, 12, 14, 16)


def _precision_tasks(seed: int, quick: bool) -> list[Task]:
    p, p_spec = _spec(PREC_P)
    q, q_spec = _spec(PREC_Q)
    n, trials = (10_000, 2) if quick else (200_000, 3)
    precisions = PRECISIONS[::2] if quick else PRECISIONS
    out = []
    for b in precisions:
        specs = tuple(CoderSpec(c.name, (("precision", b),), f"{c.name}") for c in registered("stream"))
        if specs:
            out.append(Task(f"precision={b}", p, q, specs, n, trials, x=b, p_spec=p_spec, q_spec=q_spec,
                            meta={"precision": b}))
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
                             "its cost can be negative (THEORY.md (f)).")
    return lines


PRECISION = SweepDef(
    "precision", "Stream coder precision: quantization cost H(p,q_hat) - H(p,q)",
    "stream coder precision against H(p,q_hat) - H(p,q) and the measured excess",
    f"""p = `{PREC_P}`, q = `{PREC_Q}`. A stream coder codes with integer frequencies: its model
is q_hat = f/T with T = 2^precision, not q. This costs exactly H(p,q_hat) - H(p,q) bits per
symbol (THEORY.md (f)); at low precision every frequency is at least 1, which flattens q_hat
and can cost a lot (K = 256 symbols at precision 8 leaves no room at all). The measured excess
bits/symbol - H(p,q) should follow the exact quantization cost, plus each coder's own per-message
overhead from its documented excess_bounds(n) {overhead_text(PREC_Q, 10_000, ("stream",))} at the default
precision, divided by n.""",
    _precision_tasks, lambda results, out: fig.precision_figures(results, out), _precision_findings)


CATALOG: dict[str, SweepDef] = {s.name: s for s in (MISMATCH, ASYMMETRY, LEARNED, CONVERGENCE, BLOCKS, PRECISION)}


def get(name: str) -> SweepDef:
    """The sweep called ``name``, or a ValueError listing the known ones."""
    try:
        return CATALOG[name]
    except KeyError:
        raise ValueError(f"unknown sweep {name!r}; known sweeps: {', '.join(CATALOG)}") from None


__all__ = ["CATALOG", "SweepDef", "get", "registered"]
