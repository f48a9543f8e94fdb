"""numba loops of the rANS coder driven by a model (``rans.ModelRansCoder``): decoding only.

Encoding needs no loop of its own: the model computes every position's slice and the static
kernel ``_rans_kernels.encode`` codes them backwards, with "symbol" ``t`` standing for the
slice of position ``t``. Decoding runs forwards and re-runs the model: for each lane the slot
``x mod 2**b`` is looked up in the model's slices of that position (the model's own search,
from ``codebook.models._kernels``), the state steps back with
``x = f * (x >> b) + slot - c`` (Duda 2013, as in ``_rans_kernels``), and the lanes refill
in the encoder's reverse order with ``_rans_kernels._refill``. A slot past the last slice (a
model that gives some symbols probability 0 leaves such slots) means a corrupted stream.

Returns ``(status, x0, x1, words read, i)`` like ``_rans_kernels.decode``, with ``CORRUPT``
(2) for such a slot at symbol ``i``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..models._kernels import (
    AHEAD,
    FIXED_ONE,
    context_shift,
    context_slot,
    count_add,
    count_find,
    count_scale,
    markov_find,
    next_context,
    prefetch_row,
    row_find,
)
from ._rans_kernels import CORRUPT, OK, STATE_BITS, TRUNCATED, _refill


@njit(cache=True, inline="always")
def _step(x, b, mask, c, f):
    """The state before the slice ``[c, c + f)`` holding ``x mod 2**b`` was coded."""
    return f * (x >> b) + (x & mask) - c


@njit(cache=True, inline="always")
def _next(i, n, x, x0, x1, low, words, p):
    """Put position ``i``'s stepped state ``x`` back in its lane (``i % 2``); after a pair of
    positions (or the odd last one) refill lane 0 then lane 1, the reverse of the encoder's
    emits. Returns ``(x0, x1, p)``."""
    if i % 2 == 0:
        x0 = x
    else:
        x1 = x
    if i % 2 == 1 or i == n - 1:
        x0, p = _refill(x0, low, words, p)
        if i % 2 == 1:
            x1, p = _refill(x1, low, words, p)
    return x0, x1, p


@njit(cache=True)
def decode_predictions(words, nwords, x0, x1, n, precision, probs, block_u, block_m, out):
    """Decode with the per-position rows ``probs[t]`` (see ``_range_kernels.decode_predictions``)."""
    b = np.int64(precision)
    mask = (np.int64(1) << b) - np.int64(1)
    low = np.int64(1) << np.int64(STATE_BITS)
    scale = np.float64((np.int64(1) << b) - probs.shape[1]) / FIXED_ONE
    p = 0
    for i in range(n):
        if i + AHEAD < n:
            prefetch_row(probs, block_u, block_m, i + AHEAD)
        x = x0 if i % 2 == 0 else x1
        s, c, f = row_find(probs[i], x & mask, scale, block_u[i], block_m[i])
        if s < 0:
            return CORRUPT, x0, x1, p, i
        out[i] = s
        x0, x1, p = _next(i, n, _step(x, b, mask, c, f), x0, x1, low, words, p)
        if p > nwords:
            return TRUNCATED, x0, x1, p, i
    return OK, x0, x1, p, n


@njit(cache=True)
def decode_markov(words, nwords, x0, x1, n, precision, starts, k, order, offset, out):
    """Decode with a Markov chain's quantized rows (see ``_range_kernels.decode_markov``)."""
    b = np.int64(precision)
    mask = (np.int64(1) << b) - np.int64(1)
    low = np.int64(1) << np.int64(STATE_BITS)
    top, mul = context_shift(k, order)
    ctx = np.int64(0)
    p = 0
    for i in range(n):
        x = x0 if i % 2 == 0 else x1
        s, c, f = markov_find(starts, offset[min(i, order)] + ctx, x & mask, k)
        if s < 0:
            return CORRUPT, x0, x1, p, i
        out[i] = s
        x0, x1, p = _next(i, n, _step(x, b, mask, c, f), x0, x1, low, words, p)
        oldest = np.int64(out[i - order]) if i >= order else np.int64(0)
        ctx = next_context(ctx, s, oldest, top, mul)
        if p > nwords:
            return TRUNCATED, x0, x1, p, i
    return OK, x0, x1, p, n


@njit(cache=True)
def decode_context(words, nwords, x0, x1, n, precision, k, order, num, den, table, keys, vals, used, out):
    """Decode with an adaptive Context model, updating its counts as the encoder's forward pass
    did (see ``_range_kernels.decode_context``)."""
    b = np.int64(precision)
    mask = (np.int64(1) << b) - np.int64(1)
    low = np.int64(1) << np.int64(STATE_BITS)
    top, mul = context_shift(k, order)
    ctx = np.int64(0)
    p = 0
    for i in range(n):
        x = x0 if i % 2 == 0 else x1
        slot_ctx, used = context_slot(ctx, keys, vals, used)
        scale = count_scale(table, slot_ctx, k, num, den, precision)
        s, c, f = count_find(table, slot_ctx, x & mask, k, num, den, scale, precision)
        out[i] = s
        x0, x1, p = _next(i, n, _step(x, b, mask, c, f), x0, x1, low, words, p)
        count_add(table, slot_ctx, s, k)
        oldest = np.int64(out[i - order]) if i >= order else np.int64(0)
        ctx = next_context(ctx, s, oldest, top, mul)
        if p > nwords:
            return TRUNCATED, x0, x1, p, i
    return OK, x0, x1, p, n
