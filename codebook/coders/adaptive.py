"""Adaptive arithmetic coding: the model learns from the symbols already coded; no q needed.

The sequential estimator with pseudo-count ``alpha`` (THEORY.md (h)): after ``t`` symbols
with counts ``n_k(t)``, the next symbol ``s`` has probability
``(n_s(t) + alpha) / (t + K alpha)``. ``alpha = 1/2`` is Krichevsky-Trofimov (the default),
``alpha = 1`` is Laplace. The product over the message is exchangeable:

    P_alpha(x^n) = Γ(K alpha) Π_k Γ(n_k + alpha) / (Γ(alpha)^K Γ(n + K alpha)),

so the ideal length ``-log2 P_alpha(x^n)`` (:meth:`AdaptiveArithmeticCoder.ideal_length`)
depends only on the counts. The coder codes each symbol with the integer weights
``den * n_k + num`` out of ``den * t + K num`` (``alpha = num/den``), i.e. with exactly these
probabilities, through the range coder of ``_range_kernels`` (cumulative weights in a Fenwick
tree, O(log K) per symbol). Length bound for every message of ``n`` symbols:

    I  <=  len(encode(x^n))  <  I + 2 + n * eps_up,   eps_up = -log2(1 - T_n / 2**48),

with ``I = -log2 P_alpha(x^n)`` and ``T_n = den (n - 1) + K num`` the largest total used
(THEORY.md (h) + (f)). An empty message takes 0 bits.

``q`` is accepted only so that ``coders.build("adaptive", q)`` works like the other coders:
only its alphabet size is used, its probabilities are ignored. There is no ``.model`` (the
model changes with every symbol); ``.prior`` is ``alpha``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
from bitarray import bitarray
from scipy.special import gammaln

from ..distributions import as_distribution
from ..errors import AlphabetMismatchError, CodeTableError
from . import _range_kernels as kernels
from .arithmetic import MAX_ALPHABET, check_range_decode, message_array
from .base import (
    Code,
    as_bits,
    as_symbols,
    bits_view,
    bytes_to_bits,
    check_count,
    require_field,
    symbol_buffer,
    table_alphabet_size,
)
from .registry import register

MAX_PRIOR = 1 << 16
MAX_TOTAL = 1 << 40
"""Largest pseudo-count total (``den * n + K num``) the 48-bit range coder accepts; at that
total ``eps_up = -log2(1 - 2**40 / 2**48)`` is 5.7e-3 bit/symbol, and it shrinks in proportion
to the total (about 1e-8 bit/symbol for K = 256 and n = 10**6): ``excess_bounds`` computes it."""


def _prior_fraction(prior) -> Fraction:
    try:
        alpha = Fraction(prior) if isinstance(prior, (int, float, Fraction, np.integer, np.floating)) else None
    except (TypeError, ValueError, OverflowError):  # NaN, inf
        alpha = None
    if alpha is None or isinstance(prior, bool) or alpha <= 0 or alpha.denominator > 2 or alpha > MAX_PRIOR:
        raise ValueError(
            f"`prior` must be a positive multiple of 1/2 up to {MAX_PRIOR} (0.5 = Krichevsky-Trofimov, "
            f"1 = Laplace); got {prior!r}"
        )
    return alpha


@register("adaptive", "adaptive", "adaptive arithmetic coder, KT (1/2) or Laplace (1) pseudo-counts; no q needed")
class AdaptiveArithmeticCoder(Code):
    """Arithmetic coder whose model is the KT / Laplace sequential estimator.

    Parameters
    ----------
    q : Distribution or array-like, optional
        Used only for its alphabet size (see the module docstring).
    alphabet_size : int, optional
        K; required if ``q`` is not given, must agree with ``len(q)`` if both are.
    prior : float
        The pseudo-count ``alpha``, a positive multiple of 1/2 (0.5 = KT, 1 = Laplace).

    >>> code = AdaptiveArithmeticCoder(alphabet_size=2)
    >>> bits = code.encode([0, 0, 0, 1])
    >>> # KT: (1/2)(3/4)(5/6)(1/8) = 5/128, so -log2 = 4.678072 bits
    >>> round(code.ideal_length([0, 0, 0, 1]), 6), len(bits), code.decode(bits, 4).tolist()
    (4.678072, 5, [0, 0, 0, 1])
    """

    def __init__(self, q=None, *, alphabet_size: int | None = None, prior=0.5):
        if q is not None:
            k = len(as_distribution(q, "q"))
            if alphabet_size is not None and alphabet_size != k:
                raise AlphabetMismatchError(f"`alphabet_size` = {alphabet_size!r} but len(q) = {k}")
        elif alphabet_size is None:
            raise ValueError("the adaptive coder needs `alphabet_size` (or a q to take it from)")
        else:
            k = alphabet_size
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= MAX_ALPHABET:
            raise ValueError(f"`alphabet_size` must be an integer in 1..{MAX_ALPHABET}; got {k!r}")
        self._k = int(k)
        self._alpha = _prior_fraction(prior)
        self._num = self._alpha.numerator
        self._den = self._alpha.denominator
        if self._k * self._num >= MAX_TOTAL:
            raise ValueError(
                f"alphabet size {self._k} times prior {float(self._alpha):g} leaves no room in the "
                f"coder's pseudo-count total (at most 2**40); use a smaller prior"
            )

    @property
    def alphabet_size(self) -> int:
        return self._k

    @property
    def prior(self) -> float:
        """The pseudo-count ``alpha`` (0.5 = Krichevsky-Trofimov, 1 = Laplace)."""
        return float(self._alpha)

    def _max_symbols(self) -> int:
        return (MAX_TOTAL - self._k * self._num) // self._den

    def _check_length(self, n: int) -> None:
        if n > self._max_symbols():
            raise ValueError(
                f"the adaptive coder codes at most {self._max_symbols()} symbols per message "
                f"(pseudo-count total <= 2**40); got n = {n}"
            )

    def ideal_length(self, symbols) -> float:
        """``-log2 P_alpha(x^n)`` in bits: the sequential log-loss of the estimator (THEORY.md (h)),
        from the counts with ``scipy.special.gammaln``."""
        arr = as_symbols(symbols, self._k)
        n = arr.size
        if n == 0:
            return 0.0
        counts = np.bincount(arr, minlength=self._k)
        a = float(self._alpha)
        used = counts[counts > 0]
        nats = (gammaln(n + self._k * a) - gammaln(self._k * a)) - math.fsum((gammaln(used + a) - gammaln(a)).tolist())
        return float(nats) / math.log(2)

    def excess_bounds(self, n: int) -> tuple[float, float]:
        """``(0, 2 + n eps_up)``: bounds in bits on ``len(encode(x)) - ideal_length(x)``."""
        n = check_count(n)
        if n == 0:
            return 0.0, 2.0
        t_max = self._den * (n - 1) + self._k * self._num
        return 0.0, 2.0 - n * math.log2(1.0 - t_max / 2.0**48)

    def encode(self, symbols) -> bitarray:
        arr = message_array(symbols, self._k)
        self._check_length(arr.size)
        # Each symbol costs at most log2(T_t / num) + eps bits.
        per_symbol = math.log2((self._den * arr.size + self._k * self._num) / self._num) + 1e-3
        out = np.empty(int(math.ceil(arr.size * per_symbol)) // 8 + 48, dtype=np.uint8)
        nbits = int(kernels.encode_adaptive(arr, self._k, self._num, self._den, out))
        if nbits < 0:
            as_symbols(symbols, self._k)  # raises the shared out-of-range error
            raise AssertionError("adaptive kernel refused an in-range symbol")  # pragma: no cover
        return bytes_to_bits(out, nbits)

    def decode_partial(self, bits, n: int, *, dtype=np.int64) -> tuple[np.ndarray, int]:
        bits = as_bits(bits)
        n = check_count(n)
        self._check_length(n)
        out = symbol_buffer(n, dtype, self.alphabet_size)
        decode = kernels.decode_adaptive_small if self._k <= kernels.SMALL_K else kernels.decode_adaptive
        status, i, used = decode(bits_view(bits), len(bits), n, self._k, self._num, self._den, out)
        check_range_decode(status, i, n, used, len(bits))
        return out, int(used)

    def to_dict(self) -> dict[str, Any]:
        return {"coder": self.name, "version": 1, "alphabet_size": self._k, "prior": float(self._alpha)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AdaptiveArithmeticCoder:
        size = table_alphabet_size(data, MAX_ALPHABET)
        prior = require_field(data, "prior", (int, float))
        try:
            return cls(alphabet_size=size, prior=prior)
        except ValueError as exc:
            raise CodeTableError(f"code table field 'prior': {exc}") from None

    def __repr__(self) -> str:
        return f"AdaptiveArithmeticCoder(K={self._k}, prior={float(self._alpha):g})"


__all__ = ["AdaptiveArithmeticCoder"]
