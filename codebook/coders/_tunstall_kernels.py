"""numba kernels of the Tunstall code: tree construction, parsing (encode), phrase output (decode).

Tree layout. Nodes are numbered in creation order (the root is 0; a node's children are created
together, in the order of the support symbols). ``parent``, ``rank`` (index of the node's last
symbol in the support) and ``depth`` describe every node. Internal nodes also get an internal
index; ``child[internal, rank]`` is the internal index of that child (>= 0) or ``-2 - code`` for
a leaf with codeword ``code``. Leaves are numbered 0..M-1 in lexicographic order of their
phrases (support order), and ``leaf_node[code]`` is the node of that leaf.
"""

from __future__ import annotations

import heapq

import numpy as np
from numba import njit

from ._bitio import INVALID, OK, TRUNCATED, finish, peek, put


@njit(cache=True)
def build_tree(costs, splits):
    """Split the most probable leaf ``splits`` times (ties: the older node, i.e. smaller id).

    ``costs[r]`` is ``-log2 q`` of the r-th support symbol as an integer number of 2**-40 (see
    ``tunstall.symbol_costs``); a node's cost is the exact integer sum along its path, so
    phrases that are permutations of each other tie exactly. Returns ``(parent, rank, depth,
    internal_of, child, leaf_node)``; ``internal_of[node]`` is -1 for a leaf.
    """
    ks = costs.size
    total = 1 + splits * ks
    parent = np.full(total, -1, dtype=np.int64)
    rank = np.zeros(total, dtype=np.int64)
    depth = np.zeros(total, dtype=np.int64)
    cost = np.zeros(total, dtype=np.int64)
    internal_of = np.full(total, -1, dtype=np.int64)
    heap = [(np.int64(0), np.int64(0))]
    count = 1
    for t in range(splits):
        _, node = heapq.heappop(heap)
        internal_of[node] = t
        for r in range(ks):
            c = count
            count += 1
            parent[c] = node
            rank[c] = r
            depth[c] = depth[node] + 1
            cost[c] = cost[node] + costs[r]
            heapq.heappush(heap, (cost[c], np.int64(c)))
    # Leaves in lexicographic order: depth-first, children in rank order.
    n_leaves = total - splits
    child = np.empty((splits, ks), dtype=np.int64)
    leaf_node = np.empty(n_leaves, dtype=np.int64)
    stack = np.empty(total, dtype=np.int64)
    top = 0
    stack[0] = 0
    code = 0
    while top >= 0:
        node = stack[top]
        top -= 1
        t = internal_of[node]
        if t < 0:
            leaf_node[code] = node
            code += 1
            continue
        for r in range(ks - 1, -1, -1):  # pushed in reverse so that rank 0 is visited first
            top += 1
            stack[top] = 1 + t * ks + r  # the children of split t are nodes 1 + t ks + r
    for code in range(n_leaves):
        node = leaf_node[code]
        child[internal_of[parent[node]], rank[node]] = -2 - code
    for c in range(1, total):
        if internal_of[c] >= 0:
            child[internal_of[parent[c]], rank[c]] = internal_of[c]
    return parent, rank, depth, internal_of, child, leaf_node


@njit(cache=True)
def encode(symbols, rank_of, child, m, out):
    """Parse ``symbols`` into phrases and write m bits per phrase; the last, incomplete phrase
    is completed with rank-0 symbols. Returns the number of phrases, or ``-1 - i`` if
    ``symbols[i]`` is not in the support."""
    o, acc, nacc = 0, np.uint64(0), 0
    node = 0
    words = 0
    for i in range(symbols.size):
        r = rank_of[symbols[i]]
        if r < 0:
            return -1 - i
        nxt = child[node, r]
        if nxt >= 0:
            node = nxt
        else:
            o, acc, nacc = put(out, o, acc, nacc, -2 - nxt, m)
            words += 1
            node = 0
    if node != 0:
        while True:
            nxt = child[node, 0]
            if nxt < 0:
                o, acc, nacc = put(out, o, acc, nacc, -2 - nxt, m)
                words += 1
                break
            node = nxt
    finish(out, o, acc, nacc)
    return words


@njit(cache=True)
def decode(buf, nbits, n, m, leaf_node, parent, rank, depth, support, out):
    """Decode ``n`` symbols: m bits per phrase. A phrase longer than what is left must be the
    completed last one: its extra symbols must be the rank-0 completion. Returns (status,
    symbols decoded, bit position)."""
    pos = 0
    i = 0
    n_leaves = leaf_node.size
    while i < n:
        if pos + m > nbits:
            return TRUNCATED, i, pos
        code = peek(buf, pos, m)
        if code >= n_leaves:
            return INVALID, i, pos
        node = leaf_node[code]
        d = depth[node]
        j = i + d - 1
        while node != 0:
            if j < n:
                out[j] = support[rank[node]]
            elif rank[node] != 0:  # past the end: only the documented completion is valid
                return INVALID, i, pos
            node = parent[node]
            j -= 1
        i += d
        pos += m
    return OK, n, pos


@njit(cache=True)
def node_probabilities(parent, rank, probs):
    """P(node) under the i.i.d. law ``probs`` (over the support ranks): the product along the path."""
    out = np.empty(parent.size, dtype=np.float64)
    out[0] = 1.0
    for c in range(1, parent.size):  # a parent is created before its children
        out[c] = out[parent[c]] * probs[rank[c]]
    return out
