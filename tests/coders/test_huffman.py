"""Huffman codes: textbook vectors, theory §d counterexamples, golden tie-break, optimality and
minimum variance among all optimal codes (exhaustive, exact)."""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from codebook import Distribution, cross_entropy, entropy
from codebook.coders import HuffmanCode, ShannonCode, huffman_lengths
from exact_reference import huffman_lengths_reference


def test_cover_thomas_example():
    # Cover & Thomas, 2nd ed., §5.6, Example 5.6.1: p = (.25,.25,.2,.15,.15) gives
    # lengths 2,2,2,3,3 and L = 2.3 bits.
    p = [0.25, 0.25, 0.2, 0.15, 0.15]
    code = HuffmanCode(p)
    assert code.lengths.tolist() == [2, 2, 2, 3, 3]
    assert code.expected_length(p) == pytest.approx(2.3, abs=1e-15)
    assert code.kraft_sum(exact=True) == 1


def test_golden_tie_break_minimum_variance():
    # Uniform over 5: every merge is a tie. Rule: among equal weights leaves first, higher
    # symbol first, merged nodes last, oldest first: merge {4,3} -> A; {2,1} -> B (leaves
    # before A); {0, A} -> C; {B, C} -> root. Depths: 0,1,2 -> 2; 3,4 -> 3. Canonical
    # codewords by (length, symbol). Derived by hand.
    code = HuffmanCode(Distribution.uniform(5))
    assert code.lengths.tolist() == [2, 2, 2, 3, 3]
    assert code.codewords == ("00", "01", "10", "110", "111")
    assert HuffmanCode(Distribution.uniform(3)).lengths.tolist() == [1, 2, 2]


def test_golden_canonical_codewords():
    # Dyadic q: lengths are -log2 q exactly; canonical order gives 0, 10, 110, 1110, 1111.
    assert HuffmanCode(Distribution.dyadic(5)).codewords == ("0", "10", "110", "1110", "1111")


@pytest.mark.parametrize(
    ("p", "q", "lengths", "e_p", "h_pq"),
    [
        # theory §d, verified counterexamples: Huffman-for-q under p is bounded by
        # neither H(p,q) below nor H(p,q)+1 above.
        ([0.5, 0.5], [0.9, 0.1], [1, 1], 1.0, 1.736966),
        ([0.5, 0.5], [1 - 1e-12, 1e-12], [1, 1], 1.0, 19.931569),
        ([0, 0, 1, 0], [0.34, 0.33, 0.32, 0.01], [1, 2, 3, 3], 3.0, 1.643856),
        ([0.01, 0.01, 0.97, 0.01], [0.34, 0.33, 0.32, 0.01], [1, 2, 3, 3], 2.97, 1.692538),
    ],
)
def test_theory_counterexamples(p, q, lengths, e_p, h_pq):
    code = HuffmanCode(q)
    assert code.lengths.tolist() == lengths
    assert code.expected_length(p) == pytest.approx(e_p, abs=1e-12)
    assert cross_entropy(p, q) == pytest.approx(h_pq, abs=1e-6)
    assert code.expected_length(p) >= entropy(p)  # the only general bound (McMillan)


def test_fibonacci_chain_reaches_the_length_cap():
    # theory §d: K = 12, weights 1, 1000, 1001, w_{k+2} = w_1 + ... + w_k + 1 (T = 144232);
    # symbol 1 gets 11 bits; under p = delta_1, E_p = 11 against H(p,q) = 7.172247.
    w = [1, 1000, 1001]
    while len(w) < 12:
        w.append(sum(w[:-1]) + 1)
    assert sum(w) == 144232
    q = Distribution.from_weights(w)
    code = HuffmanCode(q)
    p = np.eye(12)[1]
    assert code.lengths[1] == 11
    assert cross_entropy(p, q) == pytest.approx(7.172247, abs=1e-6)
    # The cap l(x) <= 1 + log_phi(1/q(x)) holds.
    phi = (1 + 5**0.5) / 2
    assert (code.lengths <= 1 + np.log(1 / q.probs) / np.log(phi)).all()


