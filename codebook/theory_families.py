"""What the classic code families guarantee: D-ary and length-limited Huffman, Golomb, Elias,
Tunstall and LZ78, as :class:`~codebook.theory.Guarantee` objects the simulation runner judges.

Sections of docs/theory.md:

* theory §m, D-ary and length-limited Huffman codes;
* theory §n, Golomb codes: optimal for geometric sources with the Gallager-van Voorhis m;
* theory §o, Elias codes: their lengths, and universality for non-increasing p;
* theory §p, variable-to-fixed codes (Tunstall): the leaf-entropy theorem and the Tunstall bound;
* theory §q, LZ78: Ziv's inequality per sequence, convergence to the entropy rate.

Per family (lengths in bits unless said otherwise):

* **D-ary Huffman** (C&T §5.6, Thm 5.4.1 and 5.5.1 for a D-ary alphabet): ``H_D(p) <= E_p[l]``
  digits for every p, and ``E_q[l] < H_D(q) + 1`` for the q it was built from. In the
  bitstream a digit costs ``b/g`` bits (the block layout of :mod:`codebook.coders.dary`).
* **Length-limited Huffman** (Larmore & Hirschberg 1990): every ``l(x) <= L``, so
  ``H(p) <= E_p[l] <= L``; for q, ``E_q[l] >= E_q[l_Huffman]`` with equality when Huffman's longest
  codeword fits; the difference is the cost of the limit.
* **Golomb** with parameter m: ``H(p) <= E_p[l] <= E_p[X]/m + 1 + ceil(log2 m)``; for a geometric
  q with ratio θ, the Gallager-van Voorhis m makes it a Huffman code of the (untruncated) source.
* **Elias** (Elias 1975): for non-increasing p on 0, 1, 2, ... (Wyner's lemma: p(x) <= 1/(x+1),
  so ``E_p[log2(X+1)] <= H(p)``): gamma ``E_p[l] <= 2 H(p) + 1``; delta
  ``E_p[l] <= H(p) + 2 log2(H(p) + 1) + 1`` (Jensen: the bound is concave in log2 v); omega the
  delta bound + 3, because ``l_omega(v) <= l_delta(v) + 3`` for every v (theory §o).
* **Tunstall** with M phrases of m bits: i.i.d. phrases of length L; the leaf-entropy theorem
  ``H_p(leaves) = E_p[L] H(p)`` gives the rate ``m / E_p[L] >= H(p) m / log2 M >= H(p)``; for the
  tree built for p, ``m / E_p[L] <= H(p) m / (log2 M - log2(1/p_min))`` (Jelinek & Schneider 1972).
* **LZ78**: for every sequence, ``bits <= n Ĥ_k(x^n) + c' (k log2 K + log2(n/c') + log2 e) +
  log2(c'+1) + log2 e + c (1 + w)`` with c phrases, c' >= c - 1 of them distinct (Ziv's inequality,
  C&T Lemma 13.5.5, derived for this layout in theory §q), for every k.

Any uniquely decodable code of n-symbol messages also obeys the *no-hypercompression*
inequality ``P(bits <= -log2 P(X^n) - t) <= 2^-t`` (Kraft + Markov, C&T §5.11 / Barron 1985),
which the runner uses as a one-sided per-message test of codes without an exact expectation.
This module is part of the library: it never imports ``simulations``.
"""

from __future__ import annotations

import math

import numpy as np

from .coders.huffman import huffman_lengths
from .distributions import as_distribution, check_same_alphabet
from .measures import entropy
from .theory_base import Bound, Guarantee, kraft_sum_exact, prefix_law, prefix_moments

LOG2_E = math.log2(math.e)
OMEGA_OVER_DELTA = 3
"""max over v >= 1 of l_omega(v) - l_delta(v), reached for 2**16 <= v < 2**31 (theory §o)."""


# ---------------------------------------------------------------------------- Elias (§o)


