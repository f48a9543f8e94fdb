"""Confidence intervals and rigorous tests for Monte Carlo means (theory §i).

For a fixed prefix code the per-symbol lengths are i.i.d., so the mean of n of them has
standard error ``sqrt(Var/n)`` with the exact variance ``Var`` known from p. The interval
shown for an exact expectation (:meth:`SumTest.interval`) comes from the exact law of the sum
where it is computed (lattice sums: prefix lengths, or a model with two distinct terms), and
is ``mean ± z·SE`` (normal) otherwise. The verdicts do not use it: they use the p-values of
:class:`SumTest` (exact law, or Bernstein's inequality), :func:`mcdiarmid_pvalue` (adaptive code
lengths) and :func:`multinomial_pvalue` (the sampled counts against p), which are exact or upper
bounds for every n. When m tests are judged together, each is taken at level ``alpha/m``
(Bonferroni), so the chance that *any* of them fails by bad luck is at most ``alpha``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import fftconvolve
from scipy.stats import norm

from codebook.theory import float_sum


def z_two_sided(alpha: float) -> float:
    """``z`` with ``P(|Z| > z) = alpha`` for a standard normal Z (alpha = 0.05 gives 1.95996)."""
    if not (0 < alpha < 1):
        raise ValueError(f"`alpha` must be in (0, 1); got {alpha!r}")
    return float(norm.isf(alpha / 2))


def bonferroni_z(alpha: float, m: int) -> float:
    """Two-sided ``z`` for a family-wise level ``alpha`` over ``m`` intervals: ``z(alpha/m)``.

    theory §i: alpha = 1e-3 over 46 intervals gives z = 4.25.
    """
    if m < 1:
        raise ValueError(f"`m` (number of intervals) must be >= 1; got {m!r}")
    return z_two_sided(alpha / m)


def standard_error(variance: float, n: int) -> float:
    """``sqrt(variance / n)``: the standard error of a mean of n i.i.d. terms (bits/symbol)."""
    if n <= 0:
        return math.inf
    return math.sqrt(variance / n) if math.isfinite(variance) else math.inf


def interval(mean: float, variance: float, n: int, z: float) -> tuple[float, float]:
    """``mean ± z·sqrt(variance/n)``."""
    half = z * standard_error(variance, n)
    return mean - half, mean + half


# ---------------------------------------------------------------------------- rigorous tests
#
# The verdicts must not call a correct coder "not consistent" more often than the stated
# family-wise level. A normal approximation does not guarantee that: with a small n·p_min one
# rare long codeword moves the mean by several standard errors (p = (0.999, 0.001), n = 100:
# 15 false alarms in 300 seeds at a nominal 0.1 %). Two tests that are valid for every n:
#
# * the exact law of a lattice sum (fixed prefix code: integer lengths), theory §i;
# * Bernstein's inequality for bounded i.i.d. terms (any coder whose terms are bounded).

EXACT_CELLS = 1 << 20
"""Most cells of a sum's law that is computed (n-fold convolution by FFT, over its window)."""

WINDOW_TAIL = 1e-30
"""Mass each truncation of a partial law may drop (Bernstein's bound): the computed law is
exact up to a total of ``2 * 64 * WINDOW_TAIL``, far below FFT round-off (about 1e-16)."""


def _convolve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # FFT round-off leaves values of about 1e-17 (of either sign) where the law is 0: clip them.
    return np.clip(fftconvolve(a, b), 0.0, None)


def _bernstein_radius(terms: int, variance: float, spread: float, tail: float) -> float:
    """``t`` with Bernstein's ``2 exp(-t² / (2 N var + 2 b t / 3)) <= tail`` for a sum of N terms."""
    c = math.log(2 / tail)
    a = 2 * spread * c / 3
    return (a + math.sqrt(a * a + 8 * terms * variance * c)) / 2


