"""Confidence intervals and rigorous tests for Monte Carlo means (THEORY.md (i)).

For a fixed prefix code the per-symbol lengths are i.i.d., so the mean of n of them has
standard error ``sqrt(Var/n)`` with the exact variance ``Var`` known from p; the interval shown
is ``mean ± z·SE`` (normal, 95 %). The verdicts do not use it: they use :class:`SumTest`, the
exact law of a lattice sum or Bernstein's inequality, whose p-values are exact or upper bounds
for every n. When m tests are judged together, each is taken at level ``alpha/m``
(Bonferroni), so the chance that *any* of them fails by bad luck is at most ``alpha``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import fftconvolve
from scipy.stats import norm


def z_two_sided(alpha: float) -> float:
    """``z`` with ``P(|Z| > z) = alpha`` for a standard normal Z (alpha = 0.05 gives 1.95996)."""
    if not (0 < alpha < 1):
        raise ValueError(f"`alpha` must be in (0, 1); got {alpha!r}")
    return float(norm.isf(alpha / 2))


def bonferroni_z(alpha: float, m: int) -> float:
    """Two-sided ``z`` for a family-wise level ``alpha`` over ``m`` intervals: ``z(alpha/m)``.

    THEORY.md (i): alpha = 1e-3 over 46 intervals gives z = 4.25.
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
# * the exact law of a lattice sum (fixed prefix code: integer lengths), THEORY.md (i);
# * Bernstein's inequality for bounded i.i.d. terms (any coder whose terms are bounded).

EXACT_CELLS = 1 << 20
"""Largest support (cells) of a sum whose exact law is computed (n-fold convolution by FFT)."""


def _convolve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # FFT round-off leaves values of about 1e-17 (of either sign) where the law is 0: clip them.
    return np.clip(fftconvolve(a, b), 0.0, None)


def lattice_sum_law(values, probs, count: int) -> tuple[int, int, np.ndarray]:
    """Exact law of ``S = X_1 + ... + X_count`` for i.i.d. integer ``X`` with ``P(X = values[i]) = probs[i]``.

    Returns ``(start, step, pmf)`` with ``P(S = start + step·j) = pmf[j]``; ``step`` is the gcd
    of the differences of the values (the lattice of S). Computed by repeated squaring of the
    one-term law with FFT convolutions (THEORY.md (i)); about ``log2(count)`` convolutions of at
    most ``count·(max-min)/step + 1`` cells.
    """
    values = np.asarray(values, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    keep = probs > 0
    values, probs = values[keep], probs[keep] / math.fsum(probs[keep].tolist())
    lo = int(values.min())
    step = int(np.gcd.reduce(values - lo)) or 1
    base = np.zeros((int(values.max()) - lo) // step + 1)
    np.add.at(base, (values - lo) // step, probs)
    out, power, k = np.ones(1), base, int(count)
    while k:
        if k & 1:
            out = _convolve(out, power)
        k >>= 1
        if k:
            power = _convolve(power, power)
    return count * lo, step, out / out.sum()


def lattice_cells(values, probs, count: int) -> int:
    """Support size of the law of a sum of ``count`` terms (what :func:`lattice_sum_law` would build)."""
    values = np.asarray(values, dtype=np.int64)[np.asarray(probs) > 0]
    lo = int(values.min())
    step = int(np.gcd.reduce(values - lo)) or 1
    return int(count) * ((int(values.max()) - lo) // step) + 1


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


class SumTest:
    """Two-sided test of "the sum of ``count`` i.i.d. terms X ~ (values, probs) has expectation
    ``count·E[X]`` (shifted by a known per-sum interval ``[lo, hi]``)" with a p-value that is exact
    or a rigorous upper bound, so rejecting at ``p < level`` has false-alarm rate <= ``level``.

    * ``lattice=True`` (integer lengths of a prefix code) and a support of at most
      :data:`EXACT_CELLS` cells: the **exact law** of the sum, p = 2 min(P(S <= s), P(S >= s));
      a total outside the support or off the lattice has p = 0.
    * otherwise: **Bernstein's inequality** with the exact variance and ``b = max |X - E[X]|``.
    """

    def __init__(self, values, probs, count: int, *, lattice: bool, max_cells: int = EXACT_CELLS):
        values = np.asarray(values, dtype=np.float64)
        probs = np.asarray(probs, dtype=np.float64)
        keep = probs > 0
        values, probs = values[keep], probs[keep] / math.fsum(probs[keep].tolist())
        self.count = int(count)
        self.mean = math.fsum((values * probs).tolist())
        self.variance = max(0.0, math.fsum((probs * (values - self.mean) ** 2).tolist()))
        self.spread = float(np.max(np.abs(values - self.mean)))
        self.exact = bool(lattice) and lattice_cells(values, probs, self.count) <= max_cells
        self._law = None
        if self.exact:
            start, step, pmf = lattice_sum_law(values.astype(np.int64), probs, self.count)
            # Both tails from their own end, so a small tail is not a difference of numbers near 1.
            self._law = (start, step, np.cumsum(pmf), np.cumsum(pmf[::-1])[::-1])

    @property
    def method(self) -> str:
        if self.exact:
            return f"exact law of the sum of {self.count} lengths (THEORY.md (i))"
        return f"Bernstein's inequality over {self.count} terms (|X - E X| <= {self.spread:.3g})"

    def pvalue(self, total: float, lo: float = 0.0, hi: float = 0.0) -> float:
        """p-value (or its upper bound) of the observed sum ``total`` against expectation
        ``count·E[X] + [lo, hi]`` (``lo = hi = 0`` for the exact law)."""
        if self.exact and lo == hi == 0:
            start, step, below, above = self._law
            j, r = divmod(int(round(total)) - start, step)
            if r or not 0 <= j < below.size or total != round(total):
                return 0.0  # impossible total
            return min(1.0, 2 * min(float(below[j]), float(above[j])))
        target_lo, target_hi = self.count * self.mean + lo, self.count * self.mean + hi
        dist = max(target_lo - total, total - target_hi, 0.0)
        return bernstein_pvalue(dist / self.count, self.count, self.variance, self.spread)