def elias_length(variant: str, v: int) -> int:
    """Length of the Elias codeword of the integer ``v >= 1`` (Elias 1975), by Python integers:
    gamma ``2N + 1``, delta ``N + 2 floor(log2(N + 1)) + 1``, omega ``1 + Σ`` of the bit lengths
    of v, N, floor(log2 N), ... while they exceed 1 (N = floor(log2 v))."""
    if v < 1:
        raise ValueError(f"Elias codes code integers >= 1; got {v!r}")
    n = v.bit_length() - 1
    if variant == "gamma":
        return 2 * n + 1
    if variant == "delta":
        return n + 2 * ((n + 1).bit_length() - 1) + 1
    if variant == "omega":
        length = 1
        while v > 1:
            length += v.bit_length()
            v = v.bit_length() - 1
        return length
    raise ValueError(f"unknown Elias variant {variant!r} (gamma, delta or omega)")


def elias_universal_bound(variant: str, h: float) -> float:
    """Upper bound on E_p[l] for non-increasing p with entropy ``h`` bits (theory §o)."""
    if variant == "gamma":
        return 2 * h + 1
    delta = h + 2 * math.log2(h + 1) + 1
    return delta if variant == "delta" else delta + OMEGA_OVER_DELTA


def is_non_increasing(p) -> bool:
    probs = as_distribution(p, "p").probs
    return bool((np.diff(probs) <= 0).all())


def elias_guarantee(name: str, code, p, q) -> Guarantee:
    """An Elias code (``code.variant``) on data from p: exact moments, the universality bound."""
    variant = code.variant
    p = as_distribution(p, "p")
    mean, var = prefix_moments(code.lengths, p)
    h = entropy(p)
    if is_non_increasing(p):
        upper = elias_universal_bound(variant, h)
        formula = {"gamma": "2 H(p) + 1", "delta": "H(p) + 2 log2(H(p)+1) + 1",
                   "omega": "H(p) + 2 log2(H(p)+1) + 4"}[variant]
        bound = Bound(h, upper, f"H(p) <= E_p[l] <= {formula} (p non-increasing)",
                      "theory §o: Elias 1975, universality")
    else:
        bound = Bound(h, math.inf, "H(p) <= E_p[l] (p is not non-increasing: no universality bound)",
                      "theory §b, §o")
    violations = []
    k = code.alphabet_size
    # l(v) depends on floor(log2 v) only: check every v up to 4096, and both ends of each
    # power-of-two range above (independent Python integers against the code's table)
    check = set(range(1, min(k, 4096) + 1))
    for big_n in range(12, k.bit_length()):
        check.update(v for v in (1 << big_n, (1 << big_n) + 1, (1 << (big_n + 1)) - 1) if v <= k)
    for v in sorted(check):
        if int(code.lengths[v - 1]) != elias_length(variant, v):
            violations.append(f"symbol {v - 1} has a {int(code.lengths[v - 1])}-bit codeword but the Elias {variant} "
                              f"code of {v} has {elias_length(variant, v)} bits (Elias 1975, theory §o)")
            break
    statement = (f"the Elias {variant} code of x+1 is a fixed prefix code: its mean length estimates the exact "
                 "E_p[l] (theory §i); it ignores q and is within a fixed function of H(p) for every non-increasing p")
    return Guarantee(name, "prefix", mean, var, bound, statement, law=prefix_law(code.lengths, p),
                     violations=tuple(violations))


# ---------------------------------------------------------------------------- Golomb (§n)


