"""LZ78 (Ziv & Lempel 1978): a universal code that needs no model at all.

Incremental parsing: the message is cut into phrases, each the shortest string that is not
an earlier phrase; so every phrase is an earlier phrase (or the empty one) plus one symbol.
Phrase number i (i = 1, 2, ...) is written as

* the index of its prefix phrase, 0..i-1 (0 = empty), in ``ceil(log2 i)`` bits, then
* its last symbol in ``w = max(1, ceil(log2 K))`` bits,

both big-endian. **End of message**: if the message ends inside a known phrase (the parse
matched an earlier phrase up to the last symbol), that phrase is written once more, as its
prefix index and last symbol; the decoder knows n and stops there. So a message parsed into
c phrases (counting that last one) takes exactly

    L(c) = Σ_{i=1..c} ceil(log2 i) + c w   bits,

and an empty message takes 0 bits. L is strictly increasing in c, so c can be read back from
the length (:func:`phrases_from_bits`).

What theory says (theory §q): for every sequence and every k, Ziv's inequality (C&T Lemma
13.5.5) bounds ``c log2 c`` by the k-th order empirical entropy of the sequence plus a term of
order ``c (k log2 K + log2(n/c))``; with ``c = O(n / log n)`` (C&T Lemma 13.5.3) this makes
bits/symbol converge to the entropy rate of any stationary ergodic source (C&T Thm 13.5.3),
with a redundancy of order ``log log n / log n``. ``q`` is accepted only so that
``coders.build("lz78", q)`` works like the other coders: only its alphabet size is used.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from bitarray import bitarray

from . import _lz78_kernels as kernels
from ._bitio import raise_for_status, raise_too_short
from .base import Code, alphabet_from, as_bits, as_symbols, bits_to_bytes, bytes_to_bits, check_count, symbol_buffer
from .base import table_alphabet_size, table_errors
from .prefix import MAX_ALPHABET
from .registry import register

DENSE_ENTRIES = 1 << 22
"""Size of the encoder's dense child table (int32 entries, 16 MB): the children of the first
2**22 // K phrases, which the parse visits most, are looked up there without hashing."""


def symbol_bits(k: int) -> int:
    """w = max(1, ceil(log2 K)): the width of the symbol field of a phrase."""
    return max(1, (int(k) - 1).bit_length())


def lz78_bits(c: int, k: int) -> int:
    """``L(c) = Σ_{i=1..c} ceil(log2 i) + c w``: the length of a message parsed into c phrases.

    >>> [lz78_bits(c, 2) for c in range(6)]
    [0, 1, 3, 6, 9, 13]
    """
    c = int(c)
    total = c * symbol_bits(k)
    # Σ_{i=1..c} ceil(log2 i) = Σ_{j=0..c-1} bit_length(j): group the j with the same bit length.
    b = 1
    while (1 << (b - 1)) <= c - 1:
        lo, hi = 1 << (b - 1), min((1 << b) - 1, c - 1)
        total += b * (hi - lo + 1)
        b += 1
    return total


def min_phrases(n: int) -> int:
    """The fewest phrases n symbols can take: phrase i has at most i symbols, so ``n <= c (c + 1) / 2``.

    >>> [min_phrases(n) for n in (0, 1, 2, 3, 4, 5050, 5051)]
    [0, 1, 2, 2, 3, 100, 101]
    """
    c = max(0, math.isqrt(2 * int(n)) - 1)
    while c * (c + 1) // 2 < n:
        c += 1
    return c


