"""Entropy, cross-entropy and KL divergence, exact at the edges.

All three default to bits (``base=2``). Conventions (Cover & Thomas, 2nd ed., §2.3):
``0 log 0 = 0``, ``0 log(0/q) = 0``, ``p log(p/0) = +inf``. So ``H(p, q)`` and ``D(p||q)`` are
``inf`` (a float, never NaN, never an exception) exactly when some ``p(x) > 0 = q(x)``.

Accuracy. Inputs are validated (they must sum to 1 within 1e-9, no silent renormalisation);
the floats are then taken at their exact binary64 values and the vector is understood as its
exact normalisation, as in ``../shared/THEORY.md``. Sums use :func:`math.fsum`, and the exact
normalisation enters as a closed-form correction (``log S``), so results agree with a 60-digit
computation to about 1e-15 relative. ``D(p||q)`` is summed term by term as
``p log(p/q) - p + q >= 0`` with a series for ``p ≈ q``; it is never formed as
``H(p, q) - H(p)``, which cancels catastrophically when p is close to q.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import entr, xlogy

from .distributions import as_distribution, check_same_alphabet


def _log_base(base: float) -> float:
    if not (isinstance(base, (int, float)) and math.isfinite(base) and base > 0 and base != 1):
        raise ValueError(f"`base` must be a positive number other than 1; got {base!r}")
    return math.log(base)


def _fsum(values: np.ndarray) -> float:
    return math.fsum(values.tolist())


def _log_total(values: np.ndarray) -> float:
    """``log(Σ values)`` for a vector summing to about 1, exact to the last bit of the excess.

    ``fsum(values) - 1`` would round the excess of an exact sum like ``1 + 2e-17`` to 0, an
    error that matters relative to a tiny entropy; summing ``values`` together with ``-1``
    keeps it (``log1p`` of a correctly rounded ``Σ values - 1``).
    """
    return math.log1p(math.fsum(values.tolist() + [-1.0]))


def entropy(p, base: float = 2) -> float:
    """Shannon entropy ``H(p) = -Σ p(x) log p(x)``, in bits by default (``base`` for others).

    Parameters
    ----------
    p : Distribution or array-like
        A pmf (validated: finite, non-negative, sums to 1 within 1e-9).
    base : float
        Logarithm base: 2 gives bits, ``math.e`` nats.

    Examples
    --------
    >>> entropy([0.5, 0.25, 0.25])
    1.5
    >>> entropy([1.0, 0.0])
    0.0
    """
    probs = as_distribution(p, "p").probs
    total = _fsum(probs)
    nats = _fsum(entr(probs)) / total + _log_total(probs)
    return max(nats, 0.0) / _log_base(base)


def cross_entropy(p, q, base: float = 2) -> float:
    """Cross-entropy ``H(p, q) = -Σ p(x) log q(x) = H(p) + D(p||q)``, bits by default.

    The expected code length per symbol of data from ``p`` coded with ideal lengths
    ``-log q(x)`` (C&T Thm 5.4.3). ``inf`` when some ``p(x) > 0 = q(x)``.

    >>> cross_entropy([0.5, 0.5], [0.25, 0.75])
    1.207518749639422
    >>> cross_entropy([0.5, 0.5], [1.0, 0.0])
    inf
    """
    p, q = as_distribution(p, "p"), as_distribution(q, "q")
    check_same_alphabet(p, q)
    pp, qq = p.probs, q.probs
    terms = -xlogy(pp, qq)
    if np.isinf(terms).any():
        return math.inf
    nats = _fsum(terms) / _fsum(pp) + _log_total(qq)
    return max(nats, 0.0) / _log_base(base)


def kl_divergence(p, q, base: float = 2) -> float:
    """Relative entropy ``D(p||q) = Σ p(x) log(p(x)/q(x)) >= 0``, bits by default.

    The excess code length of coding ``p`` with a code for ``q`` (C&T Thm 2.6.3, 5.4.3).
    ``inf`` when some ``p(x) > 0 = q(x)``; symbols with ``p(x) = q(x) = 0`` contribute 0.

    >>> kl_divergence([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> round(kl_divergence([0.5, 0.5], [0.25, 0.75]), 12)
    0.207518749639
    """
    p, q = as_distribution(p, "p"), as_distribution(q, "q")
    check_same_alphabet(p, q)
    terms = _kl_terms(p.probs, q.probs)
    if np.isinf(terms).any():
        return math.inf
    sp = _fsum(p.probs)
    # Exact normalisation: D(p/Sp || q/Sq) = T/Sp - u + log1p(u), u = (Sq - Sp)/Sp, where
    # T = Σ [p log(p/q) - p + q] (see the module docstring).
    u = math.fsum(q.probs.tolist() + (-p.probs).tolist()) / sp
    nats = _fsum(terms) / sp + (math.log1p(u) - u)
    return max(nats, 0.0) / _log_base(base)


# Coefficients of f(d) = (1 + d) log1p(d) - d = Σ_{k>=2} (-d)^k / (k (k - 1)), for |d| < 0.1.
_SERIES = np.array([1.0 / (k * (k - 1)) for k in range(2, 22)])


def _kl_terms(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Elementwise ``p log(p/q) - p + q`` (>= 0), accurate to a few ulps also when ``p ≈ q``."""
    out = np.empty_like(p)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        d = (p - q) / q
        small = np.abs(d) < 0.1
        if small.any():
            x = -d[small]
            acc = np.zeros_like(x)
            for c in _SERIES[::-1]:
                acc = acc * x + c
            out[small] = q[small] * x * x * acc
        # p << q (d near -1) and p >> q (d huge) go to the direct form, which has no
        # cancellation there and cannot produce 0 * log(0) or overflow.
        mid = ~small & (d > -0.5) & (d < 1e300)
        dm = d[mid]
        out[mid] = q[mid] * ((1 + dm) * np.log1p(dm) - dm)
        big = ~small & ~mid
        pb, qb = p[big], q[big]
        out[big] = pb * (np.log(pb) - np.log(qb)) - pb + qb
    out[p == 0] = q[p == 0]
    out[(p > 0) & (q == 0)] = np.inf
    return out


def information_content(symbols, q, base: float = 2) -> float:
    """``-log q(x^n) = -Σ_i log q(x_i)`` of a message under the i.i.d. model ``q`` (bits).

    The ideal code length of the message: an arithmetic coder built from ``q`` stays within
    a couple of bits of it (THEORY.md (f)). ``inf`` if a symbol has ``q(x) = 0``.
    Depends only on the symbol counts, so it is computed from them.
    """
    q = as_distribution(q, "q")
    arr = np.asarray(symbols)
    if arr.size == 0:
        return 0.0
    if arr.dtype.kind not in "iu":
        raise ValueError(f"`symbols` must be integers; got dtype {arr.dtype}")
    if arr.min() < 0 or arr.max() >= len(q):
        i = int(np.flatnonzero((arr < 0) | (arr >= len(q)))[0])
        raise ValueError(f"`symbols` must lie in 0..{len(q) - 1}; symbols[{i}] = {arr[i]}")
    counts = np.bincount(arr.astype(np.int64, copy=False), minlength=len(q)).astype(np.float64)
    terms = -xlogy(counts, q.probs)
    if np.isinf(terms).any():
        return math.inf
    # -Σ n_x log(q_x / Sq) with the exact normalisation of q.
    nats = _fsum(terms) + arr.size * _log_total(q.probs)
    return nats / _log_base(base)
