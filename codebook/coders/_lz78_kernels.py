"""numba kernels of LZ78: incremental parsing with a hash-table trie (encode), phrase copying (decode).

The trie maps (phrase index, next symbol) to the index of the longer phrase. The children of the
first phrases (the most visited) live in a dense table; the others in an open-addressing hash
table (linear probing, multiplicative hash, key and value side by side) keyed by
``index * K + symbol``, sized by the caller for the most phrases n symbols can make.
The decoder works in two passes: it reads every (prefix, symbol) pair and phrase length, then
writes each phrase as a copy of its prefix phrase (already in the output) plus one symbol;
in the second pass every address is known in advance, so the memory loads of successive
phrases overlap instead of waiting for each other.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._bitio import INVALID, OK, TRUNCATED, finish, peek, put

_MULT = np.uint64(0x9E3779B97F4A7C15)
EMPTY = np.int64(0)
"""An empty slot of the hash table: keys are stored plus one, so that a table from
``np.zeros`` (pages the kernel zeroes only when first touched) is an empty one."""


@njit(cache=True, inline="always")
def _slot(key, shift):
    return np.int64((np.uint64(key) * _MULT) >> np.uint64(shift))


@njit(cache=True, inline="always")
def _child(dense, dense_nodes, table, mask, shift, node, key, new_value):
    """The phrase stored under ``key`` = (``node``, symbol), or 0 after storing ``new_value`` there."""
    if node < dense_nodes:
        found = np.int64(dense[key])
        if found == 0:
            dense[key] = new_value
        return found
    stored = key + 1
    h = _slot(key, shift)
    while table[2 * h] != EMPTY and table[2 * h] != stored:
        h = (h + 1) & mask
    if table[2 * h] == stored:
        return table[2 * h + 1]
    table[2 * h] = stored
    table[2 * h + 1] = new_value
    return np.int64(0)


@njit(cache=True)
def _table_bits(table):
    bits = 0
    while (np.int64(2) << bits) <= table.size // 2:
        bits += 1
    return bits


@njit(cache=True)
def encode(symbols, k, w, dense, table, out):
    """LZ78-parse ``symbols`` and write each phrase as (prefix index in ceil(log2 i) bits,
    new symbol in ``w`` bits), i = 1, 2, ... the phrase number. A message ending inside a known
    phrase emits that phrase again (its prefix and last symbol). Returns the phrase count.

    The children of the first ``dense.size // k`` phrases (the shallow ones, visited most) are
    kept in ``dense`` (zeros: int32 indexed by ``index * K + symbol``); the others in ``table``
    (zeros: pairs key + 1, value), which must have room for every phrase (load below 3/4). Both are
    allocated by the caller, so NumPy can give them huge pages."""
    dense_nodes = dense.size // k
    bits = _table_bits(table)
    mask = (np.int64(1) << bits) - 1
    shift = 64 - bits
    o, acc, nacc = 0, np.uint64(0), 0
    count = 0  # phrases emitted; phrase numbers are 1..count
    ib = 0  # bit_length(count): width of the next phrase's prefix index
    node = 0  # index of the phrase matched so far (0 = empty)
    prev, last = 0, 0  # node = child of prev by symbol last
    for i in range(symbols.size):
        s = np.int64(symbols[i])
        key = node * k + s
        if node < dense_nodes:  # (the dense half of _child, written out: 2x faster in the parse loop)
            found = np.int64(dense[key])
            if found == 0:
                dense[key] = count + 1
        else:
            found = _child(dense, dense_nodes, table, mask, shift, node, key, count + 1)
        if found != 0:
            prev, last = node, s
            node = found
            continue
        o, acc, nacc = put(out, o, acc, nacc, (node << w) | s, ib + w)
        count += 1
        if count >> ib:
            ib += 1
        node = 0
    if node != 0:
        o, acc, nacc = put(out, o, acc, nacc, (prev << w) | last, ib + w)
        count += 1
    finish(out, o, acc, nacc)
    return count


@njit(cache=True)
def read_phrases(buf, nbits, n, k, w, prefix, symbol, length, dense, table):
    """First decoding pass: the (prefix, symbol) pairs and phrase lengths of the first phrases
    covering n symbols, into the caller's zeroed arrays (room for every phrase that fits in the
    stream, index 0 = the empty phrase). Returns (status, phrases read, bit position, symbols
    covered). Every phrase is checked: prefix index in range, symbol < K, not past n, and, but
    for the last one, new (the encoder only writes a phrase the dictionary does not hold), so
    the decoder accepts exactly the streams the encoder writes. ``dense`` and ``table`` are the
    encoder's dictionary structures, empty."""
    dense_nodes = dense.size // k
    bits = _table_bits(table)
    mask = (np.int64(1) << bits) - 1
    shift = 64 - bits
    pos = 0
    i = 0
    count = 0
    ib = 0  # bit_length(count)
    smask = (np.int64(1) << w) - 1
    while i < n:
        width = ib + w
        if pos + width > nbits:
            return TRUNCATED, count, pos, i
        field = peek(buf, pos, width)
        j = field >> w
        s = field & smask
        if j > count or s >= k or i + length[j] + 1 > n:
            return INVALID, count, pos, i
        key = j * k + s
        if j < dense_nodes:
            known = np.int64(dense[key])
            if known == 0:
                dense[key] = count + 1
        else:
            known = _child(dense, dense_nodes, table, mask, shift, j, key, count + 1)
        if known != 0 and i + length[j] + 1 != n:  # a repeated phrase is only ever the last one
            return INVALID, count, pos, i
        count += 1
        if count >> ib:
            ib += 1
        prefix[count] = j
        symbol[count] = s
        length[count] = length[j] + 1
        i += length[count]
        pos += width
    return OK, count, pos, i


@njit(cache=True)
def write_phrases(count, prefix, symbol, length, out):
    """Second pass: phrase i is phrase prefix[i] (already written, at its start) plus symbol[i]."""
    start = np.zeros(count + 1, dtype=np.int64)  # where phrase i begins in the output
    for i in range(1, count + 1):
        start[i] = start[i - 1] + length[i - 1]
    for i in range(1, count + 1):  # the loads of one phrase do not wait for the previous one
        j = prefix[i]
        dst = start[i]
        src = start[j]
        for t in range(length[j]):
            out[dst + t] = out[src + t]
        out[dst + length[i] - 1] = symbol[i]
