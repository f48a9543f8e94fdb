"""The rANS stream layout of codebook's first release, kept to read version-1 containers.

The first release coded ``rans`` with 32-bit words and states in ``[2**31, 2**63)``: each lane's
final state written as a 5-bit width field and the state's bits below its leading one, then the
32-bit words, big-endian (length within ``[70 - n eps_dn, 72 + n eps_up]`` bits of
``-log2 q_hat``, ``eps = log2(1 + 2**(b - 31))``). Today's ``rans`` writes 16-bit words with
``L = 2**47`` (``codebook/coders/rans.py``), so files of format version 1 that used ``rans``
decode with this frozen copy of the old decoder, selected by :mod:`codebook.container` from the
file's version, never by guessing. It only decodes: new files are written in today's layout.
"""

from __future__ import annotations

import math

import numpy as np
from bitarray.util import ba2int
from numba import njit

from ..errors import DecodeError
from .arithmetic import _truncated
from .base import as_bits, check_count, symbol_buffer

STATE_BITS = 31
LANES = 2
HEADER_FIELD = 5
OK, TRUNCATED = 0, 1


@njit(cache=True, inline="always")
def _decode_step(x, mask, shift, b, coarse, start, freq):
    slot = x & mask
    s = np.int64(coarse[slot >> shift])
    while start[s + 1] <= slot:
        s += 1
    return s, freq[s] * (x >> b) + slot - start[s]


@njit(cache=True)
def _decode(words, nwords, x0, x1, n, freq, start, coarse, shift, precision, out):
    """The first release's decoder, unchanged: ``(status, x0, x1, words read, symbols decoded)``."""
    b = np.int64(precision)
    mask = (np.int64(1) << b) - np.int64(1)
    low = np.int64(1) << np.int64(STATE_BITS)
    p = 0
    i = 0
    while i + 1 < n:
        s0, x0 = _decode_step(x0, mask, shift, b, coarse, start, freq)
        s1, x1 = _decode_step(x1, mask, shift, b, coarse, start, freq)
        out[i] = s0
        out[i + 1] = s1
        if x0 < low:
            x0 = (x0 << np.int64(32)) | np.int64(words[p])
            p += 1
        if x1 < low:
            x1 = (x1 << np.int64(32)) | np.int64(words[p])
            p += 1
        if p > nwords:
            return TRUNCATED, x0, x1, p, i
        i += 2
    if i < n:
        s0, x0 = _decode_step(x0, mask, shift, b, coarse, start, freq)
        out[i] = s0
        if x0 < low:
            x0 = (x0 << np.int64(32)) | np.int64(words[p])
            p += 1
        if p > nwords:
            return TRUNCATED, x0, x1, p, i
        i += 1
    return OK, x0, x1, p, i


class RansV1:
    """Today's ``rans`` code (``code``) reading the first release's stream layout.

    ``decode``/``decode_partial`` and ``excess_bounds`` are the old ones; everything else
    (the table, ``encode`` in today's layout, ``to_dict``) is the wrapped code's.
    """

    def __init__(self, code):
        self._code = code

    def __getattr__(self, name):
        return getattr(self._code, name)

    def excess_bounds(self, n: int) -> tuple[float, float]:
        n = check_count(n)
        e = 2.0 ** (self._code.precision - STATE_BITS)
        return 70.0 - n * -2.0 * math.log2(1.0 - e), 72.0 + n * math.log2(1.0 + e)

    def decode_partial(self, bits, n: int, *, dtype=np.int64) -> tuple[np.ndarray, int]:
        bits = as_bits(bits)
        n = check_count(n)
        symbol_buffer(0, dtype, self._code.alphabet_size)
        states, pos = [], 0
        for _ in range(LANES):
            if pos + HEADER_FIELD > len(bits):
                raise _truncated(n, pos + HEADER_FIELD, len(bits))
            width = STATE_BITS + ba2int(bits[pos : pos + HEADER_FIELD])
            pos += HEADER_FIELD
            if pos + width > len(bits):
                raise _truncated(n, pos + width, len(bits))
            states.append((1 << width) | ba2int(bits[pos : pos + width]))
            pos += width
        if any(x >= 1 << 63 for x in states):
            raise DecodeError(f"corrupted bitstream: a rANS lane state of more than 63 bits (bit {pos})", position=pos)
        nwords = (len(bits) - pos) // 32
        words = np.zeros(nwords + 2, dtype=np.uint32)
        if nwords:
            words[:nwords] = np.frombuffer(bits[pos : pos + 32 * nwords], dtype=">u4")
        coarse, shift = self._code._coarse
        out = symbol_buffer(n, dtype, self._code.alphabet_size)
        freqs = np.asarray(self._code.frequencies, dtype=np.int64)
        status, x0, x1, used_words, _ = _decode(words, nwords, states[0], states[1], n, freqs, self._code._start,
                                                coarse, shift, self._code.precision, out)
        used = pos + 32 * int(used_words)
        if status == TRUNCATED:
            raise _truncated(n, used, len(bits))
        if x0 != 1 << STATE_BITS or x1 != 1 << STATE_BITS:
            raise DecodeError(
                f"corrupted bitstream: after decoding {n} symbols (ending at bit position {used}) the rANS lane "
                f"states are {int(x0)} and {int(x1)}, not the initial state 2**{STATE_BITS}",
                position=used,
            )
        return out, used

    def decode(self, bits, n: int, *, dtype=np.int64) -> np.ndarray:
        bits = as_bits(bits)
        out, used = self.decode_partial(bits, n, dtype=dtype)
        if used != len(bits):
            raise DecodeError(f"{len(bits) - used} bits left over after decoding {n} symbols", position=used)
        return out


__all__ = ["RansV1"]
