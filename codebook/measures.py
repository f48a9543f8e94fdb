"""Entropy, cross-entropy and KL divergence, exact at the edges.

All three default to bits (``base=2``). Conventions (Cover & Thomas, 2nd ed., §2.3):
``0 log 0 = 0``, ``0 log(0/q) = 0``, ``p log(p/0) = +inf``. So ``H(p, q)`` and ``D(p||q)`` are
``inf`` (a float, never NaN, never an exception) exactly when some ``p(x) > 0 = q(x)``.

Accuracy: 1e-12 relative to a 60-digit (KL near equality: 120-digit) computation on the exact
pmfs, tested in ``tests/test_measures.py`` (random pairs, q entries down to 1e-300, point masses
within 1e-10 of a sum that is itself 1 - 1e-10, D(p||q) from 1e-6 down to 1e-60). Inputs are
validated (they must sum to 1 within 1e-9, no silent renormalisation); a float vector is taken
at its exact binary64 values and understood as its exact normalisation, an exact one
(:attr:`Distribution.exact`) as the rationals it holds (``codebook theory`` conventions).

* ``H(p)``, ``H(p, q)``: ``-Σ w log(v/S)`` as a :func:`math.fsum` of non-negative terms; the
  largest entry of ``v``, the one that can be ``S`` less a tiny rest, gets ``log1p(-rest/S)``.
* ``D(p||q)`` is summed term by term as ``q' f(d) >= 0`` with ``d = p'/q' - 1`` and
  ``f(d) = (1 + d) log1p(d) - d`` (a series for ``|d| < 0.1``): never as ``H(p, q) - H(p)``,
  which cancels catastrophically when p is close to q. ``d`` comes from floats where its error
  bound allows (``p - q`` is exact when they are within a factor 2), and is recomputed from the
  exact pmfs in integers where it does not (``p'`` close to ``q'`` while the two sums differ,
  or exact input whose float view is rounded); equal exact pmfs give exactly 0.0. Results
  below about 1e-290 are subnormal floats and lose relative accuracy.
"""

from __future__ import annotations

import math

import numpy as np

from .distributions import as_distribution, check_same_alphabet


def _log_base(base: float) -> float:
    if not (isinstance(base, (int, float)) and math.isfinite(base) and base > 0 and base != 1):
        raise ValueError(f"`base` must be a positive number other than 1; got {base!r}")
    return math.log(base)


def _log_normalised(values: np.ndarray) -> tuple[np.ndarray, float]:
    """``(log(v / S), S)`` for a vector ``v`` summing to ``S`` (about 1): its exact normalisation.

    ``log(v_i) - log(S)`` has no cancellation for an entry at most ``S / 2``; the largest entry,
    which may be ``S`` less a tiny rest ``R``, gets ``log1p(-R / S)`` with ``R`` the ``fsum`` of
    the others, so ``(1 - 1e-10, 1e-20)`` normalised keeps its ``1e-20``. ``-inf`` for zeros.
    """
    m = int(np.argmax(values))
    rest = math.fsum(values[:m].tolist() + values[m + 1 :].tolist())
    total = float(values[m]) + rest
    log_total = math.log1p((float(values[m]) - 1.0) + rest)  # absolute error ~ 1e-16 suffices
    with np.errstate(divide="ignore"):
        out = np.log(values) - log_total
    out[m] = math.log1p(-rest / total)
    return out, total


def _sum_plogq(weights: np.ndarray, logs: np.ndarray) -> float:
    """``-Σ w log`` over the entries with ``w > 0`` (``0 log 0 = 0``); ``inf`` if one has ``log = -inf``."""
    used = weights > 0
    terms = -weights[used] * logs[used]
    if np.isinf(terms).any():
        return math.inf
    return math.fsum(terms.tolist())


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
    logs, total = _log_normalised(probs)
    return _sum_plogq(probs, logs) / total / _log_base(base)


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
    logs, _ = _log_normalised(q.probs)
    return _sum_plogq(p.probs, logs) / math.fsum(p.probs.tolist()) / _log_base(base)


def kl_divergence(p, q, base: float = 2) -> float:
    """Relative entropy ``D(p||q) = Σ p(x) log(p(x)/q(x)) >= 0``, bits by default.

    The excess code length of coding ``p`` with a code for ``q`` (C&T Thm 2.6.3, 5.4.3).
    ``inf`` when some ``p(x) > 0 = q(x)``; symbols with ``p(x) = q(x) = 0`` contribute 0.
    Exactly 0.0 when the two exact pmfs are equal. Accurate to 1e-12 relative also when p is
    close to q (see the module docstring).

    >>> kl_divergence([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> round(kl_divergence([0.5, 0.5], [0.25, 0.75]), 12)
    0.207518749639
    """
    p, q = as_distribution(p, "p"), as_distribution(q, "q")
    check_same_alphabet(p, q)
    pp, qq = p.probs, q.probs
    if ((pp > 0) & (qq == 0)).any():
        return math.inf
    # The exact pmfs are p' = pp / sp and q' = qq / sq: a float vector is normalised exactly
    # by its exact sum; an exact one is normalised already (its view is rounded, see below).
    sp = math.fsum(pp.tolist()) if not p.is_exact else 1.0
    minus_sp = (-pp).tolist() if not p.is_exact else [-1.0]
    u = math.fsum((qq.tolist() if not q.is_exact else [1.0]) + minus_sp) / sp  # sq/sp - 1
    d, suspect = _kl_ratios(pp, qq, u, p.is_exact or q.is_exact)
    if suspect.any():
        _exact_ratios(p, q, d, np.flatnonzero(suspect))
    terms = _kl_terms(pp, qq, d, math.log1p(u))
    nats = math.fsum(terms.tolist()) / (sp * (1 + u))  # divided by sq (to a few ulps)
    return nats / _log_base(base)


