"""Entropy and cross-entropy rates of sources with memory, and conditional entropies (theory §l).

* ``entropy_rate(source)``: ``H = lim H(X_1..X_n)/n``; for a stationary Markov chain of order
  k it is ``Σ_ctx π(ctx) H(P(. | ctx))`` (Cover & Thomas Thm 4.2.4, on the chain of
  contexts), and ``H(p)`` for an i.i.d. source.
* ``cross_entropy_rate(source, model)``: ``lim E[-log2 q(X^n)]/n``, the bits per symbol that
  coding the stationary source with the model costs: the stationary expectation of
  ``-log2 q(X_t | context)``. Exact for a Markov (or i.i.d.) source against a Markov (or
  static) model of any orders: with ``m`` the larger order it is
  ``Σ_b π_m(b) Σ_s P(s | b) (-log2 Q(s | b))`` over the stationary ``m``-blocks ``b``. It is
  ``inf`` when the source can emit, in a context, a symbol the model gives probability 0.
  It is at least the entropy rate, with equality iff the model agrees with the source on
  every context the source visits (the rate of ``D(P || Q)`` is the difference).
* ``conditional_entropy(joint)``: ``H(Y | A)`` of a joint pmf whose last axis is ``Y``;
  ``empirical_conditional_entropy(x, k, K)``: that of a sequence's ``(k+1)``-blocks, the
  order-k plug-in estimate of the entropy rate.

Accuracy: every sum is of non-negative terms (:func:`math.fsum`), the conditional terms are
``p(a,y) log(1 + r/p(a,y))`` with ``r`` the rest of the row summed directly (no cancellation),
and the stationary law is solved directly (LU with one refinement) up to 2048 contexts, so
results agree with exact rational computations to about 1e-14 relative
(``tests/test_rates.py``, against Fractions and 50-digit logarithms).

>>> from codebook import sources
>>> chain = sources.Markov([[0.9, 0.1], [0.5, 0.5]])
>>> round(entropy_rate(chain), 6), round(cross_entropy_rate(chain, [0.5, 0.5]), 6)
(0.557496, 1.0)
>>> conditional_entropy([[0.25, 0.25], [0.5, 0.0]])     # H(Y | A) = 1/2 * 1 + 1/2 * 0
0.5
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import entr

from .distributions import SUM_TOLERANCE
from .errors import AlphabetMismatchError, DistributionError, ModelError
from .measures import _log_base, cross_entropy, entropy  # noqa: F401  (entropy: used by the doctests)
from .models.base import Model
from .models.iid import IID
from .models.markov import Markov
from .sources import as_source
from .symbols import as_symbols


def entropy_rate(source, base: float = 2) -> float:
    """Entropy rate of a source (bits per symbol by default); ``H(p)`` for a Distribution."""
    return as_source(source).entropy_rate() * (math.log(2) / _log_base(base))


def _as_chain(obj, role: str):
    """A source or a model as a Markov chain (an i.i.d. one has order 0)."""
    if isinstance(obj, Markov):
        return obj
    if isinstance(obj, Model) and not isinstance(obj, IID):
        raise ModelError(
            f"cross_entropy_rate needs a Markov chain or a static distribution as the {role}; "
            f"{obj!r} has no closed-form rate (measure its log_loss on samples instead)"
        )
    iid = as_source(obj, "p" if role == "source" else "q")
    return Markov(iid.transition, order=0)


def cross_entropy_rate(source, model, base: float = 2) -> float:
    """``lim E[-log q(X^n)] / n`` for a stationary Markov / i.i.d. source and a Markov / static
    model, in bits per symbol by default (module docstring). For an i.i.d. source and a
    static model it is ``cross_entropy(p, q)``, the same computation."""
    if not isinstance(source, Markov) and not isinstance(model, (Markov, Model)) or (
        isinstance(source, IID) and isinstance(model, IID)
    ):
        p, q = as_source(source).stationary(), as_source(model, "q").stationary()
        return cross_entropy(p, q, base)
    src, mod = _as_chain(source, "source"), _as_chain(model, "model")
    if src.alphabet_size != mod.alphabet_size:
        raise AlphabetMismatchError(
            f"the source and the model must have the same alphabet size; got {src.alphabet_size} and {mod.alphabet_size}"
        )
    m = max(src.order, mod.order)
    blocks = src.block_probs(m)  # π_m over the K**m blocks
    b = np.arange(blocks.size)
    weight = blocks[:, None] * src._rows[b % src.n_contexts]
    q = mod._rows[b % mod.n_contexts]
    used = weight > 0
    if (q[used] == 0).any():
        return math.inf
    terms = -weight[used] * np.log(q[used])
    return max(math.fsum(terms.tolist()), 0.0) / _log_base(base)


def _prefix_block_probs(src: Markov, length: int) -> np.ndarray:
    """Stationary law of the first ``length`` symbols (any length >= 0), blocks numbered with
    the first symbol most significant."""
    if length >= src.order:
        return src.block_probs(length)
    k = src.alphabet_size
    return src.block_probs(src.order).reshape(k**length, -1).sum(axis=1)


def expected_bits(source, rows: np.ndarray, offset: np.ndarray, order: int, n: int) -> float:
    """``E[Σ_{t<n} -log2 q_t(X_t | X_<t)]`` for the stationary ``source`` and a model given as
    the rows of :meth:`Markov._coding_rows` layout (position ``t`` uses row
    ``offset[min(t, order)] + context``; the rows may be a coder's quantized ones, which need
    not sum to 1). Exact: position ``t >= order`` costs the rate, each earlier one its own term."""
    src = _as_chain(source, "source")
    k = src.alphabet_size
    with np.errstate(divide="ignore"):
        logs = -np.log2(rows)
    total = []
    for t in range(min(n, order)):
        probs = _prefix_block_probs(src, t + 1)  # (t+1)-blocks: context x_<t (t symbols), then x_t
        terms = probs * logs[offset[t] : offset[t] + k**t].reshape(-1)
        used = probs > 0
        if np.isinf(terms[used]).any():
            return math.inf
        total.append(math.fsum(terms[used].tolist()))
    if n > order:
        m = max(src.order, order)
        blocks = src.block_probs(m)
        b = np.arange(blocks.size)
        weight = blocks[:, None] * src._rows[b % src.n_contexts]
        cost = logs[offset[order] + b % k**order]
        used = weight > 0
        if np.isinf(cost[used]).any():
            return math.inf
        total.append((n - order) * math.fsum((weight[used] * cost[used]).tolist()))
    return math.fsum(total)


def expected_log_loss(source, model, n: int) -> float:
    """``E[L(X^n)]`` in bits: the expected log-loss of the first ``n`` symbols of the stationary
    ``source`` under ``model`` (a Markov chain, or a static distribution), exactly, including
    the model's first ``order`` positions (its initial law). For ``n`` past the model's order
    it grows by the cross-entropy rate per symbol.

    >>> from codebook import sources
    >>> chain = sources.Markov([[0.9, 0.1], [0.5, 0.5]])
    >>> round(expected_log_loss(chain, chain, 10), 9) == round(entropy(chain.marginal()) + 9 * entropy_rate(chain), 9)
    True
    """
    mod = _as_chain(model, "model")
    rows, offset = mod._coding_rows
    return expected_bits(source, rows, offset, mod.order, int(n))


def block_entropy(source, n: int) -> float:
    """``H(X_1, ..., X_n)`` in bits for the stationary ``source``: the entropy of its first
    ``order`` symbols plus the rate for each later one (chain rule, Markov property). No
    uniquely decodable code of whole messages has a smaller expected length (theory §b), so
    ``block_entropy(source, n) / n`` is the floor of every coder's mean bits/symbol."""
    src = _as_chain(source, "source")
    n = int(n)
    head = min(n, src.order)
    probs = _prefix_block_probs(src, head)
    h_head = math.fsum((entr(probs) / math.log(2)).tolist())
    return h_head + max(0, n - src.order) * src.entropy_rate()


