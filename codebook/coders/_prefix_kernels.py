"""numba kernels for prefix codes: bit packing (encode) and table-driven trie walking (decode).

These are the only per-symbol loops of the prefix coders; everything around them is NumPy.

Surprises first:
* Codewords may be longer than 64 bits (a Huffman code for an extremely skewed q). Codewords
  of at most 32 bits are packed from a precomputed integer; longer ones are copied bit by bit
  from a flat table. Either way the accumulator holds fewer than 40 bits.
* Decoding peeks ``width`` bits (at most 16; ``prefix.MAX_TABLE_WIDTH`` is 11) from three consecutive bytes, so the input buffer
  carries zero bytes of slack after the stream (``base.bits_to_bytes``). A decoded codeword or
  an invalid prefix that reaches past ``nbits`` is reported as truncation, never as data.

Trie layout (``children[node, bit]``): ``>= 0`` is an internal node, ``-1`` means no codeword
continues this way (invalid stream), ``<= -2`` is the leaf of symbol ``-2 - value``. The decode
table maps each ``width``-bit window to ``(entry, depth)`` with the same convention, except
that a leaf is stored as its symbol (``>= 0``) and an entry ``<= -2`` (always with depth
``width``) is the internal node ``-2 - entry`` to continue from.
"""

from __future__ import annotations

import numpy as np
from numba import njit

OK, TRUNCATED, INVALID = 0, 1, 2
LONG = 32  # codewords longer than this are copied bit by bit


@njit(cache=True)
def canonical_bits(lengths, order, offsets, flat):
    """Write the canonical codewords' bits into ``flat`` (symbol ``x`` at ``offsets[x]``).

    ``order`` lists the symbols with a codeword by (length, symbol). Each codeword is the
    previous one plus one, then extended with zeros to its length (DEFLATE's rule), kept as
    a bit array so codewords of any length (up to 4096 bits) work; the caller has checked
    Kraft, so the increment never overflows."""
    current = np.zeros(lengths.max(), dtype=np.uint8)
    size = 0
    for j in range(order.size):
        x = order[j]
        if j > 0:
            i = size - 1
            while current[i] == 1:
                current[i] = 0
                i -= 1
            current[i] = 1
        for i in range(size, lengths[x]):
            current[i] = 0
        size = lengths[x]
        flat[offsets[x] : offsets[x] + size] = current[:size]


@njit(cache=True)
def value_bits(values, lengths, offsets, flat):
    """Write ``values[x]`` as ``lengths[x]`` bits (MSB first) at ``offsets[x]``, for every
    ``0 < lengths[x] <= 62`` (longer codewords are the caller's)."""
    for x in range(lengths.size):
        length = lengths[x]
        if 0 < length <= 62:
            v = values[x]
            for i in range(length):
                flat[offsets[x] + i] = (v >> (length - 1 - i)) & 1


@njit(cache=True)
def short_values(lengths, flat, offsets):
    """Each codeword of at most ``LONG`` bits as an integer (MSB first); 0 for the others."""
    values = np.zeros(lengths.size, dtype=np.uint64)
    for x in range(lengths.size):
        if 0 < lengths[x] <= LONG:
            v = np.uint64(0)
            for i in range(offsets[x], offsets[x + 1]):
                v = (v << np.uint64(1)) | np.uint64(flat[i])
            values[x] = v
    return values


@njit(cache=True)
def tree_depths(parent, k):
    """Depth of every node of a Huffman tree given by ``parent`` (leaves ``0..k-1``, merged
    node ``t`` at ``k + t``, the last one the root). A merged node's parent was created after
    it, so one pass over the merged ids downwards sees every parent's depth first."""
    depth = np.zeros(parent.size, dtype=np.int64)
    for node in range(parent.size - 2, k - 1, -1):
        depth[node] = depth[parent[node]] + 1
    for leaf in range(k):
        if parent[leaf] >= k:
            depth[leaf] = depth[parent[leaf]] + 1
    return depth


@njit(cache=True)
def message_bits(symbols, lengths):
    """Total length in bits of a message, or ``-1 - i`` if ``symbols[i]`` has no codeword."""
    total = 0
    for i in range(symbols.size):
        length = lengths[symbols[i]]
        if length == 0:
            return -1 - i
        total += length
    return total


