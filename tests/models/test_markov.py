"""Markov chains as sources (sampling, stationary law) and as models (log-loss, predictions)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from codebook import Distribution, models, sources
from codebook.errors import EncodeError, ModelError


def test_source_and_model_are_one_class():
    assert sources.Markov is models.Markov


def test_table_shapes_and_context_order():
    # P[x_{t-2}, x_{t-1}, x_t]: row = 2 x_{t-2} + x_{t-1} (most recent last)
    cube = np.zeros((2, 2, 2))
    cube[0, 1] = [0.25, 0.75]
    cube[1, 0] = [0.5, 0.5]
    cube[0, 0] = [1.0, 0.0]
    cube[1, 1] = [0.0, 1.0]
    chain = models.Markov(cube, order=2, initial="uniform")
    assert chain.transition.shape == (4, 2)
    np.testing.assert_array_equal(chain.transition[1], [0.25, 0.75])  # context (0, 1)
    np.testing.assert_array_equal(chain.transition[2], [0.5, 0.5])  # context (1, 0)
    # x = 0 1 | 1 0 1: the first two under the uniform initial, then contexts (0,1), (1,1), (1,0)
    rows = chain.predictions([0, 1, 1, 0, 1])
    np.testing.assert_array_equal(rows, [[0.5, 0.5], [0.5, 0.5], [0.25, 0.75], [0.0, 1.0], [0.5, 0.5]])
    assert chain.log_loss([0, 1, 1, 1, 1]) == pytest.approx(2 - math.log2(0.75), rel=1e-15)
    assert math.isinf(chain.log_loss([0, 1, 1, 0, 1]))


def test_initial_distribution_codes_the_first_symbols_by_its_conditionals():
    init = np.array([0.1, 0.2, 0.3, 0.4])  # blocks (0,0), (0,1), (1,0), (1,1)
    chain = models.Markov(np.full((4, 2), 0.5), order=2, initial=init)
    rows = chain.predictions([1, 0, 0])
    # x_0 = 1 has marginal 0.3 + 0.4; given x_0 = 1, x_1 is 0 w.p. 0.3 / 0.7
    np.testing.assert_allclose(rows[0], [0.3, 0.7], rtol=1e-15)
    np.testing.assert_allclose(rows[1], [3 / 7, 4 / 7], rtol=1e-15)
    assert chain.log_loss([1, 0]) == pytest.approx(-math.log2(0.3), rel=1e-14)
    # default: the stationary law of the contexts (here uniform rows: uniform)
    np.testing.assert_allclose(models.Markov(np.full((4, 2), 0.5), order=2).initial(), [0.25] * 4)


def test_order_zero_is_iid():
    chain = models.Markov([[0.2, 0.3, 0.5]], order=0)
    assert not chain.has_memory and chain.iid() == Distribution([0.2, 0.3, 0.5])
    x = [2, 2, 0, 1]
    assert chain.log_loss(x) == pytest.approx(-math.log2(0.5 * 0.5 * 0.2 * 0.3), rel=1e-15)
    assert chain.entropy_rate() == pytest.approx(Distribution([0.2, 0.3, 0.5]) and 1.4854752972273344, rel=1e-14)
    assert models.Markov([0.2, 0.3, 0.5], order=0).transition.shape == (1, 3)


@pytest.mark.parametrize(
    "table, order, message",
    [
        ([[0.5, 0.6], [0.5, 0.5]], 1, r"`transition` row 0 \(context \(0,\)\) must sum to 1 \(within 1e-09\); it sums to 1.1"),
        ([[0.5, 0.5], [1.2, -0.2]], 1, r"`transition` must be non-negative; transition\[1, 1\] = -0.2 \(context \(1,\), next symbol 1\)"),
        ([[0.5, 0.5], [np.nan, 0.5]], 1, r"must be finite; transition\[1, 0\] = nan"),
        ([[0.5, 0.5]], 1, r"must have shape \(K\*\*order, K\) = \(2, 2\) .* got shape \(1, 2\)"),
        (np.full((4, 2), 0.5), 1, r"got shape \(4, 2\)"),
        (np.full((2, 3, 2), 0.5), 2, r"every axis of length K = 2"),
        ([[0.5, 0.5], [0.5, 0.5]], -1, r"`order` must be a non-negative integer; got -1"),
        ([["a", "b"]], 0, r"must contain real numbers"),
        (np.zeros((3, 0)), 1, r"at least one column"),
    ],
)
def test_bad_tables_are_refused(table, order, message):
    with pytest.raises(ModelError, match=message):
        models.Markov(table, order)


def test_row_error_names_a_long_context():
    table = np.full((9, 3), 1 / 3)
    table[5] = [0.5, 0.5, 0.5]
    with pytest.raises(ModelError, match=r"row 5 \(context \(1, 2\)\)"):
        models.Markov(table, order=2)


def test_too_large_a_table_is_refused_before_allocating():
    with pytest.raises(ModelError, match=r"256 \*\* 4 = 4294967296 transition entries; at most 2\*\*25"):
        models.Markov.random(256, order=3, seed=1)


def test_initial_is_checked():
    with pytest.raises(ModelError, match=r"pmf over the K\*\*order = 4 blocks of the first 2 symbols; got 3 entries"):
        models.Markov(np.full((4, 2), 0.5), order=2, initial=[0.2, 0.3, 0.5])
    with pytest.raises(ModelError, match=r"`initial` must sum to 1"):
        models.Markov(np.full((4, 2), 0.5), order=2, initial=[0.2, 0.3, 0.5, 0.5])
    with pytest.raises(ModelError, match=r"'stationary', 'uniform'"):
        models.Markov(np.full((4, 2), 0.5), order=2, initial="flat")


# ---------------------------------------------------------------------- stationary law
def test_non_unique_stationary_says_what_is_and_is_not_defined():
    chain = sources.Markov([[0.5, 0.5, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.5, 0.5]])
    message = r"2 closed classes of contexts \(one contains context 0 = \(0,\); one contains context 2 = \(2,\)\).*not unique.*stationary\(\), entropy_rate\(\).*not defined.*sampling and coding still work when `initial` is given"
    for call in (chain.stationary, chain.entropy_rate, chain.marginal, lambda: chain.sample(5, seed=1)):
        with pytest.raises(ModelError, match=message):
            call()
    explicit = sources.Markov(chain.transition, initial=[0, 0, 0, 1.0])
    x = explicit.sample(1000, seed=1)
    assert x[0] == 3 and set(np.unique(x)) <= {2, 3}
    assert x[-1] == 2  # 3 leaves for 2 eventually and 2 is absorbing


def test_periodic_chain_has_a_unique_stationary_law():
    chain = sources.Markov([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    np.testing.assert_allclose(chain.stationary().probs, [1 / 3] * 3, rtol=1e-14)
    assert chain.entropy_rate() == 0.0
    assert chain.sample(7, seed=4).tolist() in ([0, 1, 2, 0, 1, 2, 0], [1, 2, 0, 1, 2, 0, 1], [2, 0, 1, 2, 0, 1, 2])


def test_large_chain_uses_power_iteration_and_agrees_with_the_empirical_law():
    chain = sources.Markov.random(8, order=4, alpha=0.5, seed=9)  # 4096 contexts: power iteration
    pi = chain.stationary().probs
    assert pi.size == 4096 and abs(pi.sum() - 1) < 1e-12
    # stationarity: pi P = pi
    np.testing.assert_allclose(chain._step(pi), pi, atol=1e-14)


def test_marginal_and_block_probs():
    chain = sources.Markov([[0.9, 0.1], [0.5, 0.5]])
    np.testing.assert_allclose(chain.marginal().probs, [5 / 6, 1 / 6], rtol=1e-14)
    blocks = chain.block_probs(3)
    assert blocks.size == 8 and blocks.sum() == pytest.approx(1.0, rel=1e-15)
    assert blocks[0b011] == pytest.approx(5 / 6 * 0.1 * 0.5, rel=1e-14)  # (0, 1, 1)
    with pytest.raises(ModelError, match=r"at least the order 1"):
        chain.block_probs(0)


# ---------------------------------------------------------------------- sampling
def test_sampling_is_seeded_and_typed():
    chain = sources.Markov.random(5, order=2, alpha=0.3, seed=2)
    a = chain.sample(10_000, seed=11)
    assert a.dtype == np.int64 and a.shape == (10_000,)
    assert np.array_equal(a, chain.sample(10_000, seed=11))
    assert not np.array_equal(a, chain.sample(10_000, seed=12))
    assert np.array_equal(chain.sample(10_000, rng=np.random.default_rng(11)), a)
    assert chain.sample(0, seed=1).size == 0 and chain.sample(1, seed=1).size == 1
    with pytest.raises(ValueError, match=r"`n` must be a non-negative integer; got -3"):
        chain.sample(-3)


def test_sampled_transitions_follow_the_table():
    # 2e5 transitions; every empirical conditional within 5 standard errors of P
    chain = sources.Markov.random(4, order=1, alpha=1.0, seed=5)
    x = chain.sample(200_000, seed=6)
    counts = np.zeros((4, 4))
    np.add.at(counts, (x[:-1], x[1:]), 1)
    n_ctx = counts.sum(axis=1, keepdims=True)
    p = chain.transition
    se = np.sqrt(p * (1 - p) / n_ctx)
    assert (np.abs(counts / n_ctx - p) <= 5 * se + 1e-12).all()
    # the first symbol comes from the stationary law: over many seeds its frequency matches
    firsts = np.array([chain.sample(1, seed=s)[0] for s in range(2000)])
    freq = np.bincount(firsts, minlength=4) / 2000
    assert (np.abs(freq - chain.stationary().probs) < 5 * np.sqrt(0.25 / 2000)).all()


def test_zero_probability_transitions_are_never_sampled():
    table = np.array([[0.0, 0.999999, 1e-6, 0.0], [0.25] * 4, [0.0, 0.0, 0.0, 1.0], [0.5, 0.0, 0.0, 0.5]])
    chain = sources.Markov(table)
    x = chain.sample(100_000, seed=3)
    pairs = table[x[:-1], x[1:]]
    assert (pairs > 0).all()


def test_iid_source_samples_exactly_like_the_distribution():
    p = Distribution.zipf(50, 1.1)
    assert np.array_equal(sources.as_source(p).sample(1000, seed=4), p.sample(1000, seed=4))
    assert sources.as_source(p).entropy_rate() == pytest.approx(1.0 * sources.IID(p).entropy_rate())


# ---------------------------------------------------------------------- model side
def test_estimated_chain_from_symbols():
    x = [0, 1, 0, 1, 1, 0]
    # transitions 0->1 x2, 1->0 x2, 1->1 x1
    chain = models.Markov.from_symbols(x, order=1, alphabet_size=2)
    np.testing.assert_allclose(chain.transition, [[0, 1], [2 / 3, 1 / 3]])
    smooth = models.Markov.from_symbols(x, order=1, alphabet_size=3, smoothing=0.5)
    np.testing.assert_allclose(smooth.transition[0], [0.5 / 3.5, 2.5 / 3.5, 0.5 / 3.5])
    np.testing.assert_allclose(smooth.transition[2], [1 / 3] * 3)  # never seen: the smoothing alone
    unseen = models.Markov.from_symbols(x, order=1, alphabet_size=3)
    np.testing.assert_allclose(unseen.transition[2], [1 / 3] * 3)  # never seen, A = 0: uniform
    text = models.Markov.from_bytes(b"abracadabra", order=1, smoothing=1)
    assert text.alphabet_size == 256 and text.transition.shape == (256, 256)
    assert text.transition[ord("a"), ord("b")] == pytest.approx(3 / (4 + 256))  # a->b twice, a->c, a->d


def test_log_loss_is_compensated_and_matches_the_predictions():
    chain = models.Markov.random(6, order=2, alpha=0.8, seed=8)
    x = chain.sample(5000, seed=1)
    rows = chain.predictions(x)
    from decimal import Decimal, getcontext

    getcontext().prec = 40
    exact = -sum(Decimal(float(v)).ln() for v in rows[np.arange(x.size), x]) / Decimal(2).ln()
    assert chain.log_loss(x) == pytest.approx(float(exact), rel=1e-14)
    with pytest.raises(EncodeError, match=r"symbol 6 at position 2 is outside the alphabet 0\.\.5"):
        chain.log_loss([0, 1, 6])
