"""Adaptive arithmetic coding: the model learns from the symbols already coded; no q needed.

The sequential estimator with pseudo-count ``alpha`` (theory §h): after ``t`` symbols with
counts ``n_k(t)``, the next symbol ``s`` has probability ``(c_s + n_s(t) + alpha) / (N + t +
K alpha)``, where ``c`` are optional starting counts (say, the byte counts of a training
file; ``N = Σ c_k``, 0 by default). ``alpha = 1/2`` is Krichevsky-Trofimov (the default),
``alpha = 1`` is Laplace. The product over the message is exchangeable:

    P(x^n) = Γ(N + K alpha) / Γ(N + K alpha + n) · Π_k Γ(c_k + alpha + n_k) / Γ(c_k + alpha),

(with ``c = 0`` the familiar ``Γ(K alpha) Π_k Γ(n_k + alpha) / (Γ(alpha)^K Γ(n + K alpha))``),
so the ideal length ``-log2 P(x^n)`` (:meth:`AdaptiveArithmeticCoder.ideal_length`) depends
only on the counts. The coder codes each symbol with the integer weights ``den (c_k + n_k) +
num`` out of ``den (N + t) + K num`` (``alpha = num/den``), i.e. with exactly these
probabilities, through the range coder of ``_range_kernels`` (cumulative weights in a Fenwick
tree, O(log K) per symbol). Length bound for every message of ``n`` symbols:

    I  <=  len(encode(x^n))  <  I + 2 + n * eps_up,   eps_up = -log2(1 - T_n / 2**48),

with ``I = -log2 P(x^n)`` and ``T_n = den (N + n - 1) + K num`` the largest total used
(theory §h and §f). An empty message takes 0 bits.

The shortest message. Each factor ``Γ(c_k + alpha + n_k)`` is log-convex in ``n_k``, so over
all messages of ``n`` symbols ``P(x^n)`` is largest for a constant message of the symbol with
the largest starting count; :meth:`~AdaptiveArithmeticCoder.min_ideal_length` is its ideal
length, a lower bound on every encoding of ``n`` symbols (used by the file container to
refuse an absurd symbol count before decoding).

``q`` is accepted only so that ``coders.build("adaptive", q)`` works like the other coders:
only its alphabet size is used, its probabilities are ignored. There is no ``.model`` (the
model changes with every symbol); ``.prior`` is ``alpha``, ``.counts`` the starting counts.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
from bitarray import bitarray
from scipy.special import betaln, gammaln

from ..errors import CodeTableError, DecodeError, EncodeError
from . import _range_kernels as kernels
from .arithmetic import MAX_ALPHABET, check_range_decode, message_array
from .base import (
    Code,
    alphabet_from,
    as_bits,
    as_symbols,
    bits_view,
    bytes_to_bits,
    check_count,
    require_field,
    symbol_buffer,
    table_alphabet_size,
    table_errors,
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


def _log_rising(x, m):
    """``ln Γ(x + m) - ln Γ(x)`` (natural log of the rising factorial), elementwise, ``m >= 0``.

    As ``ln Γ(m) - ln B(x, m)``: scipy's ``betaln`` keeps full relative precision for large
    ``x`` (starting counts of 2**30), where the difference of two ``gammaln`` of about 2e10
    would lose 1e-6 nats.
    """
    x = np.asarray(x, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)
    safe = np.where(m > 0, m, 1.0)
    return np.where(m > 0, gammaln(safe) - betaln(x, safe), 0.0)


def _starting_counts(counts, k: int) -> np.ndarray:
    """``counts`` as a read-only int64 array of ``k`` integers in 0..2**40 - 1 (or ValueError)."""
    try:
        arr = np.asarray(counts)
    except (TypeError, ValueError, OverflowError):
        arr = np.asarray(counts, dtype=object)
    if arr.ndim != 1 or arr.size != k:
        raise ValueError(f"`counts` must list one starting count per symbol ({k}); got shape {arr.shape}")
    rule = "`counts` must be integers in 0..2**40 - 1"
    if arr.dtype.kind not in "iu":  # a list with big or non-integer entries, bools
        values = arr.tolist()
        for i, c in enumerate(values):
            if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c < MAX_TOTAL:
                raise ValueError(f"{rule}; counts[{i}] = {c!r}")
        arr = np.array(values, dtype=np.int64)
    bad = np.flatnonzero((arr < 0) | (arr >= MAX_TOTAL))
    if bad.size:
        raise ValueError(f"{rule}; counts[{bad[0]}] = {int(arr[bad[0]])}")
    out = arr.astype(np.int64)
    out.setflags(write=False)
    return out


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
    counts : sequence of K non-negative integers, optional
        Starting counts ``c``: the estimator starts as if it had already seen them (for
        example the byte counts of a training file). Default: none (all 0).

    >>> code = AdaptiveArithmeticCoder(alphabet_size=2)
    >>> bits = code.encode([0, 0, 0, 1])
    >>> # KT: (1/2)(3/4)(5/6)(1/8) = 5/128, so -log2 = 4.678072 bits
    >>> round(code.ideal_length([0, 0, 0, 1]), 6), len(bits), code.decode(bits, 4).tolist()
    (4.678072, 5, [0, 0, 0, 1])
    >>> primed = AdaptiveArithmeticCoder(alphabet_size=2, counts=[3, 1])
    >>> # starting from counts (3, 1): (7/2)/5 * (9/2)/6 = 21/40, so -log2 = 0.929611 bits
    >>> round(primed.ideal_length([0, 0]), 6)
    0.929611
    """

    def __init__(self, q=None, *, alphabet_size: int | None = None, prior=0.5, counts=None):
        self._k, _ = alphabet_from(q, alphabet_size, "adaptive coder", MAX_ALPHABET)
        self._alpha = _prior_fraction(prior)
        self._num = self._alpha.numerator
        self._den = self._alpha.denominator
        self._counts = None if counts is None else _starting_counts(counts, self._k)
        seen = 0 if self._counts is None else int(self._counts.sum())
        self._total0 = self._den * seen + self._k * self._num
        if self._total0 >= MAX_TOTAL:
            what = f"{seen} starting counts plus alphabet size" if seen else "alphabet size"
            raise ValueError(
                f"{what} {self._k} times prior {float(self._alpha):g} leaves no room in the coder's "
                f"pseudo-count total (at most 2**40); use a smaller prior{' or fewer counts' if seen else ''}"
            )
        weight0 = np.full(self._k, self._num, dtype=np.int64)
        if self._counts is not None:
            weight0 += self._den * self._counts
        self._weight0 = weight0

    @property
    def alphabet_size(self) -> int:
        return self._k

    @property
    def prior(self) -> float:
        """The pseudo-count ``alpha`` (0.5 = Krichevsky-Trofimov, 1 = Laplace)."""
        return float(self._alpha)

    @property
    def counts(self) -> np.ndarray | None:
        """The starting counts (read-only int64 array), or ``None`` if the coder starts empty."""
        return self._counts

    def _max_symbols(self) -> int:
        return (MAX_TOTAL - self._total0) // self._den

    def _check_length(self, n: int, error: type[ValueError]) -> None:
        if n > self._max_symbols():
            raise error(
                f"the adaptive coder codes at most {self._max_symbols()} symbols per message "
                f"(pseudo-count total <= 2**40); got n = {n}"
            )

    def ideal_length_from_counts(self, message_counts) -> float:
        """``-log2 P(x^n)`` (bits) of any message with these symbol counts (K non-negative
        integers): the same for every order of the symbols (theory §h), so a large message
        need not be held as an int64 array."""
        message_counts = np.asarray(message_counts, dtype=np.int64)
        if message_counts.shape != (self._k,) or (message_counts < 0).any():
            raise ValueError(f"`message_counts` must be {self._k} non-negative integers; got shape {message_counts.shape}")
        n = int(message_counts.sum())
        if n == 0:
            return 0.0
        a = float(self._alpha)
        start = self._counts if self._counts is not None else np.zeros(self._k, dtype=np.int64)
        used = message_counts > 0
        total0 = float(self._total0) / self._den  # N + K alpha
        nats = float(_log_rising(total0, n)) - math.fsum(
            _log_rising(start[used] + a, message_counts[used]).tolist()
        )
        return nats / math.log(2)

    def ideal_length(self, symbols) -> float:
        """``-log2 P(x^n)`` in bits: the sequential log-loss of the estimator (theory §h), from
        the counts (log rising factorials through ``scipy.special.betaln``)."""
        arr = as_symbols(symbols, self._k)
        if arr.size == 0:
            return 0.0
        return self.ideal_length_from_counts(np.bincount(arr, minlength=self._k))

    def min_ideal_length(self, n: int) -> float:
        """The smallest ``-log2 P(x^n)`` over all messages of ``n`` symbols (bits).

        The constant message of the symbol with the largest starting count (any symbol
        without starting counts): see the module docstring. So every encoding of ``n``
        symbols is at least this long (``excess_bounds(n)[0]`` is 0).
        """
        n = check_count(n)
        if n == 0:
            return 0.0
        message = np.zeros(self._k, dtype=np.int64)
        message[int(np.argmax(self._weight0))] = n
        return self.ideal_length_from_counts(message)

    def excess_bounds(self, n: int) -> tuple[float, float]:
        """``(0, 2 + n eps_up)``: bounds in bits on ``len(encode(x)) - ideal_length(x)``."""
        n = check_count(n)
        if n == 0:
            return 0.0, 2.0
        t_max = self._den * (n - 1) + self._total0
        return 0.0, 2.0 - n * math.log2(1.0 - t_max / 2.0**48)

    def encode(self, symbols) -> bitarray:
        arr = message_array(symbols, self._k)
        self._check_length(arr.size, EncodeError)
        # Each symbol costs at most log2(T_t / w_s) + eps bits, and every weight is >= num.
        per_symbol = math.log2((self._den * arr.size + self._total0) / self._num) + 1e-3
        out = np.empty(int(math.ceil(arr.size * per_symbol)) // 8 + 48, dtype=np.uint8)
        nbits = int(kernels.encode_adaptive(arr, self._weight0, self._den, out))
        if nbits < 0:
            as_symbols(symbols, self._k)  # raises the shared out-of-range error
            raise AssertionError("adaptive kernel refused an in-range symbol")  # pragma: no cover
        return bytes_to_bits(out, nbits)

    def decode_partial(self, bits, n: int, *, dtype=np.int64) -> tuple[np.ndarray, int]:
        bits = as_bits(bits)
        n = check_count(n)
        self._check_length(n, DecodeError)
        out = symbol_buffer(n, dtype, self.alphabet_size)
        decode = kernels.decode_adaptive_small if self._k <= kernels.SMALL_K else kernels.decode_adaptive
        status, i, used = decode(bits_view(bits), len(bits), n, self._weight0, self._den, out)
        check_range_decode(status, i, n, used, len(bits))
        return out, int(used)

    def to_dict(self) -> dict[str, Any]:
        """The table: alphabet size and prior (version 1), plus the starting counts (version 2,
        so that a reader that does not know them refuses the table instead of ignoring them)."""
        table = {"coder": self.name, "version": 1, "alphabet_size": self._k, "prior": float(self._alpha)}
        if self._counts is not None:
            table.update(version=2, counts=self._counts.tolist())
        return table

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AdaptiveArithmeticCoder:
        size = table_alphabet_size(data, MAX_ALPHABET, versions=(1, 2))
        prior = require_field(data, "prior", (int, float))
        counts = require_field(data, "counts", list) if data.get("version", 1) == 2 else None
        if counts is not None and any(isinstance(c, bool) or not isinstance(c, int) for c in counts):
            raise CodeTableError("code table field 'counts' must be a list of integers")
        with table_errors("code table field 'prior'"):
            _prior_fraction(prior)
        with table_errors():
            return cls(alphabet_size=size, prior=prior, counts=counts)

    def __repr__(self) -> str:
        counts = "" if self._counts is None else f", counts=<{int(self._counts.sum())} seen>"
        return f"AdaptiveArithmeticCoder(K={self._k}, prior={float(self._alpha):g}{counts})"


__all__ = ["AdaptiveArithmeticCoder"]
