"""Integer codes: Golomb (and Rice) codes and the Elias gamma, delta and omega codes.

These are prefix codes whose codewords are computed from the symbol by arithmetic, not looked
up in a table, so they code integer-valued data over large alphabets at kernel speed
(``_integer_kernels``). They share the prefix-code metrics of :class:`~.prefix.PrefixCode`
(``lengths``, ``kraft_sum``, ``expected_length``, ``length_variance``), so the simulation
runner checks them like any prefix code: total bits = Σ n_x l(x) exactly, and the exact
E_p[l] against the code's theorem (``codebook.theory_families``, theory §n and §o).

**Golomb code** with parameter m >= 1 (Golomb 1966): the symbol x is sent as ``x // m`` ones
and a zero (unary), then ``r = x % m`` in truncated binary: with ``b = ceil(log2 m)`` and
``u = 2**b - m``, a remainder ``r < u`` takes ``b - 1`` bits (value r), the others ``b`` bits
(value ``r + u``). Length ``l(x) = x // m + 1 + b - [x % m < u]``. A **Rice code** is the
Golomb code with m a power of two (every remainder takes ``b`` bits).

For a geometric source p(x) = (1 - θ) θ^x, x >= 0, the Golomb code with the m of
Gallager & van Voorhis (1975), the smallest m >= 1 with ``θ^m + θ^(m+1) <= 1``, is optimal
among all prefix codes (it is a Huffman code for the infinite alphabet). With no parameter
given, :class:`GolombCode` uses that m when q is geometric (constant ratio q(x+1)/q(x) = θ < 1
within 1e-9 over its alphabet: ``geometric:K:R`` is, truncated to K symbols) and otherwise the
m in 1..K that minimises E_q[l] (computed in float64; ties to the smaller m).

**Elias codes** (Elias 1975) code the positive integer ``v = x + 1`` of the symbol x; q is
used only for its alphabet size. With ``N = floor(log2 v)``:

* gamma: N zeros, then v in binary (N + 1 bits): ``2N + 1`` bits;
* delta: gamma(N + 1), then the N low bits of v: ``N + 2 floor(log2(N + 1)) + 1`` bits;
* omega: recursively, the binary of v preceded by the omega groups of N, then a 0:
  ``l(1) = 1``, ``l(v) = N + 1 + l(N)`` with the trailing zero shared.

They are *universal* (Elias 1975): for every non-increasing p on 1, 2, 3, ... their expected
length is within a fixed function of H(p) (theory §o).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
from bitarray import bitarray
from numba import njit

from ..distributions import Distribution, as_distribution
from . import _integer_kernels as kernels
from ._bitio import bit_length, raise_for_status, raise_too_short
from .base import alphabet_from, as_bits, as_symbols, bits_to_bytes, bytes_to_bits, check_count, require_field, symbol_buffer
from .base import table_alphabet_size, table_errors
from .prefix import MAX_ALPHABET, MAX_CODEWORD_BITS, PrefixCode
from .registry import register


class IntegerCode(PrefixCode):
    """A prefix code over ``0..K-1`` whose codewords are computed by a kernel (no table).

    Subclasses call ``_init_integer`` (K, q, lengths) and implement ``_encode_into`` and
    ``_decode_into``; everything else (metrics, codeword strings on demand) is shared.
    Every symbol of the alphabet has a codeword, whatever q is (``codes_every_symbol``): a
    symbol with q(x) = 0 is coded like any other.
    """

    codes_every_symbol = True

    def _init_integer(self, k: int, q: Distribution | None, lengths: np.ndarray) -> None:
        self._k = k
        self.q = q
        longest = int(lengths.max())
        if longest > MAX_CODEWORD_BITS:
            raise ValueError(
                f"the {self.name} code over {k} symbols has codewords of up to {longest} bits; at most "
                f"{MAX_CODEWORD_BITS} are allowed (choose a larger parameter or a smaller alphabet)"
            )
        self._lengths = lengths.astype(np.int64)
        self._lengths.setflags(write=False)

    @property
    def alphabet_size(self) -> int:
        return self._k

    @cached_property
    def _codewords(self) -> tuple[str, ...]:  # what PrefixCode.codewords and bitarray_code read
        bits = self.encode(np.arange(self._k, dtype=np.int64)).to01()
        ends = np.cumsum(self._lengths).tolist()
        return tuple(bits[e - length : e] for e, length in zip(ends, self._lengths.tolist()))

    def encode(self, symbols) -> bitarray:
        """The concatenated codewords: exactly ``Σ l(x_i)`` bits."""
        arr = as_symbols(symbols, self._k)
        total = int(self._lengths[arr].sum()) if arr.size else 0
        out = np.zeros((total + 7) // 8, dtype=np.uint8)
        if arr.size:
            self._encode_into(arr, out)
        return bytes_to_bits(out, total)

    def decode_partial(self, bits, n: int, *, dtype=np.int64) -> tuple[np.ndarray, int]:
        bits = as_bits(bits)
        n = check_count(n)
        out = symbol_buffer(min(n, len(bits)), dtype, self._k)  # every codeword has >= 1 bit
        if n > len(bits):
            raise_too_short(n, len(bits), len(bits))
        status, done, pos = self._decode_into(bits_to_bytes(bits), len(bits), n, out)
        raise_for_status(status, done, pos, n, len(bits))
        return out, int(pos)

    def _fields(self) -> dict[str, Any]:
        return {}

    def to_dict(self) -> dict[str, Any]:
        return {"coder": self.name, "version": 1, "alphabet_size": self._k, **self._fields()}

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v}" for k, v in self._fields().items())
        return f"{type(self).__name__}(K={self._k}{extra})"


# ---------------------------------------------------------------------------- Golomb


def golomb_lengths(k: int, m: int) -> np.ndarray:
    """``l(x) = x // m + 1 + b - [x % m < u]`` for x = 0..k-1 (b = ceil(log2 m), u = 2**b - m)."""
    b = (m - 1).bit_length()
    u = (1 << b) - m
    x = np.arange(k, dtype=np.int64)
    return x // m + 1 + b - (x % m < u)


