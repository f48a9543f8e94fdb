"""Markov chains of order k: a source (sample, stationary, entropy rate) and a model (coders).

One object plays both parts, so "code a Markov source with its own chain" is
``coders.build("arithmetic", chain).encode(chain.sample(n, seed=1))``.

Conventions.

* **Contexts.** The context of position ``t >= k`` is the block ``(x_{t-k}, ..., x_{t-1})``,
  numbered in base K with the most recent symbol last (least significant):
  ``ctx = x_{t-k} K**(k-1) + ... + x_{t-1}``. ``transition`` has shape ``(K**k, K)``, row
  ``ctx`` = ``P(. | ctx)``; a ``(K,) * (k+1)`` array ``P[x_{t-k}, ..., x_{t-1}, x_t]`` is the
  same table (its C-order reshape). Order 0 is one row: the i.i.d. case.
* **The first k symbols** are one block drawn from ``initial``, a pmf over the ``K**k``
  blocks numbered the same way (``x_0`` most significant). By default it is the chain's
  stationary distribution, so the source is stationary from the start and every position
  has the same law; ``initial="uniform"`` is the other named choice. As a model, the chain
  codes ``x_t`` for ``t < k`` with the conditionals of ``initial``:
  ``q(x_t | x_<t) = initial(x_0..x_t) / initial(x_0..x_{t-1})`` (its marginals); a prefix of
  probability 0 gets uniform conditionals (never used by a message the model can code).
* **Stationary distribution.** It exists and is unique exactly when the chain on contexts has
  one closed communicating class (Levin, Peres & Wilmer, *Markov Chains and Mixing Times*,
  §1.5); periodic chains are fine (the stationary law is still unique, positions need not
  converge to it). With two or more closed classes, :meth:`stationary`,
  :meth:`entropy_rate` and every rate are not defined (the long-run behaviour depends on
  where the chain starts) and raise :class:`~codebook.errors.ModelError`; sampling and
  coding still work with an explicit ``initial``.
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np
from scipy.special import entr

from ..distributions import SUM_TOLERANCE, Distribution, _make_rng, _check_count, validate_pmf
from ..errors import ModelError
from ..symbols import as_symbols
from . import _kernels as kernels
from .base import DEFAULT_PRECISION, Model, check_model_precision, zero_probability_error

MAX_ENTRIES = 1 << 25
"""Largest transition table (``K**(k+1)`` entries) a chain may have: 256 MB of float64.
Longer contexts over large alphabets are the adaptive :class:`~codebook.models.Context`'s job."""

DENSE_STATES = 2048
"""Up to this many contexts the stationary distribution is solved directly (LU, one step of
iterative refinement); above, by power iteration on the lazy chain."""

POWER_TOLERANCE = 1e-15
POWER_MAX_STEPS = 20_000


def _check_size(k: int, order: int) -> None:
    if k ** (order + 1) > MAX_ENTRIES:
        raise ModelError(
            f"a chain of order {order} over {k} symbols has {k} ** {order + 1} = {k ** (order + 1)} "
            f"transition entries; at most 2**25 are supported (use models.Context for long contexts)"
        )


def _check_order(order) -> int:
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 0:
        raise ModelError(f"`order` must be a non-negative integer; got {order!r}")
    return int(order)


def _format_context(ctx: int, k: int, order: int) -> str:
    digits = []
    for _ in range(order):
        digits.append(ctx % k)
        ctx //= k
    return "(" + ", ".join(str(d) for d in reversed(digits)) + ("," if order == 1 else "") + ")"


