"""Verdicts: is one measured message consistent with what THEORY.md says about its coder?

Pure functions on numbers (no coder, no randomness), so the checking logic is tested on its
own. Each returns a :class:`Verdict`: ``consistent`` and a reason a student can read, which
says what was compared with what, by how much, and where the rule comes from.

Exact checks come first (they need no statistics and catch bugs outright):

* prefix code: the bitstream length equals ``Σ n_x l(x)`` for the symbol counts n_x
  (THEORY.md (i));
* stream / adaptive coder: the coder's ideal length equals the one computed independently from
  the counts, and ``lo <= bits - ideal <= hi`` for its documented excess bounds ((f), (h)).

Then the statistical check, for i.i.d. lengths only, at a per-interval level alpha/m where m
counts every interval judged in the run (Bonferroni, family-wise level alpha; (i)). It uses a
test whose false-alarm rate is guaranteed, not a normal approximation: the exact law of the
sum of the lengths for a prefix code (n-fold convolution, when its support is at most
``stats.EXACT_CELLS`` cells), otherwise Bernstein's inequality for bounded i.i.d. terms
(see :class:`simulations.stats.SumTest`). The distance in standard errors is shown, not used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from codebook.theory import Bound

from .stats import SumTest

CONSISTENT = "consistent"
NOT_CONSISTENT = "not consistent"


@dataclass(frozen=True)
class Verdict:
    consistent: bool
    reason: str

    @property
    def label(self) -> str:
        return CONSISTENT if self.consistent else NOT_CONSISTENT


def _tol(reference: float) -> float:
    """Float tolerance (bits) for comparing two computations of a length of ``reference`` bits."""
    return 1e-9 * max(1.0, abs(reference))


def _sd_phrase(dev: float) -> str:
    side = "above" if dev > 0 else "below"
    return f"{abs(dev):.2f} standard errors {side}"


def _statistical(mean: float, target_lo: float, target_hi: float, what: str, se: float, level: float,
                 test: SumTest | None, total: float, lo_sum: float = 0.0, hi_sum: float = 0.0) -> Verdict:
    """Is ``mean`` (bits/symbol; ``total`` bits in all) consistent with ``[target_lo, target_hi]``?

    Decided by ``test`` (the exact law of the sum, or Bernstein's inequality), whose p-value is
    exact or an upper bound, at the per-interval level ``level`` = alpha/m: a correct coder is
    called "not consistent" with probability <= ``level``. The distance in standard errors is
    only shown, never used to decide (a normal approximation can be far off in the tails).
    """
    if se == 0 or not math.isfinite(se):
        ok = target_lo - _tol(target_lo) <= mean <= target_hi + _tol(target_hi)
        return Verdict(ok, f"measured {mean:.6f} bits/symbol {'equals' if ok else 'differs from'} {what} "
                           "(zero variance: every possible message has the same length per symbol)")
    if test is None:
        raise ValueError("a statistical verdict needs a SumTest (exact law or Bernstein bound)")
    if mean < target_lo:
        dev = (mean - target_lo) / se
    elif mean > target_hi:
        dev = (mean - target_hi) / se
    else:
        dev = 0.0
    if dev == 0:
        where = "exactly at" if target_lo == target_hi else "inside"
    else:
        where = _sd_phrase(dev)
    pval = test.pvalue(total, lo_sum, hi_sum)
    relation = "=" if test.exact else "<="
    text = (f"measured {mean:.6f} bits/symbol is {where} {what} (SE {se:.2g}); {test.method}: two-sided "
            f"p {relation} {pval:.2g}, limit alpha/m = {level:.2g} (family-wise)")
    if pval >= level:
        return Verdict(True, text)
    return Verdict(False, text + ": further than chance allows")


def judge_prefix(total_bits: int, exact_total: int, n: int, expected: float, variance: float,
                 level: float, bound: Bound | None = None, test: SumTest | None = None) -> Verdict:
    """One message of a fixed prefix code against its exact ``E_p[l]`` and ``Var_p[l]``.

    ``exact_total`` is ``Σ n_x l(x)`` from the symbol counts; ``bound`` is the theorem the exact
    expectation must obey (checked exactly, not statistically); ``test`` is the
    :class:`~simulations.stats.SumTest` of a sum of ``n`` lengths, decided at ``level`` = alpha/m.
    """
    if total_bits != exact_total:
        return Verdict(False, f"the bitstream has {total_bits} bits but the codeword lengths of the symbols "
                              f"drawn add up to {exact_total} bits (Σ n_x l(x), THEORY.md (i)): a coder bug")
    if bound is not None and math.isfinite(expected) and not bound.contains(expected):
        return Verdict(False, f"the exact E_p[l] = {expected:.6f} breaks {bound.text} "
                              f"[{bound.lower:.6f}, {bound.upper:.6f}] ({bound.section})")
    if not math.isfinite(expected):
        return Verdict(True, "E_p[l] is infinite (p gives mass to a symbol that has no codeword); "
                             "this sample happened to avoid such symbols")
    if n == 0:
        return Verdict(True, "empty message: 0 bits, nothing to compare")
    se = math.sqrt(variance / n)
    v = _statistical(total_bits / n, expected, expected, f"the exact E_p[l] = {expected:.6f}", se, level, test,
                     total_bits)
    return Verdict(v.consistent, v.reason + "; bits = Σ n_x l(x) exactly")


def _exact_ideal(kind: str, total_bits: float, ideal_bits: float, reference_ideal: float,
                 excess: tuple[float, float], reference_name: str) -> Verdict | None:
    """The exact per-message checks shared by stream and adaptive coders; None if they pass."""
    if not math.isclose(ideal_bits, reference_ideal, rel_tol=1e-9, abs_tol=1e-6):
        return Verdict(False, f"the coder's ideal_length = {ideal_bits:.6f} bits differs from "
                              f"{reference_name} = {reference_ideal:.6f} bits computed from the symbol counts")
    lo, hi = excess
    extra = total_bits - ideal_bits
    if not (lo - _tol(ideal_bits) <= extra <= hi + _tol(ideal_bits)):
        return Verdict(False, f"bits - ideal = {total_bits} - {ideal_bits:.3f} = {extra:+.4f} bits lies outside "
                              f"the {kind} coder's documented bounds [{lo:+.4g}, {hi:+.4g}]")
    return None


def judge_stream(total_bits: int, ideal_bits: float, reference_ideal: float, excess: tuple[float, float],
                 n: int, expected: float, variance: float, level: float, test: SumTest | None = None) -> Verdict:
    """One message of a stream coder: exact excess check, then bits/symbol against H(p,q_hat).

    ``ideal_bits`` is the coder's ``ideal_length`` (-log2 q_hat(x^n)), ``reference_ideal`` the
    same computed independently from the counts; ``excess = (lo, hi)``; ``expected`` =
    H(p,q_hat) and ``variance`` = Var_p[-log2 q_hat(X)] (THEORY.md (f), (i)); ``test`` is the
    Bernstein :class:`~simulations.stats.SumTest` of the ``n`` terms -log2 q_hat(X), at ``level``.
    """
    bad = _exact_ideal("stream", total_bits, ideal_bits, reference_ideal, excess, "-log2 q_hat(x^n)")
    if bad is not None:
        return bad
    lo, hi = excess
    extra = total_bits - ideal_bits
    head = f"bits - (-log2 q_hat(x^n)) = {extra:+.3f} bits, within [{lo:+.4g}, {hi:+.4g}] (THEORY.md (f))"
    if n == 0:
        return Verdict(True, head)
    if not math.isfinite(expected):
        return Verdict(True, head + "; H(p,q_hat) is infinite, this sample avoided the symbols q_hat cannot code")
    se = math.sqrt(variance / n)
    v = _statistical(total_bits / n, expected + lo / n, expected + hi / n,
                     f"H(p,q_hat) + [lo, hi]/n = {expected:.6f} + [{lo / n:+.2g}, {hi / n:+.2g}]", se, level,
                     test, total_bits, lo, hi)
    return Verdict(v.consistent, head + "; " + v.reason)


def judge_adaptive(total_bits: int, ideal_bits: float, reference_ideal: float,
                   excess: tuple[float, float], prior: float = 0.5) -> Verdict:
    """One message of an adaptive coder, checked exactly (its lengths are not i.i.d., (i)):
    the coder's ideal length equals the add-``prior`` closed form from the counts ((h); 0.5 = KT,
    1 = Laplace), and the real length is within its documented excess bounds."""
    what = f"the add-{prior:g} closed form -log2 P_alpha(x^n)"
    bad = _exact_ideal("adaptive", total_bits, ideal_bits, reference_ideal, excess, what)
    if bad is not None:
        return bad
    lo, hi = excess
    return Verdict(True, f"ideal length equals {what} from the counts (THEORY.md (h)); "
                         f"bits - ideal = {total_bits - ideal_bits:+.3f} bits, within [{lo:+.4g}, {hi:+.4g}]")


def judge_unencodable(expected: float, detail: str) -> Verdict:
    """A message the coder refused to encode (a symbol without a codeword / zero model mass).

    Consistent exactly when theory predicted it: the expected length is infinite because the
    model gives probability 0 to a symbol p can produce (H(p,q) = inf, THEORY.md (a), (c)).
    """
    if math.isinf(expected):
        return Verdict(True, f"the model gives probability 0 to a symbol that p produces, so H(p,q) and the "
                             f"expected length are infinite (THEORY.md (a)); encoding stopped as it must: {detail}")
    return Verdict(False, f"the coder refused a symbol although the theory gives it a finite length: {detail}")


def judge_summary(mean: float, expected: float, variance: float, n_total: int, level: float,
                  lo_per_message: float = 0.0, hi_per_message: float = 0.0, messages: int = 1,
                  test: SumTest | None = None, total_bits: float | None = None) -> Verdict:
    """The pooled mean of several messages of ``n`` symbols each against the exact expectation
    (plus the per-message excess interval spread over ``n_total / messages`` symbols), decided
    by ``test`` (a SumTest over all the pooled terms) at ``level``; ``total_bits`` is the pooled
    sum (default ``mean * n_total``)."""
    if not math.isfinite(expected):
        return Verdict(True, "the expected length is infinite")
    n_msg = n_total / messages if messages else n_total
    lo, hi = expected + lo_per_message / n_msg, expected + hi_per_message / n_msg
    se = math.sqrt(variance / n_total) if n_total else math.inf
    what = f"the exact expectation {expected:.6f}" if lo == hi else f"[{lo:.6f}, {hi:.6f}]"
    total = mean * n_total if total_bits is None else total_bits
    return _statistical(mean, lo, hi, what, se, level, test, total, lo_per_message * messages,
                        hi_per_message * messages)
