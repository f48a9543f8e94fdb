"""One experiment: (p, q, coders, n, trials, seed) -> one verified record per coder and trial.

For every trial a message of ``n`` symbols is drawn from p (the same message for every coder:
common random numbers make the coders' differences sharper); every coder built from q encodes
it into a real bitstream, decodes it, and the decoded message must equal the original (a
mismatch raises :class:`VerificationError`: it is a bug, never a row). The record carries the
measured bits next to the exact quantities of theory (``docs/theory.md``) and a verdict (see
:mod:`simulations.verdicts` and ``docs/simulations.md``). One more test per experiment checks the
sample itself: the pooled symbol counts against p (:func:`sample_check`).

Coders come from the registry by name (``codebook.coders.names()``); what is checked depends
only on the coder's kind, so a newly registered coder needs no change here:

* ``prefix``: ``code.lengths``; exact ``E_p[l]``, ``Var_p[l]``; total = Σ n_x l(x) exactly;
* ``stream``: ``code.model`` (q_hat), ``code.ideal_length(symbols)``, ``code.excess_bounds(n)``;
* ``adaptive``: ``code.ideal_length(symbols)`` (KT), ``code.excess_bounds(n)``, ``code.prior``.

Seeding: trial ``t`` of an experiment seeded with entropy ``seed`` (an int or a tuple of ints)
samples with ``numpy.random.default_rng(SeedSequence([*seed, t]))``: the same seed gives the
same numbers on any machine, and a sweep seeds its tasks with ``(master, index)``.

Block codes (``block=k``): the coders are built from ``q^k`` and code ``n/k`` k-tuples drawn
from ``p^k``; every per-symbol figure is divided by ``k`` (theory §g).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from codebook import coders, theory
from codebook.distributions import Distribution, as_distribution, check_same_alphabet
from codebook.errors import CodebookError, DecodeError, EncodeError
from codebook.measures import cross_entropy, entropy, kl_divergence

from . import family_checks, stats, verdicts

DEFAULT_CONFIDENCE = 0.95
"""Level of the intervals shown next to every measurement (``ci_low``, ``ci_high``)."""

DEFAULT_FAMILY_ALPHA = 1e-3
"""Family-wise error level of the verdicts: Bonferroni over every interval judged in a run."""


class VerificationError(RuntimeError):
    """A coder's bitstream did not decode to the original message: a coder bug, never a row."""


@dataclass(frozen=True)
class CoderSpec:
    """A coder to run: registry ``name``, keyword ``options`` for ``build`` and a display label."""

    name: str
    options: tuple[tuple[str, Any], ...] = ()
    label: str = ""

    @property
    def display(self) -> str:
        if self.label:
            return self.label
        if not self.options:
            return self.name
        return self.name + "(" + ", ".join(f"{k}={v}" for k, v in self.options) + ")"

    @classmethod
    def of(cls, value) -> CoderSpec:
        if isinstance(value, CoderSpec):
            return value
        if isinstance(value, str):
            return cls(value.strip())
        raise TypeError(f"a coder is a name or a CoderSpec; got {value!r}")


@dataclass
class ExperimentResult:
    """Everything one experiment produced; plain data, picklable, JSON-ready via ``to_dict``."""

    label: str
    p_spec: str
    q_spec: str
    alphabet_size: int
    n: int
    trials: int
    seed: tuple[int, ...]
    block: int
    H_p: float
    H_q: float
    H_pq: float
    H_qp: float
    D_pq: float
    confidence: float
    family_alpha: float
    z_shown: float = 0.0
    z_family: float = 0.0
    intervals_judged: int = 0
    records: list[dict] = field(default_factory=list)
    summaries: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    verdict_note: str = ""
    """How the verdicts were reached, when not by the i.i.d. tests (sequence experiments say so)."""
    measure_names: tuple[str, str, str] = ("H(p)", "H(p,q)", "D(p||q)")
    """What ``H_p``, ``H_pq`` and ``D_pq`` are called in reports (rates for a source with memory)."""
    sample: dict = field(default_factory=dict)

    @property
    def consistent(self) -> bool:
        """No verdict failed ("not codable" is not a failure: theory predicts it)."""
        labels = [s["verdict"] for s in self.summaries] + ([self.sample["verdict"]] if self.sample else [])
        return not any(verdicts.failed(v) for v in labels)

    def header(self) -> dict:
        return {k: getattr(self, k) for k in (
            "label", "p_spec", "q_spec", "alphabet_size", "n", "trials", "seed", "block", "H_p", "H_q",
            "H_pq", "H_qp", "D_pq", "confidence", "family_alpha", "z_shown", "z_family", "intervals_judged")}

    def to_dict(self) -> dict:
        return {**self.header(), "sample": self.sample, "summaries": self.summaries, "skipped": self.skipped,
                "records": self.records}


