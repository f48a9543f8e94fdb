"""numba kernels of the file container (``codebook.container``): the byte histogram and the
first byte of a set. Kept apart from the container's Python code, like the coders' kernels,
so that pure-Python tools (coverage-guided fuzzing instruments bytecode) can leave them alone.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def count_bytes_into(arr, counts):
    """Add the byte histogram of ``arr`` (uint8) to ``counts`` (int64[256]).

    Four sub-histograms, so that a run of one byte value does not serialise every increment
    on the same memory cell.
    """
    sub = np.zeros((4, 256), dtype=np.int64)
    n = arr.size
    top = n - n % 4
    for i in range(0, top, 4):
        sub[0, arr[i]] += 1
        sub[1, arr[i + 1]] += 1
        sub[2, arr[i + 2]] += 1
        sub[3, arr[i + 3]] += 1
    for i in range(top, n):
        sub[0, arr[i]] += 1
    for k in range(4):
        for b in range(256):
            counts[b] += sub[k, b]


@njit(cache=True)
def first_in(arr, mask):
    """Index of the first ``arr[i]`` with ``mask[arr[i]]``, or -1 (early exit, no temporaries)."""
    for i in range(arr.size):
        if mask[arr[i]]:
            return i
    return -1
