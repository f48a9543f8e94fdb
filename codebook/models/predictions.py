"""Per-position predictions supplied by the user: how a classifier's or a language model's
softmax outputs are coded.

``Predictions(probs)`` holds an ``(n, K)`` array whose row ``t`` is the model's pmf for the
symbol at position ``t``. Coding the true labels ``y`` with it costs, within the coder's
window, the model's log-loss ``Σ_t -log2 probs[t, y_t]`` bits: the cross-entropy loss an ML
library reports (in nats, averaged) times ``n / ln 2``.

The rows are used as given (no copy, so do not modify the array afterwards) and must be
pmfs: finite, non-negative, summing to 1 within 1e-9. Floats that are not normalised (a
float32 softmax sums to 1 only within about 1e-7) are normalised explicitly with
:meth:`Predictions.from_weights`; logits go through :meth:`Predictions.from_logits`.
"""

from __future__ import annotations

import math

import numpy as np
from ..distributions import SUM_TOLERANCE
from ..errors import ModelError
from ..symbols import as_symbols
from . import _kernels as kernels
from .base import DEFAULT_PRECISION, Model, check_model_precision, zero_probability_error


def _as_rows(values, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 2:
        raise ModelError(f"`{name}` must be a two-dimensional (n, K) array; got shape {arr.shape}")
    if arr.shape[1] == 0:
        raise ModelError(f"`{name}` must have at least one column (K >= 1); got shape {arr.shape}")
    if arr.dtype.kind not in "fiu":
        raise ModelError(f"`{name}` must contain real numbers; got dtype {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=np.float64)


class Predictions(Model):
    """A table of per-position pmfs: row ``t`` of ``probs`` is ``q(. | position t)``.

    Parameters
    ----------
    probs : array-like, shape (n, K)
        Validated: finite, non-negative, every row summing to 1 within 1e-9 (errors name the
        row and the column). Used without a copy when it is a writable C-contiguous float64
        array.

    A message coded with it must have exactly ``n`` symbols. ``predictions(x)`` returns the
    rows themselves.

    >>> m = Predictions([[0.5, 0.5], [0.9, 0.1], [0.25, 0.75]])
    >>> m.log_loss([0, 0, 1])                      # -log2(0.5 * 0.9 * 0.75)
    1.5670405927238937
    >>> m2 = Predictions.from_logits([[0.0, 0.0], [2.0, 0.0]])
    >>> m2.probs.round(6).tolist()
    [[0.5, 0.5], [0.880797, 0.119203]]
    """

    _kernel = "predictions"

    def __init__(self, probs):
        arr = _as_rows(probs, "probs")
        if not arr.flags.writeable:
            arr = arr.copy()  # numba compiles read-only arrays into much slower loops
        n, k = arr.shape
        nb = -(-k // kernels.BLOCK)
        block_u = np.empty((n, nb), dtype=np.int64)
        block_m = np.empty((n, nb), dtype=np.int32)
        r, c, kind = kernels.prepare_rows(arr, block_u, block_m)
        if kind == 1:
            v = float(arr[r, c])
            rule = "finite" if not math.isfinite(v) else "non-negative"
            raise ModelError(f"`probs` must be {rule}; probs[{r}, {c}] = {v!r}")
        # block_u[:, -1] is the row's sum in fixed point (within K 2**-52 of the exact sum)
        off = np.flatnonzero(np.abs(block_u[:, -1] - 2**52) > (SUM_TOLERANCE * (1 - 1e-6)) * 2.0**52 - k)
        for r in ([r] if kind == 2 else []) + off.tolist():
            total = math.fsum(arr[r].tolist())  # exact, as Distribution checks it
            if abs(total - 1.0) > SUM_TOLERANCE:
                raise ModelError(
                    f"`probs` row {r} must sum to 1 (within {SUM_TOLERANCE:g}); it sums to {total!r}. "
                    "Use Predictions.from_weights to normalise the rows explicitly"
                )
        view = arr.view()
        view.setflags(write=False)
        self._data = arr  # what the kernels read
        self._probs = view  # what users see
        self._blocks = (block_u, block_m)

    @classmethod
    def from_weights(cls, weights) -> Predictions:
        """Normalise each row of non-negative finite weights explicitly: ``w / w.sum()``."""
        arr = _as_rows(weights, "weights")
        bad = ~np.isfinite(arr) | (arr < 0)
        if bad.any():
            r, c = np.argwhere(bad)[0].tolist()
            rule = "finite" if not math.isfinite(arr[r, c]) else "non-negative"
            raise ModelError(f"`weights` must be {rule}; weights[{r}, {c}] = {float(arr[r, c])!r}")
        sums = arr.sum(axis=1)
        if (sums <= 0).any() or not np.isfinite(sums).all():
            r = int(np.flatnonzero(~(sums > 0) | ~np.isfinite(sums))[0])
            raise ModelError(f"`weights` row {r} must have a positive, finite sum; it sums to {float(sums[r])!r}")
        return cls(arr / sums[:, None])

    @classmethod
    def from_logits(cls, logits) -> Predictions:
        """The softmax of each row of ``logits``, computed stably in float64:
        ``q = exp(l - max l) / Σ exp(l - max l)``. ``-inf`` is allowed (probability 0);
        NaN and ``+inf`` are refused, as is a row that is ``-inf`` everywhere.

        >>> Predictions.from_logits([[1.0, 1.0, -np.inf]]).probs.tolist()
        [[0.5, 0.5, 0.0]]
        """
        arr = _as_rows(logits, "logits")
        bad = np.isnan(arr) | (arr == np.inf)
        if bad.any():
            r, c = np.argwhere(bad)[0].tolist()
            raise ModelError(f"`logits` must be finite or -inf (probability 0); logits[{r}, {c}] = {float(arr[r, c])!r}")
        top = arr.max(axis=1)
        if (top == -np.inf).any():
            r = int(np.flatnonzero(top == -np.inf)[0])
            raise ModelError(f"`logits` row {r} is -inf everywhere: no symbol has positive probability")
        out = arr - top[:, None]
        np.exp(out, out=out)
        out /= out.sum(axis=1)[:, None]
        return cls(out)

    # ------------------------------------------------------------------ access
    @property
    def probs(self) -> np.ndarray:
        """The ``(n, K)`` rows (read-only view of the array given)."""
        return self._probs

    @property
    def alphabet_size(self) -> int:
        return int(self._probs.shape[1])

    def __len__(self) -> int:
        return int(self._probs.shape[0])

    def __repr__(self) -> str:
        return f"Predictions(n={len(self)}, K={self.alphabet_size})"

    def _message(self, symbols) -> np.ndarray:
        arr = as_symbols(symbols, self.alphabet_size)
        self._check_length(arr.size)
        return arr

    def _check_length(self, n: int) -> None:
        if n != len(self):
            raise ModelError(
                f"the predictions cover {len(self)} positions but the message has {n} symbols; "
                "a message coded with a table of predictions must have one symbol per row"
            )

    # ------------------------------------------------------------------ model
    def predictions(self, symbols) -> np.ndarray:
        self._message(symbols)
        return np.array(self._probs)

    def log_loss(self, symbols) -> float:
        """``Σ_t -log2 q_t(x_t)`` in bits, each row taken at its exact normalisation
        (``-log2(probs[t, x_t] / Σ_s probs[t, s])``), compensated sum."""
        arr = self._message(symbols)
        picked = self._data[np.arange(arr.size), arr]
        sums = self._data.sum(axis=1)
        return float(kernels.neg_log2_sum(picked) + kernels.neumaier_sum(np.log2(sums)))

    def slices(self, symbols, precision: int = DEFAULT_PRECISION):
        arr = self._message(symbols)
        b = check_model_precision(precision, self.alphabet_size)
        c = np.empty(arr.size, dtype=np.int64)
        f = np.empty(arr.size, dtype=np.int64)
        status = kernels.prediction_slices(self._data, *self._blocks, arr, b, c, f)
        if status < 0:
            raise zero_probability_error(arr, -1 - status, "predictions")
        return c, f

    def _decode_args(self, n: int, precision: int) -> tuple:
        self._check_length(n)
        return (self._data, *self._blocks)


__all__ = ["Predictions"]
