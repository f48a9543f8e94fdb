"""numba kernels of the rANS coder (``rans.py``): the only per-symbol loops of that coder.

Surprises first (after ryg_rans' ``rans64.h`` and its interleaved example, F. Giesen 2014,
with smaller words):
* Encoding runs **backwards** over the message (ANS is a stack, LIFO) and writes its 16-bit
  words from the end of the buffer towards the front, so the decoder reads them forwards.
* Two **interleaved lanes**: symbol ``i`` is coded by lane ``i % 2``, each lane with its own
  state, both lanes sharing one word stream. The two dependency chains overlap in the CPU,
  which roughly doubles the speed of both directions. The decoder mirrors the encoder's
  operations in exact reverse order, so the shared stream needs no lane tags.
* A state ``x`` is an int64 in ``[L, 2**63)`` with ``L = 2**47`` and **16-bit words** (not
  ryg_rans' ``2**31`` and 32-bit words): the relative rounding of one coding step is below
  ``2**b / L = 2**(b - 47)``, so at precision ``b = 20`` a symbol costs ``log2(M/f)`` within
  1.1e-8 bit (``rans.py`` derives the length bound). Every quantity fits in a signed 64-bit
  integer, so numba never mixes int64 with uint64 (which would promote to float).
* The encoder renormalises *before* coding a symbol: it emits the low 16 bits of ``x`` while
  ``x >= x_max(s) = f(s) * 2**(63 - b)``, tested as ``(x >> (63 - b)) >= f(s)`` so that
  ``f(s) = 2**b`` (a one-symbol alphabet) cannot overflow. ``x < 2**63`` and
  ``x_max >= 2**(63 - b)`` with ``b <= 24``, so two words always suffice (one for b <= 16);
  the decoder likewise refills at most two words per symbol.
* ``x // f`` is computed without a 64-bit division: ``x / f < 2**(63 - b)`` after
  renormalisation, so ``floor(float(x) * (1/f))`` is off by at most ``3 * 2**(10 - b)``
  units (a few ulps of binary64) and compare-and-fix loops make it exact (one step at most
  for b >= 12). The bitstream is therefore exactly that of the integer formula.
* Decoding looks the symbol up in a table of at most ``2**16`` groups of slots (the symbol
  owning each group's first slot) and scans forward over the cumulative frequencies for the
  rare slot past a symbol boundary: no division, and the table stays in cache.

Coding step (Duda 2013; Giesen 2014): ``C(s, x) = (x // f) * M + (x mod f) + c(s)`` with
``M = 2**b``, ``c(s)`` the cumulative frequency; decoding inverts it exactly:
``s = table[x mod M]``, ``x = f(s) * (x >> b) + (x mod M) - c(s)``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

STATE_BITS = 47
"""``L = 2**47``: the lowest normalised state; each lane starts there and must end there."""

WORD_BITS = 16
"""Renormalisation words are 16 bits: states live in ``[L, L * 2**16) = [2**47, 2**63)``."""

OK, TRUNCATED, CORRUPT = 0, 1, 2
"""Decoder statuses; only the model decoders (``_model_kernels``) return ``CORRUPT``, for a
slot that belongs to no symbol."""


@njit(cache=True, inline="always")
def _swapped(x):
    """The low 16 bits of ``x`` byte-swapped, so the buffer's bytes are the big-endian stream."""
    v = x & np.int64(0xFFFF)
    return np.uint16(((v & np.int64(0xFF)) << np.int64(8)) | (v >> np.int64(8)))


@njit(cache=True, inline="always")
def _encode_step(x, s, freq, start, rcp, b, hi_shift, words, pos):
    f = freq[s]
    # The first word is written unconditionally (the slot is overwritten next time when not
    # kept): the data-dependent branch then only moves pos and x, which compiles to cheap
    # moves. A second word is needed only when b > 16 and f < 2**(b - 16), which is rare:
    # a loop (a nested `if` compiled to code several times slower here; measured).
    words[pos - 1] = _swapped(x)
    if (x >> hi_shift) >= f:
        pos -= 1
        x >>= np.int64(16)
    while (x >> hi_shift) >= f:
        words[pos - 1] = _swapped(x)
        pos -= 1
        x >>= np.int64(16)
    q = np.int64(np.float64(x) * rcp[s])
    r = x - q * f
    while r < 0:
        q -= 1
        r += f
    while r >= f:
        q += 1
        r -= f
    return (q << b) + r + start[s], pos


