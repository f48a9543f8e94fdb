"""numba kernels of the models: the per-position quantization rule, context indices, adaptive
context counts and compensated sums. The coders' loops (``coders/_range_kernels.py``) call the
inline functions here to find a symbol's slice, so each rule exists once.

The quantization rule (every model with memory, both stream coders). A model's prediction
at one position, weights ``w_0..w_{K-1} >= 0`` with total ``W``, becomes integer slices of
``M = 2**b``: with ``R = M - K``, ``m_s`` the number of symbols ``j < s`` with ``w_j > 0``
and ``W_s = Σ_{j<s} w_j``,

    C_s = round(R * W_s / W) + m_s      (s = 0..K),    f_s = C_{s+1} - C_s,

``round(y) = floor(y + 1/2)``. So ``f_s = 0`` exactly where ``w_s = 0``, ``f_s >= 1``
elsewhere, and ``f_s >= R w_s / W - 2**-27``: the coder's ``q_hat = f / M`` is never below
``(1 - K/M) q`` (up to a relative ``2**-27``) for any symbol the model gives mass, which
bounds ``-log2 q_hat - (-log2 q)`` by ``-log2(1 - K/M)`` per symbol plus rounding
(:func:`codebook.models.quantization_bound`). ``C_K`` is the same formula at ``s = K``:
``M`` when every ``w_j > 0``, and ``M`` minus the number of zero weights otherwise; the
slots ``[C_K, M)`` then belong to no symbol (a decoder landing there has a corrupted stream).

How ``W_s / W`` is computed, so that the encoder and the decoder agree to the bit on any
machine (no step depends on summation order or on vectorisation):

* float probabilities (``Predictions``, ``Markov``): ``w_j`` is taken in fixed point,
  ``u_j = floor(w_j * 2**52)``, summed exactly in int64 (rows sum to 1 within 1e-9, so
  ``U < 2**53``), and ``W`` is taken as 1: ``C_s = floor(fl(U_s * (R / 2**52)) + 1/2) + m_s``.
* integer counts (``Context``): ``W_s`` and ``W`` are exact integers and
  ``C_s = floor(fl(W_s * fl(R / W)) + 1/2) + s`` (every weight is positive).

Both are one or two correctly rounded IEEE operations on exact integers, so the result is
the same everywhere.

Caching caveat: the coders' kernels inline functions of this module, and numba's on-disk cache
keys a kernel by its own source file only. After editing this file, delete the caches
(``find codebook -name '*.nb[ic]' -delete``) or a stale decoder may disagree with a fresh
encoder. A clean install is unaffected (every file gets a new time stamp).
"""

from __future__ import annotations

import llvmlite.binding as llvm
import llvmlite.ir as ir
import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

_PREFETCH = "llvm.prefetch.p0" if llvm.llvm_version_info[0] >= 15 else "llvm.prefetch.p0i8"  # opaque pointers


@intrinsic
def prefetch(typingctx, arr, i, j):
    """Hint the CPU to load ``arr[i, j]`` into cache (``llvm.prefetch``): no effect on any
    result, never faults. The decoders use it to fetch the prediction tables of positions a
    few steps ahead, which their dependency chain would otherwise wait for."""
    sig = types.void(arr, i, j)

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [args[1], args[2]], wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]),
                                            _PREFETCH)
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])  # read, keep in all caches, data
        return context.get_dummy_value()

    return sig, codegen


FIXED_ONE = 2.0**52
"""Fixed-point unit of a float probability in the quantization rule."""


@njit(cache=True, inline="always")
def _round_half(y):
    """``floor(y + 1/2)`` for ``y >= 0`` (every use here): truncation equals floor there."""
    return np.int64(y + 0.5)


BLOCK = 16
"""Symbols per block of a prediction row's prefix table (:func:`prepare_rows`)."""

AHEAD = 8
"""How many positions ahead the prediction kernels prefetch their rows (a row of 256 float64
is 32 cache lines; with the prefetch a decoder runs 3x faster on tables far larger than the
cache, measured at n = 50000, K = 256)."""

TWO = np.int64(1) << np.int64(53)  # 2.0 in fixed point


