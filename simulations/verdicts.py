"""Verdicts: is one measured message consistent with what theory says about its coder?

Pure functions on numbers (no coder, no randomness), so the checking logic is tested on its
own. Each returns a :class:`Verdict`: a label and a reason a student can read, which says what
was compared with what, by how much, and where the rule comes from ("theory §d" is section d of
docs/theory.md, printed by ``codebook theory d``). Labels: ``consistent``; ``not consistent``
(a violation: exit status 3); ``not codable`` (the coder refused a symbol its model gives
probability 0 while p produces it: the infinite length theory predicts, not a violation, but
not a measurement either).

Exact checks come first (they need no statistics and catch bugs outright):

* prefix code: the bitstream length equals ``Σ n_x l(x)`` for the symbol counts n_x (theory §i);
* stream / adaptive coder: the coder's ideal length equals the one computed independently from
  the counts, and ``lo <= bits - ideal <= hi`` for its documented excess bounds (§f, §h).

Then the statistical check of the random part, at a per-test level alpha/m where m counts every
test judged in the run (Bonferroni, family-wise level alpha; §i): the total bits of a prefix
code against ``n E_p[l]``; the ideal length of a stream coder against ``n H(p,q_hat)``; an
adaptive coder's ideal length against its exact ``E[L_alpha(X^n)]``. Each test's false-alarm
rate is guaranteed, not approximated: the exact law of the sum where it is computed, otherwise
Bernstein's inequality (i.i.d. bounded terms) or McDiarmid's (adaptive lengths); see
:mod:`simulations.stats`. A variance that is exactly zero is judged exactly. The distance in
standard errors is shown for reading, never used to decide; a p-value bound of 1 or more says
nothing and is not printed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from codebook.theory import Bound

from .stats import SumTest, mcdiarmid_pvalue

CONSISTENT = "consistent"
NOT_CONSISTENT = "not consistent"
NOT_CODABLE = "not codable"


@dataclass(frozen=True)
class Verdict:
    """``consistent``: no check failed; ``codable=False``: the coder refused the data, as
    theory predicts when the model gives probability 0 to a symbol p produces."""

    consistent: bool
    reason: str
    codable: bool = True

    @property
    def label(self) -> str:
        if not self.consistent:
            return NOT_CONSISTENT
        return CONSISTENT if self.codable else NOT_CODABLE


def failed(label: str) -> bool:
    """Whether a verdict label is a violation (the only label that sets exit status 3)."""
    return label == NOT_CONSISTENT


def _tol(reference: float) -> float:
    """Float tolerance (bits) for comparing two computations of a length of ``reference`` bits."""
    return 1e-9 * max(1.0, abs(reference))


def _sd_phrase(dev: float) -> str:
    side = "above" if dev > 0 else "below"
    return f"{abs(dev):.2f} standard errors {side}"


@dataclass(frozen=True)
class Test:
    """A p-value for an observed total: ``pvalue(total, lo, hi)`` against ``expected total + [lo, hi]``,
    exact (``exact``) or an upper bound, described by ``method``."""

    pvalue: Callable[[float, float, float], float]
    method: str
    exact: bool

    @classmethod
    def of_sum(cls, test: SumTest) -> Test:
        return cls(test.pvalue, test.method, test.exact)

    @classmethod
    def mcdiarmid(cls, expected_total: float, count: int, difference: float) -> Test:
        def pvalue(total: float, lo: float = 0.0, hi: float = 0.0) -> float:
            dist = max(expected_total + lo - total, total - expected_total - hi, 0.0)
            return mcdiarmid_pvalue(dist, count, difference)

        return cls(pvalue, f"McDiarmid's inequality over {count} symbols (one symbol moves the length by "
                           f"<= {difference:.3g} bits)", False)


def _as_test(test) -> Test | None:
    if test is None or isinstance(test, Test):
        return test
    return Test.of_sum(test)


def _statistical(mean: float, target_lo: float, target_hi: float, what: str, se: float | None, level: float,
                 test, total: float, lo_sum: float = 0.0, hi_sum: float = 0.0, measured: str = "measured") -> Verdict:
    """Is ``mean`` (bits/symbol; ``total`` bits in all) consistent with ``[target_lo, target_hi]``?

    ``measured`` names the quantity ("measured" bits, or an "ideal length").
    Decided by ``test`` (exact law, Bernstein or McDiarmid), whose p-value is exact or an upper
    bound, at the per-test level ``level`` = alpha/m: a correct coder is called "not consistent"
    with probability <= ``level``. ``se = 0`` means the variance is exactly zero: every possible
    message has this total, so it is compared exactly (up to float rounding of the total).
    """
    if se == 0:
        ok = target_lo - _tol(target_lo) <= mean <= target_hi + _tol(target_hi)
        return Verdict(ok, f"{measured} {mean:.6f} bits/symbol {'equals' if ok else 'differs from'} {what} "
                           "(zero variance: every possible message has the same length, compared exactly)")
    test = _as_test(test)
    if test is None:
        raise ValueError("a statistical verdict needs a test (exact law, Bernstein or McDiarmid)")
    gap = max(target_lo - mean, mean - target_hi, 0.0) * (1 if mean > target_hi else -1)
    if gap == 0:
        where = "exactly at" if target_lo == target_hi else "inside"
    elif se is not None and math.isfinite(se):
        where = _sd_phrase(gap / se)
    else:
        where = f"{abs(gap):.3g} bits/symbol {'above' if gap > 0 else 'below'}"
    se_text = f" (SE {se:.2g})" if se is not None and math.isfinite(se) else ""
    pval = test.pvalue(total, lo_sum, hi_sum)
    if pval >= 1:
        judged = f"{test.method}: no evidence against it (p = 1)" if test.exact else \
            f"{test.method}: no evidence against it (its bound on p is >= 1 at this distance)"
    else:
        relation = "=" if test.exact else "<="
        judged = f"{test.method}: two-sided p {relation} {pval:.2g}, limit alpha/m = {level:.2g} (family-wise)"
    text = f"{measured} {mean:.6f} bits/symbol is {where} {what}{se_text}; {judged}"
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
                              f"drawn add up to {exact_total} bits (Σ n_x l(x), theory §i): a coder bug")
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
    """One message of a stream coder: exact excess check, then its ideal length against H(p,q_hat).

    ``ideal_bits`` is the coder's ``ideal_length`` (-log2 q_hat(x^n)), ``reference_ideal`` the
    same computed independently from the counts; ``excess = (lo, hi)``; ``expected`` =
    H(p,q_hat) and ``variance`` = Var_p[-log2 q_hat(X)] (theory §f, §i). Once ``bits - ideal``
    is inside ``[lo, hi]`` (exact), the only random part is the ideal length, a sum of ``n``
    i.i.d. terms: ``test`` (a :class:`~simulations.stats.SumTest`) judges it at ``level``.
    """
    bad = _exact_ideal("stream", total_bits, ideal_bits, reference_ideal, excess, "-log2 q_hat(x^n)")
    if bad is not None:
        return bad
    lo, hi = excess
    extra = total_bits - ideal_bits
    head = f"bits - (-log2 q_hat(x^n)) = {extra:+.3f} bits, within [{lo:+.4g}, {hi:+.4g}] (theory §f)"
    if n == 0:
        return Verdict(True, head)
    if not math.isfinite(expected):
        return Verdict(True, head + "; H(p,q_hat) is infinite, this sample avoided the symbols q_hat cannot code")
    se = math.sqrt(variance / n)
    v = _statistical(ideal_bits / n, expected, expected, f"H(p,q_hat) = {expected:.6f}", se, level, test, ideal_bits,
                     measured="ideal length")
    return Verdict(v.consistent, head + "; " + v.reason)


def judge_adaptive(total_bits: int, ideal_bits: float, reference_ideal: float,
                   excess: tuple[float, float], prior: float = 0.5, n: int = 0,
                   expected_total: float | None = None, difference: float = 0.0, level: float = 1.0) -> Verdict:
    """One message of an adaptive coder: its ideal length equals the add-``prior`` closed form
    from the counts (§h; 0.5 = KT, 1 = Laplace), the real length is within its documented
    excess bounds, and (given ``expected_total`` = E[L_alpha(X^n)]) the ideal length is tested
    against it with McDiarmid's inequality (``difference`` = the most one symbol moves it)."""
    what = f"the add-{prior:g} closed form -log2 P_alpha(x^n)"
    bad = _exact_ideal("adaptive", total_bits, ideal_bits, reference_ideal, excess, what)
    if bad is not None:
        return bad
    lo, hi = excess
    head = (f"ideal length equals {what} from the counts (theory §h); "
            f"bits - ideal = {total_bits - ideal_bits:+.3f} bits, within [{lo:+.4g}, {hi:+.4g}]")
    if expected_total is None or n == 0:
        return Verdict(True, head)
    exp_sym = expected_total / n
    v = _statistical(ideal_bits / n, exp_sym, exp_sym, f"the exact E[L_alpha]/n = {exp_sym:.6f}",
                     0.0 if difference == 0 else None, level, Test.mcdiarmid(expected_total, n, difference),
                     ideal_bits, measured="ideal length")
    return Verdict(v.consistent, head + "; " + v.reason)