# Coefficients of f(d) = (1 + d) log1p(d) - d = Σ_{k>=2} (-d)^k / (k (k - 1)), for |d| < 0.1.
_SERIES = np.array([1.0 / (k * (k - 1)) for k in range(2, 22)])

_EPS = 2.0**-53
_TRUST = 2.0**-42
"""A ratio ``d`` is recomputed exactly unless its estimated error is below this relative share
(a term ``q f(d)``, about ``q d**2 / 2``, then has relative error below ``2 * 2**-42 = 4.5e-13``)."""


def _kl_ratios(pp: np.ndarray, qq: np.ndarray, u: float, rounded_view: bool):
    """``d = p'/q' - 1`` per symbol as ``(1 + delta)(1 + u) - 1``, ``delta = (p - q)/q``, and
    where that is not trusted to ``_TRUST`` relative.

    ``p - q`` is exact when ``q/2 <= p <= 2q`` (Sterbenz), so ``delta`` is within one rounding;
    ``u`` within three. The sum ``delta + u + delta u`` cancels when ``p'`` is close to ``q'``
    but ``delta`` and ``u`` are not small: its error is about ``4 eps (|delta| + |u| + |delta u|)``.
    An exact distribution's view is rounded (``eps / 2`` per entry), which adds ``2 eps (1 + |d|)``.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        delta = (pp - qq) / qq
        d = delta + u + delta * u
        err = 4 * _EPS * (np.abs(delta) + abs(u) + np.abs(delta * u))
        if rounded_view:
            err += 2 * _EPS * (1 + np.abs(d))
        suspect = (pp > 0) & (qq > 0) & ~(err <= _TRUST * np.abs(d))
    return d, suspect


def _exact_ratios(p, q, d: np.ndarray, where: np.ndarray) -> None:
    """Set ``d[i] = p'(i)/q'(i) - 1`` from the exact pmfs, correctly rounded, for ``i`` in ``where``.

    With the exact pmfs as integers over their sums (``p' = a/A``, ``q' = b/B``,
    :meth:`Distribution.exact_integers`), ``d = (a B - b A) / (b A)``: Python integers in NumPy
    object arrays, and one correctly rounded true division each."""
    a, big_a = p.exact_integers()
    b, big_b = q.exact_integers()
    ai = np.array([a[i] for i in where.tolist()], dtype=object)
    bi = np.array([b[i] for i in where.tolist()], dtype=object)
    d[where] = ((ai * big_b - bi * big_a) / (bi * big_a)).astype(np.float64)


def _kl_terms(pp: np.ndarray, qq: np.ndarray, d: np.ndarray, log_ratio: float) -> np.ndarray:
    """Elementwise ``q f(d)`` with ``f(d) = (1 + d) log1p(d) - d >= 0``, which is
    ``p' log(p'/q') - p' + q'`` scaled by ``sq``; accurate to a few ulps given ``d``.
    ``log_ratio = log(sq/sp)``."""
    out = np.empty_like(pp)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        small = np.abs(d) < 0.1
        if small.any():
            x = -d[small]
            acc = np.zeros_like(x)
            for c in _SERIES[::-1]:
                acc = acc * x + c
            out[small] = qq[small] * x * x * acc
        # p' << q' (d near -1) and p' >> q' (d huge) go to the direct form, which has no
        # cancellation there and cannot produce 0 * log(0) or overflow.
        mid = ~small & (d > -0.5) & (d < 1e300)
        dm = d[mid]
        out[mid] = qq[mid] * ((1 + dm) * np.log1p(dm) - dm)
        big = ~small & ~mid
        pb, qb = pp[big], qq[big]
        ratio = np.exp(log_ratio)  # sq / sp: p' / q' = (pb / qb) * ratio
        out[big] = pb * ratio * (np.log(pb) - np.log(qb) + log_ratio) - pb * ratio + qb
    out[pp == 0] = qq[pp == 0]
    return out


def information_content(symbols, q, base: float = 2) -> float:
    """``-log q(x^n) = -Σ_i log q(x_i)`` of a message under the i.i.d. model ``q`` (bits).

    The ideal code length of the message: an arithmetic coder built from ``q`` stays within
    a couple of bits of it (theory §f). ``inf`` if a symbol has ``q(x) = 0``.
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
    logs, _ = _log_normalised(q.probs)  # -Σ n_x log(q_x / Sq), the exact normalisation of q
    return _sum_plogq(counts, logs) / _log_base(base)