def golomb_guarantee(name: str, code, p, q) -> Guarantee:
    """A Golomb code with parameter m: exact moments, McMillan and the structural upper bound;
    q-side: lengths by the formula, and for a geometric q the Gallager-van Voorhis m."""
    from .coders.integer import gallager_van_voorhis_parameter, geometric_ratio

    p, q = as_distribution(p, "p"), as_distribution(q, "q")
    m = code.parameter
    b = (m - 1).bit_length()
    mean, var = prefix_moments(code.lengths, p)
    h = entropy(p)
    ex = math.fsum((p.probs * np.arange(len(p))).tolist())
    bound = Bound(h, ex / m + 1 + b, f"H(p) <= E_p[l] <= E_p[X]/m + 1 + ceil(log2 m), m = {m}",
                  "theory §b, §n")
    violations = []
    u = (1 << b) - m
    k = code.alphabet_size
    xs = np.arange(k, dtype=np.int64)
    formula = xs // m + 1 + b - (xs % m < u).astype(np.int64)
    if not np.array_equal(np.asarray(code.lengths), formula):
        x = int(np.flatnonzero(np.asarray(code.lengths) != formula)[0])
        violations.append(f"symbol {x} has a {int(code.lengths[x])}-bit codeword but the Golomb code with m = {m} "
                          f"gives it {int(formula[x])} bits (theory §n)")
    notes = []
    theta = geometric_ratio(q)
    if theta is not None:
        gvv = gallager_van_voorhis_parameter(theta)
        gap = limit_cost(code.lengths, q)
        notes.append(f"q is geometric (theta = {theta:.6g}): Gallager-van Voorhis m = {gvv}; E_q[l] - E_q[l_Huffman] "
                     f"= {gap:.3g} bits/symbol (theory §n)")
        if code.parameter_choice != "given" and m != gvv:
            violations.append(f"q is geometric with theta = {theta:.6g} but m = {m}, not the Gallager-van Voorhis "
                              f"m = {gvv} (theory §n)")
    statement = ("a Golomb code is a fixed prefix code: its mean length estimates the exact E_p[l] (theory §i); for "
                 "a geometric source with the Gallager-van Voorhis m it is optimal among all prefix codes (theory §n)")
    return Guarantee(name, "prefix", mean, var, bound, statement, notes=tuple(notes),
                     law=prefix_law(code.lengths, p), violations=tuple(violations))


# ---------------------------------------------------------------------------- D-ary and length-limited (§m)


def dary_guarantee(name: str, code, p, q) -> Guarantee:
    """A D-ary Huffman code (kind "dary"): expectation, variance and bound in bits *of the stream*
    (a digit costs b/g bits), ``law`` in digits (integers); the D-ary entropy bound
    H_D(p) <= E_p[l] digits and, matched, E_p[l] < H_D(p) + 1 (§m)."""
    p, q = as_distribution(p, "p"), as_distribution(q, "q")
    check_same_alphabet(p, q)
    d = code.arity
    scale = code.block_bits / code.block_digits
    mean, var = prefix_moments(code.lengths, p)
    h_d = entropy(p) / math.log2(d)
    matched = np.array_equal(p.probs, q.probs) and q.support.size > 1
    upper = (h_d + 1) * scale if matched else math.inf
    text = (f"H_D(p) <= E_p[l] < H_D(p) + 1 digits (matched)" if matched else "H_D(p) <= E_p[l] digits")
    bound = Bound(h_d * scale, upper, f"{text}, D = {d}, {code.block_bits}/{code.block_digits} bits per digit",
                  "theory §m, C&T Thm 5.4.1, 5.5.1 (D-ary)", upper_strict=matched)
    violations = []
    kraft = code.kraft_sum(exact=True)
    if kraft > 1:
        violations.append(f"Kraft sum Σ D^-l = {float(kraft):.6g} > 1 (no D-ary prefix code has these lengths)")
    eq, _ = prefix_moments(code.lengths, q)
    hq_d = entropy(q) / math.log2(d)
    if not eq < hq_d + 1 + 1e-9:
        violations.append(f"E_q[l] = {eq:.6f} >= H_D(q) + 1 = {hq_d + 1:.6f} digits (C&T Thm 5.4.1)")
    law = prefix_law(code.lengths, p)
    statement = (f"a D-ary Huffman code's digits are i.i.d. per symbol; in the bitstream each digit costs "
                 f"{code.block_bits}/{code.block_digits} = {scale:.6f} bits (log2 D = {math.log2(d):.6f}), plus the "
                 f"zero digits completing the last block (theory §m)")
    return Guarantee(name, "dary", mean * scale, var * scale * scale, bound, statement, law=law,
                     violations=tuple(violations),
                     notes=(f"E_p[l] = {mean:.6f} digits = {mean * math.log2(d):.6f} bits of information per symbol",))


