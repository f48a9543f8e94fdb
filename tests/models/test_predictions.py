"""Per-position predictions: validation (errors name row and column), softmax, log-loss."""

from __future__ import annotations

import math
from decimal import Decimal, getcontext

import numpy as np
import pytest

from codebook import models
from codebook.errors import EncodeError, ModelError


@pytest.mark.parametrize(
    "probs, message",
    [
        ([[0.5, 0.5], [0.5, -0.5]], r"`probs` must be non-negative; probs\[1, 1\] = -0.5"),
        ([[0.5, 0.5], [np.nan, 0.5]], r"`probs` must be finite; probs\[1, 0\] = nan"),
        ([[0.5, 0.5], [np.inf, 0.5]], r"`probs` must be finite; probs\[1, 0\] = inf"),
        ([[0.5, 0.5], [0.6, 0.5]], r"`probs` row 1 must sum to 1 \(within 1e-09\); it sums to 1.1. Use Predictions.from_weights"),
        ([0.5, 0.5], r"two-dimensional \(n, K\) array; got shape \(2,\)"),
        (np.zeros((3, 0)), r"at least one column"),
        ([["a", "b"]], r"real numbers"),
    ],
)
def test_validation_names_row_and_column(probs, message):
    with pytest.raises(ModelError, match=message):
        models.Predictions(probs)


def test_float32_softmax_needs_explicit_normalisation():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(50, 1000)).astype(np.float32)
    p32 = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    with pytest.raises(ModelError, match=r"must sum to 1 \(within 1e-09\).*from_weights"):
        models.Predictions(p32)
    m = models.Predictions.from_weights(p32)
    assert m.probs.dtype == np.float64 and np.allclose(m.probs.sum(axis=1), 1.0, atol=1e-15)


def test_rows_within_the_tolerance_are_accepted_as_given():
    rows = np.array([[0.5, 0.5 + 9e-10], [0.25, 0.75]])
    m = models.Predictions(rows)
    assert np.shares_memory(m.probs, rows) and not m.probs.flags.writeable
    # the log-loss takes each row at its exact normalisation
    assert m.log_loss([1, 0]) == pytest.approx(-math.log2((0.5 + 9e-10) / (1 + 9e-10)) + 2, rel=1e-15)


def test_read_only_input_is_copied_not_refused():
    rows = np.full((4, 2), 0.5)
    rows.setflags(write=False)
    m = models.Predictions(rows)
    assert m.log_loss([0, 1, 0, 1]) == 4.0


def test_from_logits_is_a_stable_softmax():
    m = models.Predictions.from_logits([[1000.0, 1000.0, -np.inf], [-1e308, 0.0, -1e308], [3.0, 1.0, 0.0]])
    np.testing.assert_allclose(m.probs[0], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(m.probs[1], [0.0, 1.0, 0.0])
    e = np.exp([3.0, 1.0, 0.0])
    np.testing.assert_allclose(m.probs[2], e / e.sum(), rtol=1e-15)
    with pytest.raises(ModelError, match=r"`logits` must be finite or -inf \(probability 0\); logits\[0, 1\] = nan"):
        models.Predictions.from_logits([[0.0, np.nan]])
    with pytest.raises(ModelError, match=r"logits\[0, 0\] = inf"):
        models.Predictions.from_logits([[np.inf, 0.0]])
    with pytest.raises(ModelError, match=r"`logits` row 1 is -inf everywhere"):
        models.Predictions.from_logits([[0.0, 0.0], [-np.inf, -np.inf]])


def test_from_weights_errors():
    with pytest.raises(ModelError, match=r"`weights` row 1 must have a positive, finite sum; it sums to 0.0"):
        models.Predictions.from_weights([[1, 1], [0, 0]])
    with pytest.raises(ModelError, match=r"`weights` must be non-negative; weights\[0, 1\] = -1.0"):
        models.Predictions.from_weights([[1, -1]])


def test_log_loss_against_50_digit_logs():
    rng = np.random.default_rng(4)
    m = models.Predictions.from_logits(rng.normal(size=(3000, 20)) * 4)
    y = rng.integers(0, 20, 3000)
    getcontext().prec = 50
    exact = Decimal(0)
    for row, s in zip(m.probs, y):
        total = sum(Decimal(float(v)) for v in row)
        exact -= (Decimal(float(row[s])) / total).ln()
    assert m.log_loss(y) == pytest.approx(float(exact / Decimal(2).ln()), rel=1e-14)


def test_cross_entropy_loss_in_nats_is_the_log_loss_per_symbol_times_ln2():
    # What an ML library reports: mean over samples of -ln softmax(logits)[label].
    rng = np.random.default_rng(6)
    logits = rng.normal(size=(500, 10)) * 2
    y = rng.integers(0, 10, 500)
    shifted = logits - logits.max(axis=1, keepdims=True)
    nats = np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(500), y])
    m = models.Predictions.from_logits(logits)
    assert m.log_loss(y) / 500 * math.log(2) == pytest.approx(nats, rel=1e-13)


def test_message_length_must_match():
    m = models.Predictions(np.full((3, 2), 0.5))
    with pytest.raises(ModelError, match=r"the predictions cover 3 positions but the message has 2 symbols"):
        m.log_loss([0, 1])
    with pytest.raises(ModelError, match=r"cover 3 positions but the message has 4"):
        m.slices([0, 1, 1, 0])
    with pytest.raises(EncodeError, match=r"symbol 2 at position 1 is outside the alphabet 0\.\.1"):
        m.log_loss([0, 2, 1])
    assert m.predictions([0, 1, 1]).shape == (3, 2) and len(m) == 3 and m.alphabet_size == 2
