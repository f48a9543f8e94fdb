"""What every model is: ``q(. | x_<t)`` for every position ``t``, causally, and its log-loss.

A model predicts each symbol of a message from the symbols before it (and, for a table of
:class:`~codebook.models.Predictions`, from its position). Its **log-loss** on a message is
the ideal code length

    L(x^n) = Σ_t -log2 q(x_t | x_<t)   bits,

and the stream coders (``coders.build("arithmetic", model)``, ``"rans"``) turn it into a real
bitstream whose length is within a documented window of the log-loss of the *quantized*
model they actually use (theory §f and §l; the window is ``code.excess_bounds(n)``, the
quantization cost at most :func:`quantization_bound`). The i.i.d. case is the model that ignores its
context: a :class:`~codebook.Distribution` is accepted wherever a model is
(:func:`~codebook.models.as_model` wraps it as :class:`~codebook.models.IID`) and is coded exactly as before.

Protocol (what the coders use):

* ``alphabet_size``; ``log_loss(x)`` (bits, compensated sum); ``predictions(x)``, the
  ``(n, K)`` array whose row ``t`` is ``q(. | x_<t)`` (memory ``8 n K`` bytes: for short
  messages, to look at a model);
* ``slices(x, precision)``: ``(c, f)``, int64 arrays: symbol ``t`` is coded as the slice
  ``[c_t, c_t + f_t)`` of ``2**precision``, so ``q_hat_t(x_t) = f_t / 2**precision``
  (the quantization rule of :mod:`codebook.models._kernels`, one rule for every model with
  memory and both coders); raises :class:`~codebook.errors.EncodeError` for a symbol outside
  the alphabet or one the model gives probability 0, naming it and its position;
* ``_kernel`` and ``_decode_args(n, precision)``: the name of the decoding loop in the coder
  kernels and the arrays it needs; the decoder re-runs the model causally.
"""

from __future__ import annotations

import abc
import math
from typing import ClassVar

import numpy as np

from ..distributions import Distribution
from ..errors import EncodeError, ModelError

DEFAULT_PRECISION = 24
"""Default ``b`` of the per-position quantization (``q_hat`` in units of ``2**-b``): the
quantization cost is at most ``-log2(1 - K / 2**b)`` bit/symbol, 2.2e-5 for K = 256."""

MAX_PRECISION = 24
"""Largest ``b`` the stream coders accept for a model (their state keeps ``2**b`` slots
resolvable, as for a static q)."""

ROUNDING_SLACK = -math.log2(1.0 - 2.0**-27) - math.log2(1.0 - 1e-9)
"""Per-symbol slack of :func:`quantization_bound` for the rule's floating-point steps
(``f_s >= R w_s / W - 2**-27``) and for a prediction row summing to ``1 - 1e-9``."""


class Model(abc.ABC):
    """A sequential model over the symbols ``0..K-1`` (see the module docstring)."""

    _kernel: ClassVar[str] = ""

    @property
    @abc.abstractmethod
    def alphabet_size(self) -> int:
        """K: symbols are ``0..K-1``."""

    @property
    def has_memory(self) -> bool:
        """Whether ``q(. | x_<t)`` may change with ``t`` (False only for an i.i.d. model)."""
        return True

    def iid(self) -> Distribution | None:
        """The distribution of an i.i.d. model (every position the same), else None."""
        return None

    @abc.abstractmethod
    def predictions(self, symbols) -> np.ndarray:
        """``(n, K)`` float64 array: row ``t`` is ``q(. | x_<t)`` for the message ``symbols``."""

    @abc.abstractmethod
    def log_loss(self, symbols) -> float:
        """``Σ_t -log2 q(x_t | x_<t)`` in bits (``inf`` if a symbol has probability 0)."""

    @abc.abstractmethod
    def slices(self, symbols, precision: int = DEFAULT_PRECISION) -> tuple[np.ndarray, np.ndarray]:
        """``(c, f)``: the slice of ``2**precision`` each symbol is coded with."""

    def _decode_args(self, n: int, precision: int) -> tuple:
        raise ModelError(f"{self!r} has no decoder")  # pragma: no cover  (every model here has one)


def check_model_precision(precision, alphabet_size: int) -> int:
    """``precision`` as an int with ``2 K <= 2**precision <= 2**24``, or :class:`ValueError`."""
    from ..quantize import check_precision

    b = check_precision(precision, 1, MAX_PRECISION)
    if (1 << b) < 2 * alphabet_size:
        need = math.ceil(math.log2(2 * alphabet_size))
        if need > MAX_PRECISION:
            raise ValueError(
                f"an alphabet of {alphabet_size} symbols is too large for the per-position quantization "
                f"(it needs 2**precision >= 2 K, precision <= {MAX_PRECISION})"
            )
        raise ValueError(
            f"`precision` = {b} is too small for {alphabet_size} symbols: the per-position quantization "
            f"gives every symbol a unit of 2**precision and needs 2**precision >= 2 K; use precision >= {need}"
        )
    return b


def quantization_bound(alphabet_size: int, precision: int, n: int) -> float:
    """Upper bound in bits on ``ideal_length(x) - model.log_loss(x)`` for every message of ``n``
    symbols coded with a model with memory at ``precision``: ``n (-log2(1 - K/2**b) + slack)``
    (theory §l).

    Per symbol the rule gives ``f >= max(1, (2**b - K) q)`` units (module docstring of
    ``models._kernels``), so ``-log2 q_hat <= -log2 q - log2(1 - K / 2**b)``; the slack
    (3e-8 bit) covers the rule's float rounding and rows summing to 1 within 1e-9. The
    quantized model can also cost *less* than ``q`` on a symbol (a tiny ``q`` is lifted to
    one unit), so there is no matching lower bound.

    >>> round(quantization_bound(256, 24, 1), 9)
    2.2026e-05
    """
    per_symbol = -math.log2(1.0 - alphabet_size / 2.0**precision) + ROUNDING_SLACK
    return n * per_symbol


def zero_probability_error(symbols: np.ndarray, t: int, what: str) -> EncodeError:
    """The error for position ``t`` that a model gives probability 0 (``what`` names the model)."""
    s = int(symbols[t])
    return EncodeError(
        f"symbol {s} at position {t} has probability 0 under the {what}, so it cannot be encoded"
    )
