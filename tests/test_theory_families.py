"""The families' theorems (codebook.theory_families): each bound against exact computations."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from codebook import Distribution
from codebook.coders.dary import DaryHuffmanCode
from codebook.coders.integer import EliasDeltaCode, EliasGammaCode, EliasOmegaCode, GolombCode
from codebook.coders.lz78 import LZ78Code, lz78_bits
from codebook.coders.lz78 import min_phrases as lz78_min_phrases
from codebook.coders.package_merge import package_merge_lengths
from codebook.coders.tunstall import TunstallCode
from codebook.measures import entropy
from codebook.theory_families import (
    OMEGA_OVER_DELTA,
    dary_guarantee,
    elias_guarantee,
    elias_length,
    elias_universal_bound,
    empirical_conditional_entropy_bits,
    golomb_guarantee,
    hypercompression_pvalue,
    length_limited_violations,
    limit_cost,
    lz78_ziv_bound,
    tunstall_guarantee,
)


def exact_mean(probs, lengths) -> Fraction:
    return sum(Fraction(float(p)) * int(l) for p, l in zip(probs, lengths))


def decreasing_pmfs(seed, count, kmax=3000):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        k = int(rng.integers(1, kmax))
        w = np.sort(rng.dirichlet(np.full(k, float(rng.choice([0.05, 0.5, 2.0])))))[::-1]
        yield Distribution.from_weights(w)


# ------------------------------------------------------------------------------ Elias (§o)


def test_elias_lengths_match_the_textbook_codewords():
    # lengths of Elias 1975's codewords for v = 1, 2, 4, 8, 16 (gamma 1,3,5,7,9; delta 1,4,5,8,9;
    # omega 1,3,6,7,11)
    assert [elias_length("gamma", v) for v in (1, 2, 4, 8, 16)] == [1, 3, 5, 7, 9]
    assert [elias_length("delta", v) for v in (1, 2, 4, 8, 16)] == [1, 4, 5, 8, 9]
    assert [elias_length("omega", v) for v in (1, 2, 4, 8, 16)] == [1, 3, 6, 7, 11]


def test_omega_is_at_most_three_bits_longer_than_delta():
    # both lengths depend on N = floor(log2 v) only; checked for every N < 2**16 (and the
    # maximum, 3, is reached for N = 16..30); theory §o gives the induction for larger N
    diffs = [elias_length("omega", 1 << n) - elias_length("delta", 1 << n) for n in range(1 << 16)]
    assert max(diffs) == OMEGA_OVER_DELTA == 3
    assert [n for n, d in enumerate(diffs) if d == 3] == list(range(16, 31))


@pytest.mark.parametrize("variant,cls", [("gamma", EliasGammaCode), ("delta", EliasDeltaCode),
                                         ("omega", EliasOmegaCode)])
def test_elias_universality_bound_on_non_increasing_sources(variant, cls):
    for p in decreasing_pmfs(len(variant), 25):
        code = cls(alphabet_size=len(p))
        e = exact_mean(p.probs, code.lengths)
        h = entropy(p)
        # Wyner's lemma: p non-increasing gives E[log2(X+1)] <= H(p)
        assert math.fsum((p.probs * np.log2(np.arange(1, len(p) + 1))).tolist()) <= h + 1e-12
        assert float(e) <= elias_universal_bound(variant, h) + 1e-12
        g = elias_guarantee(f"elias-{variant}", code, p, p)
        assert g.holds and g.bound.upper == elias_universal_bound(variant, h)


def test_elias_guarantee_reports_a_wrong_length():
    code = EliasGammaCode(alphabet_size=50)

    class Broken:
        variant = "gamma"
        alphabet_size = 50
        lengths = code.lengths.copy()

    Broken.lengths[20] += 2
    g = elias_guarantee("elias-gamma", Broken, Distribution.uniform(50), Distribution.uniform(50))
    assert not g.holds and "symbol 20 has a 11-bit codeword but the Elias gamma code of 21 has 9 bits" in g.failure


def test_elias_bound_only_for_non_increasing_p():
    p = Distribution([0.1, 0.2, 0.7])
    g = elias_guarantee("elias-delta", EliasDeltaCode(alphabet_size=3), p, p)
    assert math.isinf(g.bound.upper) and "not non-increasing" in g.bound.text


# ------------------------------------------------------------------------------ Golomb (§n)


def test_golomb_guarantee_bounds_and_geometric_note():
    q = Distribution.geometric(200, 0.9)
    code = GolombCode(q)
    g = golomb_guarantee("golomb", code, q, q)
    assert g.holds and g.expected == pytest.approx(float(exact_mean(q.probs, code.lengths)), rel=1e-12)
    assert "Gallager-van Voorhis m = 7" in g.notes[0]
    wrong = GolombCode(parameter=3, alphabet_size=200)
    wrong.parameter_choice = "minimises E_q[l] over m = 1..200"  # as if chosen, wrongly, from a geometric q
    bad = golomb_guarantee("golomb", wrong, q, q)
    assert not bad.holds and "not the Gallager-van Voorhis m = 7" in bad.failure


# ------------------------------------------------------------------------------ D-ary and limited (§m)


@pytest.mark.parametrize("arity", [3, 5, 8])
def test_dary_guarantee(arity):
    rng = np.random.default_rng(arity)
    for _ in range(20):
        q = Distribution.from_weights(rng.dirichlet(np.full(int(rng.integers(2, 40)), 0.7)))
        code = DaryHuffmanCode(q, arity=arity)
        g = dary_guarantee("huffman", code, q, q)
        scale = code.block_bits / code.block_digits
        assert g.holds and g.bound.upper_strict
        assert g.expected == pytest.approx(float(exact_mean(q.probs, code.lengths)) * scale, rel=1e-12)
        assert g.bound.lower == pytest.approx(entropy(q) / math.log2(arity) * scale, rel=1e-12)


def test_length_limited_checks_and_cost():
    q = Distribution([0.5, 0.25, 0.125, 0.0625, 0.0625])
    lengths = package_merge_lengths(q, 3)
    assert length_limited_violations(lengths, q, 3) == ()
    assert limit_cost(lengths, q) == 0.125  # 2 - 1.875, exact in binary
    assert any("above max_length" in v for v in length_limited_violations([1, 2, 3, 4, 4], q, 3))
    assert any("complete" in v for v in length_limited_violations([2, 3, 3, 3, 3], q, 3))
    assert any("monotone" in v for v in length_limited_violations([3, 1, 3, 3, 3], q, 3))


# ------------------------------------------------------------------------------ Tunstall (§p)


def test_tunstall_guarantee():
    for probs, m in [([0.7, 0.3], 8), ([0.5, 0.3, 0.2], 6), ([0.6, 0.3, 0.1], 3)]:
        q = Distribution(probs)
        code = TunstallCode(q, codeword_bits=m)
        g = tunstall_guarantee("tunstall", code, q, q, 1000)
        assert g.violations == () and g.kind == "vf"
        assert g.bound.lower <= g.expected <= g.bound.upper
        assert g.expected == pytest.approx(m / code.expected_phrase_length(q), rel=1e-12)
        assert sorted(g.law[0].tolist()) == sorted(set(code.leaf_depths.tolist()))


def test_tunstall_tree_for_another_q_is_reported():
    code = TunstallCode([0.9, 0.1], codeword_bits=6)
    g = tunstall_guarantee("tunstall", code, Distribution([0.5, 0.5]), Distribution([0.2, 0.8]), 100)
    assert any("less probable under q than a leaf" in v for v in g.violations)


# ------------------------------------------------------------------------------ LZ78 (§q)


def test_empirical_conditional_entropy():
    x = np.array([0, 1, 1, 0, 1, 1, 1, 0, 0, 1])
    counts = np.bincount(x)
    h0 = -sum(c * math.log2(c / x.size) for c in counts)
    assert empirical_conditional_entropy_bits(x, 0, 2) == pytest.approx(h0, abs=1e-12)
    # k = 1, contexts with a 0 before the first symbol: by hand from the transition counts
    prev = np.concatenate(([0], x[:-1]))
    pairs = {}
    for a, b in zip(prev.tolist(), x.tolist()):
        pairs.setdefault(a, []).append(b)
    h1 = -sum(sum(math.log2(nxt.count(b) / len(nxt)) for b in nxt) for nxt in pairs.values())
    assert empirical_conditional_entropy_bits(x, 1, 2) == pytest.approx(h1, abs=1e-12)


def test_ziv_bound_holds_on_every_kind_of_sequence():
    rng = np.random.default_rng(5)
    markov = [0]
    for _ in range(19_999):
        markov.append(markov[-1] if rng.random() < 0.9 else 1 - markov[-1])
    sequences = [
        (2, np.zeros(5000, dtype=np.int64)),
        (2, (rng.random(20_000) < 0.1).astype(np.int64)),
        (2, np.array(markov)),
        (2, rng.integers(0, 2, 20_000)),
        (16, rng.integers(0, 16, 20_000)),
        (256, Distribution.zipf(256, 1.1).sample(50_000, seed=1)),
    ]
    for k_alpha, x in sequences:
        code = LZ78Code(alphabet_size=k_alpha)
        bits = len(code.encode(x))
        c = code.phrase_count(x)
        assert bits == lz78_bits(c, k_alpha) and c >= lz78_min_phrases(x.size)
        for k in (0, 1, 2):
            hk = empirical_conditional_entropy_bits(x, k, k_alpha)
            assert bits <= lz78_ziv_bound(x.size, c, k, k_alpha, hk)


def test_min_phrases():
    assert [lz78_min_phrases(n) for n in (0, 1, 2, 3, 4, 6, 7, 5050, 5051)] == [0, 1, 2, 2, 3, 3, 4, 100, 101]
    x = np.zeros(5050, dtype=np.int64)  # phrases 0, 00, 000, ...: exactly the minimum
    assert LZ78Code(alphabet_size=2).phrase_count(x) == 100


def test_hypercompression_pvalue():
    assert hypercompression_pvalue(100, 90) == 1.0
    assert hypercompression_pvalue(80, 90) == 2.0**-10


@pytest.mark.parametrize("coder", ["lz78", "tunstall"])
def test_no_hypercompression_by_enumerating_every_message(coder):
    # For a uniquely decodable code of n-symbol messages (Kraft: Σ 2^-L <= 1, checked exactly),
    # P(L(X^n) <= -log2 P(X^n) - t) <= 2^-t: every binary message of n = 12 from p = (0.8, 0.2).
    from itertools import product

    p = Distribution([0.8, 0.2])
    code = LZ78Code(alphabet_size=2) if coder == "lz78" else TunstallCode(p, codeword_bits=3)
    n = 12
    lengths, probs = [], []
    for x in product((0, 1), repeat=n):
        lengths.append(len(code.encode(list(x))))
        probs.append(Fraction(4, 5) ** x.count(0) * Fraction(1, 5) ** x.count(1))
    assert sum(Fraction(1, 2**length) for length in lengths) <= 1
    info = [-math.log2(float(pr)) for pr in probs]
    for t in range(0, 8):
        mass = sum(pr for pr, length, i in zip(probs, lengths, info) if length <= i - t)
        assert mass <= Fraction(1, 2**t)