# ---------------------------------------------------------------------------- helpers


def power(d: Distribution, k: int) -> Distribution:
    """The distribution of k i.i.d. symbols, over ``K**k`` tuples in lexicographic order
    (first symbol most significant). Products of floats: normalised explicitly."""
    if k == 1:
        return d
    probs = d.probs
    out = probs
    for _ in range(k - 1):
        out = np.multiply.outer(out, probs).ravel()
    return Distribution.from_weights(out)


def info_bits(counts: np.ndarray, q: np.ndarray) -> float:
    """``-Σ_x n_x log2 q(x)`` in bits (inf if a drawn symbol has q(x) = 0), from the counts."""
    drawn = counts > 0  # a message of n symbols touches at most n of the K terms
    c, qq = counts[drawn].astype(np.float64), np.asarray(q)[drawn]
    if (qq <= 0).any():
        return math.inf
    return math.fsum((-c * np.log(qq)).tolist()) / math.log(2)


def _seed_words(seed) -> tuple[int, ...]:
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        words = (int(seed),)
    else:
        words = tuple(int(s) for s in seed)
    if not words or any(w < 0 for w in words):
        raise ValueError(f"`seed` must be a non-negative integer (or a tuple of them); got {seed!r}")
    return words


def trial_rng(seed: tuple[int, ...], trial: int) -> np.random.Generator:
    """The generator of trial ``trial``: ``SeedSequence([*seed, trial])`` on PCG64."""
    return np.random.default_rng(np.random.SeedSequence([*seed, trial]))


