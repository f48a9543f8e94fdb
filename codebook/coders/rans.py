"""rANS (range asymmetric numeral systems) with a static quantized model: LIFO, two lanes.

Duda, "Asymmetric numeral systems" (arXiv:1311.2540, 2013); the implementation follows
F. Giesen's ryg_rans (64-bit state, 32-bit words, two interleaved lanes). The model is the
same quantized ``q_hat`` as the arithmetic coder's (:class:`StaticStreamCoder`).

Bit layout (big-endian, no padding anywhere)::

    for lane 0, then lane 1:   5 bits  m = bitlength(x) - 32   (0..31)
                               31 + m bits: the final state x without its leading 1
    then W words of 32 bits, in the order the decoder reads them

The encoder runs over the message backwards (symbol ``i`` on lane ``i % 2``), writing words
back to front, so the decoder reads the whole stream forwards. Each lane starts at
``L = 2**31`` and the decoder checks that both lanes end exactly there: a corrupted stream
is detected with probability about ``1 - 2**-62`` (a wrong final state raises).

Length bound, for every message ``x^n``, with ``I = -log2 q_hat(x^n)`` and ``b`` the
precision (each lane wastes the 31 bits of its initial state and up to 5 + 1 bits for its
length field and the fractional bit of its final state; per symbol the state tracks
``log2(M/f)`` within ``log2(1 +- 2**(b-31))``, and a renormalisation drops less than
``-log2(1 - 2**(b-31))``)::

    I + 70 - n * eps_dn  <  len(encode(x^n))  <=  I + 72 + n * eps_up,
    eps_up = log2(1 + 2**(b-31)),   eps_dn = -2 log2(1 - 2**(b-31)).

At the default b = 20 the eps are 7e-4 and 1.4e-3 bit/symbol in the worst case; on real data
the state sits far above its lower limit and the measured cost is a few 1e-6 bit/symbol.
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np
from bitarray import bitarray
from bitarray.util import ba2int

from ..errors import DecodeError
from . import _rans_kernels as kernels
from .arithmetic import StaticStreamCoder, _truncated
from .base import as_bits, check_count, symbol_buffer
from .registry import register

LANES = 2
HEADER_FIELD = 5
L_BITS = kernels.STATE_BITS


@register("rans", "stream", "rANS, LIFO, 2 interleaved lanes: length within 72 bits of -log2 q_hat(x^n)")
class RansCoder(StaticStreamCoder):
    """rANS coder over the quantized model ``q_hat = quantize(q, precision) / 2**precision``.

    >>> code = RansCoder([0.5, 0.25, 0.25], precision=8)
    >>> bits = code.encode([0, 1, 2, 0])
    >>> len(bits), code.decode(bits, 4).tolist()
    (78, [0, 1, 2, 0])
    """

    def excess_bounds(self, n: int) -> tuple[float, float]:
        n = check_count(n)
        e = 2.0 ** (self._precision - 31)
        eps_up = math.log2(1.0 + e)
        eps_dn = -2.0 * math.log2(1.0 - e)
        return 70.0 - n * eps_dn, 72.0 + n * eps_up

    @cached_property
    def _rcp(self) -> np.ndarray:
        """``1/f`` per symbol for the kernel's division-free ``x // f`` (inf where f = 0;
        such symbols are refused before they are coded)."""
        with np.errstate(divide="ignore"):
            return 1.0 / self._freqs.astype(np.float64)

    def encode(self, symbols) -> bitarray:
        arr = self._symbols(symbols)
        words = np.empty(self._max_bits(arr.size) // 32 + 4, dtype=np.uint32)
        status, x0, x1, pos = kernels.encode(arr, self._freqs, self._start, self._rcp, self._precision, words)
        if status < 0:
            raise self._encode_error(symbols)
        head = "".join(f"{int(x).bit_length() - 32:05b}" + f"{int(x):b}"[1:] for x in (x0, x1))
        out = bitarray(head, endian="big")
        out.frombytes(words[pos:])  # already big-endian in memory (see the kernel)
        return out

    def decode_partial(self, bits, n: int, *, dtype=np.int64) -> tuple[np.ndarray, int]:
        bits = as_bits(bits)
        n = check_count(n)
        symbol_buffer(0, dtype, self.alphabet_size)  # refuse a bad dtype before reading anything
        states = []
        pos = 0
        for lane in range(LANES):
            if pos + HEADER_FIELD > len(bits):
                raise _truncated(n, pos + HEADER_FIELD, len(bits))
            m = ba2int(bits[pos : pos + HEADER_FIELD])
            pos += HEADER_FIELD
            width = L_BITS + m
            if pos + width > len(bits):
                raise _truncated(n, pos + width, len(bits))
            states.append((1 << width) | ba2int(bits[pos : pos + width]))
            pos += width
        nwords = (len(bits) - pos) // 32
        words = np.zeros(nwords + 2, dtype=np.uint32)
        if nwords:
            words[:nwords] = np.frombuffer(bits[pos : pos + 32 * nwords], dtype=">u4")
        coarse, shift = self._coarse
        out = symbol_buffer(n, dtype, self.alphabet_size)
        status, x0, x1, used_words, done = kernels.decode(
            words, nwords, states[0], states[1], n, self._freqs, self._start, coarse, shift, self._precision, out
        )
        used = pos + 32 * int(used_words)
        if status == kernels.TRUNCATED:
            raise _truncated(n, used, len(bits))
        if x0 != 1 << L_BITS or x1 != 1 << L_BITS:
            raise DecodeError(
                f"corrupted bitstream: after decoding {n} symbols (ending at bit position {used}) the "
                f"rANS lane states are {int(x0)} and {int(x1)}, not the initial state 2**{L_BITS}",
                position=used,
            )
        return out, used


__all__ = ["RansCoder"]