def test_gallager_bound_is_nearly_tight_for_uniform_355():
    # theory §e: uniform over 355 symbols has redundancy ~ sigma = 0.0860713.
    # Reference: with 2**8 < 355 < 2**9 a complete code has 2*(355-256) = 198 words of 9 bits
    # and 512-355 = 157 of 8 bits: L = (157*8 + 198*9)/355 exactly.
    code = HuffmanCode(Distribution.uniform(355))
    expected_l = Fraction(157 * 8 + 198 * 9, 355)
    assert code.expected_length(Distribution.uniform(355)) == pytest.approx(float(expected_l), rel=1e-15)
    assert code.redundancy() == pytest.approx(0.0860713, abs=1e-6)


def test_matched_redundancy_tends_to_one_for_a_skewed_binary_q():
    # theory §e: q = (1 - 1e-12, 1e-12) has r = 0.99999999996.
    assert HuffmanCode([1 - 1e-12, 1e-12]).redundancy() == pytest.approx(0.99999999996, abs=1e-11)


def _all_kraft_feasible(k, max_len):
    for lengths in itertools.product(range(1, max_len + 1), repeat=k):
        if sum(Fraction(1, 2**l) for l in lengths) <= 1:
            yield lengths


@pytest.mark.parametrize("seed", range(6))
def test_optimal_against_brute_force(seed):
    # C&T Thm 5.8.1: E_q[l_H] <= E_q[l] for every prefix code; checked against every
    # Kraft-feasible length vector (max length K-1 suffices for an optimal code).
    rng = np.random.default_rng(seed)
    k = 3 + seed % 3
    q = rng.dirichlet(np.ones(k))
    best = min(float(np.dot(q, lengths)) for lengths in _all_kraft_feasible(k, k - 1))
    assert HuffmanCode(q).expected_length(q) == pytest.approx(best, rel=1e-12)


def test_zero_probability_symbols_get_no_codeword():
    code = HuffmanCode([0.5, 0.0, 0.5, 0.0])
    assert code.lengths.tolist() == [1, 0, 1, 0]
    assert code.codewords == ("0", None, "1", None)


def test_one_symbol_support_gets_one_bit_never_zero():
    assert huffman_lengths([1.0]).tolist() == [1]
    assert huffman_lengths([0.0, 1.0, 0.0]).tolist() == [0, 1, 0]
    assert HuffmanCode([1.0]).encode([0, 0, 0]).to01() == "000"


def test_large_alphabet_is_built_quickly_and_is_complete():
    q = Distribution.zipf(2**16, 1.0)
    code = HuffmanCode(q)
    assert code.kraft_sum(exact=True) == 1
    h = entropy(q)
    assert h <= code.expected_length(q) < h + 1  # C&T Thm 5.4.1


def test_huffman_never_loses_to_shannon_on_its_own_q():
    rng = np.random.default_rng(11)
    for _ in range(20):
        q = rng.dirichlet(np.full(12, 0.3))
        assert HuffmanCode(q).expected_length(q) <= ShannonCode(q).expected_length(q) + 1e-15


def test_ties_are_exact_on_the_binary64_values():
    # 1/4 + 1/4 == 1/2 exactly, so this is a real three-way tie at the second merge; the
    # documented rule puts the leaf (symbol 0) before the merged node.
    assert HuffmanCode([0.5, 0.25, 0.25]).lengths.tolist() == [1, 2, 2]
    assert not math.isnan(HuffmanCode([0.5, 0.25, 0.25]).redundancy())


@pytest.mark.parametrize("seed", range(30))
def test_two_queue_construction_equals_the_heap_construction(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 60))
    q = rng.dirichlet(np.full(k, 0.3))
    q[rng.random(k) < 0.2] = 0  # zeros
    if seed % 3 == 0:
        q = np.round(q * 8) + (q > 0)  # many exact ties
    if q.sum() == 0:
        q[0] = 1
    if seed % 3 == 0:  # the same ties given exactly, as integer weights
        w = [int(v) for v in q]
        assert huffman_lengths(Distribution.from_weights(w)).tolist() == huffman_lengths_reference(w)
    q = Distribution.from_weights(q).probs
    assert huffman_lengths(q).tolist() == huffman_lengths_reference([float(v) for v in q])