class Markov(Model):
    """A Markov chain of order ``order`` over ``K`` symbols (module docstring: conventions).

    Parameters
    ----------
    transition : array-like
        Shape ``(K**order, K)`` (row = context, most recent symbol last) or
        ``(K,) * (order + 1)``. Every row must be a pmf (finite, non-negative, summing to 1
        within 1e-9); errors name the row, its context and the column.
    order : int
        ``k >= 0``.
    initial : None, "stationary", "uniform" or array-like
        The law of the first ``k`` symbols, a pmf over the ``K**k`` blocks (flat or shape
        ``(K,) * k``); default the stationary distribution (computed when first needed).

    >>> chain = Markov([[0.9, 0.1], [0.5, 0.5]])       # order 1 over {0, 1}
    >>> chain.stationary().probs.round(6).tolist()
    [0.833333, 0.166667]
    >>> round(chain.entropy_rate(), 6)                  # (5/6) h(0.1) + (1/6) h(0.5)
    0.557496
    >>> x = chain.sample(10, seed=1)
    >>> x.dtype, round(chain.log_loss([0, 0, 1]), 12) == round(-math.log2(5 / 6 * 0.9 * 0.1), 12)
    (dtype('int64'), True)
    """

    _kernel = "markov"

    def __init__(self, transition, order: int = 1, initial=None):
        order = _check_order(order)
        given = np.asarray(transition)
        if given.dtype.kind not in "fiu" and given.dtype != object:
            raise ModelError(f"`transition` must contain real numbers; got dtype {given.dtype}")
        try:
            arr = np.array(given, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ModelError(f"`transition` must contain real numbers; {exc}") from None
        if arr.ndim == 0 or arr.shape[-1] == 0:
            raise ModelError(f"`transition` must have at least one column; got shape {arr.shape}")
        k = arr.shape[-1]
        _check_size(k, order)
        rows = k**order
        if arr.ndim == order + 1 and arr.ndim > 2 or (arr.ndim == 1 and order == 0):
            if any(d != k for d in arr.shape):
                raise ModelError(f"`transition` of shape {arr.shape} must have every axis of length K = {k}")
            arr = arr.reshape(rows, k)
        elif arr.ndim != 2 or arr.shape[0] != rows:
            raise ModelError(
                f"`transition` must have shape (K**order, K) = ({rows}, {k}) or (K,)*(order+1) for an "
                f"order-{order} chain over K = {k} symbols; got shape {arr.shape}"
            )
        self._k = k
        self._order = order
        self._given = self._validate(arr)
        sums = np.array([math.fsum(r) for r in self._given.tolist()]) if rows <= 4096 else self._given.sum(axis=1)
        normed = self._given / sums[:, None]
        normed.setflags(write=False)
        self._rows = normed
        self._initial_spec = self._check_initial(initial)

    def _validate(self, arr: np.ndarray) -> np.ndarray:
        bad = ~np.isfinite(arr) | (arr < 0)
        if bad.any():
            r, c = np.argwhere(bad)[0].tolist()
            rule = "finite" if not math.isfinite(arr[r, c]) else "non-negative"
            raise ModelError(
                f"`transition` must be {rule}; transition[{r}, {c}] = {float(arr[r, c])!r} "
                f"(context {_format_context(r, self._k, self._order)}, next symbol {c})"
            )
        sums = arr.sum(axis=1)
        for r in np.flatnonzero(np.abs(sums - 1.0) > SUM_TOLERANCE * (1 - 1e-6)).tolist():
            total = math.fsum(arr[r].tolist())
            if abs(total - 1.0) > SUM_TOLERANCE:
                raise ModelError(
                    f"`transition` row {r} (context {_format_context(r, self._k, self._order)}) must sum to 1 "
                    f"(within {SUM_TOLERANCE:g}); it sums to {total!r}"
                )
        arr.setflags(write=False)
        return arr

    def _check_initial(self, initial):
        if initial is None or (isinstance(initial, str) and initial == "stationary"):
            return "stationary"
        if isinstance(initial, str):
            if initial == "uniform":
                return "uniform"
            raise ModelError(f"`initial` must be 'stationary', 'uniform' or a pmf over the K**order blocks; got {initial!r}")
        arr = np.asarray(initial, dtype=np.float64).reshape(-1)
        if arr.size != self.n_contexts:
            raise ModelError(
                f"`initial` must be a pmf over the K**order = {self.n_contexts} blocks of the first "
                f"{self._order} symbols; got {arr.size} entries"
            )
        try:
            probs = validate_pmf(arr, "initial")
        except ValueError as exc:
            raise ModelError(str(exc)) from None
        probs.setflags(write=False)
        return probs

    # ------------------------------------------------------------------ constructors
    @classmethod
    def random(cls, alphabet_size: int, order: int = 1, alpha: float = 1.0, seed=None, *, rng=None) -> Markov:
        """A chain whose rows are independent draws from the symmetric Dirichlet(``alpha``)."""
        if isinstance(alphabet_size, bool) or not isinstance(alphabet_size, (int, np.integer)) or alphabet_size < 1:
            raise ModelError(f"alphabet size K must be a positive integer; got {alphabet_size!r}")
        if not (isinstance(alpha, (int, float)) and math.isfinite(alpha) and alpha > 0):
            raise ModelError(f"dirichlet `alpha` must be > 0; got {alpha!r}")
        order = _check_order(order)
        _check_size(alphabet_size, order)
        gen = _make_rng(seed, rng)
        rows = gen.dirichlet(np.full(alphabet_size, float(alpha)), size=alphabet_size**order)
        # Dirichlet draws can underflow to exact zeros at tiny alpha; renormalise exactly.
        rows /= rows.sum(axis=1, keepdims=True)
        return cls(rows, order)

    @classmethod
    def from_symbols(cls, symbols, order: int, alphabet_size: int, smoothing: float = 0.0) -> Markov:
        """The plug-in chain of a sequence: ``P(s | ctx) = (n(ctx, s) + A) / (n(ctx) + K A)``
        from the transitions at positions ``t >= order``. A context never seen with ``A = 0``
        gets a uniform row."""
        if not (isinstance(smoothing, (int, float)) and math.isfinite(smoothing) and smoothing >= 0):
            raise ModelError(f"`smoothing` must be finite and >= 0; got {smoothing!r}")
        k = int(alphabet_size)
        order = _check_order(order)
        _check_size(k, order)
        arr = as_symbols(symbols, k)
        rows = np.empty(arr.size, dtype=np.int64)
        kernels.markov_rows(arr, k, order, np.zeros(order + 1, dtype=np.int64), rows)
        pairs = rows[order:] * k + arr[order:]
        counts = np.bincount(pairs, minlength=k ** (order + 1)).reshape(k**order, k).astype(np.float64)
        counts += smoothing
        totals = counts.sum(axis=1)
        unseen = totals == 0
        counts[unseen] = 1.0
        totals[unseen] = k
        return cls(counts / totals[:, None], order)

    @classmethod
    def from_bytes(cls, data: bytes, order: int, smoothing: float = 0.0) -> Markov:
        """:meth:`from_symbols` over the bytes of ``data`` (K = 256)."""
        return cls.from_symbols(np.frombuffer(bytes(data), dtype=np.uint8), order, 256, smoothing)

    # ------------------------------------------------------------------ access
    @property
    def alphabet_size(self) -> int:
        return self._k

    @property
    def order(self) -> int:
        return self._order

    @property
    def n_contexts(self) -> int:
        """``K**order``."""
        return self._k**self._order

    @property
    def has_memory(self) -> bool:
        return self._order > 0

    def iid(self) -> Distribution | None:
        return Distribution(self._rows[0]) if self._order == 0 else None

    @property
    def transition(self) -> np.ndarray:
        """The ``(K**order, K)`` table as given (validated, read-only)."""
        return self._given

    def initial(self) -> np.ndarray:
        """The pmf of the first ``order`` symbols over the ``K**order`` blocks."""
        spec = self._initial_spec
        if isinstance(spec, np.ndarray):
            return spec
        if spec == "uniform" or self._order == 0:
            return np.full(self.n_contexts, 1.0 / self.n_contexts)
        return self.stationary().probs

    def __repr__(self) -> str:
        return f"Markov(K={self._k}, order={self._order})"

    # ------------------------------------------------------------------ stationary law
    def _edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The context graph: ``src -> dst`` with probability ``p`` for every transition of
        positive probability (``dst`` = the context without its oldest symbol, then ``s``)."""
        k, n = self._k, self.n_contexts
        src = np.repeat(np.arange(n, dtype=np.int64), k)
        dst = (src % (n // k)) * k + np.tile(np.arange(k, dtype=np.int64), n)
        p = self._rows.reshape(-1)
        keep = p > 0
        return src[keep], dst[keep], p[keep]

    def _closed_classes(self) -> list[np.ndarray]:
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        n = self.n_contexts
        src, dst, _ = self._edges()
        graph = coo_matrix((np.ones(src.size), (src, dst)), shape=(n, n)).tocsr()
        count, labels = connected_components(graph, directed=True, connection="strong")
        leaves = np.ones(count, dtype=bool)
        leaves[labels[src][labels[src] != labels[dst]]] = False
        return [np.flatnonzero(labels == c) for c in np.flatnonzero(leaves)]

    @cached_property
    def _stationary(self) -> np.ndarray:
        if self._order == 0:
            return np.ones(1)
        classes = self._closed_classes()
        if len(classes) != 1:
            shown = "; ".join(
                f"one contains context {int(c[0])} = {_format_context(int(c[0]), self._k, self._order)}" for c in classes[:3]
            )
            raise ModelError(
                f"the chain has {len(classes)} closed classes of contexts ({shown}): its stationary "
                "distribution is not unique, so stationary(), entropy_rate() and the cross-entropy rates "
                "are not defined (the long-run law depends on where the chain starts); sampling and "
                "coding still work when `initial` is given explicitly"
            )
        members = classes[0]
        if members.size <= DENSE_STATES:
            pi = self._solve_dense(members)
        else:
            pi = self._power_iteration(members)
        out = np.zeros(self.n_contexts)
        out[members] = pi
        return out

    def _solve_dense(self, members: np.ndarray) -> np.ndarray:
        """Solve ``pi P = pi, Σ pi = 1`` on the closed class ``members`` (LU + one refinement)."""
        index = np.full(self.n_contexts, -1, dtype=np.int64)
        index[members] = np.arange(members.size)
        src, dst, p = self._edges()
        inside = index[src] >= 0  # a closed class: its edges stay inside
        m = members.size
        a = np.zeros((m, m))
        a[index[dst[inside]], index[src[inside]]] = p[inside]  # a = P^T restricted
        a -= np.eye(m)
        a[-1, :] = 1.0
        rhs = np.zeros(m)
        rhs[-1] = 1.0
        pi = np.linalg.solve(a, rhs)
        pi += np.linalg.solve(a, rhs - a @ pi)
        pi = np.maximum(pi, 0.0)
        return pi / math.fsum(pi.tolist())

    def _step(self, pi: np.ndarray) -> np.ndarray:
        """``pi P`` for a distribution over contexts (vectorized over the table)."""
        k, n = self._k, self.n_contexts
        flow = pi[:, None] * self._rows  # flow[ctx, s]: into context (ctx without its oldest, s)
        return flow.reshape(k, n // k, k).sum(axis=0).reshape(n)

    def _power_iteration(self, members: np.ndarray) -> np.ndarray:
        pi = np.zeros(self.n_contexts)
        pi[members] = 1.0 / members.size
        for _ in range(POWER_MAX_STEPS):
            nxt = 0.5 * (pi + self._step(pi))  # the lazy chain: same law, never periodic
            if np.abs(nxt - pi).sum() < POWER_TOLERANCE:
                return nxt[members] / nxt[members].sum()
            pi = nxt
        raise ModelError(
            f"the stationary distribution of this chain ({self.n_contexts} contexts) did not converge in "
            f"{POWER_MAX_STEPS} steps of power iteration (it mixes too slowly to compute this way)"
        )

    def stationary(self) -> Distribution:
        """The stationary distribution over the ``K**order`` contexts (one symbol for order 1,
        blocks numbered as the rows); :class:`ModelError` if it is not unique."""
        if self._order == 0:
            return Distribution(self._rows[0])
        return Distribution.from_weights(self._stationary, name="stationary")

    def marginal(self) -> Distribution:
        """The stationary law of one symbol (``H(X)`` of the stationary source is its entropy)."""
        if self._order == 0:
            return Distribution(self._rows[0])
        pi = self._stationary.reshape(-1, self._k).sum(axis=0)
        return Distribution.from_weights(pi, name="marginal")

    def block_probs(self, length: int) -> np.ndarray:
        """Stationary probabilities of the ``K**length`` blocks of ``length >= order``
        consecutive symbols (numbered like the contexts: first symbol most significant)."""
        if length < self._order:
            raise ModelError(f"`length` must be at least the order {self._order}; got {length}")
        probs = self._stationary
        for _ in range(self._order, length):
            # block b of length j, then s: probability probs[b] P[last `order` symbols of b, s]
            probs = (probs.reshape(-1, self.n_contexts)[:, :, None] * self._rows[None, :, :]).reshape(-1)
        return probs

    def entropy_rate(self) -> float:
        """``H = Σ_ctx π(ctx) H(P(. | ctx))`` in bits per symbol (Cover & Thomas Thm 4.2.4,
        for the chain on contexts); the entropy rate of the stationary source."""
        row_h = entr(self._rows).sum(axis=1) / math.log(2)
        return max(math.fsum((self._stationary * row_h).tolist()), 0.0)

    # ------------------------------------------------------------------ sampling
    @cached_property
    def _alias(self) -> tuple[np.ndarray, np.ndarray]:
        prob = np.zeros(self._rows.shape)
        alias = np.zeros(self._rows.shape, dtype=np.int32 if self._k < 2**31 else np.int64)
        kernels.alias_tables(self._rows, prob, alias)
        return prob, alias

    def sample(self, n: int, seed=None, *, rng: np.random.Generator | None = None) -> np.ndarray:
        """``n`` symbols of the chain as an int64 array; the same seed gives the same symbols.

        The first ``order`` symbols are one block from ``initial`` (one uniform, inverse CDF);
        each later symbol takes one uniform through the alias table of its context (Walker
        1977; numba, no per-symbol Python)."""
        n = _check_count(n)
        gen = _make_rng(seed, rng)
        out = np.zeros(n, dtype=np.int64)
        if n == 0:
            return out
        first = min(self._order, n)
        if self._order:
            init = self.initial()
            cdf = np.cumsum(init)
            block = int(np.searchsorted(cdf, gen.random() * cdf[-1], side="right"))
            block = min(block, int(np.flatnonzero(init > 0)[-1]))
            digits = [(block // self._k ** (self._order - 1 - j)) % self._k for j in range(self._order)]
            out[:first] = digits[:first]
        u = gen.random(n - first)
        prob, alias = self._alias
        kernels.markov_sample(u, first, self._k, self._order, prob, alias, out)
        return out

    # ------------------------------------------------------------------ model
    @cached_property
    def _coding_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, offset)``: the conditionals of ``initial`` for positions ``t < order``
        (``K**t`` rows each) followed by the transition rows; position ``t`` uses row
        ``offset[min(t, order)] + context``."""
        k, order = self._k, self._order
        offset = np.array([(k**j - 1) // (k - 1) if k > 1 else j for j in range(order + 1)], dtype=np.int64)
        if order == 0:
            return self._rows, offset
        init = self.initial()
        parts = []
        for t in range(order):
            joint = init.reshape(k ** (t + 1), -1).sum(axis=1).reshape(k**t, k)
            prefix = joint.sum(axis=1)
            cond = np.full((k**t, k), 1.0 / k)
            seen = prefix > 0
            cond[seen] = joint[seen] / prefix[seen, None]
            parts.append(cond)
        parts.append(self._rows)
        return np.concatenate(parts), offset

    def _rows_of(self, arr: np.ndarray) -> np.ndarray:
        rows, offset = self._coding_rows
        out = np.empty(arr.size, dtype=np.int64)
        kernels.markov_rows(arr, self._k, self._order, offset, out)
        return out

    def predictions(self, symbols) -> np.ndarray:
        arr = as_symbols(symbols, self._k)
        return self._coding_rows[0][self._rows_of(arr)]

    def log_loss(self, symbols) -> float:
        """``Σ_t -log2 q(x_t | x_<t)`` in bits (the first ``order`` symbols under ``initial``)."""
        arr = as_symbols(symbols, self._k)
        return float(kernels.neg_log2_sum(self._coding_rows[0][self._rows_of(arr), arr]))

    def _starts(self, precision: int) -> np.ndarray:
        cache = self.__dict__.setdefault("_starts_cache", {})
        if precision not in cache:
            rows = self._coding_rows[0]
            starts = np.empty((rows.shape[0], self._k + 1), dtype=np.int32)
            kernels.row_starts(rows, precision, starts)
            cache.clear()
            cache[precision] = starts
        return cache[precision]

    def slices(self, symbols, precision: int = DEFAULT_PRECISION):
        arr = as_symbols(symbols, self._k)
        starts = self._starts(check_model_precision(precision, self._k))
        rows = self._rows_of(arr)
        c = starts[rows, arr].astype(np.int64)
        f = starts[rows, arr + 1] - c
        if arr.size and (f == 0).any():
            raise zero_probability_error(arr, int(np.flatnonzero(f == 0)[0]), f"order-{self._order} chain")
        return c, f

    def _decode_args(self, n: int, precision: int) -> tuple:
        return (self._starts(precision), self._k, self._order, self._coding_rows[1])


__all__ = ["Markov"]
