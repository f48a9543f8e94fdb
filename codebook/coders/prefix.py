"""Prefix codes: a codeword per symbol, over real bitstreams.

:class:`PrefixCode` holds a codeword table and does everything that only depends on it:
metrics (Kraft sum, E_p[l], Var_p[l]), encoding and decoding through the numba kernels in
``_prefix_kernels``, and JSON serialisation. :class:`CanonicalPrefixCode` derives the codewords
from the lengths alone (canonical order: by length, then symbol), so its table is just the
lengths. Huffman and Shannon codes are canonical; Shannon-Fano-Elias keeps its own codewords.

Symbols with no codeword (length 0: their model probability was 0) cannot be encoded; trying
raises :class:`EncodeError` naming the symbol and its position. Zero bits are never written
for a symbol: a one-symbol code uses the codeword ``0``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
from bitarray import bitarray

from ..distributions import Distribution, as_distribution, check_same_alphabet
from ..errors import CodeTableError, DecodeError, EncodeError
from . import _prefix_kernels as kernels
from .base import (
    Code,
    as_bits,
    as_symbols,
    bits_to_bytes,
    bytes_to_bits,
    check_count,
    require_field,
    symbol_buffer,
    table_alphabet_size,
)

MAX_TABLE_WIDTH = 11
"""Bits looked up per decode step; longer codewords continue bit by bit in the trie."""

MAX_ALPHABET = 1 << 24
"""Largest alphabet a code table may describe (as for the stream coders)."""

MAX_CODEWORD_BITS = 4096
"""Longest codeword accepted. Codes built from binary64 probabilities stay far below it
(Shannon lengths are at most 1075 bits; Huffman's are at most about 1.44 times that, C&T and
theory §d); the limit keeps a hostile code table from driving a huge allocation."""


class PrefixCode(Code):
    """A prefix code over symbols ``0..K-1`` given by its codewords.

    Parameters
    ----------
    codewords : sequence of str or None
        ``codewords[x]`` is the codeword of symbol ``x`` as a string of ``0``/``1``, or
        ``None`` (or ``""``) if ``x`` has no codeword. Must be prefix-free.
    q : Distribution, optional
        The model the code was built from, kept for reports (``redundancy()``).
    """

    def __init__(self, codewords, q: Distribution | None = None):
        words = tuple(None if not w else str(w) for w in codewords)
        if not words:
            raise CodeTableError("a code needs at least one symbol")
        for x, w in enumerate(words):
            if w is not None and (set(w) - {"0", "1"} or len(w) > MAX_CODEWORD_BITS):
                raise CodeTableError(
                    f"codeword of symbol {x} must be a string of at most {MAX_CODEWORD_BITS} "
                    f"characters 0 and 1; got {w[:40]!r} ({len(w)} characters)"
                )
        if all(w is None for w in words):
            raise CodeTableError("a code needs at least one codeword")
        lengths = np.array([len(w) if w else 0 for w in words], dtype=np.int64)
        flat = np.frombuffer("".join(w or "" for w in words).encode("ascii"), dtype=np.uint8) - 48
        self._setup(lengths, flat, q)
        self._codewords = words

    def _setup(self, lengths: np.ndarray, flat: np.ndarray, q: Distribution | None) -> None:
        """Hold the table as lengths and all codeword bits concatenated (``flat``, symbol
        order); check Kraft and build the decoder, whose trie also proves prefix-freeness."""
        self._lengths = np.ascontiguousarray(lengths, dtype=np.int64)
        self._lengths.setflags(write=False)
        self._flat = np.ascontiguousarray(flat, dtype=np.uint8)
        self._offsets = codeword_offsets(self._lengths)
        self.q = q
        self._check_kraft()
        self._decoder

    # ------------------------------------------------------------------ the table
    @property
    def alphabet_size(self) -> int:
        return int(self._lengths.size)

    @property
    def lengths(self) -> np.ndarray:
        """Codeword lengths in bits (int64, read-only); 0 means the symbol has no codeword."""
        return self._lengths

    @cached_property
    def _codewords(self) -> tuple[str | None, ...]:
        text = (self._flat + 48).tobytes().decode("ascii")
        return tuple(text[a:b] or None for a, b in zip(self._offsets[:-1].tolist(), self._offsets[1:].tolist()))

    @property
    def codewords(self) -> tuple[str | None, ...]:
        """Codewords as strings of ``0``/``1``; ``None`` for a symbol without one."""
        return self._codewords

    def bitarray_code(self) -> dict[int, bitarray]:
        """The code as ``{symbol: bitarray}``, the form bitarray's ``encode``/``decode`` take."""
        return {x: bitarray(w, endian="big") for x, w in enumerate(self._codewords) if w}

    # ------------------------------------------------------------------ metrics
    def kraft_sum(self, exact: bool = False) -> float | Fraction:
        """``Σ 2**-l(x)`` over the symbols with a codeword; ``<= 1`` for every prefix code
        (C&T Thm 5.2.1) and ``== 1`` for a complete code such as Huffman's on >= 2 symbols.
        ``exact=True`` returns a :class:`~fractions.Fraction`."""
        total = self._kraft_numerator()
        value = Fraction(total, 1 << self._max_length())
        return value if exact else float(value)

    def expected_length(self, p) -> float:
        """``E_p[l(X)] = Σ p(x) l(x)`` in bits per symbol; ``inf`` if ``p`` puts mass on a
        symbol without a codeword."""
        probs, lengths = self._aligned(p)
        if (probs[lengths == 0] > 0).any():
            return math.inf
        return math.fsum((probs * lengths).tolist())

    def length_variance(self, p) -> float:
        """``Var_p[l(X)] = Σ p l² - (Σ p l)²`` in bits², the per-symbol variance behind a
        confidence interval for the mean length (theory §i)."""
        mean = self.expected_length(p)
        if not math.isfinite(mean):
            return math.inf
        probs, lengths = self._aligned(p)
        second = math.fsum((probs * lengths.astype(np.float64) ** 2).tolist())
        return max(second - mean * mean, 0.0)

    def redundancy(self) -> float:
        """``E_q[l] - H(q)`` for the model the code was built from (bits per symbol)."""
        from ..measures import entropy

        if self.q is None:
            raise ValueError("this code was not built from a distribution (loaded from a table)")
        return self.expected_length(self.q) - entropy(self.q)

    def _aligned(self, p):
        p = as_distribution(p, "p")
        check_same_alphabet(p, self, "p", "code")
        return p.probs, self._lengths

    def _max_length(self) -> int:
        return int(self._lengths.max())

    def _kraft_numerator(self) -> int:
        top = self._max_length()
        values, counts = np.unique(self._lengths[self._lengths > 0], return_counts=True)
        return sum(int(c) << (top - int(v)) for v, c in zip(values, counts))

    def _check_kraft(self) -> None:
        if self._kraft_numerator() > (1 << self._max_length()):
            raise CodeTableError(
                f"codeword lengths violate the Kraft inequality (C&T Thm 5.2.1): "
                f"sum 2**-l = {float(self.kraft_sum()):.6g} > 1, so no prefix code has them"
            )

    # ------------------------------------------------------------------ kernel tables
    @cached_property
    def _encoder(self):
        values = kernels.short_values(self._lengths, self._flat, self._offsets)
        return self._lengths, values, self._flat, self._offsets

    @cached_property
    def _decoder(self):
        lengths, flat, offsets = self._lengths, self._flat, self._offsets
        children, count, conflict = kernels.build_trie(lengths, flat, offsets, _trie_size_bound(lengths))
        if conflict >= 0:
            raise CodeTableError(
                f"codewords are not prefix-free: the codeword of symbol {conflict} "
                f"({self._codewords[conflict]!r}) is a prefix of another or has one as prefix"
            )
        children = np.ascontiguousarray(children[:count])
        width = min(self._max_length(), MAX_TABLE_WIDTH)
        return kernels.build_table(children, width), width, children

    # ------------------------------------------------------------------ coding
    def encode(self, symbols) -> bitarray:
        """Encode a message: the concatenated codewords, exactly ``Σ l(x_i)`` bits.

        Raises :class:`EncodeError` naming the first symbol that is outside the alphabet or
        has no codeword, and its position in the message.
        """
        arr = as_symbols(symbols, self.alphabet_size)
        lengths, values, flat, offsets = self._encoder
        total = int(kernels.message_bits(arr, lengths))
        if total < 0:
            i = -1 - total
            raise EncodeError(
                f"symbol {arr[i]} at position {i} has no codeword "
                f"(its probability under the code's model is 0)"
            )
        out = np.zeros((total + 7) // 8, dtype=np.uint8)
        kernels.encode_into(arr, lengths, values, flat, offsets, out)
        return bytes_to_bits(out, total)

    def decode_partial(self, bits, n: int, *, dtype=np.int64) -> tuple[np.ndarray, int]:
        bits = as_bits(bits)
        n = check_count(n)
        table, width, children = self._decoder
        out_of_bits = n > len(bits)  # every codeword has at least one bit
        out = symbol_buffer(0 if out_of_bits else n, dtype, self.alphabet_size)
        if out_of_bits:
            raise DecodeError(
                f"truncated bitstream: {n} symbols need at least {n} bits but the stream has {len(bits)}",
                position=len(bits),
            )
        status, done, pos = kernels.decode_into(bits_to_bytes(bits), len(bits), n, table, width, children, out)
        if status == kernels.TRUNCATED:
            raise DecodeError(
                f"truncated bitstream: symbol {done} of {n} starts at bit position {pos} but its "
                f"codeword runs past the end of the stream ({len(bits)} bits)",
                position=pos,
            )
        if status == kernels.INVALID:
            raise DecodeError(
                f"invalid code sequence at bit position {pos}: no codeword of this code "
                f"continues that way (while decoding symbol {done} of {n})",
                position=pos,
            )
        return out, int(pos)

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        return {
            "coder": self.name,
            "version": 1,
            "alphabet_size": self.alphabet_size,
            "lengths": self._lengths.tolist(),
            "codewords": [w or "" for w in self._codewords],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PrefixCode:
        words = require_field(data, "codewords", list)
        table_alphabet_size(data, MAX_ALPHABET, count=len(words))
        if any(not isinstance(w, str) for w in words):
            raise CodeTableError("code table field 'codewords' must be a list of strings")
        if "lengths" in data and data["lengths"] != [len(w) for w in words]:
            raise CodeTableError("code table field 'lengths' does not match the lengths of 'codewords'")
        obj = cls.__new__(cls)
        PrefixCode.__init__(obj, words)
        return obj

    def __repr__(self) -> str:
        return f"{type(self).__name__}(K={self.alphabet_size}, max_length={self._max_length()})"


class CanonicalPrefixCode(PrefixCode):
    """A prefix code whose codewords are the canonical ones for its lengths.

    Canonical order: symbols sorted by (length, symbol index) get consecutive codewords, each
    the previous one plus one, shifted left when the length grows (as in DEFLATE and
    bitarray's ``canonical_huffman``). The lengths alone describe the code.
    """

    def __init__(self, lengths, q: Distribution | None = None):
        lengths = _checked_lengths(lengths)
        self._setup(lengths, _canonical_bits(lengths), q)

    def to_dict(self) -> dict[str, Any]:
        return {
            "coder": self.name,
            "version": 1,
            "alphabet_size": self.alphabet_size,
            "lengths": self._lengths.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CanonicalPrefixCode:
        lengths = require_field(data, "lengths", list)
        table_alphabet_size(data, MAX_ALPHABET, count=len(lengths))
        obj = cls.__new__(cls)
        CanonicalPrefixCode.__init__(obj, lengths)
        return obj


def canonical_codewords(lengths) -> list[str | None]:
    """Canonical codewords for ``lengths`` (0 = no codeword); checks Kraft first."""
    return list(CanonicalPrefixCode(lengths).codewords)


def codeword_offsets(lengths: np.ndarray) -> np.ndarray:
    """Where each codeword starts in the concatenated table: symbol ``x`` has the entries
    ``offsets[x]:offsets[x + 1]`` (int64, ``K + 1`` entries, ``offsets[K] = Σ l``)."""
    offsets = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


def _trie_size_bound(lengths: np.ndarray) -> int:
    """At least the number of internal trie nodes (root included) plus one: at depth ``d``
    there are at most ``2**d`` of them, and at most one per codeword longer than ``d``
    (distinct nodes of one depth are prefixes of distinct codewords). For 2**21 codewords of
    about 23 bits this is about 8e6 instead of the 5e7 of ``sum(lengths)``."""
    top = int(lengths.max())
    longer = lengths.size - np.cumsum(np.bincount(lengths, minlength=top + 1))[:top]  # #{l > d}
    caps = np.minimum(longer, np.left_shift(1, np.minimum(np.arange(top), 62)))
    return int(caps.sum()) + 2


def _checked_lengths(lengths) -> np.ndarray:
    """``lengths`` as int64 after the checks of a code table: non-negative integers of at most
    ``MAX_CODEWORD_BITS``, at least one codeword, the Kraft inequality (exact)."""
    if isinstance(lengths, np.ndarray) and lengths.ndim == 1 and lengths.dtype.kind in "iu":
        bad = np.flatnonzero((lengths < 0) | (lengths > MAX_CODEWORD_BITS))
        if bad.size:
            _refuse_length(int(bad[0]), int(lengths[bad[0]]))
        arr = lengths.astype(np.int64)
    else:
        items = list(lengths)
        for x, length in enumerate(items):
            if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or not 0 <= length <= MAX_CODEWORD_BITS:
                _refuse_length(x, length)
        arr = np.array([int(v) for v in items], dtype=np.int64)
    if not (arr > 0).any():
        raise CodeTableError("a code needs at least one codeword (all lengths are 0)")
    values, counts = np.unique(arr[arr > 0], return_counts=True)
    top = int(values[-1])
    if sum(int(c) << (top - int(v)) for v, c in zip(values, counts)) > (1 << top):
        raise CodeTableError("codeword lengths violate the Kraft inequality (C&T Thm 5.2.1): sum 2**-l > 1")
    return arr


def _refuse_length(x: int, length) -> None:
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
        raise CodeTableError(f"codeword lengths must be non-negative integers; lengths[{x}] = {length!r}")
    raise CodeTableError(f"codeword lengths must be at most {MAX_CODEWORD_BITS}; lengths[{x}] = {length}")


def _canonical_bits(lengths: np.ndarray) -> np.ndarray:
    """All canonical codewords' bits concatenated in symbol order (see :class:`CanonicalPrefixCode`)."""
    used = np.flatnonzero(lengths > 0)
    order = used[np.lexsort((used, lengths[used]))]
    offsets = codeword_offsets(lengths)
    flat = np.empty(int(offsets[-1]), dtype=np.uint8)
    kernels.canonical_bits(lengths, order, offsets, flat)
    return flat