# ----------------------------------------------------------------- minimum variance, exactly
def test_textbook_minimum_variance_code():
    # Issue 8: weights (1,3,3,3,3,2)/15, merged by hand with the documented tie-break:
    # {0,5} -> A = 3; then four leaves of weight 3 tie with A: leaves first, higher index
    # first: {4,3} -> B = 6, {2,1} -> C = 6; {A, B} -> D = 9; {C, D} -> root. Depths: C, D 1;
    # leaves 1, 2 and A, B 2; leaves 0, 5, 3, 4 3. Lengths [3,2,2,3,3,3], E = 39/15 = 2.6,
    # Var = 105/15 - 2.6**2 = 0.24. The float construction used to give [4,3,2,2,2,4] (0.64).
    q = Distribution.from_weights([1, 3, 3, 3, 3, 2])
    code = HuffmanCode(q)
    assert code.lengths.tolist() == [3, 2, 2, 3, 3, 3]
    assert code.expected_length(q) == pytest.approx(2.6, abs=1e-15)
    assert code.length_variance(q) == pytest.approx(0.24, abs=1e-14)


_KRAFT_FEASIBLE: dict[int, np.ndarray] = {}


def _feasible(k: int) -> np.ndarray:
    """Every length vector in 1..K-1 (the longest an optimal code needs) with Kraft <= 1."""
    if k not in _KRAFT_FEASIBLE:
        m = max(k - 1, 1)
        grid = np.array(list(itertools.product(range(1, m + 1), repeat=k)), dtype=np.int64)
        _KRAFT_FEASIBLE[k] = grid[(np.int64(1) << (m - grid)).sum(axis=1) <= (1 << m)]
    return _KRAFT_FEASIBLE[k]


def _check_minimum_variance(weights):
    """Against every prefix code (all Kraft-feasible length vectors), in integer arithmetic:
    E_q[l] * W = l.w is minimal, and among the vectors reaching that minimum ours has the least
    W**2 Var_q[l] = W (l**2).w - (l.w)**2."""
    w = np.array(weights, dtype=np.int64)
    total = int(w.sum())
    grid = _feasible(w.size)
    cost = grid @ w
    best = int(cost.min())
    optimal = grid[cost == best]
    spread = total * ((optimal**2) @ w) - best * best
    ours = huffman_lengths(Distribution.from_weights([int(v) for v in weights]))
    assert int(ours @ w) == best, f"E_q not optimal for {weights}"
    assert total * int((ours**2) @ w) - best * best == int(spread.min()), f"variance not minimal for {weights}"


@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_minimum_variance_among_all_optimal_codes_exhaustive(k):
    # Every weight vector in {1, 2, 3, 4}**K (all orders): many exact ties.
    for weights in itertools.product(range(1, 5), repeat=k):
        _check_minimum_variance(weights)


@pytest.mark.parametrize("k", [6, 7])
def test_minimum_variance_among_all_optimal_codes_multisets(k):
    # Every multiset of weights in 1..4 (as a sorted vector and reversed), and seeded
    # random integer weights in 1..30 in random order.
    for weights in itertools.combinations_with_replacement(range(1, 5), k):
        _check_minimum_variance(weights)
        _check_minimum_variance(weights[::-1])
    rng = np.random.default_rng(k)
    for _ in range(60):
        _check_minimum_variance(rng.integers(1, 31, k).tolist())


def test_lengths_are_monotone_in_q_descending_then_symbol():
    # The documented consequence of the tie-break: l(x) is non-decreasing when the symbols
    # are ordered by (q descending, index ascending), ties included.
    rng = np.random.default_rng(5)
    for _ in range(300):
        k = int(rng.integers(2, 40))
        w = rng.integers(1, int(rng.integers(2, 8)), k).tolist()
        lengths = huffman_lengths(Distribution.from_weights(w))
        ordered = [lengths[x] for x in sorted(range(k), key=lambda x: (-w[x], x))]
        assert ordered == sorted(ordered), w