def length_limited_violations(lengths, q, max_length: int) -> tuple[str, ...]:
    """Exact q-side properties of an optimal length-limited code (theory §m)."""
    q = as_distribution(q, "q")
    lengths = np.asarray(lengths, dtype=np.int64)
    probs = q.probs
    on = probs > 0
    out = []
    if int(lengths.max()) > max_length:
        x = int(np.argmax(lengths))
        out.append(f"symbol {x} has a {int(lengths[x])}-bit codeword, above max_length = {max_length}")
    if int(on.sum()) >= 2:
        kraft = kraft_sum_exact(lengths)
        if kraft != 1:
            out.append(f"Kraft sum {float(kraft):.6g} != 1: an optimal length-limited code is complete")
    values, group = np.unique(-probs[on], return_inverse=True)  # groups of equal q, most probable first
    longest = np.full(values.size, -1, dtype=np.int64)
    shortest = np.full(values.size, 1 << 30, dtype=np.int64)
    np.maximum.at(longest, group, lengths[on])
    np.minimum.at(shortest, group, lengths[on])
    if (np.maximum.accumulate(longest)[:-1] > shortest[1:]).any():
        out.append("a more probable symbol has a longer codeword (an optimal code is monotone)")
    huff = huffman_lengths(q)
    nums, _ = q.exact_integers()  # the weights both codes were built on, exactly
    e_ll = sum(w * int(v) for w, v in zip(nums, lengths.tolist()))
    e_h = sum(w * int(v) for w, v in zip(nums, huff.tolist()))
    if e_ll < e_h:
        out.append("E_q[l] is below the Huffman code's: impossible for a prefix code (C&T Thm 5.8.1)")
    if int(huff.max()) <= max_length and e_ll != e_h:
        out.append("Huffman's code fits within max_length, so the optimal limited code has its E_q[l]")
    return tuple(out)


def limit_cost(lengths, q) -> float:
    """``E_q[l] - E_q[l_Huffman]`` in bits/symbol: what these lengths cost on q over Huffman's
    (the length limit's cost; for Golomb, the gap to the optimal code)."""
    q = as_distribution(q, "q")
    return math.fsum((q.probs * (np.asarray(lengths, dtype=np.int64) - huffman_lengths(q))).tolist())


def length_limited_guarantee(name: str, code, p, q) -> Guarantee:
    """A Huffman code with every codeword at most L bits: ``H(p) <= E_p[l] <= L`` (§m)."""
    p, q = as_distribution(p, "p"), as_distribution(q, "q")
    limit = code.max_length
    mean, var = prefix_moments(code.lengths, p)
    h = entropy(p)
    bound = Bound(h, float(limit), f"H(p) <= E_p[l] <= L = {limit} (every codeword at most L bits)",
                  "theory §b, §m")
    cost = limit_cost(code.lengths, q)
    statement = (f"package-merge gives the prefix code of least E_q[l] among those with every length <= {limit} "
                 "(Larmore & Hirschberg 1990); a fixed prefix code: its mean length estimates the exact E_p[l] "
                 "(theory §i)")
    return Guarantee(name, "prefix", mean, var, bound, statement,
                     notes=(f"cost of the limit on q: E_q[l] - E_q[l_Huffman] = {cost:.6g} bits/symbol",),
                     law=prefix_law(code.lengths, p),
                     violations=length_limited_violations(code.lengths, q, limit))


# ---------------------------------------------------------------------------- Tunstall (§p)


def tunstall_bounds(p, q, m: int, phrases: int) -> Bound:
    """Bounds on the rate ``m / E_p[L]`` of a Tunstall code with ``phrases`` = M leaves (§p)."""
    p, q = as_distribution(p, "p"), as_distribution(q, "q")
    h = entropy(p)
    if phrases < 2:  # one phrase of one symbol (a one-symbol q): m bits per symbol
        return Bound(h, float(m), "H(p) <= m/E_p[L] = m (one phrase)", "theory §p")
    lower = h * m / math.log2(phrases)
    matched = np.array_equal(p.probs, q.probs)
    if matched:
        p_min = float(p.probs[p.probs > 0].min())
        room = math.log2(phrases) - math.log2(1 / p_min)
        if room > 0:
            return Bound(lower, h * m / room, "H(p) m / log2 M <= m/E_p[L] <= H(p) m / (log2 M - log2(1/p_min))",
                         "theory §p: leaf entropy; Jelinek & Schneider 1972")
    return Bound(lower, math.inf, "H(p) <= H(p) m / log2 M <= m/E_p[L]", "theory §p: leaf entropy")


