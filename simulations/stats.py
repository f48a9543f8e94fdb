"""Normal quantiles and confidence intervals for Monte Carlo means (THEORY.md (i)).

For a fixed prefix code the per-symbol lengths are i.i.d., so the mean of n of them has
standard error ``sqrt(Var/n)`` with the exact variance ``Var`` known from p; the interval is
``mean ± z·SE``. When m intervals are judged together, each is taken at level ``alpha/m``
(Bonferroni), so the chance that *any* of them fails by bad luck is at most ``alpha``.
"""

from __future__ import annotations

import math

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