@njit(cache=True)
def encode(symbols, freq, start, rcp, precision, words):
    """Encode ``symbols`` (int64) backwards; the words end up in ``words[pos:]`` (uint16).

    The words are stored byte-swapped: ``words[pos:]``'s memory is the big-endian stream.
    ``words`` needs one spare slot in front of the words actually produced. Returns
    ``(status, x0, x1, pos)``: ``status = -1 - i`` if ``symbols[i]`` is outside
    ``0..K-1`` or has frequency 0 (found scanning backwards; the caller reports the first
    problem with the shared checks), else 0.
    """
    k = freq.size
    b = np.int64(precision)
    hi_shift = np.int64(63) - b
    x0 = np.int64(1) << np.int64(STATE_BITS)
    x1 = x0
    pos = words.size
    i = symbols.size - 1
    if symbols.size % 2 == 1:
        s = symbols[i]
        if s < 0 or s >= k or freq[s] == 0:
            return -1 - i, x0, x1, pos
        x0, pos = _encode_step(x0, s, freq, start, rcp, b, hi_shift, words, pos)
        i -= 1
    while i > 0:
        s1 = symbols[i]
        s0 = symbols[i - 1]
        if s1 < 0 or s1 >= k or freq[s1] == 0:
            return -1 - i, x0, x1, pos
        if s0 < 0 or s0 >= k or freq[s0] == 0:
            return -i, x0, x1, pos
        x1, pos = _encode_step(x1, s1, freq, start, rcp, b, hi_shift, words, pos)
        x0, pos = _encode_step(x0, s0, freq, start, rcp, b, hi_shift, words, pos)
        i -= 2
    return 0, x0, x1, pos


@njit(cache=True, inline="always")
def _decode_step(x, mask, shift, b, coarse, start, freq):
    """One rANS decode step of one lane: the symbol whose slot holds ``x mod 2**b`` (coarse
    table, then a short scan) and the state before it was encoded; returns ``(s, x)``."""
    slot = x & mask
    s = np.int64(coarse[slot >> shift])
    while start[s + 1] <= slot:
        s += 1
    return s, freq[s] * (x >> b) + slot - start[s]


@njit(cache=True, inline="always")
def _refill(x, low, words, p):
    """Read words into ``x`` while it is below ``L``: the inverse of the encoder's emits.

    A decoded state is at least ``2**(47 - b) >= 2**23`` (b <= 24), so two reads always
    bring it back to ``[L, 2**63)``, also on a corrupted stream."""
    # Branch-free: the refill is taken every few symbols at random, so a branch would be
    # mispredicted often; a shift by 0 and a word masked to 0 leave x as it is.
    need = np.int64(x < low)
    x = (x << (need << np.int64(4))) | (np.int64(words[p]) & -need)
    p += need
    while x < low:  # a second word: only after a rare symbol at b > 16 (a nested `if` is slower)
        x = (x << np.int64(16)) | np.int64(words[p])
        p += 1
    return x, p


@njit(cache=True)
def decode(words, nwords, x0, x1, n, freq, start, coarse, shift, precision, out):
    """Decode ``n`` symbols into ``out`` from the lane states ``x0, x1``, reading ``words``.

    The symbol of a slot is found as in ``_range_kernels.decode_static`` (``coarse`` table
    plus a forward scan over ``start``, which has the sentinel ``start[K] = 2**b``).
    ``words`` holds ``nwords`` valid words followed by at least 4 zero words of slack, so a
    pair of steps can read before the bounds check. Returns ``(status, x0, x1, p, i)``:
    TRUNCATED if more than ``nwords`` words were needed, the final states, the number of
    words read and the number of symbols decoded.
    """
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
        # Reverse of the encoder's order: it emitted lane 1's words, then lane 0's (backwards).
        x0, p = _refill(x0, low, words, p)
        x1, p = _refill(x1, low, words, p)
        if p > nwords:
            return TRUNCATED, x0, x1, p, i
        i += 2
    if i < n:
        s0, x0 = _decode_step(x0, mask, shift, b, coarse, start, freq)
        out[i] = s0
        x0, p = _refill(x0, low, words, p)
        if p > nwords:
            return TRUNCATED, x0, x1, p, i
        i += 1
    return OK, x0, x1, p, i