def tunstall_guarantee(name: str, code, p, q, n: int) -> Guarantee:
    """A Tunstall code on n symbols from p: rate m/E_p[L], its asymptotic variance, the
    phrase-length law (for the runner's renewal test) and the tree's exact q-side checks."""
    p, q = as_distribution(p, "p"), as_distribution(q, "q")
    m = code.codeword_bits
    lengths, probs = code.phrase_length_law(p)
    total = math.fsum(probs.tolist())
    violations = []
    if total < 1 - 1e-9:  # p puts mass outside supp(q): some message will be unencodable
        rate, var, law = math.inf, math.inf, None
    else:
        probs = probs / total
        mu = math.fsum((lengths * probs).tolist())
        var_l = math.fsum((probs * (lengths - mu) ** 2).tolist())
        rate = m / mu
        var = m * m * var_l / mu**3  # renewal CLT: Var[N(n)] ~ n Var(L) / E[L]^3
        law = (lengths, probs)
    ks = q.support.size
    splits = ((1 << m) - 1) // (ks - 1) if ks > 1 else 1
    if code.phrase_count != 1 + splits * (ks - 1):
        violations.append(f"{code.phrase_count} phrases, but Tunstall's tree with {m}-bit codewords over "
                          f"{ks} symbols has 1 + {splits}·{ks - 1} = {1 + splits * (ks - 1)} (theory §p)")
    node_q = code.node_probabilities(q)  # every internal node at least as probable as every leaf
    internal = code.internal_nodes
    leaves = node_q[~internal]
    if leaves.size and node_q[internal].min() < leaves.max() * (1 - 1e-9):
        violations.append("an internal node of the parse tree is less probable under q than a leaf: not the "
                          "Tunstall tree (the most probable leaf is split first; theory §p)")
    bound = tunstall_bounds(p, q, m, code.phrase_count)
    statement = (f"the phrases are i.i.d.; a message of n symbols takes m = {m} bits per phrase, and the phrase count "
                 f"is a renewal count, so bits/n tends to m/E_p[L] with variance m^2 Var(L)/(n E[L]^3) (theory §p)")
    notes = (f"E_p[L] = {m / rate if math.isfinite(rate) else 0:.6g} symbols per phrase, M = {code.phrase_count} "
             "phrases",)
    return Guarantee(name, "vf", rate, var, bound, statement, notes=notes, law=law, violations=tuple(violations))


# ---------------------------------------------------------------------------- LZ78 (§q)


def empirical_conditional_entropy_bits(x, k: int, alphabet_size: int) -> float:
    """``n Ĥ_k(x^n)``: ``-Σ_t log2 Q̂(x_t | x_{t-k..t-1})`` for the k-th order empirical model,
    contexts before the first symbol taken as symbol 0 (total bits, not per symbol)."""
    x = np.asarray(x, dtype=np.int64)
    n = x.size
    if n == 0:
        return 0.0
    ctx = np.zeros(n, dtype=np.int64)
    for j in range(1, k + 1):
        shifted = np.zeros(n, dtype=np.int64)
        shifted[j:] = x[:-j]
        ctx = ctx * alphabet_size + shifted
    pair_counts = np.unique(ctx * alphabet_size + x, return_counts=True)[1].astype(np.float64)
    ctx_counts = np.unique(ctx, return_counts=True)[1].astype(np.float64)
    # -Σ n_cx log2(n_cx / n_c) = -Σ n_cx log2 n_cx + Σ n_c log2 n_c
    return max(0.0, math.fsum((ctx_counts * np.log2(ctx_counts)).tolist())
               - math.fsum((pair_counts * np.log2(pair_counts)).tolist()))


