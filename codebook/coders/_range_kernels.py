"""numba kernels of the range (arithmetic) coders: static (``arithmetic.py``) and adaptive
(``adaptive.py``). The only per-symbol loops of those coders.

The coder (a range coder in the style of Subbotin / LZMA with carry propagation, after Witten,
Neal & Cleary 1987, CACM 30(6)). Invariants between symbols, in units of ``2**-56`` of the
current output byte position::

    0 <= low < 2**56,   2**48 <= range <= 2**56,
    the message's interval is [low, low + range) (+ the bytes already written)

* Coding a symbol with frequency ``f`` and cumulative ``c`` out of a total ``T`` (``2**b`` for
  the static coder, the running pseudo-count total for the adaptive one):
  ``r = range // T; low += r * c; range = r * f``. The slice lost at the top of each step,
  ``range - r * T < T``, is why a coded length exceeds ``-log2 q_hat`` by at most
  ``-log2(1 - T / 2**48)`` bits per symbol (``eps_up``); it is never shorter.
* ``low`` may overflow past ``2**56``: the carry is added straight into the bytes already
  written (walking back over ``0xFF`` bytes). It can never run past the first byte, because
  the interval always lies inside ``[0, 1)``.
* While ``range < 2**48`` the top byte of ``low`` is final (up to a carry): it is written
  and everything shifts left by 8 bits.
* Termination (``flush``): the fewest ``j`` bits such that the dyadic interval
  ``[v, v + 2**(56-j))`` lies inside ``[low, low + range)``. Because the whole dyadic
  interval is inside, *any* bits may follow the stream (junk, the next stream, zero padding)
  and the decoder still decodes correctly. ``j <= 58 - log2(range)``, hence at most 2 bits
  above the information content; an empty message (or a one-symbol alphabet) takes 0 bits.
* The decoder keeps ``d = value - low`` and ``range``; it recomputes ``low`` at the end from
  its window and ``d``, repeats the encoder's flush computation and so knows exactly how many
  bits the encoder wrote (``bits consumed``).
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
    top_power,
)

WINDOW = 56
TOP = np.int64(1) << np.int64(56)
BOTTOM = np.int64(1) << np.int64(48)
MASK = TOP - np.int64(1)
BYTES2 = np.int64(1) << np.int64(40)
BYTES3 = np.int64(1) << np.int64(32)
BYTES4 = np.int64(1) << np.int64(24)
BYTES5 = np.int64(1) << np.int64(16)

OK, CORRUPT = 0, 2


@njit(cache=True, inline="always")
def _carry(out, o):
    k = o - 1
    while out[k] == 255:
        out[k] = 0
        k -= 1
    out[k] += 1


@njit(cache=True, inline="always")
def _due_bytes(rng):
    """How many bytes renormalisation shifts out: the fewest that bring ``rng`` back to
    ``>= 2**48``. ``rng >= 2**8`` after any step (``range // T >= 2**8`` for ``T <= 2**40``),
    so at most 5. Counting instead of looping avoids a mispredicted branch per symbol."""
    return (
        np.int64(rng < BOTTOM)
        + np.int64(rng < BYTES2)
        + np.int64(rng < BYTES3)
        + np.int64(rng < BYTES4)
        + np.int64(rng < BYTES5)
    )


@njit(cache=True, inline="always")
def _store5(out, o, low):
    """Write the top 5 bytes of ``low`` at ``out[o:o+5]``; the ones not yet due are
    overwritten by later stores (``out`` has slack)."""
    out[o] = low >> np.int64(48)
    out[o + 1] = (low >> np.int64(40)) & np.int64(255)
    out[o + 2] = (low >> np.int64(32)) & np.int64(255)
    out[o + 3] = (low >> np.int64(24)) & np.int64(255)
    out[o + 4] = (low >> np.int64(16)) & np.int64(255)


@njit(cache=True, inline="always")
def _peek5(buf, ip, size):
    """The 5 bytes at ``buf[ip:]`` as one big-endian integer; bytes past the end read as 0."""
    if ip + 5 <= size:
        return (
            (np.int64(buf[ip]) << np.int64(32))
            | (np.int64(buf[ip + 1]) << np.int64(24))
            | (np.int64(buf[ip + 2]) << np.int64(16))
            | (np.int64(buf[ip + 3]) << np.int64(8))
            | np.int64(buf[ip + 4])
        )
    v = np.int64(0)
    for k in range(5):
        v = (v << np.int64(8)) | (np.int64(buf[ip + k]) if ip + k < size else np.int64(0))
    return v


@njit(cache=True, inline="always")
def _first_window(buf):
    """The decoder's first 7 bytes as an integer (zeros past the end of the stream)."""
    window = np.int64(0)
    for j in range(7):
        window = (window << np.int64(8)) | (np.int64(buf[j]) if j < buf.size else np.int64(0))
    return window


@njit(cache=True, inline="always")
def decode_start(buf):
    """The decoder's state ``(d, window, rng, ip)`` before the first symbol."""
    window = _first_window(buf)
    return window, window, TOP, 7


@njit(cache=True, inline="always")
def _refill(buf, ip, d, window, rng):
    """Shift in the bytes the encoder shifted out for this range: returns (d, window, rng, ip)."""
    nb = _due_bytes(rng)
    sh = np.int64(8) * nb
    v = _peek5(buf, ip, buf.size) >> (np.int64(40) - sh)
    return (d << sh) | v, ((window << sh) | v) & MASK, rng << sh, ip + nb


@njit(cache=True)
def flush_bits(low, rng):
    """``(j, v)``: the fewest bits ``j`` and the value ``v`` (a multiple of ``2**(56-j)``, maybe
    ``>= 2**56``, i.e. with a carry) with ``low <= v`` and ``v + 2**(56-j) <= low + rng``."""
    for j in range(WINDOW + 1):
        shift = np.int64(WINDOW - j)
        u = np.int64(1) << shift
        v = ((low + u - np.int64(1)) >> shift) << shift
        if v + u <= low + rng:
            return j, v
    return -1, np.int64(0)  # unreachable: rng >= 1 makes j = 56 always work


@njit(cache=True)
def _finish(out, o, low, rng):
    """Write the termination bits; return the total number of bits of the stream."""
    j, v = flush_bits(low, rng)
    if v >= TOP:
        v -= TOP
        _carry(out, o)
    for k in range((j + 7) // 8):
        out[o + k] = (v >> np.int64(48 - 8 * k)) & np.int64(255)
    return 8 * o + j


@njit(cache=True)
def _check_end(window, d, rng, n, ip):
    """Recompute the encoder's termination and check the stream really ends that way.

    The value read is ``V = low + d``. The encoder wrote the ``j`` bits of ``v``; the stream
    is that encoding (followed by anything) exactly when ``v <= V < v + 2**(56-j)``. Checking
    this makes truncation always detectable: a truncated stream that still "decoded" would be
    a valid encoding of some message that is a proper prefix of another valid encoding, and
    the encodings of n-symbol messages are prefix-free (their dyadic intervals are disjoint).
    """
    low = (window - d) & MASK
    j, v = flush_bits(low, rng)
    used = 8 * (ip - 7) + j
    diff = d - (v - low)
    if diff < 0 or diff >= (np.int64(1) << np.int64(WINDOW - j)):
        return CORRUPT, n, used
    return OK, n, used


@njit(cache=True, inline="always")
def encode_slice(out, o, low, rng, r, c, f, wide):
    """Code the slice ``[c, c + f)`` of a total ``T`` with ``r = range // T`` (the caller's
    shift or division), then renormalise: the one coding step of every range encoder here
    (static, per-position model, adaptive). Returns ``(o, low, rng)``.

    No data-dependent loop: the top bytes of ``low`` are stored every time (bytes beyond
    the ones due are overwritten later) and ``o`` advances by the count of bytes due. With
    ``T <= 2**24`` (``wide`` False: the quantized models) ``rng >= 2**24`` after the step,
    so at most 3 bytes are due; with ``T <= 2**40`` (``wide`` True: the adaptive coder's
    pseudo-counts) at most 5."""
    low += r * c
    rng = r * f
    if low >= TOP:
        low -= TOP
        _carry(out, o)
    if wide:
        _store5(out, o, low)
        nb = _due_bytes(rng)
    else:
        out[o] = low >> np.int64(48)
        out[o + 1] = (low >> np.int64(40)) & np.int64(255)
        out[o + 2] = (low >> np.int64(32)) & np.int64(255)
        nb = np.int64(rng < BOTTOM) + np.int64(rng < BYTES2) + np.int64(rng < BYTES3)
    return o + nb, (low << (np.int64(8) * nb)) & MASK, rng << (np.int64(8) * nb)


@njit(cache=True, inline="always")
def decode_step(buf, ip, d, window, r, c, f):
    """The decoder's half of ``encode_slice``: after the caller found the slice ``[c, c + f)``
    holding ``d // r``, consume it and refill; returns the new ``(d, window, rng, ip)``."""
    d -= r * c
    return _refill(buf, ip, d, window, r * f)


@njit(cache=True)
def encode_static(symbols, freq, start, precision, out):
    """Encode ``symbols`` with the frequencies ``freq`` (total ``2**precision``) into ``out``.

    ``out`` (uint8) must hold the whole stream plus 8 bytes; ``precision <= 24``. Returns the number of bits, or
    ``-1 - i`` if ``symbols[i]`` is outside ``0..K-1`` or has frequency 0 (the first such
    ``i``; the caller raises with the shared checks).
    """
    k = freq.size
    b = np.int64(precision)
    low = np.int64(0)
    rng = TOP
    o = 0
    for i in range(symbols.size):
        s = symbols[i]
        if s < 0 or s >= k:
            return -1 - i
        f = freq[s]
        if f == 0:
            return -1 - i
        o, low, rng = encode_slice(out, o, low, rng, rng >> b, start[s], f, False)
    return _finish(out, o, low, rng)


@njit(cache=True)
def encode_intervals(c, f, precision, out):
    """Encode a message given as its slices: symbol ``i`` is ``[c[i], c[i] + f[i])`` out of
    ``2**precision`` (``f[i] >= 1``). The encoder of every per-position model: the model
    computes the slices (``codebook.models``), this loop codes them; returns the bit count."""
    b = np.int64(precision)
    low = np.int64(0)
    rng = TOP
    o = 0
    for i in range(c.size):
        o, low, rng = encode_slice(out, o, low, rng, rng >> b, c[i], f[i], False)
    return _finish(out, o, low, rng)


@njit(cache=True)
def decode_static(buf, nbits, n, freq, start, coarse, shift, precision, out):
    """Decode ``n`` symbols from ``buf`` (the stream's bytes; reads past its end see zeros).

    The symbol of a slot ``t`` is found from ``coarse[t >> shift]`` (the symbol owning the
    start of that group of slots) and a short forward scan over ``start`` (which carries the
    sentinel ``start[K] = 2**precision``). Returns ``(status, i, bits)``: OK with ``bits`` the
    exact length the encoder wrote
    (the caller compares it with ``nbits``), or CORRUPT at symbol ``i`` when the value falls in
    the slice no symbol owns (possible only for a corrupted or truncated stream).
    """
    b = np.int64(precision)
    total = np.int64(1) << b
    d, window, rng, ip = decode_start(buf)
    for i in range(n):
        r = rng >> b
        t = d // r
        if t >= total:
            return CORRUPT, i, 8 * (ip - 7)
        s = np.int64(coarse[t >> shift])
        while start[s + 1] <= t:
            s += 1
        d, window, rng, ip = decode_step(buf, ip, d, window, r, start[s], freq[s])
        out[i] = s
    return _check_end(window, d, rng, n, ip)


# ---------------------------------------------------------------------- adaptive model
# Pseudo-counts: weight(s) = den * count(s) + num for a prior alpha = num / den, total
# T = den * t + K * num after t symbols; ``weight0`` holds the starting weights (num, or
# den * c(s) + num with starting counts c), so T starts at sum(weight0). Cumulative weights live in a Fenwick tree (1-based),
# so finding c(s) and updating cost O(log K) each; decoding descends the same tree.


@njit(cache=True)
def _fenwick_init(weight0):
    k = weight0.size
    tree = np.zeros(k + 1, dtype=np.int64)
    for i in range(1, k + 1):
        tree[i] += weight0[i - 1]
        parent = i + (i & -i)
        if parent <= k:
            tree[parent] += tree[i]
    return tree


@njit(cache=True, inline="always")
def _fenwick_prefix(tree, s):
    """Sum of the weights of symbols ``0..s-1``."""
    acc = np.int64(0)
    i = s
    while i > 0:
        acc += tree[i]
        i -= i & -i
    return acc


@njit(cache=True, inline="always")
def _fenwick_add(tree, s, delta):
    i = s + 1
    k = tree.size - 1
    while i <= k:
        tree[i] += delta
        i += i & -i


@njit(cache=True)
def encode_adaptive(symbols, weight0, den, out):
    """Adaptive range coding from the starting weights ``weight0`` (int64[k]), each symbol
    adding ``den`` to its weight; like ``encode_static`` (returns ``-1 - i`` if
    ``symbols[i]`` is outside ``0..k-1``)."""
    k = weight0.size
    tree = _fenwick_init(weight0)
    weight = weight0.copy()
    total = weight0.sum()
    low = np.int64(0)
    rng = TOP
    o = 0
    for i in range(symbols.size):
        s = symbols[i]
        if s < 0 or s >= k:
            return -1 - i
        o, low, rng = encode_slice(out, o, low, rng, rng // total, _fenwick_prefix(tree, s), weight[s], True)
        weight[s] += den
        total += den
        _fenwick_add(tree, s, den)
    return _finish(out, o, low, rng)


@njit(cache=True)
def decode_adaptive(buf, nbits, n, weight0, den, out):
    """Inverse of ``encode_adaptive``; returns ``(status, i, bits)`` like ``decode_static``."""
    k = weight0.size
    tree = _fenwick_init(weight0)
    weight = weight0.copy()
    total = weight0.sum()
    top_step = top_power(k)
    window = _first_window(buf)
    ip = 7
    d = window
    rng = TOP
    for i in range(n):
        r = rng // total
        t = d // r
        if t >= total:
            return CORRUPT, i, 8 * (ip - 7)
        # Fenwick descent: the largest pos with prefix(pos) <= t; then s = pos.
        pos = 0
        rem = t
        step = top_step
        while step > 0:
            nxt = pos + step
            if nxt <= k:
                v = tree[nxt]
                take = v <= rem
                pos = nxt if take else pos
                rem = rem - v if take else rem
            step >>= 1
        s = pos
        d, window, rng, ip = decode_step(buf, ip, d, window, r, t - rem, weight[s])
        out[i] = s
        weight[s] += den
        total += den
        _fenwick_add(tree, s, den)
    return _check_end(window, d, rng, n, ip)


SMALL_BLOCK = 16
SMALL_K = SMALL_BLOCK * SMALL_BLOCK


@njit(cache=True)
def decode_adaptive_small(buf, nbits, n, weight0, den, out):
    """``decode_adaptive`` for ``k <= 256``, same bits, faster search.

    The cumulative weights are kept as 16 blocks of 16 symbols: inclusive prefix sums of the
    block totals and, inside each block, of the symbols. Finding a symbol counts how many
    prefix sums are <= the target (16 + 16 independent compares that vectorize, instead of
    the Fenwick descent's chain of dependent loads) and an update adds to the tails of the
    two arrays with fixed-length masked loops. The decoded symbols are identical, since the
    search answers the same question: the ``s`` with ``c(s) <= t < c(s) + w(s)``.
    """
    blk = SMALL_BLOCK
    incl = np.zeros(SMALL_K, dtype=np.int64)
    block_incl = np.zeros(blk, dtype=np.int64)
    k = weight0.size
    weight = np.zeros(SMALL_K, dtype=np.int64)
    for s in range(k):
        weight[s] = weight0[s]
    acc = np.int64(0)
    for g in range(blk):
        inner = np.int64(0)
        for j in range(blk):
            inner += weight[g * blk + j]
            incl[g * blk + j] = inner
        acc += inner
        block_incl[g] = acc
    total = weight0.sum()
    window = _first_window(buf)
    ip = 7
    d = window
    rng = TOP
    for i in range(n):
        r = rng // total
        t = d // r
        if t >= total:
            return CORRUPT, i, 8 * (ip - 7)
        g = np.int64(0)
        for h in range(blk):
            g += np.int64(block_incl[h] <= t)
        base = block_incl[g - 1] if g > 0 else np.int64(0)
        rem = t - base
        off = g * blk
        j = np.int64(0)
        for h in range(blk):
            j += np.int64(incl[off + h] <= rem)
        s = off + j
        c = base + (incl[s - 1] if j > 0 else np.int64(0))
        d, window, rng, ip = decode_step(buf, ip, d, window, r, c, weight[s])
        out[i] = s
        weight[s] += den
        total += den
        for h in range(blk):
            incl[off + h] += den if h >= j else 0
        for h in range(blk):
            block_incl[h] += den if h >= g else 0
    return _check_end(window, d, rng, n, ip)


# ---------------------------------------------------------------------- models with memory
# Encoding: the model computes every symbol's slice (``Model.slices``) and ``encode_intervals``
# codes them. Decoding re-runs the model causally, one loop per model family: find the slice
# holding the target (the model's own search, from ``codebook.models._kernels``), then the
# shared ``decode_step``. The quantization rule (``models._kernels``) gives every slice of
# ``2**precision`` (``precision <= 24``) at least one unit.


@njit(cache=True)
def decode_predictions(buf, nbits, n, precision, probs, block_u, block_m, out):
    """Decode with the per-position rows ``probs[t]`` (and their prefix tables, see
    ``models._kernels.prepare_rows``); returns ``(status, i, bits)``."""
    b = np.int64(precision)
    scale = np.float64((np.int64(1) << b) - probs.shape[1]) / FIXED_ONE
    d, window, rng, ip = decode_start(buf)
    for i in range(n):
        if i + AHEAD < n:  # the row of a position a few steps ahead: memory latency off the chain
            prefetch_row(probs, block_u, block_m, i + AHEAD)
        r = rng >> b
        s, c, f = row_find(probs[i], d // r, scale, block_u[i], block_m[i])
        if s < 0:
            return CORRUPT, i, 8 * (ip - 7)
        d, window, rng, ip = decode_step(buf, ip, d, window, r, c, f)
        out[i] = s
    return _check_end(window, d, rng, n, ip)


@njit(cache=True)
def decode_markov(buf, nbits, n, precision, starts, k, order, offset, out):
    """Decode with a Markov chain's quantized rows ``starts`` (``C_0..C_K`` per row; position
    ``t`` uses row ``offset[min(t, order)] + context``); returns ``(status, i, bits)``."""
    b = np.int64(precision)
    top, mul = context_shift(k, order)
    ctx = np.int64(0)
    d, window, rng, ip = decode_start(buf)
    for i in range(n):
        r = rng >> b
        t = d // r
        s, c, f = markov_find(starts, offset[min(i, order)] + ctx, t, k)
        if s < 0:
            return CORRUPT, i, 8 * (ip - 7)
        d, window, rng, ip = decode_step(buf, ip, d, window, r, c, f)
        out[i] = s
        oldest = np.int64(out[i - order]) if i >= order else np.int64(0)
        ctx = next_context(ctx, s, oldest, top, mul)
    return _check_end(window, d, rng, n, ip)


@njit(cache=True)
def decode_context(buf, nbits, n, precision, k, order, num, den, table, keys, vals, used, out):
    """Decode with an adaptive Context model, updating its counts as the encoder did;
    returns ``(status, i, bits)``."""
    b = np.int64(precision)
    total = np.int64(1) << b
    top, mul = context_shift(k, order)
    top_step = top_power(k)
    ctx = np.int64(0)
    d, window, rng, ip = decode_start(buf)
    for i in range(n):
        slot, used = context_slot(ctx, keys, vals, used)
        r = rng >> b
        t = d // r
        if t >= total:
            return CORRUPT, i, 8 * (ip - 7)
        s, c, f = count_find(table, slot, t, k, num, den, count_scale(table, slot, k, num, den, precision), top_step)
        d, window, rng, ip = decode_step(buf, ip, d, window, r, c, f)
        out[i] = s
        count_add(table, slot, s, k)
        oldest = np.int64(out[i - order]) if i >= order else np.int64(0)
        ctx = next_context(ctx, s, oldest, top, mul)
    return _check_end(window, d, rng, n, ip)