def _conditional_terms(joint: np.ndarray) -> np.ndarray:
    """``p(a,y) log(p(a)/p(a,y))`` for every cell with ``p(a,y) > 0`` (rows = a), computed as
    ``p log1p(r / p)`` with ``r`` the rest of the row summed from both sides (non-negative
    terms only: accurate to a few ulps even when ``p(a,y)`` is almost the whole row)."""
    left = np.cumsum(joint, axis=1) - joint
    right = np.cumsum(joint[:, ::-1], axis=1)[:, ::-1] - joint
    rest = np.maximum(left, 0.0) + np.maximum(right, 0.0)
    pos = joint > 0
    return joint[pos] * np.log1p(rest[pos] / joint[pos])


def conditional_entropy(joint, base: float = 2) -> float:
    """``H(Y | A) = Σ p(a, y) log(p(a) / p(a, y))`` of a joint pmf, bits by default.

    ``joint`` has at least two axes; the last is ``Y``, the others together are ``A`` (so
    ``joint[x1, x2, y]`` gives ``H(Y | X1, X2)``). Validated like a Distribution: finite,
    non-negative, summing to 1 within 1e-9 (taken at its exact normalisation).
    """
    arr = np.asarray(joint, dtype=np.float64)
    if arr.ndim < 2 or arr.size == 0:
        raise DistributionError(f"`joint` must have at least two non-empty axes (condition ..., Y); got shape {arr.shape}")
    flat = arr.reshape(-1, arr.shape[-1])
    bad = ~np.isfinite(flat) | (flat < 0)
    if bad.any():
        idx = np.unravel_index(int(np.flatnonzero(bad.reshape(-1))[0]), arr.shape)
        rule = "finite" if not math.isfinite(arr[idx]) else "non-negative"
        raise DistributionError(f"`joint` must be {rule}; joint[{', '.join(map(str, idx))}] = {float(arr[idx])!r}")
    total = math.fsum(flat.reshape(-1).tolist())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise DistributionError(f"`joint` must sum to 1 (within {SUM_TOLERANCE:g}); it sums to {total!r}")
    nats = math.fsum(_conditional_terms(flat).tolist()) / total
    return max(nats, 0.0) / _log_base(base)