def most_phrases(n: int, k: int) -> int:
    """The most distinct phrases n symbols can make (shortest strings first: K of length 1,
    K**2 of length 2, ...), plus the repeated last one."""
    n, k = int(n), int(k)
    c, length, count = 0, 1, k
    while n > 0:
        take = min(count, n // length) if n >= length else 0
        if take == 0:
            break
        c += take
        n -= take * length
        length += 1
        count = count * k if k > 1 else 1
    return c + 1


def max_phrases(nbits: int, k: int) -> int:
    """The largest c with ``lz78_bits(c, k) <= nbits``."""
    lo, hi = 0, max(0, int(nbits))  # every phrase takes at least one bit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if lz78_bits(mid, k) <= nbits:
            lo = mid
        else:
            hi = mid - 1
    return lo


def phrases_from_bits(nbits: int, k: int) -> int | None:
    """The phrase count c with ``lz78_bits(c, k) == nbits``, or None if no c gives that length."""
    c = max_phrases(nbits, k)
    return c if lz78_bits(c, k) == nbits else None


@register("lz78", "universal", "LZ78 incremental parsing: universal, needs no model (q gives only K)")
class LZ78Code(Code):
    """LZ78 over symbols ``0..K-1`` (the layout of the module docstring).

    >>> code = LZ78Code(alphabet_size=2)
    >>> x = [0, 1, 0, 0, 1, 1, 0, 1, 0]            # phrases 0 | 1 | 00 | 11 | 01 | 0 (again)
    >>> bits = code.encode(x)
    >>> bits.to01(), code.phrase_count(x), code.decode(bits, len(x)).tolist()
    ('00101010100110000', 6, [0, 1, 0, 0, 1, 1, 0, 1, 0])
    >>> # 0 | 0 1 | 01 0 | 10 1 | 001 1 | 000 0: (prefix index, symbol) per phrase
    """

    uses_probabilities = False

    def __init__(self, q=None, *, alphabet_size: int | None = None):
        self._k, _ = alphabet_from(q, alphabet_size, "lz78 code", MAX_ALPHABET)
        self._w = symbol_bits(self._k)

    @property
    def alphabet_size(self) -> int:
        return self._k

    @property
    def symbol_bits(self) -> int:
        """w: bits of the symbol field of every phrase."""
        return self._w

    def _encode(self, symbols) -> tuple[np.ndarray, int, int]:
        arr = as_symbols(symbols, self._k)
        n = arr.size
        # c <= n phrases of at most ceil(log2 n) + w bits each
        out = np.zeros((n * ((n).bit_length() + self._w) + 7) // 8, dtype=np.uint8)
        c = 0
        if n:
            dense, table = self._dictionary(most_phrases(n, self._k))
            c = int(kernels.encode(arr, self._k, self._w, dense, table, out))
        return out, c, lz78_bits(c, self._k)

    def _dictionary(self, phrases: int) -> tuple[np.ndarray, np.ndarray]:
        """Empty dictionary structures for up to ``phrases`` phrases: the dense child table and
        the hash table (at most 2/3 full). Allocated here by NumPy, which gives them huge pages,
        as zeros, which the kernel provides page by page when first touched."""
        dense = np.zeros(max(1, DENSE_ENTRIES // self._k) * self._k, dtype=np.int32)
        slots = 1 << max(4, (3 * phrases // 2).bit_length())
        return dense, np.zeros(2 * slots, dtype=np.int64)

    def encode(self, symbols) -> bitarray:
        """The phrases, ``L(c)`` bits for c phrases."""
        out, _, total = self._encode(symbols)
        return bytes_to_bits(out, total)

    def min_bits(self, n: int) -> int:
        """The fewest bits any message of n symbols takes: ``L(min_phrases(n))``."""
        return lz78_bits(min_phrases(n), self._k)

    def phrase_count(self, symbols) -> int:
        """c: the number of phrases of the message's parse (the repeated last one included)."""
        return self._encode(symbols)[1]

    def decode_partial(self, bits, n: int, *, dtype=np.int64) -> tuple[np.ndarray, int]:
        bits = as_bits(bits)
        n = check_count(n)
        c = max_phrases(len(bits), self._k)  # no more phrases fit in the stream, and phrase i
        most = c * (c + 1) // 2  # has at most i symbols
        out = symbol_buffer(min(n, most), dtype, self._k)
        if n > most:
            raise_too_short(n, len(bits), most)
        room = min(n, c) + 1  # phrases that can fit, and the empty phrase 0
        prefix, symbol, length = (np.zeros(room, dtype=np.int32) for _ in range(3))
        dense, table = self._dictionary(room)
        status, count, pos, done = kernels.read_phrases(bits_to_bytes(bits), len(bits), n, self._k, self._w,
                                                        prefix, symbol, length, dense, table)
        raise_for_status(status, done, pos, n, len(bits), "phrase")
        kernels.write_phrases(count, prefix, symbol, length, out)
        return out, int(pos)

    def to_dict(self) -> dict[str, Any]:
        return {"coder": self.name, "version": 1, "alphabet_size": self._k}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LZ78Code:
        with table_errors():
            return cls(alphabet_size=table_alphabet_size(data, MAX_ALPHABET))

    def __repr__(self) -> str:
        return f"LZ78Code(K={self._k})"


__all__ = ["LZ78Code", "lz78_bits", "max_phrases", "min_phrases", "phrases_from_bits", "symbol_bits"]