def _unit_law(values, probs):
    values = np.asarray(values, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    keep = probs > 0
    values, probs = values[keep], probs[keep] / float_sum(probs[keep])
    lo = int(values.min())
    step = int(np.gcd.reduce(values - lo)) or 1
    units = (values - lo) // step
    base = np.zeros(int(units.max()) + 1)
    np.add.at(base, units, probs)
    mean = float_sum(units * probs)
    var = max(0.0, float_sum(probs * (units - mean) ** 2))
    spread = float(np.max(np.abs(units - mean)))
    return lo, step, base, mean, var, spread


def lattice_sum_law(values, probs, count: int, tail: float = WINDOW_TAIL) -> tuple[int, int, np.ndarray]:
    """Law of ``S = X_1 + ... + X_count`` for i.i.d. integer ``X`` with ``P(X = values[i]) = probs[i]``.

    Returns ``(start, step, pmf)`` with ``P(S = start + step·j) = pmf[j]``; ``step`` is the gcd
    of the differences of the values (the lattice of S). Computed by repeated squaring of the
    one-term law with FFT convolutions (theory §i); each partial law is cut to the window
    ``mean ± t`` outside which Bernstein's inequality leaves less than ``tail`` of its mass, so
    the cells grow like ``sqrt(count)``, not ``count``. The window drops less than
    ``2 log2(count) tail`` in all; FFT round-off adds errors of about 1e-15 per cell per
    squaring (measured against scipy's binomial pmf: at most 8e-13 at count = 10**6), far below
    the levels tests use.
    """
    lo, step, base, mean, var, spread = _unit_law(values, probs)
    out, out_at, out_terms = np.ones(1), 0, 0  # law of out_terms terms, cell 0 at unit sum out_at
    power, power_at, power_terms = base, 0, 1
    k = int(count)

    def cut(law, at, terms):
        centre = terms * mean
        radius = _bernstein_radius(terms, var, spread, tail)
        first = max(at, math.floor(centre - radius))
        last = min(at + law.size - 1, math.ceil(centre + radius))
        return law[first - at:last - at + 1], first

    while k:
        if k & 1:
            out, out_at = cut(_convolve(out, power), out_at + power_at, out_terms + power_terms)
            out_terms += power_terms
        k >>= 1
        if k:
            power, power_at = cut(_convolve(power, power), 2 * power_at, 2 * power_terms)
            power_terms *= 2
    return count * lo + out_at * step, step, out


def lattice_cells(values, probs, count: int, tail: float = WINDOW_TAIL) -> int:
    """Most cells :func:`lattice_sum_law` builds for ``count`` terms: the full support or the
    Bernstein window, whichever is smaller."""
    _, _, base, _, var, spread = _unit_law(values, probs)
    full = int(count) * (base.size - 1) + 1
    window = 4 * math.ceil(_bernstein_radius(int(count), var, spread, tail)) + 2 * base.size + 1
    return min(full, window)


def bernstein_pvalue(deviation: float, count: int, variance: float, spread: float) -> float:
    """Bernstein's inequality, an upper bound on ``P(|mean - mu| >= deviation)`` for the mean of
    ``count`` i.i.d. terms with variance ``variance`` and ``|X - mu| <= spread``:
    ``2 exp(-N t² / (2 sigma² + 2 b t / 3))``, capped at 1. Valid for every ``count``."""
    if deviation <= 0:
        return 1.0
    if spread <= 0 or count <= 0:
        return 0.0  # a constant term: any deviation at all is impossible
    expo = count * deviation**2 / (2 * variance + 2 * spread * deviation / 3)
    return min(1.0, 2 * math.exp(-expo))


def mcdiarmid_pvalue(deviation: float, count: int, difference: float) -> float:
    """McDiarmid's bounded-differences inequality: an upper bound on ``P(|f - E f| >= deviation)``
    for a function ``f`` of ``count`` independent symbols that one symbol moves by at most
    ``difference``: ``2 exp(-2 t² / (N c²))``, capped at 1 (used for adaptive code lengths,
    which are not sums of i.i.d. terms; theory §i)."""
    if deviation <= 0:
        return 1.0
    if difference <= 0 or count <= 0:
        return 0.0
    return min(1.0, 2 * math.exp(-2 * deviation**2 / (count * difference**2)))


def multinomial_pvalue(counts, probs) -> tuple[float, float]:
    """``(n D(p_hat || p) in nats, upper bound on its p-value)`` for counts drawn from ``probs``.

    The bound is Agrawal's (2020, IEEE Trans. IT 66(11), Thm 1.2): for the type p_hat of n
    draws from a pmf on k symbols, ``P(D(p_hat||p) >= eps) <= exp(-n eps) (e n eps/(k-1))^(k-1)``
    when ``n eps > k - 1`` (else 1), valid for every n (k = |supp p|). A count on a symbol of
    probability 0 is impossible: p-value 0.
    """
    counts = np.asarray(counts, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    n = int(counts.sum())
    if n == 0:
        return 0.0, 1.0
    if (counts[probs <= 0] > 0).any():
        return math.inf, 0.0
    on = probs > 0
    c, pp = counts[on].astype(np.float64), probs[on] / float_sum(probs[on])
    seen = c > 0
    stat = float_sum(c[seen] * np.log(c[seen] / (n * pp[seen])))
    stat = max(stat, 0.0)
    k = int(on.sum())
    if k <= 1:
        return stat, 1.0
    if stat <= k - 1:
        return stat, 1.0
    log_bound = -stat + (k - 1) * (1 + math.log(stat / (k - 1)))
    return stat, min(1.0, math.exp(min(0.0, log_bound)))


def _lattice_of(values: np.ndarray) -> tuple[float, float] | None:
    """``(origin, step)`` when every value is origin + step * integer with a law worth computing
    exactly: integer values (step = their gcd), or exactly two distinct values; else None."""
    distinct = np.unique(values)
    if distinct.size == 1:
        return float(distinct[0]), 1.0
    if np.all(values == np.round(values)):
        origin = float(distinct[0])
        return origin, float(np.gcd.reduce((distinct - origin).astype(np.int64)))
    if distinct.size == 2:
        return float(distinct[0]), float(distinct[1] - distinct[0])
    return None


class SumTest:
    """Two-sided test of "the sum of ``count`` i.i.d. terms X ~ (values, probs) has expectation
    ``count·E[X]`` (shifted by a known per-sum interval ``[lo, hi]``)" with a p-value that is exact
    or a rigorous upper bound, so rejecting at ``p < level`` has false-alarm rate <= ``level``;
    and the interval for ``E[X]`` shown next to a measured mean (:meth:`interval`).

    * terms on a lattice (integer lengths of a prefix code, or exactly two distinct values) and
      a law of at most :data:`EXACT_CELLS` cells (over the window holding all but ~1e-28 of it):
      the **exact law** of the sum, p = 2 min(P(S <= s), P(S >= s)) (plus the mass the window
      dropped); a total outside the support or off the lattice has p = 0.
    * otherwise: **Bernstein's inequality** with the exact variance and ``b = max |X - E[X]|``.

    ``lattice=False`` forces Bernstein (and the normal interval).
    """

    def __init__(self, values, probs, count: int, *, lattice: bool = True, max_cells: int = EXACT_CELLS):
        values = np.asarray(values, dtype=np.float64)
        probs = np.asarray(probs, dtype=np.float64)
        keep = probs > 0
        values, probs = values[keep], probs[keep] / float_sum(probs[keep])
        self.count = int(count)
        self.mean = float_sum(values * probs)
        self.variance = max(0.0, float_sum(probs * (values - self.mean) ** 2))
        if np.all(values == values[0]):
            self.mean, self.variance = float(values[0]), 0.0
        self.spread = float(np.max(np.abs(values - self.mean)))
        grid = _lattice_of(values) if lattice else None
        self.integer = grid is not None and np.all(values == np.round(values))
        self.exact = False
        self._law = None
        if grid is not None and self.count > 0:
            origin, step = grid
            units = np.round((values - origin) / step).astype(np.int64)
            if lattice_cells(units, probs, self.count) <= max_cells:
                start, unit_step, pmf = lattice_sum_law(units, probs, self.count)
                self.exact = True
                # Both tails from their own end, so a small tail is not a difference of numbers near 1.
                self._law = (self.count * origin + start * step, unit_step * step, pmf, np.cumsum(pmf),
                             np.cumsum(pmf[::-1])[::-1])
                # What the window left out (bounded by Bernstein) plus what FFT round-off moved (the
                # mass lost or gained, about 1e-12 after 20 squarings, and as much again), and the
                # whole support of S.
                self._dropped = (2 * max(1, self.count.bit_length()) * WINDOW_TAIL
                                 + 2 * abs(1.0 - float_sum(pmf)) + 1e-12)
                self._support = (self.count * float(values.min()), self.count * float(values.max()), step)

    @property
    def method(self) -> str:
        if self.exact:
            what = "lengths" if self.integer else "terms"
            return f"exact law of the sum of {self.count} {what} (theory §i)"
        return f"Bernstein's inequality over {self.count} terms (|X - E X| <= {self.spread:.3g})"

    def _index(self, total: float) -> int | None:
        """Lattice index of ``total`` in the computed window (None when it is not a point of it)."""
        start, step, pmf, _, _ = self._law
        pos = (total - start) / step
        j = int(round(pos))
        tol = 1e-9 * max(1.0, abs(total)) / step
        if abs(pos - j) > tol or not 0 <= j < pmf.size:
            return None
        return j

    def _possible(self, total: float) -> bool:
        """Whether ``total`` is a point of the sum's support (on its lattice, between its ends)."""
        low, high, step = self._support
        pos = (total - low) / step
        tol = 1e-9 * max(1.0, abs(total)) / step
        return low - tol * step <= total <= high + tol * step and abs(pos - round(pos)) <= tol

    def pvalue(self, total: float, lo: float = 0.0, hi: float = 0.0) -> float:
        """p-value (or its upper bound) of the observed sum ``total`` against expectation
        ``count·E[X] + [lo, hi]`` (``lo = hi = 0`` for the exact law)."""
        if self.exact and lo == hi == 0:
            j = self._index(total)
            if j is None:  # impossible, or possible but beyond the window (probability < dropped)
                return min(1.0, 2 * self._dropped) if self._possible(total) else 0.0
            _, _, _, below, above = self._law
            return min(1.0, 2 * (min(float(below[j]), float(above[j])) + self._dropped))
        target_lo, target_hi = self.count * self.mean + lo, self.count * self.mean + hi
        dist = max(target_lo - total, total - target_hi, 0.0)
        return bernstein_pvalue(dist / self.count, self.count, self.variance, self.spread)

    def interval(self, total: float, confidence: float, expected: float | None = None) -> tuple[float, float, float]:
        """``(low, high, coverage)``: an interval for ``E[X]`` from the observed sum ``total``.

        With the exact law, the acceptance region ``[s_a, s_b]`` of the sum is chosen among the
        lattice points next to the two ``(1 - confidence)/2`` tails so that its probability is
        closest to ``confidence`` (a discrete law rarely allows exactly 95 %), and the interval
        is ``[E + (total - s_b)/N, E + (total - s_a)/N]``: it covers E exactly when the sum lands in
        the region, so ``coverage`` is its exact probability. Otherwise the normal interval
        ``total/N ± z sqrt(Var/N)`` and the nominal ``confidence``. ``expected`` is E[X] as the
        caller displays it (default: this test's own float sum), so that a sum landing on an end
        of the region gives an interval ending exactly on the displayed value.
        """
        n = self.count
        if n <= 0:
            return -math.inf, math.inf, 1.0
        mean = total / n
        if self.variance == 0:
            return mean, mean, 1.0
        if not self.exact:
            half = z_two_sided(1 - confidence) * math.sqrt(self.variance / n)
            return mean - half, mean + half, confidence
        start, step, pmf, below, above = self._law
        tail = (1 - confidence) / 2
        # lower end a: P(S < s_a) <= tail for a <= a0; upper end b: P(S > s_b) <= tail for b >= b0
        a0 = int(np.searchsorted(below, tail, side="right"))  # first index with P(S <= s_a) > tail
        b0 = int(np.searchsorted(-above, -tail, side="left")) - 1  # last index with P(S >= s_b) > tail
        best = None
        for a in {max(0, a0 - 1), a0, min(pmf.size - 1, a0 + 1)}:
            for b in {max(0, b0 - 1), b0, min(pmf.size - 1, b0 + 1)}:
                if a > b:
                    continue
                cover = float(below[b] - (below[a - 1] if a else 0.0))
                key = (abs(cover - confidence), -cover)
                if best is None or key < best[0]:
                    best = (key, a, b, cover)
        _, a, b, cover = best
        expected = self.mean if expected is None else expected
        j = self._index(total)
        if j is None:  # off the lattice: the verdict says so; the interval is still defined
            return (expected + (total - (start + step * b)) / n, expected + (total - (start + step * a)) / n,
                    cover)
        return expected + (j - b) * step / n, expected + (j - a) * step / n, cover
