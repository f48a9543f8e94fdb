"""The per-position quantization rule, checked against exact rationals.

The rule (codebook/models/_kernels.py): with ``R = 2**b - K``, ``Q_s`` the exact sum of the
probabilities of the symbols before ``s`` and ``m_s`` the number of those with ``q > 0``,
``C_s = round(R Q_s) + m_s`` and ``f_s = C_{s+1} - C_s``. Here ``R Q_s`` is computed in
Fractions from the floats' exact values and the coder's ``C_s`` must be within 1/2 (+1e-6 for
the fixed-point and float steps) of ``R Q_s + m_s``: this pins the rule up to exact ties.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codebook import models
from codebook.errors import EncodeError


def _check_slices(rows, symbols, c, f, precision):
    k = rows.shape[1]
    r = (1 << precision) - k
    for t, s in enumerate(symbols):
        q = [Fraction(float(v)) for v in rows[t]]
        total = sum(q)
        q = [v / total for v in q]  # the row at its exact normalisation
        below = sum(q[:s], Fraction(0))
        m_s = sum(1 for v in q[:s] if v > 0)
        assert abs(c[t] - (r * below + m_s)) <= Fraction(1, 2) + Fraction(1, 10**6)
        assert abs(c[t] + f[t] - (r * (below + q[s]) + m_s + 1)) <= Fraction(1, 2) + Fraction(1, 10**6)
        assert f[t] >= 1
        # never below (1 - K/2**b) q, up to the documented relative 2**-27
        assert Fraction(int(f[t]), 1 << precision) >= q[s] * r / (1 << precision) * (1 - Fraction(1, 2**27))


@st.composite
def rows_and_symbols(draw):
    k = draw(st.integers(1, 40))
    n = draw(st.integers(1, 12))
    weights = draw(
        st.lists(
            st.lists(st.sampled_from([0.0, 1e-300, 1e-12, 1e-6, 0.01, 0.3, 1.0, 7.0]), min_size=k, max_size=k),
            min_size=n,
            max_size=n,
        )
    )
    w = np.array(weights)
    w[w.sum(axis=1) == 0, 0] = 1.0
    probs = w / w.sum(axis=1, keepdims=True)
    symbols = [draw(st.sampled_from(np.flatnonzero(row > 0).tolist())) for row in probs]
    precision = draw(st.integers(max(1, math.ceil(math.log2(2 * k))), 24))
    return probs, np.array(symbols, dtype=np.int64), precision


@settings(max_examples=80, deadline=None)
@given(rows_and_symbols())
def test_prediction_slices_follow_the_rule(case):
    probs, x, b = case
    c, f = models.Predictions(probs).slices(x, b)
    _check_slices(probs, x, c, f, b)


def test_zero_probability_symbols_get_no_slice_and_a_clear_error():
    probs = np.array([[0.5, 0.0, 0.5], [0.25, 0.5, 0.25]])
    m = models.Predictions(probs)
    c, f = m.slices([2, 1], 8)
    # by hand, R = 253: C = 0, round(126.5) + 1 = 128, 128 (symbol 1 has q = 0), 253 + 2 = 255
    assert (c[0], f[0]) == (128, 127)
    with pytest.raises(EncodeError, match=r"symbol 1 at position 0 has probability 0 under the predictions"):
        m.slices([1, 1], 8)
    # the slots above C_K belong to no symbol: a row with a zero leaves one unit unused
    starts = np.empty((1, 4), dtype=np.int64)
    from codebook.models import _kernels

    _kernels.row_starts(probs[:1], 8, starts)
    assert starts[0].tolist()[-1] == 256 - 1 and starts[0, 2] == starts[0, 1]


def test_markov_rows_follow_the_rule():
    chain = models.Markov.random(5, order=1, alpha=0.3, seed=3)
    x = chain.sample(200, seed=1)
    c, f = chain.slices(x, 12)
    _check_slices(chain.predictions(x), x, c, f, 12)


def test_context_slices_follow_the_rule_exactly_on_counts():
    # Context weights are exact integers: C_s = round(R W_s / W) + s with W_s, W integers.
    m = models.Context(order=1, alphabet_size=7, prior=0.5)
    x = np.random.default_rng(2).integers(0, 7, 300)
    b = 10
    c, f = m.slices(x, b)
    rows = m.predictions(x)  # floats of the exact ratios
    r = (1 << b) - 7
    counts = {}
    for t, s in enumerate(x.tolist()):
        ctx = x[t - 1] if t else 0
        n = counts.setdefault(int(ctx), [0] * 7)
        w = [Fraction(2 * v + 1, 2) for v in n]
        total = sum(w)
        below = sum(w[:s], Fraction(0)) / total
        assert abs(c[t] - (r * below + s)) <= Fraction(1, 2) + Fraction(1, 10**9)
        assert abs(c[t] + f[t] - (r * (below + w[s] / total) + s + 1)) <= Fraction(1, 2) + Fraction(1, 10**9)
        assert rows[t, s] == pytest.approx(float(w[s] / total), rel=1e-15)
        n[s] += 1


def test_quantization_bound_holds_on_every_message():
    rng = np.random.default_rng(5)
    for trial in range(30):
        k = int(rng.integers(2, 300))
        b = int(rng.integers(math.ceil(math.log2(2 * k)), 25))
        logits = rng.normal(size=(200, k)) * float(rng.choice([0.1, 3.0, 30.0]))
        m = models.Predictions.from_logits(logits)
        x = rng.integers(0, k, 200)
        _, f = m.slices(x, b)
        ideal = float(sum(b - math.log2(v) for v in f.tolist()))
        assert ideal - m.log_loss(x) <= models.quantization_bound(k, b, 200) + 1e-9


def test_precision_must_leave_room_for_every_symbol():
    m = models.Predictions(np.full((2, 300), 1 / 300))
    with pytest.raises(ValueError, match=r"`precision` = 9 is too small for 300 symbols: .* use precision >= 10"):
        m.slices([0, 1], 9)
    with pytest.raises(ValueError, match=r"`precision` must be an integer in 1\.\.24 \(bits\); got 25"):
        m.slices([0, 1], 25)