def empirical_conditional_entropy(symbols, order: int, alphabet_size: int, base: float = 2) -> float:
    """``H(X_t | X_{t-k}..X_{t-1})`` of the empirical joint law of the ``(k+1)``-blocks of a
    sequence (positions ``t >= k``): the order-k plug-in estimate of its entropy rate, in bits
    per symbol by default. Order 0 is the empirical entropy ``H(p_hat)``. Counted sparsely
    (only the blocks that occur), so any order fits in memory.

    >>> empirical_conditional_entropy([0, 1, 0, 1, 0, 1], 1, 2)     # each symbol fixes the next
    0.0
    """
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 0:
        raise ValueError(f"`order` must be a non-negative integer; got {order!r}")
    k = int(alphabet_size)
    if k > 1 and (order + 1) * math.log2(k) > 62:
        raise ValueError(f"blocks of {order + 1} symbols over {k} symbols do not fit in 62 bits")
    arr = as_symbols(symbols, k).astype(np.int64)
    if arr.size <= order:
        raise ValueError(f"a sequence of {arr.size} symbols has no block of {order + 1}")
    key = np.zeros(arr.size - order, dtype=np.int64)
    for j in range(order + 1):
        key = key * k + arr[j : arr.size - order + j]
    blocks, counts = np.unique(key, return_counts=True)
    ctx = blocks // k
    starts = np.flatnonzero(np.r_[True, ctx[1:] != ctx[:-1]])
    ctx_totals = np.add.reduceat(counts, starts)
    per_block_total = np.repeat(ctx_totals, np.diff(np.r_[starts, blocks.size]))
    n = key.size
    # Σ (n(c,s)/n) log(n(c)/n(c,s)), every term >= 0
    terms = counts / n * (np.log(per_block_total) - np.log(counts))
    return max(math.fsum(terms.tolist()), 0.0) / _log_base(base)


__all__ = [
    "block_entropy", "conditional_entropy", "cross_entropy_rate", "empirical_conditional_entropy", "entropy_rate",
    "expected_log_loss",
]
