"""The statements docs/theory.md tags "verified", each checked here against an independent exact
computation (fractions, 50-digit decimals, brute force), never against the code under test alone.

Each test is named after its section (``test_d_...`` verifies a claim of theory §d); the document
names the test next to the claim, and ``test_theory_doc.py`` checks that every test it names exists.
"""

from __future__ import annotations

import heapq
import itertools
import math
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest

from codebook import coders, cross_entropy, entropy, kl_divergence, parse_distribution, quantize, theory
from codebook.distributions import Distribution
from simulations.experiment import power
from simulations.stats import multinomial_pvalue

from exact_reference import cross_entropy_bits, entropy_bits, huffman_lengths_reference, kl_bits

PHI = (1 + math.sqrt(5)) / 2


def _log2(x: Fraction) -> Decimal:
    """log2 of a positive rational at 50 digits."""
    with localcontext() as ctx:
        ctx.prec = 50
        return (Decimal(x.numerator).ln() - Decimal(x.denominator).ln()) / Decimal(2).ln()


def _dec(x: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 50
        return Decimal(x.numerator) / Decimal(x.denominator)


def _kraft_complete(k: int, top: int):
    """Every length vector of k codewords (1..top bits) with Kraft sum exactly 1."""
    for lengths in itertools.product(range(1, top + 1), repeat=k):
        if sum(Fraction(1, 1 << l) for l in lengths) == 1:
            yield lengths


def _optimal_cost(weights) -> Fraction:
    """Huffman's cost with a heap (sum of the merged weights), exactly: the reference optimum."""
    heap = [Fraction(w) for w in weights if w > 0]
    heapq.heapify(heap)
    cost = Fraction(0)
    while len(heap) > 1:
        a, b = heapq.heappop(heap), heapq.heappop(heap)
        cost += a + b
        heapq.heappush(heap, a + b)
    return cost


# ---------------------------------------------------------------------------- §a


def test_a_cross_entropy_is_entropy_plus_divergence_and_divergence_is_nonnegative():
    rng = np.random.default_rng(1)
    for _ in range(20):
        k = int(rng.integers(2, 30))
        p, q = Distribution.dirichlet(k, 0.5, rng=rng), Distribution.dirichlet(k, 0.5, rng=rng)
        assert cross_entropy(p, q) == pytest.approx(cross_entropy_bits(p.probs, q.probs), rel=1e-12)
        assert cross_entropy_bits(p.probs, q.probs) == pytest.approx(
            entropy_bits(p.probs) + kl_bits(p.probs, q.probs), rel=1e-13)
        assert kl_divergence(p, q) > 0 and kl_divergence(p, p) == 0


def test_a_infinite_exactly_when_q_misses_the_support_of_p():
    assert math.isinf(cross_entropy([1 - 1e-15, 1e-15], [1.0, 0.0]))  # a clamp log(q + eps) would be finite
    assert cross_entropy([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 1.0  # p = q = 0 contributes 0, not NaN
    # p = (1 - 1e-12, 1e-12): H = 4.1306e-11 bits, needs care near 1 (50-digit reference).
    assert entropy([1 - 1e-12, 1e-12]) == pytest.approx(4.1306e-11, rel=1e-4)
    assert entropy([1 - 1e-12, 1e-12]) == pytest.approx(entropy_bits([1 - 1e-12, 1e-12]), rel=1e-12)


# ---------------------------------------------------------------------------- §c


def test_c_shannon_length_is_exact_just_below_a_dyadic_value():
    below = np.nextafter(0.125, 0.0)  # the largest double below 1/8: -log2 is just above 3
    q = Distribution.from_weights([below, 1 - below])
    exact = Fraction(below) / (Fraction(below) + Fraction(1 - below))
    length = next(l for l in itertools.count() if exact * (1 << l) >= 1)
    assert length == 4 and coders.build("shannon", q).lengths[0] == 4


# ---------------------------------------------------------------------------- §d

COUNTEREXAMPLES = [  # p, q, Huffman lengths for q, E_p[l], H(p,q)
    ((0.5, 0.5), (0.9, 0.1), (1, 1), Fraction(1), 1.736966),
    ((0, 0, 1, 0), (0.34, 0.33, 0.32, 0.01), (1, 2, 3, 3), Fraction(3), 1.643856),
    ((0.01, 0.01, 0.97, 0.01), (0.34, 0.33, 0.32, 0.01), (1, 2, 3, 3), Fraction(297, 100), 1.692538),
]


@pytest.mark.parametrize("p, q, lengths, e_p, h_pq", COUNTEREXAMPLES)
def test_d_huffman_for_q_is_bounded_by_neither_cross_entropy_nor_cross_entropy_plus_one(p, q, lengths, e_p, h_pq):
    qf = [Fraction(x) for x in q]
    best = _optimal_cost(qf)
    optimal = [l for l in _kraft_complete(len(q), len(q)) if sum(w * b for w, b in zip(qf, l)) == best]
    assert optimal == [lengths]  # the Huffman code for q is unique here
    assert tuple(coders.build("huffman", list(q)).lengths) == lengths
    assert sum(Fraction(str(a)) * b for a, b in zip(p, lengths)) == e_p
    h = float(sum(-_dec(Fraction(a)) * _log2(Fraction(b)) for a, b in zip(p, q) if a))
    assert h == pytest.approx(h_pq, abs=1e-6)
    assert e_p < h or e_p > h + 1  # below H(p,q), or above H(p,q) + 1


def _chain(k: int) -> list[int]:
    w = [1, 1000, 1001]
    while len(w) < k:
        w.append(sum(w[:-1]) + 1)  # w_{k+2} = w_1 + ... + w_k + 1
    return w


@pytest.mark.parametrize("k, gap", [(8, 2.61), (12, 3.83), (16, 5.05), (20, 6.27)])
def test_d_fibonacci_chain_gap_above_cross_entropy(k, gap):
    w = _chain(k)
    q = Distribution.from_weights(w)
    lengths = coders.build("huffman", q).lengths
    p = np.zeros(k)
    p[1] = 1.0
    h_pq = float(-_log2(Fraction(w[1], sum(w))))
    assert lengths[1] - h_pq == pytest.approx(gap, abs=5e-3)
    # ... and symbol 1 sits exactly at the cap max{l : F_{l+1} <= 1/q} <= 1 + log_phi(1/q).
    assert lengths[1] == theory.fibonacci_length_cap(Fraction(w[1], sum(w))) <= 1 + h_pq / math.log2(PHI)
    if k == 12:
        assert sum(w) == 144232 and lengths[1] == 11 and h_pq == pytest.approx(7.172247, abs=1e-6)


def test_d_ties_make_the_length_map_non_unique_and_move_e_p():
    q = [Fraction(1, 3), Fraction(1, 3), Fraction(1, 4), Fraction(1, 12)]
    best = _optimal_cost(q)
    optimal = {l for l in _kraft_complete(4, 3) if sum(a * b for a, b in zip(q, l)) == best}
    assert optimal == {(2, 2, 2, 2), (1, 2, 3, 3), (2, 1, 3, 3)}
    p = [Fraction(1, 10), Fraction(1, 10), Fraction(1, 10), Fraction(7, 10)]
    e_p = {sum(a * b for a, b in zip(p, l)) for l in optimal}
    assert (min(e_p), max(e_p)) == (Fraction(2), Fraction(27, 10))
    # A uniform q over 8 symbols has many tie events but one optimal length map: every length is 3
    # (a full tree with 8 leaves and a leaf deeper than 3 has one shallower, and costs more).
    assert {l for l in _kraft_complete(8, 4) if sum(l) <= 24} == {(3,) * 8}


def test_d_sibling_property_decides_optimality_exactly():
    # Every Kraft-complete length vector for 150 small weight vectors (ties included): the level-by-level
    # sibling criterion says "optimal" exactly when E_q[l] equals the heap Huffman cost, in fractions.
    rng = np.random.default_rng(3)
    seen_optimal = seen_not = 0
    for case in range(150):
        k = int(rng.integers(2, 6))
        w = rng.integers(1, 6, size=k) if case % 2 else rng.dirichlet(np.ones(k))
        probs = np.asarray(w, dtype=float) / float(np.sum(w))
        exact = [Fraction(float(x)) for x in probs]  # the binary64 values the code sees
        best = _optimal_cost(exact)
        for lengths in _kraft_complete(k, k - 1):
            optimal = sum(a * b for a, b in zip(exact, lengths)) == best
            assert (theory.huffman_optimality_violation(lengths, probs) == "") == optimal, (w, lengths)
            seen_optimal += optimal
            seen_not += not optimal
    assert seen_optimal > 100 and seen_not > 1000


def test_d_sibling_property_decides_on_the_exact_pmf_the_code_was_built_from():
    # weights 4,5,1,5 given exactly: 4/15 + 1/15 = 5/15 is a real tie, so (3,1,3,2) is optimal; for the
    # binary64 roundings of the same numbers the tie is broken by one ulp and it is not.
    exact = parse_distribution("weights:4,5,1,5")
    rounded = Distribution(np.array([4, 5, 1, 5]) / 15)
    weights = [Fraction(4, 15), Fraction(5, 15), Fraction(1, 15), Fraction(5, 15)]
    assert sum(a * b for a, b in zip(weights, (3, 1, 3, 2))) == _optimal_cost(weights)
    assert theory.huffman_optimality_violation([3, 1, 3, 2], exact) == ""
    assert "not optimal for q" in theory.huffman_optimality_violation([3, 1, 3, 2], rounded)


# ---------------------------------------------------------------------------- §e


def _redundancy(q) -> Decimal:
    lengths = coders.build("huffman", [float(x) for x in q]).lengths
    return sum(_dec(x) * (int(l) + _log2(x)) for x, l in zip(q, lengths))


def test_e_gallager_examples():
    # q = (0.9, 0.1): r = 1 - h(0.9) = 0.5310 <= 2 - q_max - h(q_max) = 0.6310.
    r = float(_redundancy([Fraction(9, 10), Fraction(1, 10)]))
    assert r == pytest.approx(0.5310, abs=5e-5) and r <= 0.6310
    # Uniform over 355 = 2^9 ln 2 symbols: r = 0.0860713 ~ sigma = 1 - log2 e + log2 log2 e.
    r = float(_redundancy([Fraction(1, 355)] * 355))
    assert r == pytest.approx(0.0860713, abs=1e-6) and theory.GALLAGER_SIGMA == pytest.approx(0.0860713, abs=1e-7)
    # The bound for q_max >= 1/2 implies the general one there: 2 - x - h(x) <= x + sigma on [1/2, 1].
    x = np.linspace(0.5, 1 - 1e-12, 10001)
    h = -(x * np.log2(x) + (1 - x) * np.log2(1 - x))
    assert np.all(2 - x - h <= x + theory.GALLAGER_SIGMA + 1e-12)


# ---------------------------------------------------------------------------- §f


def _sfe_block_code(q: list[Fraction], n: int) -> dict[tuple, str]:
    """Shannon-Fano-Elias on q^n in lexicographic order (C&T §5.9), with fractions."""
    words, below = {}, Fraction(0)
    for x in itertools.product(range(len(q)), repeat=n):
        prob = math.prod((q[s] for s in x), start=Fraction(1))
        mid = below + prob / 2
        length = next(l for l in itertools.count() if prob * (1 << l) >= 1) + 1
        words[x] = format(math.floor(mid * (1 << length)), f"0{length}b")
        below += prob
    return words


@pytest.mark.parametrize("q, n", [([Fraction(1, 2), Fraction(1, 3), Fraction(1, 6)], 4),
                                  ([Fraction(9, 10), Fraction(1, 10)], 8),
                                  ([Fraction(1, 5), Fraction(3, 5), Fraction(1, 5)], 4)])
def test_f_sfe_on_the_whole_block_is_prefix_free_within_two_bits(q, n):
    words = _sfe_block_code(q, n)
    ordered = sorted(words.values())
    assert all(not b.startswith(a) for a, b in zip(ordered, ordered[1:]))  # prefix-free
    for x, word in words.items():
        info = -_log2(math.prod((q[s] for s in x), start=Fraction(1)))
        assert info + 1 <= len(word) < info + 2


def test_f_quantization_cost_can_be_huge_or_negative():
    # Zipf(4096, s = 1) at precision 12: every frequency is 1, q_hat is uniform: 3.25 bits/symbol.
    zipf = parse_distribution("zipf:4096:1")
    f = quantize(zipf, 12)
    assert np.all(f == 1)
    assert cross_entropy(zipf, Distribution.uniform(4096)) - entropy(zipf) == pytest.approx(3.25, abs=5e-3)
    # p = (1/2, 1/2), q = (1 - 1e-12, 1e-12) at precision 16: the floor f >= 1 rescues the rare symbol.
    q = Distribution([1 - 1e-12, 1e-12])
    f = quantize(q, 16)
    assert f.tolist() == [65535, 1]
    cost = Decimal("0.5") * (_log2(Fraction(1 - 1e-12) / Fraction(65535, 65536)) + _log2(Fraction(1e-12) * 65536))
    assert float(cost) == pytest.approx(-11.93, abs=5e-3)


# ---------------------------------------------------------------------------- §g


@pytest.mark.parametrize("p, q", [((Fraction(1, 2), Fraction(1, 2)), (Fraction(9, 10), Fraction(1, 10))),
                                  ((Fraction(1, 10), Fraction(9, 10)), (Fraction(9, 10), Fraction(1, 10))),
                                  ((Fraction(1, 5), Fraction(3, 10), Fraction(1, 2)),
                                   (Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)))])
def test_g_shannon_block_code_within_one_bit_per_block(p, q):
    h_pq = sum(-_dec(a) * _log2(b) for a, b in zip(p, q))
    for n in range(1, 5):
        e = Decimal(0)
        for x in itertools.product(range(len(p)), repeat=n):
            qx = math.prod((q[s] for s in x), start=Fraction(1))
            length = next(l for l in itertools.count() if qx * (1 << l) >= 1)
            px = math.prod((p[s] for s in x), start=Fraction(1))
            e += _dec(px) * length
        assert h_pq <= e / n < h_pq + Decimal(1) / n


def test_g_block_huffman_approaches_cross_entropy_from_both_sides():
    # The figures depend on how ties among the 2**n block probabilities are broken, so the
    # reference is the heap construction of exact_reference on the binary64 block probabilities the code
    # sees; under p = (1/2, 1/2) every block has probability 2**-n: E/n = Σ l / (n 2**n), exactly.
    p, q = Distribution([0.5, 0.5]), Distribution([0.9, 0.1])
    reference = [Fraction(sum(huffman_lengths_reference(power(q, n).probs.tolist())), n << n) for n in range(1, 11)]
    per_symbol = [coders.build("huffman", power(q, n)).expected_length(power(p, n)) / n for n in range(1, 11)]
    assert per_symbol == pytest.approx([float(r) for r in reference], rel=1e-15)
    assert [round(float(v), 3) for v in reference] == [1.0, 1.125, 1.25, 1.594, 1.606, 1.763, 1.765, 1.739, 1.804,
                                                         1.706]
    assert per_symbol[9] < cross_entropy(p, q) < per_symbol[8]  # 1.706 < H(p,q) = 1.737 < 1.804


# ---------------------------------------------------------------------------- §h


def _kt_bits(counts, alpha=Fraction(1, 2)) -> Decimal:
    """-log2 P_alpha from the counts: the sequential product, in fractions."""
    k, n = len(counts), sum(counts)
    prob = Fraction(1)
    for c in counts:
        for j in range(c):
            prob *= j + alpha
    for t in range(n):
        prob /= t + k * alpha
    return -_log2(prob)


def _compositions(n: int, k: int):
    for cut in itertools.combinations(range(n + k - 1), k - 1):
        edges = (-1, *cut, n + k - 1)
        yield tuple(b - a - 1 for a, b in zip(edges, edges[1:]))


@pytest.mark.parametrize("k, excess", [(2, 0.844), (3, 1.070), (4, 0.981), (5, 0.687)])
def test_h_kt_worst_regret_at_n_10_is_a_constant_sequence(k, excess):
    n = 10
    regret = {}
    for counts in _compositions(n, k):
        emp = sum(-c * _log2(Fraction(c, n)) for c in counts if c)
        regret[counts] = float(_kt_bits(counts) - emp)
    worst = max(regret, key=regret.get)
    assert sorted(worst) == [0] * (k - 1) + [n]
    assert regret[worst] - (k - 1) / 2 * math.log2(n) == pytest.approx(excess, abs=5e-4)


def test_h_laplace_regret_at_most_log_binomial_with_equality_at_constant_sequences():
    k, n = 3, 20
    bound = math.log2(math.comb(n + k - 1, k - 1))
    for counts in _compositions(n, k):
        emp = sum(-c * _log2(Fraction(c, n)) for c in counts if c)
        regret = float(_kt_bits(counts, Fraction(1)) - emp)
        assert regret <= bound + 1e-12
        if max(counts) == n:
            assert regret == pytest.approx(bound, abs=1e-12)
    assert bound <= (k - 1) * math.log2(n + 1)


@pytest.mark.parametrize("p, n, alpha", [((Fraction(3, 10), Fraction(7, 10)), 40, Fraction(1, 2)),
                                         ((Fraction(1, 1000), Fraction(999, 1000)), 50, Fraction(1, 2)),
                                         ((Fraction(1, 5), Fraction(3, 10), Fraction(1, 2)), 25, Fraction(1)),
                                         ((Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)), 30, Fraction(64))])
def test_h_exact_expected_adaptive_length_against_enumeration(p, n, alpha):
    # E[-log2 P_alpha(X^n)] = Σ over count vectors of multinomial probability × length, exactly.
    total = Decimal(0)
    for counts in _compositions(n, len(p)):
        prob = Fraction(math.factorial(n))
        for c, px in zip(counts, p):
            prob *= px**c / math.factorial(c)
        total += _dec(prob) * _kt_bits(counts, alpha)
    got = theory.adaptive_expected_length(Distribution([float(x) for x in p]), n, float(alpha))
    assert got == pytest.approx(float(total), rel=1e-12)


# (K, p, first n of the grid 10, 20, 50, 100, ... from which Clarke-Barron stays within the tolerance)
CLARKE_BARRON_FROM = [("0.3,0.7", 0.5, 10), ("uniform:16", 0.5, 50), ("zipf:256:1.1", 0.5, 5_000),
                      ("zipf:4096:1.1", 0.5, 100_000), ("uniform:16", 1.0, 500), ("zipf:256:1.1", 1.0, 20_000)]


@pytest.mark.parametrize("spec, alpha, first", CLARKE_BARRON_FROM)
def test_h_clarke_barron_is_accurate_only_from_a_measured_n(spec, alpha, first):
    p = parse_distribution(spec)
    h = entropy(p)

    def accurate(n):
        exact = theory.adaptive_expected_length(p, n, alpha) - n * h
        return theory.asymptotic_redundancy(p, n, alpha, exact) is not None

    grid = [m * 10**e for e in range(1, 8) for m in (1, 2, 5)]
    i = grid.index(first)
    assert all(accurate(n) for n in grid[i:i + 4]) and accurate(10 * first)
    if i:
        assert not accurate(grid[i - 1])


def test_h_clarke_barron_is_meaningless_at_small_n():
    # The example: at n = 10 the asymptotic says -596.2 bits; the exact value is +19.1.
    p = parse_distribution("zipf:256:1.1")
    exact = theory.adaptive_expected_length(p, 10, 0.5) - 10 * entropy(p)
    assert exact == pytest.approx(19.13, abs=5e-3)
    assert theory.kt_expected_redundancy(256, 10) == pytest.approx(-596.2, abs=0.05)
    assert theory.asymptotic_redundancy(p, 10, 0.5, exact) is None


def test_h_one_symbol_changes_the_adaptive_length_by_at_most_the_difference_bound():
    # Over all sequences of n = 7 symbols (K = 3): max |L(x) - L(x')| over x, x' one symbol apart.
    n, k, alpha = 7, 3, Fraction(1, 2)
    lengths = {c: _kt_bits(c, alpha) for c in _compositions(n, k)}
    worst = Decimal(0)
    for c in lengths:
        for a, b in itertools.permutations(range(k), 2):
            if c[a]:
                moved = list(c)
                moved[a] -= 1
                moved[b] += 1
                worst = max(worst, abs(lengths[c] - lengths[tuple(moved)]))
    assert float(worst) == pytest.approx(theory.adaptive_difference_bound(n, 0.5), rel=1e-12)


# ---------------------------------------------------------------------------- §i


def test_i_multinomial_bound_is_above_the_exact_tail():
    # Agrawal's bound on P(n D(p_hat||p) >= t) against the exact tail, by enumeration (K = 3, n = 30).
    p = [Fraction(1, 2), Fraction(3, 10), Fraction(1, 5)]
    n = 30
    law = []
    for counts in _compositions(n, 3):
        prob = Fraction(math.factorial(n))
        for c, px in zip(counts, p):
            prob *= px**c / math.factorial(c)
        stat, _ = multinomial_pvalue(np.array(counts), np.array([float(x) for x in p]))
        law.append((stat, float(prob)))
    for counts in [(15, 9, 6), (20, 5, 5), (25, 5, 0), (5, 5, 20), (30, 0, 0)]:
        stat, bound = multinomial_pvalue(np.array(counts), np.array([float(x) for x in p]))
        tail = sum(pr for s, pr in law if s >= stat - 1e-12)
        assert tail <= bound + 1e-12


# ---------------------------------------------------------------------------- §j


def test_j_the_type_minimises_the_empirical_log_loss():
    # -(1/n) log2 q^n(x^n) = H(p_hat, q) = H(p_hat) + D(p_hat||q): least, and equal to H(p_hat), at q = p_hat.
    # References from the counts c_k, n = Σ c_k, with math.log2 (not the library): the per-symbol
    # log-loss -(1/n) Σ c_k log2 q_k of a message with these counts, and H(p_hat) = -Σ c_k/n log2(c_k/n).
    rng = np.random.default_rng(5)
    counts = rng.integers(1, 50, size=6)
    n = int(counts.sum())
    p_hat = Distribution.from_counts(counts)
    h_hat = -math.fsum(int(c) / n * math.log2(int(c) / n) for c in counts)
    assert entropy(p_hat) == pytest.approx(h_hat, rel=1e-14)
    assert cross_entropy(p_hat, p_hat) == pytest.approx(h_hat, rel=1e-14)
    for _ in range(200):
        q = Distribution(rng.dirichlet(np.ones(6) * 5))
        loss = -math.fsum(int(c) * math.log2(float(x)) for c, x in zip(counts, q.probs)) / n
        assert loss > h_hat
        assert cross_entropy(p_hat, q) == pytest.approx(loss, rel=1e-13)
        assert loss == pytest.approx(h_hat + kl_bits(counts / n, q.probs), rel=1e-13)
        assert kl_divergence(p_hat, q) == pytest.approx(kl_bits(counts / n, q.probs), rel=1e-12)
