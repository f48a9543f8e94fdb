"""Fixed tables of the context-mixing model, all built with integer arithmetic only.

Every number here decides the bitstream: the encoder and the decoder must compute the same
tables bit for bit on every machine, so nothing is derived from a floating-point library
function (``exp``/``log`` may differ in the last place between platforms).

* ``squash(d)`` = 4096 / (1 + e^(-d/256)), the logistic function on the "stretch" domain
  (units of 1/256 nat), for d in -2047..2047, as a 12-bit probability: linear interpolation
  between the 33 exact values at multiples of 128 (``_SQUASH_KNOTS``, rounded from a 50-digit
  computation, reproduced in ``tests/contextmix/test_tables.py``).
* ``stretch(p)`` = ln(p / (1 - p)) * 256, its inverse on 12-bit probabilities, obtained by
  inverting the integer ``squash`` (so ``squash(stretch(p))`` is within one step of ``p``).
* The bit-history state machine: a state is a pair of counts ``(n0, n1)`` of the zeros and
  ones seen in a context (plus, while both counts are small, the last bit), packed into one
  byte so that a hash-table slot holds 15 of them. See :func:`bit_history_states`.
"""

from __future__ import annotations

import numpy as np

_SQUASH_KNOTS = (
    1, 2, 4, 6, 10, 17, 27, 45, 74, 120, 194, 311, 488, 747, 1102, 1546, 2048,
    2550, 2994, 3349, 3608, 3785, 3902, 3976, 4022, 4051, 4069, 4079, 4086, 4090, 4092, 4094, 4095,
)  # fmt: skip
"""round(4096 / (1 + exp(-x/256))) at x = -2048, -1920, ..., 2048."""

STRETCH_LIMIT = 2047
"""Stretch values (inputs of the mixer) lie in -2047..2047 (about -8..8 nats)."""


def squash_table() -> np.ndarray:
    """``squash(d)`` for d = -2048..2047 (index d + 2048), int32 values in 1..4095."""
    d = np.arange(-2048, 2048, dtype=np.int64)
    knots = np.array(_SQUASH_KNOTS, dtype=np.int64)
    j = (d + 2048) >> 7
    w = (d + 2048) & 127
    out = (knots[j] * (128 - w) + knots[np.minimum(j + 1, 32)] * w + 64) >> 7
    return np.clip(out, 1, 4095).astype(np.int32)


def stretch_table(squash: np.ndarray) -> np.ndarray:
    """``stretch(p)`` for p = 0..4095: the smallest d with squash(d) >= p (int32, -2047..2047)."""
    values = squash[1:].astype(np.int64)  # squash(d) for d = -2047..2047, non-decreasing
    d = np.searchsorted(values, np.arange(4096), side="left") - 2047
    return np.clip(d, -STRETCH_LIMIT, STRETCH_LIMIT).astype(np.int32)


# ------------------------------------------------------------------ bit histories
COUNT_LIMITS = {0: 50, 1: 30, 2: 20, 3: 12, 4: 8, 5: 7, 6: 6}
"""Largest count allowed next to a smaller count of ``m``: (0, 50), (1, 30), (2, 20), ...
Long deterministic runs are kept exactly (up to 50); when both bits occur, the history keeps
fewer counts, because old evidence matters less in a context that changes (the counts behave
like a forgetting estimator)."""

LAST_BIT_TOTAL = 6
"""States with both counts >= 1 and n0 + n1 <= 6 also remember which bit came last."""


def _allowed(n0: int, n1: int) -> bool:
    m, big = min(n0, n1), max(n0, n1)
    return m in COUNT_LIMITS and big <= COUNT_LIMITS[m]


def _next_counts(n0: int, n1: int, bit: int) -> tuple[int, int]:
    """Counts after seeing ``bit``: add one to its count, discount the other (if above 2) to
    half plus one, then make the pair representable by discounting the other count further
    (or, for a run longer than 50, by keeping the run count at its cap)."""
    same, other = (n1, n0) if bit else (n0, n1)
    same += 1
    if other > 2:
        other = other // 2 + 1
    while not _allowed(*((other, same) if bit else (same, other))):
        if other > 0:
            other -= 1
        else:
            same -= 1
    return (other, same) if bit else (same, other)


def bit_history_states() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The state machine: ``(next_state, counts, last_bit)``.

    ``next_state[s, bit]`` (uint8, shape (256, 2)) is the state after seeing ``bit`` in state
    ``s``; ``counts[s] = (n0, n1)`` (int32, shape (256, 2)); ``last_bit[s]`` is 0/1 for states
    that remember it, -1 otherwise. State 0 is the empty history (0, 0); unused codes map to
    themselves and never occur. States are numbered in a fixed order (by total count, then
    n1, then last bit), so the table is the same on every run.
    """
    keys = []
    for total in range(0, 2 * max(COUNT_LIMITS.values()) + 1):
        for n1 in range(total + 1):
            n0 = total - n1
            if not _allowed(n0, n1):
                continue
            if n0 >= 1 and n1 >= 1 and total <= LAST_BIT_TOTAL:
                keys += [(n0, n1, 0), (n0, n1, 1)]
            else:
                keys.append((n0, n1, -1))
    if len(keys) > 256:
        raise AssertionError(f"{len(keys)} bit-history states do not fit in a byte")
    index = {k: i for i, k in enumerate(keys)}
    nxt = np.zeros((256, 2), dtype=np.uint8)
    counts = np.zeros((256, 2), dtype=np.int32)
    last = np.full(256, -1, dtype=np.int32)
    for s in range(256):
        nxt[s] = s
    for s, (n0, n1, lb) in enumerate(keys):
        counts[s] = (n0, n1)
        last[s] = lb
        for bit in (0, 1):
            a, b = _next_counts(n0, n1, bit)
            key = (a, b, bit) if (a >= 1 and b >= 1 and a + b <= LAST_BIT_TOTAL) else (a, b, -1)
            nxt[s, bit] = index[key]
    return nxt, counts, last
