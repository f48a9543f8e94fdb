"""Experiments with sources and models with memory: (source, model, coders, n, trials, seed).

A source (an i.i.d. distribution or a stationary Markov chain, ``codebook.sources``) draws
``trials`` messages of ``n`` symbols; each coder codes every message with the chosen model,
decodes it and must return it exactly (else :class:`~simulations.experiment.VerificationError`).
The results are :class:`~simulations.experiment.ExperimentResult` objects with the same record
and summary columns as the i.i.d. experiments, so the tables, JSON, CSV and reports are shared.
For a sequence experiment the header fields mean: ``H_p`` the source's entropy rate, ``H_q``
the entropy of one symbol H(X) (its stationary marginal), ``H_pq`` the cross-entropy rate of
the model (NaN for an adaptive model: no closed form) and ``D_pq = H_pq - H_p``.

Models (``--model``): ``static`` (the i.i.d. q of ``--q``; every coder), ``true`` (the source
itself: its own chain) and ``context:K`` (the adaptive order-K context model,
``codebook.models.Context``). Only the coders that follow a model (arithmetic, rans) can code
with ``true`` and ``context:K``; the others are listed as skipped with the reason.

What is checked (theory §f, §h and §l):

* **every message, exactly**: a prefix code's bits equal ``Σ_t l(x_t)``; a stream coder's bits
  lie in ``[I + lo, I + hi]`` around ``I = Σ_t -log2 q_hat_t(x_t)``, its documented window
  (``code.excess_bounds(n)``); for a model with memory also ``I - L <= quantization_bound(n)``,
  with ``L`` the model's own log-loss; the adaptive coder's ideal equals the KT length from
  the counts.
* **the mean over messages**, when the expectation is known exactly (a static or Markov model
  against a Markov or i.i.d. source: ``E[I]`` from :func:`codebook.rates.expected_bits`, the
  rate times n plus the exact start-up terms): the mean bits/symbol against
  ``[E[I] + lo, E[I] + hi] / n``;
* **the floor**, for every coder: no uniquely decodable code has expected length below
  ``H(X^n)`` (theory §b), so the mean bits/symbol must not be significantly below
  ``H(X^n) / n`` (:func:`codebook.rates.block_entropy`), which is at least the entropy rate.

The interval for dependent data: symbols inside a message are dependent, messages are not
(each is drawn from its own seed and starts from the stationary law), so the per-message
bits/symbol ``Y_1..Y_T`` are i.i.d. and the messages are the unit. The interval is Student's
``mean ± t_{T-1} s / sqrt(T)`` with the sample standard deviation ``s``, at the family-wise
(Bonferroni) level of the run. It assumes ``Y`` close to normal, which the Markov-chain
central limit theorem gives once ``n`` is many times the chain's mixing time (a message of a
chain that mixes in tens of steps and ``n = 10**4`` or more); with one message there is no
interval and the mean is not judged.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import t as student_t

from codebook import coders, models, rates, theory
from codebook.coders.arithmetic import ModelStreamCoder
from codebook.distributions import Distribution
from codebook.errors import CodebookError
from codebook.measures import cross_entropy, entropy

from . import family_checks, verdicts
from .experiment import (
    DEFAULT_CONFIDENCE,
    DEFAULT_FAMILY_ALPHA,
    RECORD_COLUMNS,
    CoderSpec,
    ExperimentResult,
    _none_if_nan,
    _seed_words,
    build_or_skip,
    encode_verified,
    record_head,
    trial_rng,
)

MODEL_NAMES = "static, true, context:K"


class ModelNameError(ValueError):
    """A ``--model`` value that names no model (a usage error)."""


def parse_model_name(name: str) -> tuple[str, int]:
    """``("static", 0)``, ``("true", 0)`` or ``("context", K)`` from a ``--model`` value."""
    text = (name or "static").strip().lower()
    if text in ("static", "true"):
        return text, 0
    head, sep, order = text.partition(":")
    if head == "context" and sep and order.strip().isdigit() and int(order) <= 16:
        return "context", int(order)
    raise ModelNameError(f"unknown model {name!r}; use one of {MODEL_NAMES} (context:K with the order K in 0..16)")


def build_model(name: str, source, q: Distribution | None, prior: float = 0.5):
    """The model the coders follow, and its description."""
    kind, order = parse_model_name(name)
    k = source.alphabet_size
    if kind == "static":
        if q is None:
            raise ModelNameError("--model static codes with the i.i.d. q of --q, which is missing")
        return models.IID(q, name="q"), "static q (i.i.d.)"
    if kind == "true":
        return source, f"the true source ({source!r})"
    return models.Context(order, k, prior=prior), f"adaptive context model of order {order} (prior {prior:g})"


def default_coders(model_name: str) -> list[str]:
    """Every registered coder for a static model; the model-following ones otherwise."""
    if parse_model_name(model_name)[0] == "static":
        return coders.default_names()
    return [n for n in coders.names() if getattr(coders.info(n).cls, "model_coder", None)]


def _chain(source):
    return source if isinstance(source, models.Markov) else models.Markov(source.transition, 0)


def _expectation(code, kind: str, source, n: int) -> float | None:
    """``E[I]``, the exact expected ideal length (bits) of a message, when it has a closed form."""
    src = _chain(source)
    if kind == "prefix" and hasattr(code, "stream_bits"):
        return None  # D-ary Huffman: digits packed in blocks, no closed form for the last block
    if kind == "prefix":
        marginal = src.marginal().probs
        if (code.lengths[marginal > 0] <= 0).any() and code.alphabet_size > 1:
            return None  # a symbol the source emits has no codeword: some messages are unencodable
        return n * math.fsum((marginal * code.lengths).tolist())
    if isinstance(code, ModelStreamCoder):
        model = code.model
        if not isinstance(model, models.Markov):
            return None
        rows, offset = model._coding_rows
        starts = model._starts(code.precision).astype(np.float64)
        qhat = np.diff(starts, axis=1) / float(1 << code.precision)
        return rates.expected_bits(src, qhat, offset, model.order, n)
    if kind == "stream":
        return n * cross_entropy(src.marginal(), code.model)
    return None


def run_sequence_experiment(
    source,
    model_name: str,
    q: Distribution | None,
    coder_list,
    n: int,
    trials: int,
    seed=0,
    *,
    prior: float = 0.5,
    label: str = "",
    p_spec: str = "",
    q_spec: str = "",
    x: float | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    family_alpha: float = DEFAULT_FAMILY_ALPHA,
    family_size: int | None = None,
    progress=None,
) -> ExperimentResult:
    """Run ``trials`` messages of the source through every coder following the model ``model_name``.

    Trial ``t`` samples with ``SeedSequence([*seed, t])``, as the i.i.d. experiments do.
    Returns an :class:`ExperimentResult` (module docstring: what its fields mean here).
    """
    n, trials = int(n), int(trials)
    if n < 1 or trials < 1:
        raise ValueError(f"need n >= 1 and trials >= 1; got n = {n}, trials = {trials}")
    seed_words = _seed_words(seed)
    model, model_text = build_model(model_name, source, q, prior)
    src = _chain(source)
    h_rate = src.entropy_rate()
    h_one = entropy(src.marginal())
    try:
        ce_rate = rates.cross_entropy_rate(src, model)
    except CodebookError:
        ce_rate = math.nan  # an adaptive model: no closed form
    floor = rates.block_entropy(src, n) / n
    result = ExperimentResult(
        label=label, p_spec=p_spec, q_spec=q_spec or model_text, alphabet_size=src.alphabet_size, n=n, trials=trials,
        seed=seed_words, block=1, H_p=h_rate, H_q=h_one, H_pq=ce_rate, H_qp=math.nan, D_pq=ce_rate - h_rate,
        confidence=confidence, family_alpha=family_alpha,
        measure_names=("entropy rate H", "cross-entropy rate of the model", "rate of D(P||Q)"))

    built = _build(result, coder_list, model, lambda code, kind: _expectation(code, kind, src, n))
    messages = (source.sample(n, rng=trial_rng(seed_words, t)) for t in range(trials))
    extra = dict(H_p=h_rate, H_pq=_none_if_nan(ce_rate), D_pq=_none_if_nan(ce_rate - h_rate))
    _code_all(result, built, messages, model, src.log_loss, x, label, extra, floor, family_size, progress, model_text)
    return result


def run_fixed_messages(
    messages,
    model,
    coder_list,
    *,
    label: str = "",
    p_spec: str = "",
    q_spec: str = "",
    x: float | None = None,
    reference: dict | None = None,
    measure_names: tuple[str, str, str] = ("H(p)", "H(p,q)", "D(p||q)"),
    family_alpha: float = DEFAULT_FAMILY_ALPHA,
    confidence: float = DEFAULT_CONFIDENCE,
) -> ExperimentResult:
    """Code given messages (real data, or labels with their predictions) with ``model``: every
    message checked exactly against its coder's window and the quantization bound (no source
    law, so no expectation and no floor). ``reference`` fills the header (``H_p``, ``H_q``,
    ``H_pq``, as the caller defines them for its data; NaN by default), named in reports by
    ``measure_names``.

    ``coder_list`` holds registry names or :class:`CoderSpec` objects, built for ``model``, or
    ``(CoderSpec, code)`` pairs: a code the caller built that carries its own model and is not
    in the registry (the cm byte model, ``codebook.contextmix``; ``model`` is then that code).
    Such a code is measured and judged as a stream coder: its payload must lie within
    ``code.excess_bounds(n)`` of ``code.ideal_length(message)``."""
    messages = [np.asarray(m) for m in messages]
    n = int(messages[0].size)
    ref = {"H_p": math.nan, "H_q": math.nan, "H_pq": math.nan, **(reference or {})}
    result = ExperimentResult(
        label=label, p_spec=p_spec, q_spec=q_spec, alphabet_size=model.alphabet_size, n=n, trials=len(messages),
        seed=(0,), block=1, H_p=ref["H_p"], H_q=ref["H_q"], H_pq=ref["H_pq"], H_qp=math.nan,
        D_pq=ref["H_pq"] - ref["H_p"], confidence=confidence, family_alpha=family_alpha, measure_names=measure_names)
    built = _build(result, coder_list, model, lambda code, kind: None)
    extra = dict(H_p=_none_if_nan(ref["H_p"]), H_pq=_none_if_nan(ref["H_pq"]), D_pq=None)
    _code_all(result, built, messages, model, None, x, label, extra, None, None, None, repr(model))
    return result


def _build(result, coder_list, model, expectation) -> list:
    built = []
    for item in coder_list:
        if isinstance(item, tuple):  # (spec, code): built by the caller, not in the registry
            spec, code = item
            built.append((spec, "stream", code, expectation(code, "stream")))
            continue
        spec = CoderSpec.of(item)
        kind = coders.info(spec.name).kind
        code = build_or_skip(spec, model, result)
        if code is not None:
            built.append((spec, kind, code, expectation(code, kind)))
    return built


SEQUENCE_VERDICTS = (
    "every message is checked exactly against its coder's window around the ideal length of the model it coded "
    "with (and that ideal against the model's log-loss, within the quantization bound, theory §l); the mean "
    "bits/symbol over messages, the independent unit (symbols inside a message are dependent), is judged by "
    "Student's t with T - 1 degrees of freedom against the exact expectation where one exists and against the "
    "floor H(X^n)/n of every code, at family-wise level {alpha:g} (Bonferroni over m = {m}). The t test assumes "
    "the per-message means close to normal (Markov-chain CLT; measured false-alarm rates in theory §l). The ± "
    "columns are {conf:.0%} t intervals over the messages.")
FIXED_VERDICTS = (
    "every coded message is checked exactly against its coder's window around the ideal length of the model it "
    "coded with, and that ideal against the model's own log-loss within the quantization bound (theory §l); the "
    "data are given, not sampled, so nothing is statistical.")


def _code_all(result, built, messages, model, own_loss, x, label, extra, floor, family_size, progress, model_text):
    """Code every message with every built coder; records, then one summary per coder."""
    rows: dict[str, list[dict]] = {spec.display: [] for spec, *_ in built}
    n = result.n
    for t, symbols in enumerate(messages):
        loss = model.log_loss(symbols)
        counts = np.bincount(symbols, minlength=result.alphabet_size)
        for spec, kind, code, expected in built:
            rec = _measure(spec, kind, code, symbols, counts, t, n, x, label, result.seed)
            rec.update(sample_log_loss=loss / n, sample_log_loss_p=own_loss(symbols) / n if own_loss else None,
                       empirical_entropy=None, expected=expected / n if expected is not None else None,
                       bound_low=floor, bound_high=None,
                       bound="E[bits]/n >= H(X^n)/n (every code, theory §b)" if floor is not None else "")
            rec.update(extra)
            rows[spec.display].append(_judge_message(rec, kind, code, loss, n))
        if progress is not None:
            progress(1)
    trials = result.trials
    m = family_size or max(1, 2 * len(built))
    level = result.family_alpha / m
    z95 = student_t.isf((1 - result.confidence) / 2, max(1, trials - 1))
    result.z_family, result.z_shown, result.intervals_judged = student_t.isf(level / 2, max(1, trials - 1)), z95, m
    result.verdict_note = (SEQUENCE_VERDICTS.format(alpha=result.family_alpha, m=m, conf=result.confidence)
                           if floor is not None else FIXED_VERDICTS)
    for spec, kind, code, expected in built:
        recs = rows[spec.display]
        result.records.extend({c: _none_if_nan(r.get(c)) for c in RECORD_COLUMNS} for r in recs)
        result.summaries.append(_summary(result, spec, kind, code, recs, expected, floor, level, z95, model_text))


def _measure(spec, kind, code, symbols, counts, t, n, x, label, seed_words) -> dict:
    rec = {
        **record_head(spec, kind, t, n, 1, x, label, seed_words),
        "exact_total": None, "ideal_bits": None, "excess_lo": None, "excess_hi": None, "ci_low": None, "ci_high": None,
        "variance": None, "H_pqhat": None,
    }
    bits = encode_verified(spec, code, symbols, t, rec)
    if bits is None:
        rec["excess_bits"] = None
        return rec
    total = len(bits)
    rec.update(status="ok", total_bits=total, bits_per_symbol=total / n, decoded_ok=True)
    if kind == "prefix":
        rec["exact_total"] = int(np.dot(counts, code.lengths.astype(np.int64)))
        if hasattr(code, "stream_bits"):  # D-ary Huffman: digits in blocks (simulations.family_checks)
            rec["exact_total"] = code.stream_bits(rec["exact_total"])
        rec["ideal_bits"] = float(rec["exact_total"])
        rec["excess_lo"] = rec["excess_hi"] = 0.0
    elif kind in family_checks.KINDS:  # Tunstall, LZ78: exact checks of their own, no ideal length
        rec.update(family_checks.measure(kind, code, symbols, total))
        rec["excess_lo"] = rec["excess_hi"] = None
        rec["excess_bits"] = None
        return rec
    else:
        rec["ideal_bits"] = float(code.ideal_length(symbols))
        rec["excess_lo"], rec["excess_hi"] = code.excess_bounds(n)
        if kind == "adaptive":
            rec["_reference_ideal"] = theory.kt_code_length(counts, float(code.prior))
    rec["excess_bits"] = total - rec["ideal_bits"]
    return rec


def _judge_message(rec: dict, kind: str, code, loss: float, n: int) -> dict:
    """The exact per-message verdict (no statistics)."""
    detail = rec.pop("_detail", "")
    reference = rec.pop("_reference_ideal", None)
    if rec["status"] != "ok":
        rec.update(verdict=verdicts.CONSISTENT if math.isinf(loss) else verdicts.NOT_CONSISTENT,
                   reason=(f"not encodable, as the model's log-loss is infinite: {detail}" if math.isinf(loss)
                           else f"refused a message of finite log-loss {loss:.3f} bits: {detail}"))
        return rec
    if kind in family_checks.KINDS:
        v = family_checks.judge_exact(kind, rec, code, n)
        rec.update(verdict=v.label, reason=v.reason)
        return rec
    bits, ideal, lo, hi = rec["total_bits"], rec["ideal_bits"], rec["excess_lo"], rec["excess_hi"]
    tol = 1e-9 * max(1.0, abs(ideal))
    problems = []
    if kind == "prefix" and bits != rec["exact_total"]:
        problems.append(f"{bits} bits, but the codeword lengths of this message add up to {rec['exact_total']}")
    if not (lo - tol <= bits - ideal <= hi + tol):
        problems.append(f"bits - ideal = {bits - ideal:.3f} outside the coder's window [{lo:.3f}, {hi:.3f}]")
    if reference is not None and abs(reference - ideal) > tol:
        problems.append(f"its ideal length {ideal:.6f} differs from the KT length of the counts {reference:.6f}")
    qbound = getattr(code, "quantization_bound", None)
    if qbound is not None and ideal - loss > qbound(n) + tol:
        problems.append(f"the quantized model costs {ideal - loss:.6f} bits more than the model, above the bound "
                        f"{qbound(n):.6f} (theory §f)")
    if problems:
        rec.update(verdict=verdicts.NOT_CONSISTENT, reason="; ".join(problems))
    else:
        what = "Σ l(x_t) exactly" if kind == "prefix" else f"within [{lo:.3g}, {hi:.3g}] bits of its ideal length"
        rec.update(verdict=verdicts.CONSISTENT, reason=f"bits = {what}")
    return rec


def _summary(result, spec, kind, code, recs, expected, floor, level, z95, model_text) -> dict:
    n = result.n
    ok = [r for r in recs if r["status"] == "ok"]
    y = np.array([r["bits_per_symbol"] for r in ok])
    mean = float(y.mean()) if ok else math.inf
    if ok and len(ok) < len(recs):
        mean = math.inf
    bad = sum(r["verdict"] != verdicts.CONSISTENT for r in recs)
    lo, hi = (code.excess_bounds(n) if kind not in ("prefix", *family_checks.KINDS) else (0.0, 0.0))
    t_family = student_t.isf(level / 2, max(1, len(ok) - 1))
    half = t_family * float(y.std(ddof=1)) / math.sqrt(len(ok)) if len(ok) >= 2 else None
    if half is not None:
        half = max(half, 1e-9 * max(1.0, abs(mean)) if math.isfinite(mean) else 0.0)  # float rounding of the mean
    shown = z95 * float(y.std(ddof=1)) / math.sqrt(len(ok)) if len(ok) >= 2 else None
    parts = []
    consistent = bad == 0
    if bad:
        parts.append(f"{bad} of {len(recs)} messages not consistent (see their rows)")
    elif not ok:
        parts.append("no message could be coded: " + recs[0]["reason"])
    else:
        parts.append(f"all {len(recs)} messages within their exact windows")
    if half is not None and math.isfinite(mean):
        if expected is not None:
            e_lo, e_hi = (expected + lo) / n, (expected + hi) / n
            if mean + half < e_lo or mean - half > e_hi:
                consistent = False
                parts.append(f"mean {mean:.6f} ± {half:.2g} (family level) misses the exact expectation "
                             f"[{e_lo:.6f}, {e_hi:.6f}] bits/symbol")
            else:
                parts.append(f"mean {mean:.6f} ± {half:.2g} meets the exact expectation [{e_lo:.6f}, {e_hi:.6f}]")
        if floor is None:
            pass
        elif mean + half < floor:
            consistent = False
            parts.append(f"mean {mean:.6f} + {half:.2g} is below the floor H(X^n)/n = {floor:.6f} that no code beats")
        else:
            parts.append(f"not below the floor H(X^n)/n = {floor:.6f}")
    elif ok:
        parts.append("one message: no interval, the mean is not judged")
    statement = f"model: {model_text}; every message within the coder's window around its ideal length" + (
        "; E[bits]/n >= H(X^n)/n (theory §b)" if floor is not None else "")
    return {
        "experiment": result.label, "x": recs[0]["x"] if recs else None, "coder": spec.display, "kind": kind,
        "n": n, "block": 1, "trials": len(recs), "messages_ok": len(ok), "bits_per_symbol": _none_if_nan(mean),
        "ci_half": shown, "expected": expected / n if expected is not None else None, "H_pqhat": None,
        "bound": "E[bits]/n >= H(X^n)/n" if floor is not None else "bits - ideal in the coder's window",
        "bound_low": floor, "bound_high": None, "theorem_holds": True,
        "rows_consistent": len(recs) - bad,
        "mean_excess_bits": float(np.mean([r["excess_bits"] for r in ok])) if ok and kind not in family_checks.KINDS
        else None,
        "excess_lo": lo, "excess_hi": hi, "verdict": verdicts.CONSISTENT if consistent else verdicts.NOT_CONSISTENT,
        "reason": "; ".join(parts), "statement": statement,
    }


__all__ = [
    "MODEL_NAMES", "ModelNameError", "build_model", "default_coders", "parse_model_name", "run_fixed_messages",
    "run_sequence_experiment",
]