def _none_if_nan(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


# ---------------------------------------------------------------------------- the run


def run_experiment(
    p: Distribution,
    q: Distribution,
    coder_list,
    n: int,
    trials: int,
    seed=0,
    *,
    block: int = 1,
    label: str = "",
    p_spec: str = "",
    q_spec: str = "",
    x: float | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    family_alpha: float = DEFAULT_FAMILY_ALPHA,
    family_size: int | None = None,
    progress=None,
) -> ExperimentResult:
    """Run ``trials`` messages of ``n`` symbols from ``p`` through every coder built from ``q``.

    Parameters
    ----------
    p, q : Distribution
        True distribution of the data and the model the coders are built from (same K).
    coder_list : iterable of str or CoderSpec
        Registry names (or specs with build options such as ``precision``).
    n, trials : int
        Symbols per message and number of messages (n a multiple of ``block``).
    seed : int or tuple of int
        Entropy of the experiment; trial t uses ``SeedSequence([*seed, t])``.
    block : int
        Code k-tuples: coders built from ``q^k`` (theory §g).
    x : float, optional
        The sweep coordinate, copied into every record.
    family_size : int, optional
        Number of intervals judged together (Bonferroni). By default the intervals of this
        experiment; a sweep passes an upper count over all its experiments, so the level holds
        for the whole report (a larger m only makes each interval more conservative).
    progress : callable, optional
        Called with 1 after each trial (e.g. a progress bar's ``update``).

    Returns an :class:`ExperimentResult`: records (one per coder and trial), one summary per
    coder, the coders that could not be built (``skipped``, with the reason).
    """
    check_same_alphabet(p, q)
    n, trials, block = int(n), int(trials), int(block)
    if n < 0 or trials < 1 or block < 1:
        raise ValueError(f"need n >= 0, trials >= 1, block >= 1; got n = {n}, trials = {trials}, block = {block}")
    if n % block:
        raise ValueError(f"`n` must be a multiple of the block length; n = {n}, block = {block}")
    seed_words = _seed_words(seed)
    specs = [CoderSpec.of(c) for c in coder_list]
    p_run, q_run = power(p, block), power(q, block)
    n_run = n // block
    with theory.remembered_measures():  # H(p), H(p,q) once for the header and all coders
        measure = theory.measure
        result = ExperimentResult(
            label=label, p_spec=p_spec, q_spec=q_spec, alphabet_size=len(p), n=n, trials=trials, seed=seed_words,
            block=block, H_p=measure(entropy, p), H_q=measure(entropy, q), H_pq=measure(cross_entropy, p, q),
            H_qp=cross_entropy(q, p), D_pq=kl_divergence(p, q), confidence=confidence, family_alpha=family_alpha)
        built = _build(specs, q_run, p_run, n_run, result)

    raw: list[tuple[dict, Any]] = []
    pooled = np.zeros(len(p_run), dtype=np.int64)
    for t in range(trials):
        symbols = p_run.sample(n_run, rng=trial_rng(seed_words, t))
        counts = np.bincount(symbols, minlength=len(p_run))
        pooled += counts
        emp = theory.empirical_entropy_bits(counts) / n if n_run else 0.0
        log_loss = info_bits(counts, q_run.probs) / n if n else 0.0
        log_loss_p = info_bits(counts, p_run.probs) / n if n else 0.0
        for spec, kind, code, g in built:
            rec = _measure(spec, kind, code, g, symbols, counts, t, n, block, x, label, seed_words)
            rec.update(sample_log_loss=log_loss, sample_log_loss_p=log_loss_p, empirical_entropy=emp,
                       H_p=result.H_p, H_pq=result.H_pq, D_pq=result.D_pq)
            raw.append((rec, g))
        if progress is not None:
            progress(1)

    _judge(result, built, raw, family_size, pooled, p_run)
    return result


def _build(specs, q_run, p_run, n_run, result) -> list:
    """Build every coder from q and what theory guarantees for it."""
    built = []
    for spec in specs:
        kind = coders.info(spec.name).kind
        code = build_or_skip(spec, q_run, result)
        if code is not None:
            built.append((spec, kind, code, theory.guarantee(spec.name, kind, code, p_run, q_run, n_run)))
    return built


def build_or_skip(spec: CoderSpec, model, result: ExperimentResult):
    """The coder ``spec`` built for ``model``, or None after listing it in ``result.skipped``
    with the reason (a coder may refuse a model or an option, such as a precision out of range:
    reported, not fatal)."""
    try:
        return coders.build(spec.name, model, **dict(spec.options))
    except (CodebookError, ValueError, TypeError) as exc:
        result.skipped.append({"coder": spec.display, "reason": str(exc)})
        return None


def record_head(spec: CoderSpec, kind: str, t: int, n: int, block: int, x, label: str, seed_words) -> dict:
    """The fields of a record that say what was run: experiment, coder, trial and seed."""
    return {
        "experiment": label, "x": x, "coder": spec.display, "coder_name": spec.name, "kind": kind,
        "options": json.dumps(dict(spec.options), sort_keys=True) if spec.options else "",
        "trial": t, "n": n, "block": block, "seed": ",".join(str(w) for w in (*seed_words, t)),
    }


def encode_verified(spec, code, symbols, t: int, rec: dict):
    """Encode, decode and compare one message: the bitstream, or None after marking ``rec``
    unencodable (the coder refused a symbol its model cannot code). A stream that does not
    decode to the message raises :class:`VerificationError` (a coder bug, never a row)."""
    try:
        bits = code.encode(symbols)
    except EncodeError as exc:
        rec.update(status="unencodable", total_bits=math.inf, bits_per_symbol=math.inf,
                   decoded_ok=False, _detail=str(exc))
        return None
    try:
        decoded = code.decode(bits, symbols.size)
    except DecodeError as exc:
        raise VerificationError(f"coder {spec.display}, trial {t}: its own bitstream of {len(bits)} bits "
                                f"does not decode: {exc}") from exc
    if not np.array_equal(decoded, symbols):
        i = int(np.flatnonzero(decoded != symbols)[0])
        raise VerificationError(f"coder {spec.display}, trial {t}: decoded symbol {i} is {decoded[i]}, "
                                f"the original is {symbols[i]} (decode(encode(x)) != x)")
    return bits


def _measure(spec, kind, code, g, symbols, counts, t, n, block, x, label, seed_words) -> dict:
    """Encode, decode, compare; the measured side of one record (verdict comes later)."""
    rec = record_head(spec, kind, t, n, block, x, label, seed_words)
    bits = encode_verified(spec, code, symbols, t, rec)
    if bits is None:
        return rec
    total = len(bits)
    rec.update(status="ok", total_bits=total, bits_per_symbol=total / n if n else 0.0, decoded_ok=True)
    if kind == "prefix":
        rec["exact_total"] = int(np.dot(counts, code.lengths.astype(np.int64)))
        if hasattr(code, "stream_bits"):  # D-ary: lengths in digits, packed in blocks (family_checks)
            rec["_digits"], rec["exact_total"] = rec["exact_total"], code.stream_bits(rec["exact_total"])
    elif kind in family_checks.KINDS:
        rec.update(family_checks.measure(kind, code, symbols, total))
    elif kind == "stream":
        rec["ideal_bits"] = float(code.ideal_length(symbols))
        rec["_reference_ideal"] = info_bits(counts, as_distribution(code.model, "q_hat").probs)
    else:
        rec["ideal_bits"] = float(code.ideal_length(symbols))
        rec["_reference_ideal"] = theory.kt_code_length(counts, float(code.prior))  # the pseudo-count it really uses
    return rec


RECORD_COLUMNS = [
    "experiment", "x", "coder", "coder_name", "kind", "options", "trial", "n", "block", "seed", "status",
    "total_bits", "bits_per_symbol", "decoded_ok", "sample_log_loss", "sample_log_loss_p", "empirical_entropy",
    "H_p", "H_pq", "D_pq", "expected", "variance", "H_pqhat", "exact_total", "ideal_bits",
    "excess_bits", "excess_lo", "excess_hi", "ci_low", "ci_high", "bound_low", "bound_high",
    "bound", "verdict", "reason",
]
"""Columns of a record, in CSV order; documented in ``docs/simulations.md``."""

SUMMARY_COLUMNS = [
    "experiment", "x", "coder", "kind", "n", "block", "trials", "messages_ok", "bits_per_symbol", "ci_low",
    "ci_high", "ci_half", "ci_level", "expected", "H_pqhat", "bound", "bound_low", "bound_high", "theorem_holds",
    "rows_consistent", "mean_excess_bits", "excess_lo", "excess_hi", "verdict", "reason",
]


def family_count(coder_count: int, trials: int) -> int:
    """Upper count of the tests one experiment judges: one per coder and message, one pooled per
    coder, and one for the sample's counts (:func:`sample_check`). A sweep sums it over tasks."""
    return coder_count * (trials + 1) + 1


def sample_check(counts: np.ndarray, p: Distribution, level: float) -> dict:
    """The pooled symbol counts of all messages against p: a sampler that is off shows here first.

    Statistic ``n D(p_hat || p)`` (nats; the likelihood-ratio statistic G is twice it, about
    chi-square with k - 1 degrees of freedom for large n), p-value bounded by Agrawal's
    multinomial inequality (valid for every n; :func:`stats.multinomial_pvalue`).
    """
    stat, pval = stats.multinomial_pvalue(counts, p.probs)
    n = int(counts.sum())
    if math.isinf(stat):
        x = int(np.flatnonzero((counts > 0) & (p.probs <= 0))[0])
        v = verdicts.Verdict(False, f"symbol {x} was drawn {int(counts[x])} times but p({x}) = 0: the sampler is wrong")
    else:
        k = int((p.probs > 0).sum())
        chance = f"about {k - 1} ± {math.sqrt(2 * (k - 1)):.2g} by chance, " if n >= 10 * k and k > 1 else ""
        head = (f"the {n} symbols drawn give the likelihood-ratio statistic G = 2 n D(p_hat||p) = {2 * stat:.4g} "
                f"against p ({chance}k = |supp p| = {k})")
        if pval >= 1:
            v = verdicts.Verdict(True, head + "; Agrawal's multinomial bound: no evidence against p (bound on p >= 1)")
        else:
            text = f"{head}; Agrawal's multinomial bound: p <= {pval:.2g}, limit alpha/m = {level:.2g} (family-wise)"
            v = verdicts.Verdict(pval >= level, text if pval >= level else text + ": the sample does not follow p")
    return {"verdict": v.label, "reason": v.reason, "statistic": stat if math.isfinite(stat) else None,
            "pvalue": pval, "symbols": n}


def _judge(result: ExperimentResult, built, raw, family_size: int | None, pooled: np.ndarray,
           p_run: Distribution) -> None:
    """Count the tests, fix the Bonferroni level, then judge the sample, rows and summaries."""
    stat_rows = sum(1 for rec, g in raw if rec["status"] == "ok" and (g.kind in family_checks.JUDGED or (
        g.expected is not None and math.isfinite(g.expected))))
    stat_summaries = sum(1 for _, kind, _, g in built if g.expected is not None)
    m = max(1, stat_rows + stat_summaries + 1) if family_size is None else max(1, int(family_size))
    z = stats.bonferroni_z(result.family_alpha, m)
    z95 = stats.z_two_sided(1 - result.confidence)
    result.z_family, result.z_shown, result.intervals_judged = z, z95, m
    level = result.family_alpha / m
    result.sample = sample_check(pooled, p_run, level)
    k = result.block
    tests: dict[tuple[int, int], stats.SumTest] = {}

    def sum_test(g: theory.Guarantee, count: int) -> stats.SumTest | None:
        """The test of a sum of ``count`` i.i.d. terms of ``g`` (one per coder and count, cached)."""
        if g.law is None or count <= 0 or g.variance is None:
            return None
        key = (id(g), count)
        if key not in tests:
            tests[key] = stats.SumTest(*g.law, count, lattice=True)
        return tests[key]

    for rec, g in raw:
        n = rec["n"]
        n_run = n // k
        per = 1.0 / k
        expected = g.expected * per if g.expected is not None else None
        variance = g.variance * per if g.variance is not None else None  # Var of l/k summed over n/k
        rec.update(
            expected=expected, variance=variance,
            H_pqhat=g.model_cross_entropy * per if g.model_cross_entropy is not None else None,
            excess_lo=g.excess[0] if g.excess else None, excess_hi=g.excess[1] if g.excess else None,
            bound_low=g.bound.lower * per, bound_high=g.bound.upper * per, bound=_bound_text(g, k),
        )
        rec.setdefault("exact_total", None)
        rec.setdefault("ideal_bits", None)
        detail = rec.pop("_detail", "")
        reference = rec.pop("_reference_ideal", None)
        rec.update(ci_low=None, ci_high=None)
        if rec["status"] == "unencodable":
            v = verdicts.judge_unencodable(expected if expected is not None else math.inf, detail)
            rec.update(excess_bits=None)
        else:
            ideal = rec["ideal_bits"]
            rec["excess_bits"] = rec["total_bits"] - ideal if ideal is not None else None
            if g.kind in family_checks.JUDGED:  # D-ary, variable-to-fixed, universal: their own checks
                v = family_checks.judge(g, rec, n_run, level)
            else:
                v = _judge_row(g, rec, ideal, reference, n_run, level, per, sum_test(g, n_run), result.confidence)
        rec.update(verdict=v.label, reason=v.reason)
        result.records.append({c: _none_if_nan(rec.get(c)) for c in RECORD_COLUMNS})

    for spec, kind, code, g in built:
        rows = [r for r in result.records if r["coder"] == spec.display]
        n_ok = sum(r["n"] for r in rows if r["status"] == "ok") // k
        test = sum_test(g, n_ok) if g.kind not in family_checks.JUDGED else None
        result.summaries.append(_summary(result, spec, g, rows, level, test))


def _judge_row(g, rec, ideal, reference, n_run, level, per, test, confidence) -> verdicts.Verdict:
    """One message of a prefix, stream or adaptive coder (with its interval in ``rec``)."""
    if test is not None and n_run and math.isfinite(g.expected):
        centre = rec["total_bits"] if g.kind == "prefix" else ideal
        low, high, _ = test.interval(centre, confidence, g.expected)
        rec.update(ci_low=low * per, ci_high=high * per)
    if g.kind == "prefix":
        return verdicts.judge_prefix(rec["total_bits"], rec["exact_total"], n_run, g.expected, g.variance, level,
                                     g.bound, test)
    if g.kind == "stream":
        return verdicts.judge_stream(rec["total_bits"], ideal, reference, g.excess, n_run, g.expected,
                                     g.variance, level, test)
    return verdicts.judge_adaptive(rec["total_bits"], ideal, reference, g.excess, g.prior, n_run,
                                   g.expected * n_run, g.difference_bound or 0.0, level)


def _bound_text(g: theory.Guarantee, k: int) -> str:
    """The theorem as text; for a block code, said of the code on k-tuples (divide by k)."""
    return g.bound.text if k == 1 else f"{g.bound.text} on {k}-tuples, /k per symbol"


def _summary(result: ExperimentResult, spec: CoderSpec, g: theory.Guarantee, rows: list[dict],
             level: float, test: stats.SumTest | None) -> dict:
    k = result.block
    ok = [r for r in rows if r["status"] == "ok"]
    n_total = sum(r["n"] for r in ok)
    bits = sum(r["total_bits"] for r in ok)
    mean = bits / n_total if n_total else (math.inf if rows else math.nan)
    if ok and len(ok) < len(rows):
        mean = math.inf  # some messages could not be coded at all: the honest average is infinite
    expected = g.expected / k if g.expected is not None else None
    variance = g.variance / k if g.variance is not None else None
    # The random part of a message: its bits (prefix code) or its ideal length (stream, adaptive).
    pooled = bits if g.kind == "prefix" else sum(r["ideal_bits"] for r in ok if r["ideal_bits"] is not None)
    ci_low = ci_high = ci_level = None
    if test is not None and ok and expected is not None and math.isfinite(expected):
        low, high, ci_level = test.interval(pooled, result.confidence, g.expected)
        ci_low, ci_high = low / k, high / k
    excess = [r["excess_bits"] for r in ok if r["excess_bits"] is not None]
    n_bad = sum(verdicts.failed(r["verdict"]) for r in rows)
    n_refused = len(rows) - len(ok)
    if not g.holds:
        v = verdicts.Verdict(False, g.failure if g.violations else
                             f"the exact expectation {g.expected / k:.6f} breaks {g.bound.text} ({g.bound.section})")
    elif n_bad:
        v = verdicts.Verdict(False, f"{n_bad} of {len(rows)} messages not consistent (see their rows)")
    elif n_refused:
        refused = next(r for r in rows if r["status"] != "ok")
        coded = f"; the other {len(ok)} coded and consistent" if ok else ""
        v = verdicts.Verdict(True, f"{n_refused} of {len(rows)} messages could not be coded, as theory predicts "
                                   f"(the expected length is infinite{coded}): " + refused["reason"], codable=False)
    elif g.kind in family_checks.JUDGED:
        v = family_checks.summary(g, ok, k, result.H_p)
    elif expected is not None and math.isfinite(expected) and n_total:
        lo, hi = g.excess if (g.excess and g.kind == "prefix") else (0.0, 0.0)
        if g.kind == "adaptive":
            n_symbols = n_total // k
            pooled_test = verdicts.Test.mcdiarmid(g.expected * n_symbols, n_symbols, g.difference_bound or 0.0)
            v = verdicts.judge_summary(pooled / n_total, expected, None if g.difference_bound else 0.0, n_total,
                                       level, test=pooled_test, total_bits=pooled, measured="ideal length")
        else:
            v = verdicts.judge_summary(pooled / n_total, expected, variance, n_total, level, lo, hi, len(ok), test,
                                       pooled, "measured" if g.kind == "prefix" else "ideal length")
        v = verdicts.Verdict(v.consistent, f"all {len(rows)} messages consistent; pooled: " + v.reason)
        if g.kind == "adaptive" and g.notes:
            v = verdicts.Verdict(v.consistent, v.reason + f" ({g.notes[0]})")
    else:
        v = verdicts.Verdict(True, f"all {len(rows)} messages consistent; {rows[0]['reason']}")
    return {
        "experiment": result.label, "x": rows[0]["x"] if rows else None, "coder": spec.display, "kind": g.kind,
        "n": result.n, "block": k, "trials": len(rows), "messages_ok": len(ok),
        "bits_per_symbol": _none_if_nan(mean), "ci_low": ci_low, "ci_high": ci_high,
        "ci_half": (ci_high - ci_low) / 2 if ci_low is not None else None, "ci_level": ci_level,
        "expected": expected,
        "H_pqhat": g.model_cross_entropy / k if g.model_cross_entropy is not None else None,
        "bound": _bound_text(g, k), "bound_low": g.bound.lower / k, "bound_high": g.bound.upper / k,
        "theorem_holds": g.holds, "rows_consistent": sum(r["verdict"] == verdicts.CONSISTENT for r in rows),
        "mean_excess_bits": (sum(excess) / len(excess)) if excess else None,
        "excess_lo": g.excess[0] if g.excess else None, "excess_hi": g.excess[1] if g.excess else None,
        "verdict": v.label, "reason": v.reason,
        "statement": f"{g.bound.text} ({g.bound.section}); {g.statement}" + "".join("; " + x for x in g.notes),
    }


def default_coders() -> list[str]:
    """The registered coders a run uses by default (``coders.default_names()``), in registry order."""
    return coders.default_names()
