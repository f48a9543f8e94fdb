"""The i.i.d. case: one distribution at every position, as a model and as a source.

``IID(p)`` is the model that ignores its context and the source without memory. The coders
code it exactly as they code the :class:`~codebook.Distribution` itself (same quantizer, same
bits as ``coders.build(name, p)``), and every measure of a rate reduces to the one-symbol
measure: ``entropy_rate(IID(p)) = H(p)``, ``cross_entropy_rate(IID(p), IID(q)) = H(p, q)``.
"""

from __future__ import annotations

import numpy as np

from ..distributions import Distribution, as_distribution
from ..measures import entropy, information_content
from ..quantize import quantize
from ..symbols import as_symbols
from .base import DEFAULT_PRECISION, Model, zero_probability_error


class IID(Model):
    """Symbols drawn independently from ``p`` (a source), or predicted by ``p`` (a model).

    >>> m = IID([0.5, 0.25, 0.25])
    >>> m.log_loss([0, 1, 2]), m.entropy_rate()
    (5.0, 1.5)
    """

    order = 0

    def __init__(self, p, *, name: str = "p"):
        self._p = as_distribution(p, name)

    @property
    def distribution(self) -> Distribution:
        return self._p

    @property
    def alphabet_size(self) -> int:
        return len(self._p)

    @property
    def has_memory(self) -> bool:
        return False

    def iid(self) -> Distribution:
        return self._p

    @property
    def transition(self) -> np.ndarray:
        """``p`` as the one row of an order-0 chain, shape ``(1, K)``."""
        return self._p.probs[None, :]

    # ------------------------------------------------------------------ model
    def predictions(self, symbols) -> np.ndarray:
        n = as_symbols(symbols, self.alphabet_size).size
        return np.broadcast_to(self._p.probs, (n, self.alphabet_size)).copy()

    def log_loss(self, symbols) -> float:
        """``-log2 p(x^n)`` in bits, from the counts (:func:`codebook.measures.information_content`)."""
        return information_content(as_symbols(symbols, self.alphabet_size), self._p)

    def slices(self, symbols, precision: int = DEFAULT_PRECISION):
        """The static coders' slices: ``p`` quantized once by :func:`codebook.quantize`."""
        arr = as_symbols(symbols, self.alphabet_size)
        freq = quantize(self._p, precision)
        start = np.concatenate(([0], np.cumsum(freq)))
        f = freq[arr]
        if arr.size and (f == 0).any():
            raise zero_probability_error(arr, int(np.flatnonzero(f == 0)[0]), "i.i.d. model")
        return start[arr].astype(np.int64), f.astype(np.int64)

    # ------------------------------------------------------------------ source
    def sample(self, n: int, seed=None, *, rng=None) -> np.ndarray:
        """``n`` i.i.d. symbols: exactly :meth:`Distribution.sample` (same seed, same symbols)."""
        return self._p.sample(n, seed, rng=rng)

    def stationary(self) -> Distribution:
        return self._p

    def marginal(self) -> Distribution:
        return self._p

    def entropy_rate(self) -> float:
        """``H(p)`` in bits."""
        return entropy(self._p)

    def __repr__(self) -> str:
        return f"IID({self._p!r})"


def as_model(model, name: str = "q") -> Model:
    """A :class:`Model` as it is; a :class:`Distribution` (or a pmf array) as the i.i.d. model.

    >>> as_model([0.5, 0.5]).alphabet_size
    2
    """
    if isinstance(model, Model):
        return model
    return IID(model, name=name)


__all__ = ["IID", "as_model"]
