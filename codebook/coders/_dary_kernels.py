"""numba kernels of D-ary prefix codes: digits out (encode), a D-ary trie walk (decode).

A codeword is a string of digits 0..D-1. The message's digit stream is cut into blocks of
``g`` digits; block j is the integer ``Σ d_i D^(g-1-i)`` written in ``b`` bits (big-endian),
``b`` the least with ``D^g <= 2^b``. The last block is completed with zero digits. The decoder
checks that every block value is below ``D^g`` and that the completion digits are zero.

Trie layout (``children[node, digit]``): ``>= 0`` an internal node, ``-1`` no codeword continues
this way (a dummy leaf of the construction, or an unused branch), ``<= -2`` the leaf of symbol
``-2 - value``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._bitio import INVALID, OK, TRUNCATED, finish, peek, put


@njit(cache=True)
def build_trie(lengths, flat_digits, offsets, arity):
    """The D-ary trie of a prefix-free code (every symbol with length > 0)."""
    children = np.full((int(lengths.sum()) + 1, arity), -1, dtype=np.int64)
    count = 1
    for s in range(lengths.size):
        length = lengths[s]
        if length == 0:
            continue
        node = 0
        start = offsets[s]
        for j in range(length - 1):
            d = flat_digits[start + j]
            if children[node, d] == -1:
                children[node, d] = count
                count += 1
            node = children[node, d]
        children[node, flat_digits[start + length - 1]] = -2 - s
    return children[:count]


@njit(cache=True)
def encode(symbols, lengths, flat_digits, offsets, arity, g, b, out):
    """Write the codewords' digits in blocks of g digits, b bits each; returns the block count."""
    o, acc, nacc = 0, np.uint64(0), 0
    value = np.uint64(0)
    filled = 0
    blocks = 0
    base = np.uint64(arity)
    for i in range(symbols.size):
        s = symbols[i]
        start = offsets[s]
        for j in range(lengths[s]):
            value = value * base + np.uint64(flat_digits[start + j])
            filled += 1
            if filled == g:
                o, acc, nacc = put(out, o, acc, nacc, value, b)
                blocks += 1
                value = np.uint64(0)
                filled = 0
    if filled > 0:
        while filled < g:  # complete the last block with zero digits
            value = value * base
            filled += 1
        o, acc, nacc = put(out, o, acc, nacc, value, b)
        blocks += 1
    finish(out, o, acc, nacc)
    return blocks


@njit(cache=True)
def decode(buf, nbits, n, children, arity, g, b, limit, out):
    """Decode n symbols; ``limit`` = D^g. Returns (status, symbols decoded, bit position)."""
    digits = np.zeros(g, dtype=np.int64)
    left = 0  # digits of the current block not yet used
    pos = 0
    for i in range(n):
        node = 0
        start = pos if left == 0 else pos - b  # the block where this codeword starts
        while True:
            if left == 0:
                if pos + b > nbits:
                    return TRUNCATED, i, start
                v = peek(buf, pos, b)
                if v >= limit:
                    return INVALID, i, pos
                for j in range(g - 1, -1, -1):
                    digits[j] = v % arity
                    v //= arity
                left = g
                pos += b
            c = children[node, digits[g - left]]
            left -= 1
            if c >= 0:
                node = c
            elif c == -1:
                return INVALID, i, pos - b
            else:
                out[i] = -2 - c
                break
    for j in range(g - left, g):
        if digits[j] != 0:  # the completion of the last block must be zero digits
            return INVALID, n, pos - b
    return OK, n, pos