def gallager_van_voorhis_parameter(theta: float) -> int:
    """The optimal Golomb parameter for the geometric source p(x) = (1-θ)θ^x, x = 0, 1, ...:
    the smallest m >= 1 with ``θ^m + θ^(m+1) <= 1`` (Gallager & van Voorhis 1975), decided
    exactly on the binary64 value of θ (0 < θ < 1).

    >>> [gallager_van_voorhis_parameter(t) for t in (0.5, 0.7, 0.9, 0.99)]
    [1, 2, 7, 69]
    """
    if not (isinstance(theta, (float, int, Fraction, np.floating)) and 0 < theta < 1):
        raise ValueError(f"`theta` (the ratio of a geometric source) must be in (0, 1); got {theta!r}")
    t = Fraction(theta)

    def fits(m: int) -> bool:
        return t**m * (1 + t) <= 1

    m = max(1, math.ceil(math.log(1 + float(t)) / -math.log(float(t))))
    while m > 1 and fits(m - 1):
        m -= 1
    while not fits(m):
        m += 1
    return m


def geometric_ratio(q: Distribution, tol: float = 1e-9) -> float | None:
    """θ if ``q(x+1)/q(x) = θ < 1`` for every x (within ``tol`` relative), else None."""
    probs = q.probs
    if probs.size < 2 or (probs <= 0).any():
        return None
    with np.errstate(over="ignore"):
        ratios = probs[1:] / probs[:-1]
    theta = float(ratios[0])
    if theta >= 1 or np.abs(ratios - theta).max() > tol * theta:
        return None
    return theta


