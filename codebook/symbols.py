"""Messages: validated arrays of symbols ``0..K-1``, shared by the models and the coders."""

from __future__ import annotations

import numpy as np

from .errors import EncodeError


def as_symbols(symbols, alphabet_size: int) -> np.ndarray:
    """Validate a message and return it as a contiguous integer array for the kernels.

    Raises :class:`EncodeError` naming the first symbol outside ``0..alphabet_size-1`` and
    its position. The range is checked in the caller's dtype, so a large ``uint64`` is never
    wrapped to a negative or small value.
    """
    arr = np.asarray(symbols)
    if arr.ndim != 1:
        if arr.ndim == 0 or arr.size == 0:
            arr = arr.reshape(-1)
        else:
            raise EncodeError(f"`symbols` must be one-dimensional; got shape {arr.shape}")
    if arr.size == 0:
        return np.empty(0, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise EncodeError(f"`symbols` must be integers; got dtype {arr.dtype}")
    lo, hi = arr.min(), arr.max()
    if lo < 0 or hi >= alphabet_size:
        i = int(np.flatnonzero((arr < 0) | (arr >= alphabet_size))[0])
        raise EncodeError(
            f"symbol {arr[i]} at position {i} is outside the alphabet 0..{alphabet_size - 1}"
        )
    if arr.dtype in KERNEL_DTYPES:
        return np.ascontiguousarray(arr)
    return np.ascontiguousarray(arr, dtype=np.int64)


KERNEL_DTYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.int32), np.dtype(np.int64))
"""Symbol dtypes handed to the coding kernels as they are (no widening copy: a byte message
stays one byte per symbol); any other integer dtype is range-checked and widened to int64."""
