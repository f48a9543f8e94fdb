"""Models: what a coder believes, ``q(. | x_<t)`` for every position, causally.

* :class:`IID` — one distribution at every position (a :class:`~codebook.Distribution` is
  accepted wherever a model is, and is this model);
* :class:`Markov` — a known chain of order k (also a source: ``codebook.sources``);
* :class:`Context` — adaptive order-k counts (KT or Laplace), learning while coding;
* :class:`Predictions` — an ``(n, K)`` table of per-position pmfs (a classifier's or a
  language model's softmax outputs).

Every model has ``alphabet_size``, ``log_loss(x)`` (bits) and ``predictions(x)``, and codes
with ``coders.build("arithmetic", model)`` or ``coders.build("rans", model)``:

>>> import numpy as np
>>> from codebook import coders, models
>>> chain = models.Markov([[0.9, 0.1], [0.2, 0.8]])
>>> x = chain.sample(1000, seed=3)
>>> code = coders.build("arithmetic", chain)
>>> bits = code.encode(x)
>>> bool(np.array_equal(code.decode(bits, len(x)), x))
True
>>> lo, hi = code.excess_bounds(len(x))
>>> lo <= len(bits) - code.ideal_length(x) <= hi
True
"""

from .base import DEFAULT_PRECISION, Model, quantization_bound
from .context import Context
from .iid import IID, as_model
from .markov import Markov
from .predictions import Predictions

__all__ = ["DEFAULT_PRECISION", "IID", "Context", "Markov", "Model", "Predictions", "as_model", "quantization_bound"]
