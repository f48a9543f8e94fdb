"""Entropy and cross-entropy rates against exact rational computations (Fractions for the
stationary law, 60-digit logarithms), and conditional entropies against hand values."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import codebook
from codebook import Distribution, models, sources
from codebook.errors import AlphabetMismatchError, DistributionError, ModelError

try:
    from .models import _chain_reference as ref
except ImportError:  # rootdir-style imports
    from models import _chain_reference as ref

REL = 1e-12


def _chains():
    rng = np.random.default_rng(2024)
    yield "binary order 1", np.array([[0.9, 0.1], [0.5, 0.5]]), 1
    yield "with zeros", np.array([[0.5, 0.5, 0.0], [0.0, 0.25, 0.75], [1 / 3, 1 / 3, 1 / 3]]), 1
    yield "periodic", np.array([[0.0, 1.0], [1.0, 0.0]]), 1
    yield "order 2 over 3", rng.dirichlet(np.ones(3) * 0.7, size=9), 2
    yield "order 3 over 2", rng.dirichlet(np.ones(2), size=8), 3
    yield "order 0", np.array([[0.2, 0.3, 0.5]]), 0
    # transient contexts: (1,) can be left and never reached again
    yield "transient context", np.array([[1.0, 0.0], [0.5, 0.5]]), 1


@pytest.mark.parametrize("label, table, order", list(_chains()), ids=[c[0] for c in _chains()])
def test_entropy_rate_and_stationary_against_fractions(label, table, order):
    chain = sources.Markov(table, order)
    k = table.shape[1]
    exact_pi = ref.stationary(ref.exact_rows(table), k, order)
    pi = chain.stationary().probs if order else np.ones(1)
    np.testing.assert_allclose(pi, [float(v) for v in exact_pi], rtol=REL, atol=1e-15)
    want = ref.entropy_rate(table, k, order)
    got = codebook.entropy_rate(chain)
    assert got == pytest.approx(want, rel=REL, abs=1e-15)


@pytest.mark.parametrize("label, table, order", list(_chains()), ids=[c[0] for c in _chains()])
def test_cross_entropy_rate_against_fractions(label, table, order):
    chain = sources.Markov(table, order)
    k = table.shape[1]
    rng = np.random.default_rng(7)
    for mod_order in (0, 1, 2):
        qtable = rng.dirichlet(np.ones(k), size=k**mod_order)
        model = models.Markov(qtable, mod_order)
        want = ref.cross_entropy_rate(table, order, qtable, mod_order, k)
        assert codebook.cross_entropy_rate(chain, model) == pytest.approx(want, rel=REL)
    # the chain against itself is its entropy rate (the rate of D is 0)
    assert codebook.cross_entropy_rate(chain, chain) == pytest.approx(ref.entropy_rate(table, k, order), rel=REL, abs=1e-15)


def test_cross_entropy_rate_is_infinite_where_the_model_misses_a_transition():
    chain = sources.Markov([[0.5, 0.5], [0.5, 0.5]])
    model = models.Markov([[1.0, 0.0], [0.5, 0.5]])
    assert codebook.cross_entropy_rate(chain, model) == math.inf
    # ... but not where the source never goes: context (1,) is transient here
    src = sources.Markov([[1.0, 0.0], [0.5, 0.5]])
    assert codebook.cross_entropy_rate(src, models.Markov([[1.0, 0.0], [0.0, 1.0]])) == 0.0


def test_iid_reduces_to_the_one_symbol_measures():
    p = Distribution([0.5, 0.25, 0.25])
    q = Distribution([0.25, 0.25, 0.5])
    assert codebook.entropy_rate(p) == codebook.entropy(p) == 1.5
    assert codebook.cross_entropy_rate(p, q) == codebook.cross_entropy(p, q)
    assert codebook.cross_entropy_rate(sources.IID(p), models.IID(q)) == codebook.cross_entropy(p, q)
    # an i.i.d. source against a chain, and a chain against a static q
    chain = models.Markov([[0.5, 0.25, 0.25], [0.25, 0.25, 0.5], [0.5, 0.25, 0.25]])
    want = ref.cross_entropy_rate(np.array([p.probs]), 0, chain.transition, 1, 3)
    assert codebook.cross_entropy_rate(p, chain) == pytest.approx(want, rel=REL)
    src = sources.Markov([[0.9, 0.1], [0.5, 0.5]])
    marginal = src.marginal()
    # coding the chain with its own marginal costs H(X) = H(marginal) > H rate
    assert codebook.cross_entropy_rate(src, marginal) == pytest.approx(codebook.entropy(marginal), rel=REL)
    assert codebook.entropy(marginal) > codebook.entropy_rate(src)


def test_units():
    chain = sources.Markov([[0.9, 0.1], [0.5, 0.5]])
    assert codebook.entropy_rate(chain, base=math.e) == pytest.approx(codebook.entropy_rate(chain) * math.log(2), rel=1e-15)
    assert codebook.cross_entropy_rate(chain, [0.5, 0.5], base=math.e) == pytest.approx(math.log(2), rel=1e-15)


def test_rates_refuse_what_they_cannot_compute():
    chain = sources.Markov([[0.9, 0.1], [0.5, 0.5]])
    with pytest.raises(ModelError, match=r"cross_entropy_rate needs a Markov chain or a static distribution as the model; Context"):
        codebook.cross_entropy_rate(chain, models.Context(1, 2))
    with pytest.raises(AlphabetMismatchError, match=r"same alphabet size; got 2 and 3"):
        codebook.cross_entropy_rate(chain, [0.2, 0.3, 0.5])
    split = sources.Markov([[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ModelError, match=r"2 closed classes .* not unique"):
        codebook.entropy_rate(split)


# ---------------------------------------------------------------------- conditional entropy
def test_conditional_entropy_by_hand():
    # Cover & Thomas Example 2.2.1: H(X|Y) = 11/8 bits for this joint (rows Y, columns X)
    joint = np.array(
        [[1 / 8, 1 / 16, 1 / 32, 1 / 32], [1 / 16, 1 / 8, 1 / 32, 1 / 32], [1 / 16, 1 / 16, 1 / 16, 1 / 16], [1 / 4, 0, 0, 0]]
    )
    assert codebook.conditional_entropy(joint) == pytest.approx(11 / 8, rel=1e-15)
    # ... and H(Y|X) = 13/8 (transpose)
    assert codebook.conditional_entropy(joint.T) == pytest.approx(13 / 8, rel=1e-15)


def test_conditional_entropy_near_deterministic_is_accurate():
    # H(Y|A) = h(eps) for one row (1 - eps, eps): tiny, must not cancel
    eps = 1e-12
    joint = np.array([[0.5 * (1 - eps), 0.5 * eps], [0.5, 0.0]])
    e = Fraction(eps)
    from decimal import Decimal, getcontext

    getcontext().prec = 50
    de = Decimal(e.numerator) / Decimal(e.denominator)
    h = -(de * de.ln() + (1 - de) * (1 - de).ln()) / Decimal(2).ln()
    assert codebook.conditional_entropy(joint) == pytest.approx(float(h / 2), rel=1e-12)


def test_conditional_entropy_of_blocks_is_the_chain_rate():
    chain = sources.Markov([[0.9, 0.1], [0.5, 0.5]], order=1)
    joint = chain.block_probs(2).reshape(2, 2)
    assert codebook.conditional_entropy(joint) == pytest.approx(codebook.entropy_rate(chain), rel=1e-14)
    chain3 = sources.Markov(np.random.default_rng(1).dirichlet(np.ones(3), size=9), order=2)
    joint = chain3.block_probs(3).reshape(3, 3, 3)  # H(X3 | X1, X2)
    assert codebook.conditional_entropy(joint) == pytest.approx(codebook.entropy_rate(chain3), rel=1e-13)


@pytest.mark.parametrize(
    "joint, message",
    [
        ([0.5, 0.5], r"at least two non-empty axes"),
        ([[0.5, -0.1], [0.3, 0.3]], r"`joint` must be non-negative; joint\[0, 1\] = -0.1"),
        ([[0.5, float("nan")], [0.3, 0.2]], r"`joint` must be finite; joint\[0, 1\] = nan"),
        ([[0.5, 0.5], [0.3, 0.3]], r"must sum to 1 \(within 1e-09\); it sums to 1.6"),
    ],
)
def test_conditional_entropy_errors(joint, message):
    with pytest.raises(DistributionError, match=message):
        codebook.conditional_entropy(joint)


def test_empirical_conditional_entropy():
    # by hand: 0 0 1 0 0 1: pairs (0,0) x2, (0,1) x2, (1,0) x1 -> H = 4/5 * 1 + 1/5 * 0
    x = [0, 0, 1, 0, 0, 1]
    assert codebook.empirical_conditional_entropy(x, 1, 2) == pytest.approx(0.8, rel=1e-15)
    assert codebook.empirical_conditional_entropy(x, 0, 2) == pytest.approx(codebook.entropy([4 / 6, 2 / 6]), rel=1e-15)
    # agrees with the dense conditional_entropy of the empirical joint
    rng = np.random.default_rng(3)
    y = rng.integers(0, 4, 5000)
    counts = np.zeros((4, 4, 4))
    np.add.at(counts, (y[:-2], y[1:-1], y[2:]), 1)
    assert codebook.empirical_conditional_entropy(y, 2, 4) == pytest.approx(
        codebook.conditional_entropy(counts / counts.sum()), rel=1e-13
    )
    with pytest.raises(ValueError, match=r"a sequence of 2 symbols has no block of 3"):
        codebook.empirical_conditional_entropy([0, 1], 2, 2)


# ---------------------------------------------------------------------- finite-n expectations
def _enumerate(src_table, src_order, k, n):
    """Every message of n symbols with its exact probability under the stationary source."""
    from itertools import product

    rows = ref.exact_rows(src_table)
    pi = ref.stationary(rows, k, src_order)
    blocks = ref.block_probs(rows, pi, k, src_order, max(n, src_order))
    out = {}
    for x in product(range(k), repeat=n):
        out[x] = sum(p for b, p in blocks.items() if b[:n] == x) if n < src_order else blocks[x]
    return out


@pytest.mark.parametrize("src_order, mod_order, n", [(1, 1, 4), (2, 1, 3), (1, 2, 4), (0, 1, 3), (2, 2, 1), (1, 0, 3)])
def test_expected_log_loss_and_block_entropy_by_enumeration(src_order, mod_order, n):
    from decimal import Decimal, getcontext

    getcontext().prec = 50
    k = 3
    rng = np.random.default_rng(src_order * 7 + mod_order)
    src_table = rng.dirichlet(np.ones(k), size=k**src_order)
    mod_table = rng.dirichlet(np.ones(k), size=k**mod_order)
    init = rng.dirichlet(np.ones(k**mod_order)) if mod_order else None
    source = sources.Markov(src_table, src_order)
    model = models.Markov(mod_table, mod_order, initial=init)
    want_loss = Decimal(0)
    want_h = Decimal(0)
    for x, p in _enumerate(src_table, src_order, k, n).items():
        if not p:
            continue
        dp = Decimal(p.numerator) / Decimal(p.denominator)
        want_h -= dp * dp.ln()
        want_loss += dp * Decimal(model.log_loss(list(x))) * Decimal(2).ln()
    ln2 = Decimal(2).ln()
    assert codebook.rates.expected_log_loss(source, model, n) == pytest.approx(float(want_loss / ln2), rel=1e-12)
    assert codebook.rates.block_entropy(source, n) == pytest.approx(float(want_h / ln2), rel=1e-12)