@njit(cache=True)
def _golomb_mean(cdf, m):
    """E[l_m(X)] from ``cdf[t] = P(X < t)`` (t = 0..K), in O(K/m) steps."""
    k = cdf.size - 1
    b = bit_length(m - 1)
    u = (1 << b) - m
    mean = 1.0 + b
    j = m
    while j < k:  # E[X // m] = Σ_{j >= 1} P(X >= j m)
        mean += 1.0 - cdf[j]
        j += m
    s = 0
    while s < k:  # P(X % m < u): the first u values of every block of m
        mean -= cdf[min(s + u, k)] - cdf[s]
        s += m
    return mean


def best_golomb_parameter(q, rice: bool = False) -> int:
    """The m (a power of two if ``rice``) in 1..K minimising E_q[l_m]; ties to the smaller m.

    Every codeword of parameter m has at least ``ceil(log2 m)`` bits, so the search stops once
    that exceeds the best mean found. Float64 means: a near-tie may be decided by rounding.
    """
    probs = as_distribution(q, "q").probs
    cdf = np.concatenate(([0.0], np.cumsum(probs)))
    cdf /= cdf[-1]
    best, best_mean = 1, _golomb_mean(cdf, 1)
    m = 2
    while m <= probs.size and (m - 1).bit_length() <= best_mean:
        mean = _golomb_mean(cdf, m)
        if mean < best_mean:
            best, best_mean = m, mean
        m = 2 * m if rice else m + 1
    return best


@register("golomb", "prefix", "Golomb/Rice code: unary quotient + truncated binary remainder, m optimal for q")
class GolombCode(IntegerCode):
    """The Golomb code with parameter ``m`` over symbols ``0..K-1``.

    Parameters
    ----------
    q : Distribution or array-like, optional
        The model: its alphabet size, and the parameter when none is given (see the module
        docstring: Gallager & van Voorhis for a geometric q, else the E_q-minimising m).
    parameter : int, optional
        m >= 1, given explicitly.
    rice : bool
        Choose m among powers of two (a Rice code) when no parameter is given.
    alphabet_size : int, optional
        K when no q is given (then ``parameter`` is required).

    >>> code = GolombCode(parameter=3, alphabet_size=8)   # Golomb 1966: m = 3
    >>> code.codewords
    ('00', '010', '011', '100', '1010', '1011', '1100', '11010')
    """

    def __init__(self, q=None, *, parameter: int | None = None, rice: bool = False, alphabet_size: int | None = None):
        k, dist = alphabet_from(q, alphabet_size, "golomb code", MAX_ALPHABET)
        how = "given"
        if parameter is None:
            if dist is None:
                raise ValueError("the golomb code needs a `parameter` or a q to choose it from")
            theta = None if rice else geometric_ratio(dist)
            if theta is not None:
                parameter, how = gallager_van_voorhis_parameter(theta), f"Gallager-van Voorhis, theta = {theta:.6g}"
            else:
                parameter = best_golomb_parameter(dist, rice)
                how = "minimises E_q[l] over " + ("powers of two" if rice else f"m = 1..{k}")
        if isinstance(parameter, bool) or not isinstance(parameter, (int, np.integer)) or not 1 <= parameter <= 1 << 40:
            raise ValueError(f"`parameter` (the Golomb m) must be an integer in 1..2**40; got {parameter!r}")
        self._m = int(parameter)
        self.parameter_choice = how
        self._init_integer(k, dist, golomb_lengths(k, self._m))

    @property
    def parameter(self) -> int:
        """m: the quotient ``x // m`` is sent in unary, the remainder in truncated binary."""
        return self._m

    @property
    def is_rice(self) -> bool:
        return self._m & (self._m - 1) == 0

    def _encode_into(self, arr, out) -> None:
        kernels.golomb_encode(arr, self._m, out)

    def _decode_into(self, buf, nbits, n, out):
        return kernels.golomb_decode(buf, nbits, n, self._m, self._k, out)

    def _fields(self) -> dict[str, Any]:
        return {"parameter": self._m}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GolombCode:
        k = table_alphabet_size(data, MAX_ALPHABET)
        m = require_field(data, "parameter", int)
        with table_errors():
            return cls(parameter=m, alphabet_size=k)