def lz78_ziv_bound(n: int, phrases: int, k: int, alphabet_size: int, hk_bits: float) -> float:
    """Upper bound (bits) on an LZ78 message of n symbols parsed into ``phrases`` = c phrases,
    from Ziv's inequality with the k-th order empirical model (``hk_bits`` = n Ĥ_k): theory §q.

    ``L(c) <= n Ĥ_k + c' (k log2 K + log2(n/c') + log2 e) + log2(c'+1) + log2 e + c (1 + w)``,
    taken at the worse of c' = c and c' = c - 1 (c' = the distinct phrases; the last may repeat)."""
    c = int(phrases)
    if c == 0:
        return 0.0
    w = max(1, (alphabet_size - 1).bit_length())
    worst = -math.inf
    for distinct in {c, max(1, c - 1)}:
        term = distinct * (k * math.log2(alphabet_size) + math.log2(n / distinct) + LOG2_E)
        worst = max(worst, term + math.log2(distinct + 1))
    return hk_bits + worst + LOG2_E + c * (1 + w)


def lz78_guarantee(name: str, code, p, n: int, entropy_rate: float | None = None) -> Guarantee:
    """LZ78 on n symbols: no exact expectation; McMillan in expectation (n H per message for an
    i.i.d. source, the entropy rate for a Markov one) and Ziv's per-sequence bound (§q)."""
    p = as_distribution(p, "p")
    h = entropy(p) if entropy_rate is None else float(entropy_rate)
    bound = Bound(h, math.inf, "entropy rate <= E[bits]/n (any uniquely decodable code of n-symbol messages)",
                  "theory §b, §q")
    statement = ("every message: its length is L(c) for an integer phrase count c >= the minimum for n symbols, and at "
                 "most Ziv's bound n Ĥ_k + O(c (k log2 K + log2(n/c))) for k = 0, 1 (theory §q); no message is "
                 "shorter than -log2 P(x^n) - log2(1/alpha) except with probability alpha (no hypercompression)")
    notes = ("the redundancy bits/n - H decays like log log n / log n in Ziv's bound; measured on i.i.d. sources it "
             "decays faster (theory §q)",)
    return Guarantee(name, "universal", None, None, bound, statement, notes=notes)


def hypercompression_pvalue(bits: float, log_loss_bits: float) -> float:
    """Upper bound on ``P(L(X^n) <= bits)`` under the true source when ``-log2 P(x^n)`` is
    ``log_loss_bits``: ``2^-(log_loss - bits)`` (Kraft + Markov; 1 if bits >= log loss)."""
    gap = log_loss_bits - bits
    return 1.0 if gap <= 0 else 2.0**-gap


# ---------------------------------------------------------------------------- dispatch


def family_guarantee(name: str, kind: str, code, p, q, n: int) -> Guarantee | None:
    """The guarantee of a code of one of these families, or None for the other coders."""
    from .coders.dary import DaryHuffmanCode
    from .coders.integer import EliasCode, GolombCode

    if isinstance(code, DaryHuffmanCode):
        return dary_guarantee(name, code, p, q)
    if kind == "prefix" and getattr(code, "max_length", None) is not None:
        return length_limited_guarantee(name, code, p, q)
    if isinstance(code, GolombCode):
        return golomb_guarantee(name, code, p, q)
    if isinstance(code, EliasCode):
        return elias_guarantee(name, code, p, q)
    if kind == "vf":
        return tunstall_guarantee(name, code, p, q, n)
    if kind == "universal":
        return lz78_guarantee(name, code, p, n)
    return None


__all__ = [
    "OMEGA_OVER_DELTA",
    "dary_guarantee",
    "elias_guarantee",
    "elias_length",
    "elias_universal_bound",
    "empirical_conditional_entropy_bits",
    "family_guarantee",
    "golomb_guarantee",
    "hypercompression_pvalue",
    "is_non_increasing",
    "length_limited_guarantee",
    "length_limited_violations",
    "limit_cost",
    "lz78_guarantee",
    "lz78_ziv_bound",
    "tunstall_bounds",
    "tunstall_guarantee",
]