@njit(cache=True)
def prepare_rows(probs, block_u, block_m):
    """One pass over the prediction rows: check every entry and store, at the end of every
    block of ``BLOCK`` symbols, the running fixed-point sum ``U`` and support count ``m``
    (inclusive; ``block_u``, ``block_m`` have ``ceil(K / BLOCK)`` columns). Coding a symbol
    then reads one block of its row instead of the whole row.

    Returns ``(row, column, kind)`` of the first problem, else ``(-1, -1, 0)``: kind 1 is an
    entry that is NaN, negative or above 2 (not a probability), kind 2 a row whose running
    sum passed 2 at a block end."""
    n, k = probs.shape
    nb = block_u.shape[1]
    for r in range(n):
        u = np.int64(0)
        m = np.int64(0)
        ok = np.int64(0)  # entries in [0, 2] (NaN fails both compares)
        for j in range(k):
            v = probs[r, j]
            good = (v >= 0.0) & (v <= 2.0)
            ok += np.int64(good)
            u += np.int64((v if good else 0.0) * FIXED_ONE)  # never convert NaN or inf
            m += np.int64(v > 0.0)
            if (j % BLOCK) == BLOCK - 1:
                block_u[r, j // BLOCK] = u
                block_m[r, j // BLOCK] = m
        block_u[r, nb - 1] = u  # the last block may be short
        block_m[r, nb - 1] = m
        if ok != k:
            for j in range(k):
                if not (0.0 <= probs[r, j] <= 2.0):
                    return r, j, 1
        # A block adds at most BLOCK * 2**53, so the first block end past 2 is stored before
        # int64 could wrap around.
        for g in range(nb):
            if block_u[r, g] > TWO:
                return r, -1, 2
    return -1, -1, 0


@njit(cache=True, inline="always")
def row_slice(row, s, scale, block_u, block_m):
    """``(c, f)``: the slice of symbol ``s`` for the float prediction ``row`` (``scale =
    R / 2**52``; ``block_u``, ``block_m``: the row's prefix table). Reads one block."""
    g = s // BLOCK
    u = block_u[g - 1] if g > 0 else np.int64(0)
    m = np.int64(block_m[g - 1]) if g > 0 else np.int64(0)
    for j in range(g * BLOCK, s):
        v = row[j]
        u += np.int64(v * FIXED_ONE)
        m += np.int64(v > 0.0)
    c = _round_half(np.float64(u) * scale) + m
    v = row[s]
    u += np.int64(v * FIXED_ONE)
    m += np.int64(v > 0.0)
    return c, _round_half(np.float64(u) * scale) + m - c


@njit(cache=True, inline="always")
def row_find(row, t, scale, block_u, block_m):
    """``(s, c, f)``: the symbol whose slice ``[c, c + f)`` holds ``t`` for the float
    prediction ``row``; ``s = -1`` if ``t`` is in no slice (a corrupted stream).

    Counting the block ends whose ``C`` is ``<= t`` (branch-free, it vectorizes) gives the
    block that holds ``t``; that block alone is scanned."""
    k = row.size
    g = np.int64(0)
    for h in range(block_u.size):
        g += np.int64(_round_half(np.float64(block_u[h]) * scale) + block_m[h] <= t)
    u = block_u[g - 1] if g > 0 else np.int64(0)
    m = np.int64(block_m[g - 1]) if g > 0 else np.int64(0)
    c = _round_half(np.float64(u) * scale) + m
    for s in range(g * BLOCK, min(k, g * BLOCK + BLOCK)):
        v = row[s]
        u += np.int64(v * FIXED_ONE)
        m += np.int64(v > 0.0)
        nxt = _round_half(np.float64(u) * scale) + m
        if nxt > t:
            return s, c, nxt - c
        c = nxt
    return -1, c, np.int64(0)


@njit(cache=True, inline="always")
def prefetch_row(probs, block_u, block_m, i):
    """Prefetch everything a decoder may read of row ``i`` (it cannot know which block)."""
    prefetch(block_u, i, 0)
    prefetch(block_u, i, block_u.shape[1] - 1)
    prefetch(block_m, i, 0)
    for j in range(0, probs.shape[1], 8):  # 8 float64 per 64-byte line
        prefetch(probs, i, j)


@njit(cache=True)
def row_starts(rows, precision, out):
    """Fill ``out[r, s] = C_s`` for ``s = 0..K`` of every float row (``out`` has K + 1
    columns). ``C_K = 2**precision - (number of zeros in the row)``: the slots above it
    belong to no symbol."""
    k = rows.shape[1]
    scale = np.float64((np.int64(1) << np.int64(precision)) - k) / FIXED_ONE
    for r in range(rows.shape[0]):
        u = np.int64(0)
        m = np.int64(0)
        for s in range(k):
            out[r, s] = _round_half(np.float64(u) * scale) + m
            v = rows[r, s]
            u += np.int64(v * FIXED_ONE)
            m += np.int64(v > 0.0)
        out[r, k] = _round_half(np.float64(u) * scale) + m


@njit(cache=True)
def prediction_slices(probs, block_u, block_m, symbols, precision, c, f):
    """Slices of ``symbols[t]`` under the prediction rows ``probs[t]``; returns ``-1 - t`` for
    the first symbol outside ``0..K-1`` or with ``f = 0``, else 0."""
    k = probs.shape[1]
    n = symbols.size
    scale = np.float64((np.int64(1) << np.int64(precision)) - k) / FIXED_ONE
    for t in range(n):
        if t + AHEAD < n:  # the block this position will read, a few positions ahead
            ahead = symbols[t + AHEAD]
            if 0 <= ahead < k:
                prefetch(probs, t + AHEAD, ahead // BLOCK * BLOCK)
                prefetch(block_u, t + AHEAD, ahead // BLOCK)
        s = symbols[t]
        if s < 0 or s >= k:
            return -1 - t
        ct, ft = row_slice(probs[t], s, scale, block_u[t], block_m[t])
        if ft == 0:
            return -1 - t
        c[t] = ct
        f[t] = ft
    return 0


# ---------------------------------------------------------------------- contexts
@njit(cache=True, inline="always")
def context_shift(k, order):
    """``(top, mul)`` for :func:`next_context`: the weight ``K**(order-1)`` of the oldest symbol
    and the multiplier ``K`` (both 0 for order 0, whose context is always 0)."""
    if order > 0:
        return np.int64(k) ** np.int64(order - 1), np.int64(k)
    return np.int64(0), np.int64(0)


@njit(cache=True, inline="always")
def top_power(k):
    """The largest power of two ``<= k`` (the first step of a Fenwick descent)."""
    step = np.int64(1)
    while step * 2 <= k:
        step *= 2
    return step


@njit(cache=True, inline="always")
def next_context(ctx, s, oldest, top, mul):
    """The context after ``s``: drop the oldest symbol (worth ``top = K**(k-1)``), shift by
    ``mul = K`` and append ``s`` (``mul = 0`` for order 0: the context is always 0)."""
    return (ctx - oldest * top) * mul + s * np.int64(mul > 0)


@njit(cache=True, inline="always")
def markov_find(starts, row, t, k):
    """``(s, c, f)``: the symbol whose slice of the quantized row ``starts[row]`` (``C_0..C_K``)
    holds ``t``; ``s = -1`` if ``t >= C_K`` (a slot no symbol owns: a corrupted stream)."""
    if t >= starts[row, k]:
        return np.int64(-1), np.int64(0), np.int64(0)
    lo = np.int64(0)
    hi = np.int64(k)
    while hi - lo > 1:  # starts[row, lo] <= t < starts[row, hi]
        mid = (lo + hi) >> 1
        if starts[row, mid] <= t:
            lo = mid
        else:
            hi = mid
    c = np.int64(starts[row, lo])
    return lo, c, np.int64(starts[row, lo + 1]) - c


@njit(cache=True)
def markov_rows(symbols, k, order, offset, out):
    """Row of the Markov table used at each position: ``offset[min(t, order)] + context``,
    where the context of position ``t`` is the number written by the last ``min(t, order)``
    symbols in base ``k``, most recent last (least significant)."""
    top, mul = context_shift(k, order)
    ctx = np.int64(0)
    for t in range(symbols.size):
        out[t] = offset[min(t, order)] + ctx
        oldest = np.int64(symbols[t - order]) if t >= order else np.int64(0)
        ctx = next_context(ctx, np.int64(symbols[t]), oldest, top, mul)


# ---------------------------------------------------------------------- sampling
@njit(cache=True)
def alias_tables(rows, prob, alias):
    """Walker's alias tables of every row (Vose's construction): a uniform ``u`` picks column
    ``j = floor(u K)`` and keeps it if ``frac(u K) < prob[r, j]``, else takes ``alias[r, j]``.
    A symbol of probability 0 is never drawn (its ``prob`` is 0 and its alias has mass)."""
    n_rows, k = rows.shape
    small = np.empty(k, dtype=np.int64)
    large = np.empty(k, dtype=np.int64)
    scaled = np.empty(k)
    for r in range(n_rows):
        total = 0.0
        best = 0
        for j in range(k):
            total += rows[r, j]
            if rows[r, j] > rows[r, best]:
                best = j
        ns = 0
        nl = 0
        for j in range(k):
            scaled[j] = rows[r, j] * k / total
            alias[r, j] = j
            if scaled[j] < 1.0:
                small[ns] = j
                ns += 1
            else:
                large[nl] = j
                nl += 1
        while ns > 0 and nl > 0:
            ns -= 1
            j = small[ns]
            g = large[nl - 1]
            prob[r, j] = scaled[j]
            alias[r, j] = g
            scaled[g] = (scaled[g] + scaled[j]) - 1.0
            if scaled[g] < 1.0:
                nl -= 1
                small[ns] = g
                ns += 1
        for i in range(nl):
            prob[r, large[i]] = 1.0
        for i in range(ns):  # left over by rounding: keep it only if it has mass
            j = small[i]
            prob[r, j] = 1.0 if rows[r, j] > 0.0 else 0.0
            alias[r, j] = best


@njit(cache=True)
def markov_sample(u, first, k, order, prob, alias, out):
    """Fill ``out`` from position ``first`` on: ``out[t]`` drawn from the row of its context
    (``out[:first]`` is given), one uniform ``u[t - first]`` each (alias method)."""
    top, mul = context_shift(k, order)
    ctx = np.int64(0)
    for t in range(min(first, out.size)):
        oldest = out[t - order] if t >= order else np.int64(0)
        ctx = next_context(ctx, out[t], oldest, top, mul)
    for t in range(first, out.size):
        x = u[t - first] * k
        j = min(np.int64(x), np.int64(k - 1))
        s = j if x - j < prob[ctx, j] else np.int64(alias[ctx, j])
        out[t] = s
        oldest = out[t - order] if t >= order else np.int64(0)
        ctx = next_context(ctx, s, oldest, top, mul)


# ---------------------------------------------------------------------- adaptive context counts
# State of a Context model (see models/context.py): one row of int32 per context slot.
# ``table[slot, 0]`` is the number of symbols seen in that context; the rest holds the
# per-symbol counts in a layout that gives prefix sums fast:
#
# * K <= 256 ("small", bytes): blocks of 16 symbols; ``table[slot, 1 + g]`` is the count of
#   blocks 0..g (inclusive) and ``table[slot, I + s]`` the count of the symbols of s's block
#   up to s (inclusive; I = ``_incl(K)`` aligns the blocks to cache lines; the last block is
#   padded to 16 entries). A prefix is two loads; finding a symbol compares 16 block ends
#   and then 16 symbols (independent compares, no chain of dependent loads); an update adds 1
#   to at most 16 + 16 entries.
# * K > 256: ``table[slot, 1..K]`` a Fenwick tree (prefix sums in O(log K)) and
#   ``table[slot, K+1..2K]`` the counts themselves.
#
# A context is its own slot when every context fits (``keys.size == 0``); otherwise ``keys``
# is an open-addressing hash index (``keys[h] = context + 1``, 0 = empty) whose ``vals[h]``
# is the slot, slots handed out in order of first sight. The caller sizes both for every
# context the run can meet (at most one new one per position), so no kernel reallocates.

HASH_MULT = np.int64(-7046029254386353131)  # 0x9E3779B97F4A7C15 as int64 (Fibonacci hashing)
SMALL_K = 256
GROUP = 16


@njit(cache=True, inline="always")
def _incl(k):
    """Column of the first within-block count: after the total and the block counts, rounded
    up to a multiple of 16 entries, so that each block of 16 int32 is one 64-byte line."""
    nb = (k + GROUP - 1) // GROUP
    return (1 + nb + GROUP - 1) // GROUP * GROUP


@njit(cache=True)
def context_width(k):
    """Row width of a context's counts (see the layout above): a multiple of 16 entries."""
    if k <= SMALL_K:
        nb = (k + GROUP - 1) // GROUP
        return _incl(k) + nb * GROUP  # the last block padded to 16 symbols (never coded)
    return 2 * k + 1


@njit(cache=True, inline="always")
def context_slot(ctx, keys, vals, used):
    """``(slot, used)``: the slot of context ``ctx``, allocating the next one on first sight."""
    if keys.size == 0:
        return ctx, used
    mask = keys.size - 1
    h = ((ctx * HASH_MULT) >> np.int64(32)) & mask
    key = ctx + 1
    while True:
        cur = keys[h]
        if cur == key:
            return np.int64(vals[h]), used
        if cur == 0:
            keys[h] = key
            vals[h] = used
            return used, used + 1
        h = (h + 1) & mask


@njit(cache=True, inline="always")
def count_prefix(table, slot, s, k):
    """Number of symbols ``< s`` seen in the context of ``slot``."""
    if k <= SMALL_K:
        g = s // GROUP
        acc = np.int64(table[slot, g]) if g > 0 else np.int64(0)
        if s % GROUP:
            acc += table[slot, _incl(k) + s - 1]
        return acc
    acc = np.int64(0)
    i = s
    while i > 0:
        acc += table[slot, i]
        i -= i & -i
    return acc


@njit(cache=True, inline="always")
def count_of(table, slot, s, k):
    """Number of times ``s`` was seen in the context of ``slot``."""
    if k <= SMALL_K:
        i = _incl(k) + s
        own = np.int64(table[slot, i])
        return own - np.int64(table[slot, i - 1]) if s % GROUP else own
    return np.int64(table[slot, k + 1 + s])


@njit(cache=True, inline="always")
def count_add(table, slot, s, k):
    table[slot, 0] += 1
    if k <= SMALL_K:
        nb = (k + GROUP - 1) // GROUP
        g = s // GROUP
        first = _incl(k) + g * GROUP
        for h in range(GROUP):  # fixed trip counts, distinct entries: masked adds that vectorize
            table[slot, first + h] += np.int32(g * GROUP + h >= s)
        for h in range(nb):
            table[slot, 1 + h] += np.int32(h >= g)
        return
    table[slot, k + 1 + s] += 1
    i = s + 1
    while i <= k:
        table[slot, i] += 1
        i += i & -i


@njit(cache=True, inline="always")
def count_scale(table, slot, k, num, den, precision):
    """``fl(R / W)`` of the context's current weights (``W = den * seen + K * num``)."""
    total = np.int64(den) * np.int64(table[slot, 0]) + np.int64(k) * num
    return np.float64((np.int64(1) << np.int64(precision)) - k) / np.float64(total)


@njit(cache=True, inline="always")
def count_start(prefix, s, num, den, scale):
    """``C_s`` of the quantization rule from the count prefix ``Σ_{j<s} n_j``."""
    return _round_half(np.float64(np.int64(den) * prefix + np.int64(num) * s) * scale) + s


@njit(cache=True, inline="always")
def count_slice(table, slot, s, k, num, den, scale):
    """``(c, f)`` of symbol ``s`` in the context of ``slot``."""
    p0 = count_prefix(table, slot, s, k)
    c = count_start(p0, s, num, den, scale)
    return c, count_start(p0 + count_of(table, slot, s, k), s + 1, num, den, scale) - c


@njit(cache=True, inline="always")
def count_find(table, slot, t, k, num, den, scale, top_step):
    """``(s, c, f)``: the symbol whose slice holds ``t < 2**precision``, i.e. the largest
    ``s`` with ``C_s <= t`` (``C`` is monotone). Small alphabets count the block ends and then
    the symbols of one block with ``C <= t``; large ones descend the Fenwick tree
    (``top_step``: the largest power of two ``<= k``)."""
    if k <= SMALL_K:
        nb = (k + GROUP - 1) // GROUP
        g = np.int64(0)
        for h in range(nb - 1):  # block ends 16, 32, ...; the last end is K, where C = 2**b > t
            g += np.int64(count_start(np.int64(table[slot, 1 + h]), (h + 1) * GROUP, num, den, scale) <= t)
        base = np.int64(table[slot, g]) if g > 0 else np.int64(0)
        first = g * GROUP
        end = min(k, first + GROUP)
        col = _incl(k)
        j = np.int64(0)
        for i in range(GROUP - 1):  # symbols first..end-2: does their slice end at or below t?
            inside = np.int64(first + i < end - 1)
            j += inside * np.int64(count_start(base + table[slot, col + first + i], first + i + 1, num, den,
                                               scale) <= t)
        s = first + j
        p0 = base + (np.int64(table[slot, col + s - 1]) if j > 0 else np.int64(0))
        c = count_start(p0, s, num, den, scale)
        return s, c, count_start(base + table[slot, col + s], s + 1, num, den, scale) - c
    pos = np.int64(0)
    acc = np.int64(0)
    step = top_step
    while step > 0:
        nxt = pos + step
        if nxt < k:
            cand = acc + table[slot, nxt]
            if count_start(cand, nxt, num, den, scale) <= t:
                pos = nxt
                acc = cand
        step >>= 1
    c = count_start(acc, pos, num, den, scale)
    return pos, c, count_start(acc + table[slot, k + 1 + pos], pos + 1, num, den, scale) - c


@njit(cache=True)
def context_walk(symbols, k, order, num, den, precision, table, keys, vals, used, c, f, q):
    """Run a Context model over ``symbols`` (checked to lie in ``0..k-1``), learning as it goes.

    Fills, when they are non-empty, ``c[t], f[t]`` (the symbol's slice at ``precision``)
    and ``q[t]`` (its probability ``w_s / W`` before the update). Returns ``(status, used)``:
    ``status = -1 - t`` for the first symbol outside the alphabet, else 0."""
    top, mul = context_shift(k, order)
    slices = c.size > 0
    probs = q.size > 0
    ctx = np.int64(0)
    for t in range(symbols.size):
        s = np.int64(symbols[t])
        if s < 0 or s >= k:
            return -1 - t, used
        slot, used = context_slot(ctx, keys, vals, used)
        if slices:
            scale = count_scale(table, slot, k, num, den, precision)
            c[t], f[t] = count_slice(table, slot, s, k, num, den, scale)
        if probs:
            w = np.int64(den) * count_of(table, slot, s, k) + num
            q[t] = np.float64(w) / np.float64(np.int64(den) * np.int64(table[slot, 0]) + np.int64(k) * num)
        count_add(table, slot, s, k)
        oldest = np.int64(symbols[t - order]) if t >= order else np.int64(0)
        ctx = next_context(ctx, s, oldest, top, mul)
    return 0, used


@njit(cache=True)
def context_rows(symbols, k, order, num, den, table, keys, vals, used, rows):
    """``rows[t, s] = q(s | x_<t)`` of a Context model along ``symbols`` (in range), learning
    as it goes; returns ``used``."""
    top, mul = context_shift(k, order)
    ctx = np.int64(0)
    for t in range(symbols.size):
        slot, used = context_slot(ctx, keys, vals, used)
        total = np.float64(np.int64(den) * np.int64(table[slot, 0]) + np.int64(k) * num)
        for s in range(k):
            rows[t, s] = np.float64(np.int64(den) * count_of(table, slot, s, k) + num) / total
        s = np.int64(symbols[t])
        count_add(table, slot, s, k)
        oldest = np.int64(symbols[t - order]) if t >= order else np.int64(0)
        ctx = next_context(ctx, s, oldest, top, mul)
    return used


@njit(cache=True)
def context_rehash(old_keys, old_vals, keys, vals):
    """Insert every entry of one hash index into a larger, empty one."""
    mask = keys.size - 1
    for i in range(old_keys.size):
        key = old_keys[i]
        if key != 0:
            h = (((key - 1) * HASH_MULT) >> np.int64(32)) & mask
            while keys[h] != 0:
                h = (h + 1) & mask
            keys[h] = key
            vals[h] = old_vals[i]


# ---------------------------------------------------------------------- compensated sums
@njit(cache=True, inline="always")
def compensated_add(s, comp, v):
    """One step of Neumaier's compensated summation: returns the new ``(sum, compensation)``;
    the result is ``sum + compensation`` (error about 1 ulp of the result)."""
    t = s + v
    if abs(s) >= abs(v):
        comp += (s - t) + v
    else:
        comp += (v - t) + s
    return t, comp


@njit(cache=True)
def neumaier_sum(values):
    """``Σ values``, compensated."""
    s, comp = 0.0, 0.0
    for v in values:
        s, comp = compensated_add(s, comp, v)
    return s + comp


@njit(cache=True)
def neg_log2_sum(values):
    """``Σ -log2(values)``, compensated (``inf`` if a value is 0)."""
    s, comp = 0.0, 0.0
    for x in values:
        if x <= 0.0:
            return np.inf
        s, comp = compensated_add(s, comp, -np.log2(x))
    return s + comp


@njit(cache=True)
def slice_bits(f, precision):
    """``Σ (precision - log2 f_t)``: ``-log2 q_hat(x^n)`` of the coded slices, compensated."""
    s, comp = 0.0, 0.0
    b = np.float64(precision)
    for ft in f:
        s, comp = compensated_add(s, comp, b - np.log2(np.float64(ft)))
    return s + comp
