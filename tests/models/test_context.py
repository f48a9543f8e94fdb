"""Adaptive context models: the sequential KT / Laplace estimator in every context."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from codebook import models
from codebook.errors import ModelError


def reference_probs(x, order: int, k: int, alpha: Fraction, train=()):
    """q(x_t | x_<t) of the order-k KT/Laplace context model, in Fractions, by definition:
    counts per context in a dict, zero history before the training and the message."""
    counts: dict[tuple, list[int]] = {}

    def run(seq, record):
        hist = [0] * order
        out = []
        for s in seq:
            ctx = tuple(hist[len(hist) - order :]) if order else ()
            n = counts.setdefault(ctx, [0] * k)
            if record:
                out.append((n[s] + alpha) / (sum(n) + k * alpha))
            n[s] += 1
            hist.append(s)
        return out

    run(list(train), False)
    return run(list(x), True)


def _bits(probs) -> float:
    prod = Fraction(1)
    for p in probs:
        prod *= p
    return math.log2(prod.denominator) - math.log2(prod.numerator)


@pytest.mark.parametrize(
    "order, k, prior",
    [(0, 3, 0.5), (1, 2, 0.5), (2, 3, 1.0), (3, 4, 0.5), (2, 2, 2.5), (1, 17, 0.5), (1, 300, 0.5), (0, 1, 1),
     (2, 256, 1 / 32), (1, 5, 3 / 65536)],
)
def test_log_loss_is_the_exact_sequential_estimator(order, k, prior):
    rng = np.random.default_rng(order * 10 + k)
    x = rng.integers(0, k, 400)
    m = models.Context(order, k, prior=prior)
    want = reference_probs(x.tolist(), order, k, Fraction(prior))
    assert m.log_loss(x) == pytest.approx(_bits(want), rel=1e-13)
    rows = m.predictions(x[:50])
    np.testing.assert_allclose(rows[np.arange(50), x[:50]], [float(p) for p in want[:50]], rtol=1e-15)
    np.testing.assert_allclose(rows.sum(axis=1), 1.0, rtol=1e-14)


def test_hashed_contexts_agree_with_the_definition():
    # 256**3 contexts is above DIRECT_CONTEXTS: the hash index path
    text = b"the cat sat on the mat; the rat sat on the hat. " * 20
    x = np.frombuffer(text, dtype=np.uint8)
    m = models.Context(3, 256)
    assert not m._direct
    want = reference_probs(x.tolist(), 3, 256, Fraction(1, 2))
    assert m.log_loss(x) == pytest.approx(_bits(want), rel=1e-13)


def test_training_primes_the_counts():
    rng = np.random.default_rng(9)
    train = rng.integers(0, 3, 300)
    x = rng.integers(0, 3, 200)
    for order in (0, 1, 4):
        m = models.Context(order, 3, train=train)
        assert m.n_train == 300
        want = reference_probs(x.tolist(), order, 3, Fraction(1, 2), train=train.tolist())
        assert m.log_loss(x) == pytest.approx(_bits(want), rel=1e-13)
        # the model is not changed by coding: same answer twice
        assert m.log_loss(x) == pytest.approx(_bits(want), rel=1e-13)
    # bytes work as training data over K = 256, also on the hashed path
    hashed = models.Context(3, 256, train=b"abcabcabc")
    want = reference_probs(list(b"abcab"), 3, 256, Fraction(1, 2), train=list(b"abcabcabc"))
    assert hashed.log_loss(np.frombuffer(b"abcab", dtype=np.uint8)) == pytest.approx(_bits(want), rel=1e-13)


def test_order_zero_kt_matches_the_closed_form():
    # THEORY (h): P_KT = Γ(K/2) Π Γ(n_k + 1/2) / (Γ(1/2)^K Γ(n + K/2)); K = 2, counts (3, 1): 5/128
    assert models.Context(0, 2).log_loss([0, 0, 0, 1]) == pytest.approx(math.log2(128 / 5), rel=1e-15)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(order=-1, alphabet_size=2), r"`order` must be a non-negative integer; got -1"),
        (dict(order=1, alphabet_size=0), r"`alphabet_size` must be an integer in 1\.\.16777216; got 0"),
        (dict(order=1, alphabet_size=2, prior=0.3), r"`prior` must be a positive multiple of 2\*\*-16 .* got 0.3"),
        (dict(order=1, alphabet_size=2, prior=0), r"got 0"),
        (dict(order=8, alphabet_size=256), r"256\*\*8 contexts; at most 2\*\*62"),
    ],
)
def test_bad_parameters(kwargs, message):
    with pytest.raises(ModelError, match=message):
        models.Context(**kwargs)
