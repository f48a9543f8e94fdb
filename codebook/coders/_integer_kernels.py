"""numba kernels of the integer codes: Golomb (and Rice) and Elias gamma, delta, omega.

Codewords are computed from the symbol by arithmetic (no table), MSB-first, through
``_bitio``. Elias codes code the positive integer ``v = x + 1`` for the symbol ``x``.

Decoders return ``(status, symbols decoded, bit position)`` with the statuses of ``_bitio``:
a codeword that runs past the end of the stream is TRUNCATED; one that decodes to a value
outside the alphabet (or to a longer length field than the alphabet allows) is INVALID, at the
position where the codeword starts.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._bitio import INVALID, OK, TRUNCATED, bit_length, finish, leading_ones, leading_zeros, peek, put, put_ones

GAMMA, DELTA, OMEGA = 0, 1, 2


# ---------------------------------------------------------------------------- Golomb


@njit(cache=True)
def golomb_encode(symbols, m, out):
    """Golomb code with parameter ``m``: ``x // m`` ones, a zero, then ``x % m`` in truncated binary."""
    b = bit_length(m - 1)  # ceil(log2 m); 0 for m = 1
    u = (1 << b) - m  # remainders below u take b - 1 bits, the others b bits
    o, acc, nacc = 0, np.uint64(0), 0
    for i in range(symbols.size):
        x = np.int64(symbols[i])
        q = x // m
        r = x - q * m
        o, acc, nacc = put_ones(out, o, acc, nacc, q)
        if r < u:
            o, acc, nacc = put(out, o, acc, nacc, r, b)  # the terminating 0, then b - 1 bits
        else:
            o, acc, nacc = put(out, o, acc, nacc, r + u, b + 1)
    finish(out, o, acc, nacc)


@njit(cache=True)
def golomb_decode(buf, nbits, n, m, k, out):
    b = bit_length(m - 1)
    u = (1 << b) - m
    pos = 0
    for i in range(n):
        start = pos
        q = leading_ones(buf, pos, nbits)
        if pos + q >= nbits:
            return TRUNCATED, i, start
        pos += q + 1
        r = 0
        if b > 0:
            if b > 1:
                if pos + b - 1 > nbits:
                    return TRUNCATED, i, start
                r = peek(buf, pos, b - 1)
            if r < u:
                pos += b - 1
            else:
                if pos + b > nbits:
                    return TRUNCATED, i, start
                r = peek(buf, pos, b) - u
                pos += b
        x = q * m + r
        if x >= k:
            return INVALID, i, start
        out[i] = x
    return OK, n, pos


# ---------------------------------------------------------------------------- Elias


@njit(cache=True, inline="always")
def _put_omega(out, o, acc, nacc, v, groups):
    depth = 0
    while v > 1:
        groups[depth] = v
        depth += 1
        v = bit_length(v) - 1
    for j in range(depth - 1, -1, -1):
        g = groups[j]
        o, acc, nacc = put(out, o, acc, nacc, g, bit_length(g))
    return put(out, o, acc, nacc, 0, 1)


@njit(cache=True)
def elias_encode(symbols, variant, out):
    """Elias gamma / delta / omega codewords of ``x + 1`` for every symbol ``x``."""
    o, acc, nacc = 0, np.uint64(0), 0
    groups = np.empty(8, dtype=np.int64)
    for i in range(symbols.size):
        v = np.int64(symbols[i]) + 1
        nb = bit_length(v)
        if variant == GAMMA:  # nb - 1 zeros, then v in nb bits: v itself in 2 nb - 1 bits
            o, acc, nacc = put(out, o, acc, nacc, v, 2 * nb - 1)
        elif variant == DELTA:  # gamma(nb), then v without its leading 1
            o, acc, nacc = put(out, o, acc, nacc, nb, 2 * bit_length(nb) - 1)
            o, acc, nacc = put(out, o, acc, nacc, v - (np.int64(1) << (nb - 1)), nb - 1)
        else:
            o, acc, nacc = _put_omega(out, o, acc, nacc, v, groups)
    finish(out, o, acc, nacc)


@njit(cache=True, inline="always")
def _get_gamma(buf, pos, nbits, max_bits):
    """Decode one gamma codeword whose value has at most ``max_bits`` bits: (status, value, new pos)."""
    z = leading_zeros(buf, pos, max_bits)
    if pos + z >= nbits:
        return TRUNCATED, 0, pos
    if z >= max_bits:
        return INVALID, 0, pos
    if pos + 2 * z + 1 > nbits:
        return TRUNCATED, 0, pos
    return OK, peek(buf, pos, 2 * z + 1), pos + 2 * z + 1


@njit(cache=True)
def elias_decode(buf, nbits, n, variant, k, out):
    kbits = bit_length(k)  # the largest value, k, has kbits bits
    pos = 0
    for i in range(n):
        start = pos
        if variant == GAMMA:
            status, v, pos = _get_gamma(buf, pos, nbits, kbits)
            if status != OK:
                return status, i, start
        elif variant == DELTA:
            status, nb, pos = _get_gamma(buf, pos, nbits, bit_length(kbits))
            if status != OK:
                return status, i, start
            if nb > kbits:
                return INVALID, i, start
            v = np.int64(1) << (nb - 1)
            if nb > 1:
                if pos + nb - 1 > nbits:
                    return TRUNCATED, i, start
                v |= peek(buf, pos, nb - 1)
                pos += nb - 1
        else:
            v = np.int64(1)
            while True:
                if pos >= nbits:
                    return TRUNCATED, i, start
                if peek(buf, pos, 1) == 0:
                    pos += 1
                    break
                width = v + 1
                if width > kbits:
                    return INVALID, i, start
                if pos + width > nbits:
                    return TRUNCATED, i, start
                v = peek(buf, pos, width)
                pos += width
        if v > k:
            return INVALID, i, start
        out[i] = v - 1
    return OK, n, pos
