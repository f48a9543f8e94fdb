"""The fixed tables of the context-mixing model, against independent computations."""

from __future__ import annotations

from decimal import Decimal, getcontext

import numpy as np

from codebook.contextmix import _tables as T


def test_squash_knots_are_the_rounded_logistic_function():
    getcontext().prec = 50
    for j, value in enumerate(T._SQUASH_KNOTS):
        x = Decimal(-2048 + 128 * j) / 256
        assert value == int((Decimal(4096) / (1 + (-x).exp())).to_integral_value())


def test_squash_is_monotone_and_stretch_inverts_it():
    sq = T.squash_table()
    st = T.stretch_table(sq)
    assert sq.min() >= 1 and sq.max() <= 4095 and (np.diff(sq) >= 0).all()
    assert sq[2048] == 2048  # squash(0) = 1/2
    assert (np.diff(st) >= 0).all() and st.min() == -2047
    for p in range(1, 4096):
        assert abs(int(sq[st[p] + 2048]) - p) <= 3


def test_bit_history_states():
    nxt, counts, last = T.bit_history_states()
    used = {0} | {s for s in range(256) if counts[s].sum() > 0}
    assert len(used) <= 256 and all(int(nxt[s, b]) in used for s in used for b in (0, 1))
    # every used state is a representable pair
    for s in used:
        n0, n1 = counts[s]
        assert min(n0, n1) in T.COUNT_LIMITS and max(n0, n1) <= T.COUNT_LIMITS[min(n0, n1)]
    # a run of ones is counted exactly up to the cap, then stays there
    s = 0
    for k in range(1, 60):
        s = nxt[s, 1]
        assert tuple(counts[s]) == (0, min(k, 50))
    # a zero after three ones: n0 = 1, n1 discounted from 3 to 3 // 2 + 1 = 2, last bit 0
    s = nxt[nxt[nxt[nxt[0, 1], 1], 1], 0]
    assert tuple(counts[s]) == (1, 2) and last[s] == 0
