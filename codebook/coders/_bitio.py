"""Bit-level I/O for the numba kernels of the code families (Golomb, Elias, Tunstall, LZ78, D-ary).

Writing: a kernel keeps three locals, the output byte index ``o``, an accumulator ``acc``
(uint64) and the number ``nacc`` of pending bits in its low end (fewer than 8 between calls);
:func:`put` appends up to 56 bits MSB-first into a zeroed uint8 buffer and returns the new
triple; :func:`finish` writes the last partial byte. Reading: :func:`peek` returns up to 56
bits starting at any bit position of a buffer that carries at least 8 zero bytes of slack
after the stream (``base.bits_to_bytes`` provides 9), so it never bounds-checks; callers
compare positions with the stream length to tell truncation from data.
"""

from __future__ import annotations

import numpy as np
from numba import njit

OK, TRUNCATED, INVALID = 0, 1, 2
"""Kernel status codes (the same as the prefix kernels')."""

MAX_PUT = 56


@njit(cache=True, inline="always")
def put(out, o, acc, nacc, value, nbits):
    """Append the low ``nbits`` (0..56) bits of ``value`` (< 2**nbits) MSB-first."""
    acc = (acc << np.uint64(nbits)) | np.uint64(value)
    nacc += nbits
    while nacc >= 8:
        nacc -= 8
        out[o] = np.uint8((acc >> np.uint64(nacc)) & np.uint64(0xFF))
        o += 1
    return o, acc, nacc


@njit(cache=True, inline="always")
def put_ones(out, o, acc, nacc, count):
    """Append ``count`` one bits (any count: unary runs of a Golomb code can be long)."""
    while count > MAX_PUT:
        o, acc, nacc = put(out, o, acc, nacc, (np.uint64(1) << np.uint64(MAX_PUT)) - np.uint64(1), MAX_PUT)
        count -= MAX_PUT
    return put(out, o, acc, nacc, (np.uint64(1) << np.uint64(count)) - np.uint64(1), count)


@njit(cache=True, inline="always")
def finish(out, o, acc, nacc):
    """Flush the last partial byte (its low bits are zero)."""
    if nacc > 0:
        out[o] = np.uint8((acc << np.uint64(8 - nacc)) & np.uint64(0xFF))


@njit(cache=True, inline="always")
def peek(buf, pos, nbits):
    """The ``nbits`` (1..56) bits of ``buf`` starting at bit ``pos``, as an int64."""
    b = pos >> 3
    w = np.uint64(0)
    for j in range(8):
        w = (w << np.uint64(8)) | np.uint64(buf[b + j])
    w = w << np.uint64(pos & 7)
    return np.int64(w >> np.uint64(64 - nbits))


@njit(cache=True, inline="always")
def bit_length(v):
    """Number of bits of the non-negative integer ``v`` (0 for 0)."""
    n = 0
    while v > 0:
        v >>= 1
        n += 1
    return n


@njit(cache=True, inline="always")
def leading_zeros(buf, pos, limit):
    """How many zero bits follow position ``pos`` (at most ``limit``, which is at most 56)."""
    w = peek(buf, pos, limit)
    z = 0
    while z < limit and (w >> (limit - 1 - z)) & 1 == 0:
        z += 1
    return z


@njit(cache=True, inline="always")
def leading_ones(buf, pos, nbits):
    """How many one bits start at ``pos`` before the first zero or the stream end ``nbits``."""
    count = 0
    while True:
        avail = nbits - pos - count
        if avail <= 0:
            return count
        take = MAX_PUT if avail > MAX_PUT else avail
        w = peek(buf, pos + count, take)
        j = 0
        while j < take and (w >> (take - 1 - j)) & 1 == 1:
            j += 1
        count += j
        if j < take:
            return count


def raise_for_status(status: int, done: int, pos: int, n: int, nbits: int, unit: str = "codeword") -> None:
    """Turn a decoding kernel's status into a :class:`DecodeError` with the bit position."""
    from ..errors import DecodeError

    if status == TRUNCATED:
        raise DecodeError(
            f"truncated bitstream: symbol {done} of {n} starts at bit position {pos} but its {unit} "
            f"runs past the end of the stream ({nbits} bits)",
            position=pos,
        )
    if status == INVALID:
        raise DecodeError(
            f"invalid code sequence at bit position {pos}: the {unit} there is not one this code "
            f"writes (while decoding symbol {done} of {n})",
            position=pos,
        )


def raise_too_short(n: int, nbits: int, most: int) -> None:
    """:class:`DecodeError` for a stream that cannot hold ``n`` symbols (at most ``most`` fit)."""
    from ..errors import DecodeError

    if most == nbits:  # one bit or more per symbol: the prefix codes' wording
        raise DecodeError(f"truncated bitstream: {n} symbols need at least {n} bits but the stream has {nbits}",
                          position=nbits)
    raise DecodeError(f"truncated bitstream: {n} symbols do not fit in a stream of {nbits} bits "
                      f"(at most {most} symbols do)", position=nbits)
