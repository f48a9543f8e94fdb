"""Adaptive context models of order k: counts per context, learning while they code.

``Context(order, K, prior)`` predicts symbol ``t`` from the counts of what followed the same
context (the last ``order`` symbols) so far:

    q(s | ctx) = (n(ctx, s) + α) / (n(ctx) + K α),

the sequential Krichevsky-Trofimov (α = 1/2) or Laplace (α = 1) estimator run separately in
every context (theory §h); other pseudo-counts α (multiples of 2**-16) give the Dirichlet(α)
estimator, whose smaller α suits the sparse contexts of long orders over large alphabets. Its log-loss on a message is therefore the sum over contexts of
each context's KT / Laplace code length for the symbols that followed it, which depends only
on the counts (the estimator is exchangeable within a context).

Conventions.

* The history before the message is ``order`` copies of symbol 0 (the first symbols are
  predicted in the contexts ``(0, ..., 0, x_0, ...)``), as context-mixing compressors do.
* ``train`` (optional) primes the counts: the model starts as if it had already learned from
  that sequence (with the same zero history in front of it). The message's own history then
  starts again from zeros; training only sets the counts.
* Memory: ``4 (K + K/16 + 1)`` bytes per context seen for ``K <= 256`` (``4 (2K + 1)`` above;
  all ``K**order`` contexts when they number at most 2**16, allocated lazily by the operating
  system; otherwise a hash index over the contexts that occur, sized for the message), so
  about 1.1 KB per distinct context over bytes.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..errors import ModelError
from ..symbols import as_symbols
from . import _kernels as kernels
from .base import DEFAULT_PRECISION, Model, check_model_precision

DIRECT_CONTEXTS = 1 << 16
"""Up to this many contexts (``K**order``) each context is its own row; above, a hash index."""

MAX_PRIOR = 1 << 16
MAX_SYMBOLS = (1 << 31) - 1
"""Training plus message symbols a model may see (counts are int32 per context)."""


PRIOR_DENOMINATOR = 1 << 16
"""Priors are exact binary fractions ``num / den`` with ``den <= 2**16`` (counts stay exact integers)."""


def _prior(prior) -> tuple[int, int]:
    try:
        alpha = Fraction(prior) if isinstance(prior, (int, float, Fraction, np.integer, np.floating)) else None
    except (TypeError, ValueError, OverflowError):  # NaN, inf
        alpha = None
    if (alpha is None or isinstance(prior, bool) or alpha <= 0 or alpha > MAX_PRIOR
            or PRIOR_DENOMINATOR % alpha.denominator):
        raise ModelError(
            f"`prior` must be a positive multiple of 2**-16 up to {MAX_PRIOR} (0.5 = Krichevsky-Trofimov, "
            f"1 = Laplace, 1/32 for sparse contexts); got {prior!r}"
        )
    return alpha.numerator, alpha.denominator


class Context(Model):
    """Adaptive order-``k`` context model with KT (``prior=0.5``) or Laplace (``1``) counts.

    Parameters
    ----------
    order : int
        ``k >= 0`` symbols of context (``K**k <= 2**62``).
    alphabet_size : int
        K.
    prior : float
        The pseudo-count α: 0.5 is Krichevsky-Trofimov (theory §h), 1 Laplace; any positive
        multiple of 2**-16 is accepted (a small α such as 1/32 learns sparse contexts faster).
    train : array-like of int, or bytes, optional
        A sequence the counts learn from before coding.

    >>> m = Context(order=1, alphabet_size=2)
    >>> # contexts: 0 (history), 0, 1, 1: q = 1/2 * 1/4 (KT in context 0: 0 then 1) * 1/2 * 3/4
    >>> round(m.log_loss([0, 1, 1, 1]), 6) == round(-math.log2(1 / 2 * 1 / 4 * 1 / 2 * 3 / 4), 6)
    True
    >>> m.predictions([0, 1]).tolist()
    [[0.5, 0.5], [0.75, 0.25]]
    """

    _kernel = "context"

    def __init__(self, order: int, alphabet_size: int, prior=0.5, train=None):
        if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 0:
            raise ModelError(f"`order` must be a non-negative integer; got {order!r}")
        if isinstance(alphabet_size, bool) or not isinstance(alphabet_size, (int, np.integer)) or not 1 <= alphabet_size <= 1 << 24:
            raise ModelError(f"`alphabet_size` must be an integer in 1..{1 << 24}; got {alphabet_size!r}")
        self._order = int(order)
        self._k = int(alphabet_size)
        if self._k > 1 and self._order * math.log2(self._k) > 62:
            raise ModelError(
                f"an order-{order} context over {alphabet_size} symbols has {alphabet_size}**{order} contexts; "
                "at most 2**62 are supported"
            )
        self._num, self._den = _prior(prior)
        self._n_contexts = self._k**self._order
        self._direct = self._n_contexts <= DIRECT_CONTEXTS
        self._state = None  # the trained counts: (table, keys, vals, used), or None
        self._n_train = 0
        if train is not None:
            arr = np.frombuffer(bytes(train), dtype=np.uint8) if isinstance(train, (bytes, bytearray, memoryview)) else train
            arr = as_symbols(arr, self._k)
            self._check_total(arr.size)
            state = self._fresh(arr.size)
            empty_i, empty_f = np.empty(0, dtype=np.int64), np.empty(0)
            _, used = kernels.context_walk(arr, self._k, self._order, self._num, self._den, 24, *state[:3], state[3], empty_i, empty_i, empty_f)
            self._state = (*state[:3], used)
            self._n_train = arr.size

    # ------------------------------------------------------------------ access
    @property
    def alphabet_size(self) -> int:
        return self._k

    @property
    def order(self) -> int:
        return self._order

    @property
    def prior(self) -> float:
        return self._num / self._den

    @property
    def n_train(self) -> int:
        """Number of training symbols the counts start from."""
        return self._n_train

    def __repr__(self) -> str:
        return f"Context(order={self._order}, K={self._k}, prior={self.prior:g}, n_train={self._n_train})"

    # ------------------------------------------------------------------ state
    def _check_total(self, n: int) -> None:
        if self._n_train + n > MAX_SYMBOLS:
            raise ModelError(
                f"a Context model counts at most {MAX_SYMBOLS} symbols (training + message); "
                f"got {self._n_train} + {n}"
            )

    def _fresh(self, n: int) -> tuple:
        """Counts for a run of ``n`` more symbols: the trained ones copied, or zeros."""
        k1 = kernels.context_width(self._k)
        old = self._state
        if self._direct:
            table = old[0].copy() if old is not None else np.zeros((self._n_contexts, k1), dtype=np.int32)
            return table, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), 0
        used = old[3] if old is not None else 0
        capacity = min(self._n_contexts, used + n + 1)
        size = 1 << max(4, (2 * capacity - 1).bit_length())
        table = np.zeros((capacity, k1), dtype=np.int32)
        keys = np.zeros(size, dtype=np.int64)
        vals = np.zeros(size, dtype=np.int32)
        if old is not None:
            table[:used] = old[0][:used]
            kernels.context_rehash(old[1], old[2], keys, vals)
        return table, keys, vals, used

    def _walk(self, arr: np.ndarray, precision: int | None, want_q: bool):
        self._check_total(arr.size)
        table, keys, vals, used = self._fresh(arr.size)
        n = arr.size
        c = np.empty(n if precision else 0, dtype=np.int64)
        f = np.empty(n if precision else 0, dtype=np.int64)
        q = np.empty(n if want_q else 0)
        kernels.context_walk(arr, self._k, self._order, self._num, self._den, precision or 24, table, keys, vals, used, c, f, q)
        return c, f, q

    # ------------------------------------------------------------------ model
    def predictions(self, symbols) -> np.ndarray:
        arr = as_symbols(symbols, self._k)
        self._check_total(arr.size)
        table, keys, vals, used = self._fresh(arr.size)
        rows = np.empty((arr.size, self._k))
        kernels.context_rows(arr, self._k, self._order, self._num, self._den, table, keys, vals, used, rows)
        return rows

    def log_loss(self, symbols) -> float:
        """``Σ_t -log2 q(x_t | x_<t)`` in bits, the probabilities as exact ratios of counts."""
        _, _, q = self._walk(as_symbols(symbols, self._k), None, True)
        return float(kernels.neg_log2_sum(q))

    def slices(self, symbols, precision: int = DEFAULT_PRECISION):
        b = check_model_precision(precision, self._k)
        c, f, _ = self._walk(as_symbols(symbols, self._k), b, False)
        return c, f

    def _decode_args(self, n: int, precision: int) -> tuple:
        self._check_total(n)
        table, keys, vals, used = self._fresh(n)
        return (self._k, self._order, self._num, self._den, table, keys, vals, used)


__all__ = ["Context"]