# ---------------------------------------------------------------------------- Elias


def _floor_log2(v: np.ndarray) -> np.ndarray:
    """``floor(log2 v)`` of positive int64 values below 2**53, exactly: v = m 2**e with
    0.5 <= m < 1 (``np.frexp``, exact on these floats) gives floor(log2 v) = e - 1."""
    return np.frexp(v.astype(np.float64))[1].astype(np.int64) - 1


def elias_lengths(k: int, variant: str) -> np.ndarray:
    """Codeword lengths of ``v = x + 1`` for x = 0..k-1 (the formulas of the module docstring)."""
    v = np.arange(1, k + 1, dtype=np.int64)
    nbits = _floor_log2(v)
    if variant == "gamma":
        return 2 * nbits + 1
    if variant == "delta":
        return nbits + 2 * _floor_log2(nbits + 1) + 1
    # omega: l(1) = 1 and l(v) = N + 1 + l(N) for v >= 2, which depends on N only
    by_n = [1]
    for big_n in range(1, 64):
        by_n.append(big_n + 1 + by_n[big_n.bit_length() - 1])
    return np.array(by_n, dtype=np.int64)[nbits]


class EliasCode(IntegerCode):
    """Common part of the three Elias codes (``variant`` set by the subclass)."""

    variant = "gamma"
    uses_probabilities = False
    _kernel_variant = kernels.GAMMA

    def __init__(self, q=None, *, alphabet_size: int | None = None):
        k, dist = alphabet_from(q, alphabet_size, f"{self.name} code", MAX_ALPHABET)
        self._init_integer(k, dist, elias_lengths(k, self.variant))

    def _encode_into(self, arr, out) -> None:
        kernels.elias_encode(arr, self._kernel_variant, out)

    def _decode_into(self, buf, nbits, n, out):
        return kernels.elias_decode(buf, nbits, n, self._kernel_variant, self._k, out)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EliasCode:
        return cls(alphabet_size=table_alphabet_size(data, MAX_ALPHABET))


@register("elias-gamma", "prefix", "Elias gamma code of x+1: 2 floor(log2(x+1)) + 1 bits; ignores q")
class EliasGammaCode(EliasCode):
    """Elias gamma: ``floor(log2 v)`` zeros, then v in binary (v = x + 1).

    >>> EliasGammaCode(alphabet_size=5).codewords   # Elias 1975, v = 1..5
    ('1', '010', '011', '00100', '00101')
    """


@register("elias-delta", "prefix", "Elias delta code of x+1: gamma of its bit count, then its bits")
class EliasDeltaCode(EliasCode):
    """Elias delta: gamma(N + 1), then the N bits of v after its leading 1 (v = x + 1).

    >>> EliasDeltaCode(alphabet_size=5).codewords   # Elias 1975, v = 1..5
    ('1', '0100', '0101', '01100', '01101')
    """

    variant = "delta"
    _kernel_variant = kernels.DELTA


@register("elias-omega", "prefix", "Elias omega (recursive) code of x+1; ignores q")
class EliasOmegaCode(EliasCode):
    """Elias omega: the recursive length groups, then v in binary, then a 0 (v = x + 1).

    >>> EliasOmegaCode(alphabet_size=5).codewords   # Elias 1975, v = 1..5
    ('0', '100', '110', '101000', '101010')
    """

    variant = "omega"
    _kernel_variant = kernels.OMEGA


__all__ = [
    "EliasCode",
    "EliasDeltaCode",
    "EliasGammaCode",
    "EliasOmegaCode",
    "GolombCode",
    "IntegerCode",
    "best_golomb_parameter",
    "elias_lengths",
    "gallager_van_voorhis_parameter",
    "geometric_ratio",
    "golomb_lengths",
]