def judge_unencodable(expected: float, detail: str) -> Verdict:
    """A message the coder refused to encode (a symbol without a codeword / zero model mass).

    "not codable" exactly when theory predicted it: the expected length is infinite because the
    model gives probability 0 to a symbol p can produce (H(p,q) = inf, theory §a, §c). A refusal
    where theory gives a finite length is "not consistent".
    """
    if math.isinf(expected):
        return Verdict(True, f"the model gives probability 0 to a symbol that p produces, so H(p,q) and the "
                             f"expected length are infinite (theory §a); encoding stopped as it must: {detail}",
                       codable=False)
    return Verdict(False, f"the coder refused a symbol although the theory gives it a finite length: {detail}")


def judge_summary(mean: float, expected: float, variance: float | None, n_total: int, level: float,
                  lo_per_message: float = 0.0, hi_per_message: float = 0.0, messages: int = 1,
                  test=None, total_bits: float | None = None, measured: str = "measured") -> Verdict:
    """The pooled mean of several messages (``n_total`` symbols) against the exact expectation,
    plus the per-message interval ``[lo, hi]`` spread over them (0 when the pooled quantity is
    the ideal length itself), decided by ``test`` (a SumTest over all pooled terms, or a
    McDiarmid :class:`Test`) at ``level``; ``total_bits`` is the pooled sum (default ``mean * n_total``).
    ``variance=None``: unknown (adaptive), no standard error shown."""
    if not math.isfinite(expected):
        return Verdict(True, "the expected length is infinite")
    n_msg = n_total / messages if messages else n_total
    lo, hi = expected + lo_per_message / n_msg, expected + hi_per_message / n_msg
    if variance is None:
        se = None
    else:
        se = math.sqrt(variance / n_total) if n_total else math.inf
    what = f"the exact expectation {expected:.6f}" if lo == hi else f"[{lo:.6f}, {hi:.6f}]"
    total = mean * n_total if total_bits is None else total_bits
    return _statistical(mean, lo, hi, what, se, level, test, total, lo_per_message * messages,
                        hi_per_message * messages, measured)