@njit(cache=True)
def encode_into(symbols, lengths, values, flat_bits, offsets, out):
    """Pack the codewords of ``symbols`` MSB-first into the zeroed uint8 buffer ``out``."""
    acc = np.uint64(0)
    nacc = 0  # number of pending bits in the low end of acc (< 8 between symbols)
    o = 0
    for i in range(symbols.size):
        s = symbols[i]
        length = lengths[s]
        if length <= LONG:
            acc = (acc << np.uint64(length)) | values[s]
            nacc += length
        else:
            start = offsets[s]
            for j in range(length):
                acc = (acc << np.uint64(1)) | np.uint64(flat_bits[start + j])
                nacc += 1
                if nacc == 8:
                    out[o] = np.uint8(acc & np.uint64(0xFF))
                    o += 1
                    nacc = 0
        while nacc >= 8:
            nacc -= 8
            out[o] = np.uint8((acc >> np.uint64(nacc)) & np.uint64(0xFF))
            o += 1
    if nacc > 0:
        out[o] = np.uint8((acc << np.uint64(8 - nacc)) & np.uint64(0xFF))


@njit(cache=True)
def build_trie(lengths, flat_bits, offsets, max_nodes):
    """The binary trie of a code; returns (children, node_count, conflicting_symbol or -1)."""
    children = np.full((max_nodes, 2), -1, dtype=np.int32)
    count = 1
    for s in range(lengths.size):
        length = lengths[s]
        if length == 0:
            continue
        node = 0
        start = offsets[s]
        for j in range(length - 1):
            b = flat_bits[start + j]
            c = children[node, b]
            if c == -1:
                children[node, b] = count
                node = count
                count += 1
            elif c <= -2:  # a shorter codeword is a prefix of this one
                return children, count, s
            else:
                node = c
        b = flat_bits[start + length - 1]
        if children[node, b] != -1:  # this codeword is a prefix of another, or a duplicate
            return children, count, s
        children[node, b] = -2 - s
    return children, count, -1


@njit(cache=True)
def build_table(children, width):
    """The ``2**width``-entry lookup table over the trie (see the module docstring).

    Entry and depth are packed into one int64, ``entry << 8 | depth``, so a decode step is a
    single load.
    """
    size = 1 << width
    entry = np.empty(size, dtype=np.int64)
    depth = np.empty(size, dtype=np.int64)
    for v in range(size):
        node = 0
        depth[v] = width
        for d in range(width):
            b = (v >> (width - 1 - d)) & 1
            c = children[node, b]
            if c < 0:  # a leaf (<= -2) or a dead end (-1), reached after d + 1 bits
                entry[v] = -2 - c if c <= -2 else -1
                depth[v] = d + 1
                break
            node = c
            entry[v] = -2 - node
    return (entry << 8) | depth


@njit(cache=True)
def decode_into(buf, nbits, n, table, width, children, out):
    """Decode ``n`` symbols into ``out``; returns (status, symbols decoded, bit position)."""
    pos = 0
    mask = (1 << width) - 1
    for i in range(n):
        byte = pos >> 3
        window = (np.int64(buf[byte]) << 16) | (np.int64(buf[byte + 1]) << 8) | np.int64(buf[byte + 2])
        v = (window >> (24 - width - (pos & 7))) & mask
        packed = table[v]
        e = packed >> 8
        d = packed & 0xFF
        if e >= 0:
            if pos + d > nbits:
                return TRUNCATED, i, pos
            out[i] = e
            pos += d
            continue
        if e == -1:
            if pos + d > nbits:
                return TRUNCATED, i, pos
            return INVALID, i, pos + d - 1
        # internal node: continue bit by bit past the table's width
        node = -2 - e
        p = pos + width
        while True:
            if p >= nbits:
                return TRUNCATED, i, pos
            b = (buf[p >> 3] >> (7 - (p & 7))) & 1
            p += 1
            c = children[node, b]
            if c >= 0:
                node = c
            elif c == -1:
                return INVALID, i, p - 1
            else:
                out[i] = -2 - c
                pos = p
                break
    return OK, n, pos
