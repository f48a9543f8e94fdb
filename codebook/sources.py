"""Sources: where symbols come from. An i.i.d. distribution or a Markov chain of order k.

A source has ``alphabet_size``, ``order``, ``sample(n, seed=...)``, ``stationary()`` and
``entropy_rate()``. The chain class is the one of :mod:`codebook.models` (a chain is both a
source and a model), so ``sources.Markov is models.Markov``:

* :class:`Markov` — ``Markov(transition, order=1, initial=None)``; sampling is a numba loop
  over alias tables (no per-symbol Python); by default the first ``order`` symbols come from
  the stationary distribution, so the source is stationary;
* :class:`IID` — a :class:`~codebook.Distribution` as a source (:func:`as_source` wraps one);
  its samples are exactly ``Distribution.sample``'s.

>>> from codebook import sources
>>> chain = sources.Markov([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5], [0.5, 0.0, 0.5]])
>>> chain.stationary().probs.round(12).tolist(), chain.entropy_rate()
([0.333333333333, 0.333333333333, 0.333333333333], 1.0)
"""

from __future__ import annotations

from .errors import ModelError
from .models.iid import IID
from .models.markov import Markov


def as_source(source, name: str = "p"):
    """A :class:`Markov` or :class:`IID` as it is; a :class:`~codebook.Distribution` (or a pmf
    array) as the i.i.d. source."""
    if isinstance(source, (Markov, IID)):
        return source
    if hasattr(source, "sample") and hasattr(source, "entropy_rate"):
        return source
    try:
        return IID(source, name=name)
    except ValueError as exc:
        raise ModelError(f"`{name}` must be a source (a Distribution, sources.IID or sources.Markov): {exc}") from None


__all__ = ["IID", "Markov", "as_source"]
