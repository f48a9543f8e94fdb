"""What each coder guarantees for data from p coded with a model built from q, by THEORY.md section.

A :class:`Guarantee` answers, for one built code, a true distribution ``p`` and a message length
``n``: the exact expected bits per symbol where one exists, the per-symbol variance behind a
confidence interval (THEORY.md (i)), the theorem that bounds the expectation (as a
:class:`Bound` with its section reference and a sentence a student can read) and, for stream
and adaptive coders, the per-message bounds on ``bits - ideal`` that every single message must
satisfy.

The statements, in short (all lengths in bits, all per symbol unless said otherwise):

* any uniquely decodable code: ``E_p[l] >= H(p)`` (Kraft-McMillan, (b), C&T Thm 5.5.1);
* Huffman for q, matched (p = q): ``H(p) <= E_p[l] < H(p) + 1`` (C&T Thm 5.4.1, (e));
* Huffman for q, mismatched: only ``H(p) <= E_p[l] <= 1 + H(p,q)/log2(phi)`` ((d)); it can lie
  *below* H(p,q) and above H(p,q) + 1;
* Shannon for q: ``H(p,q) <= E_p[l] < H(p,q) + 1`` (C&T Thm 5.4.3, (c));
* Shannon-Fano-Elias for q: ``H(p,q) + 1 <= E_p[l] < H(p,q) + 2`` (C&T §5.9, (c));
* stream coder with quantized model q_hat: per message ``lo <= bits + log2 q_hat(x^n) <= hi``
  for the coder's documented ``excess_bounds(n) = (lo, hi)``, so
  ``E[bits]/n`` lies in ``[H(p,q_hat) + lo/n, H(p,q_hat) + hi/n]`` ((f));
* adaptive coder with pseudo-count alpha (1/2 = Krichevsky-Trofimov, 1 = Laplace): per message
  ``lo <= bits - L_alpha(x^n) <= hi`` where the code length depends only on the counts ((h));
  in expectation ``E[bits] >= n H(p)`` ((b)).

Block (extension) codes follow by applying the same functions to ``p^k`` and ``q^k`` and
dividing by ``k`` ((g)): mismatched block Huffman keeps only the McMillan and Fibonacci bounds.
This module is part of the library: it never imports ``simulations``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy.special import gammaln, xlogy

from .distributions import Distribution, as_distribution, check_same_alphabet
from .measures import cross_entropy, entropy

LOG2_PHI = math.log2((1 + math.sqrt(5)) / 2)
"""log2 of the golden ratio, 0.694241913...: Huffman depth <= 1 + log_phi(1/q(x)) (THEORY.md (d))."""


@dataclass(frozen=True)
class Bound:
    """``lower <= E <= upper`` on an expected number of bits per symbol, with its source.

    ``*_strict`` says whether the theorem gives a strict inequality; ``text`` is the formula
    as a person reads it and ``section`` the THEORY.md section / textbook theorem.
    """

    lower: float
    upper: float
    text: str
    section: str
    lower_strict: bool = False
    upper_strict: bool = False

    def contains(self, value: float, slack: float = 1e-12) -> bool:
        """Whether ``value`` satisfies the bound, up to ``slack`` (relative) float rounding.

        The exact expectations here are float sums while the theorems are about exact values,
        so by default a value within ``slack * max(1, |bound|)`` of an end passes, even at a
        strict end (rounding can land a true ``E < H + 1`` on ``H + 1``). ``slack=0`` checks
        the inequalities exactly as stated, strictness included.
        """
        if math.isnan(value):
            return False
        if math.isinf(value):
            return math.isinf(self.upper) and value > 0
        ends = [abs(v) for v in (self.lower, self.upper) if math.isfinite(v)]
        tol = slack * max([1.0] + ends)
        if slack == 0:
            ok_lo = value > self.lower if self.lower_strict else value >= self.lower
            ok_hi = value < self.upper if self.upper_strict else value <= self.upper
            return ok_lo and ok_hi
        return self.lower - tol <= value <= self.upper + tol

    def scaled(self, factor: float, text: str | None = None) -> Bound:
        """The same bound multiplied by ``factor > 0`` (e.g. ``1/k`` for a block code)."""
        return Bound(self.lower * factor, self.upper * factor, text or self.text, self.section,
                     self.lower_strict, self.upper_strict)


@dataclass(frozen=True)
class Guarantee:
    """What theory says about one coder on data from p (see the module docstring).

    Attributes
    ----------
    coder, kind : str
        Registry name and kind ("prefix", "stream", "adaptive").
    expected : float or None
        Exact expected bits per symbol: ``E_p[l]`` for a prefix code; for a stream coder the
        mean of its ideal length, ``H(p, q_hat)`` (the real length adds ``[lo, hi]/n``);
        ``None`` for an adaptive coder (its length is not a sum of i.i.d. terms).
    variance : float or None
        Per-symbol variance (bits²) of the i.i.d. terms whose mean is ``expected``:
        ``Var_p[l(X)]`` or ``Var_p[-log2 q_hat(X)]`` (THEORY.md (i)).
    bound : Bound
        The theorem on the expected bits per symbol.
    excess : (float, float) or None
        Per-message bounds ``(lo, hi)`` on ``bits - ideal`` (stream and adaptive coders).
    model_cross_entropy : float or None
        ``H(p, q_hat)`` for a stream coder (``q_hat`` = the quantized model it really uses).
    statement : str
        The applicable theorem in one readable sentence, with its reference.
    prior : float or None
        An adaptive coder's pseudo-count alpha (0.5 = KT, 1 = Laplace).
    law : (values, probs) or None
        The law under p of the i.i.d. per-symbol term whose mean is ``expected``: codeword
        lengths (integers) or ``-log2 q_hat(x)``, on supp(p); ``None`` when ``expected`` is
        infinite or not a mean of i.i.d. terms. Exact tests of a measured total use it.
    violations : tuple of str
        Exact checks on the code itself that failed (for Huffman: the q-side properties every
        Huffman code for q has, whatever p is; see :func:`huffman_q_violations`).
    """

    coder: str
    kind: str
    expected: float | None
    variance: float | None
    bound: Bound
    statement: str
    excess: tuple[float, float] | None = None
    model_cross_entropy: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    prior: float | None = None
    law: tuple[np.ndarray, np.ndarray] | None = field(default=None, compare=False, repr=False)
    violations: tuple[str, ...] = field(default_factory=tuple)

    @property
    def holds(self) -> bool:
        """Whether a prefix code's exact E_p[l] obeys its theorem (checked exactly, no sampling).

        Also False when an exact check of the code itself failed (``violations``). Stream and
        adaptive bounds are built from the expectation itself, so for them only ``violations``
        can fail; their content is checked message by message instead.
        """
        if self.violations:
            return False
        if self.kind != "prefix" or self.expected is None:
            return True
        return self.bound.contains(self.expected)

    @property
    def failure(self) -> str:
        """Why :attr:`holds` is False, in one readable sentence ("" when it holds)."""
        if self.violations:
            return "; ".join(self.violations)
        if self.holds:
            return ""
        return f"the exact expectation {self.expected:.6f} breaks {self.bound.text} ({self.bound.section})"


# ---------------------------------------------------------------------------- moments


def log_loss_moments(p, q) -> tuple[float, float]:
    """``(H(p,q), Var_p[-log2 q(X)])`` in bits and bits²; ``(inf, inf)`` if some p(x) > 0 = q(x).

    The per-symbol mean and variance of the ideal code length ``-log2 q(X)``, X ~ p: an
    arithmetic coder's length is their n-fold sum plus O(1) (THEORY.md (i)).
    ``Var = Σ p (log2 q)² - H(p,q)²``, computed as ``Σ p (log2 q - H)²`` to avoid cancellation.
    """
    p, q = as_distribution(p, "p"), as_distribution(q, "q")
    check_same_alphabet(p, q)
    pp, qq = p.probs, q.probs
    if ((pp > 0) & (qq == 0)).any():
        return math.inf, math.inf
    h = cross_entropy(p, q)
    pos = pp > 0
    info = -np.log2(qq[pos])
    var = math.fsum((pp[pos] * (info - h) ** 2).tolist()) / math.fsum(pp.tolist())
    return h, max(var, 0.0)


def prefix_moments(lengths, p) -> tuple[float, float]:
    """``(E_p[l], Var_p[l])`` of integer codeword lengths (0 = no codeword) under ``p``.

    ``inf`` for both when p puts mass on a symbol without a codeword. Exact in the sense of
    THEORY.md (i): computed from the distribution, not estimated from a sample.
    """
    p = as_distribution(p, "p")
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.size != len(p):
        raise ValueError(f"`lengths` must have one entry per symbol; got {lengths.size} for K = {len(p)}")
    pp = p.probs
    if (pp[lengths == 0] > 0).any():
        return math.inf, math.inf
    total = math.fsum(pp.tolist())
    mean = math.fsum((pp * lengths).tolist()) / total
    var = math.fsum((pp * (lengths - mean) ** 2).tolist()) / total
    return mean, max(var, 0.0)


# ---------------------------------------------------------------------------- bounds per code


def mcmillan_bound(p) -> Bound:
    """``E_p[l] >= H(p)`` for every uniquely decodable code (THEORY.md (b), C&T Thm 5.5.1)."""
    return Bound(entropy(p), math.inf, "H(p) <= E_p[l]", "THEORY.md (b), C&T Thm 5.3.1/5.5.1")


def huffman_bound(p, q) -> Bound:
    """The bound a Huffman code for ``q`` obeys on data from ``p``.

    Matched (``p == q`` exactly): ``H(p) <= E < H(p) + 1`` (C&T Thm 5.4.1, 5.8.1).
    Mismatched: only ``H(p) <= E <= 1 + H(p,q)/log2(phi)`` (McMillan and the Fibonacci depth
    cap, THEORY.md (d)). H(p,q) is *not* a lower bound there, nor H(p,q) + 1 an upper one.
    """
    p, q = as_distribution(p, "p"), as_distribution(q, "q")
    check_same_alphabet(p, q)
    h = entropy(p)
    if q.support.size == 1:  # one codeword of one bit (never zero bits per symbol)
        return Bound(h, max(1.0, 1 + cross_entropy(p, q) / LOG2_PHI),
                     "H(p) <= E_p[l] <= 1 (one-symbol q: 1 bit)", "THEORY.md (b), (d)")
    if np.array_equal(p.probs, q.probs):
        return Bound(h, h + 1, "H(p) <= E_p[l] < H(p) + 1 (matched, q = p)",
                     "THEORY.md (e), C&T Thm 5.4.1", upper_strict=True)
    cap = 1 + cross_entropy(p, q) / LOG2_PHI
    return Bound(h, cap, "H(p) <= E_p[l] <= 1 + H(p,q)/log2(phi)",
                 "THEORY.md (d): McMillan + Fibonacci depth cap")


def shannon_bound(p, q) -> Bound:
    """``H(p,q) <= E_p[l] < H(p,q) + 1`` for the Shannon code of q (C&T Thm 5.4.3, THEORY.md (c)).

    One edge: if q has a single symbol of positive probability, its codeword still takes one
    bit (never zero bits per symbol), so the upper end becomes ``<= 1``.
    """
    p, q = as_distribution(p, "p"), as_distribution(q, "q")
    check_same_alphabet(p, q)
    h = cross_entropy(p, q)
    if q.support.size == 1:
        return Bound(h, max(h + 1, 1.0), "H(p,q) <= E_p[l] <= H(p,q) + 1 (one-symbol q: 1 bit)",
                     "THEORY.md (c), C&T Thm 5.4.3")
    return Bound(h, h + 1, "H(p,q) <= E_p[l] < H(p,q) + 1", "THEORY.md (c), C&T Thm 5.4.3 (wrong code)",
                 upper_strict=True)


def sfe_bound(p, q) -> Bound:
    """``H(p,q) + 1 <= E_p[l] < H(p,q) + 2``: Shannon-Fano-Elias lengths are Shannon's + 1 (C&T §5.9)."""
    p, q = as_distribution(p, "p"), as_distribution(q, "q")
    check_same_alphabet(p, q)
    h = cross_entropy(p, q)
    return Bound(h + 1, h + 2, "H(p,q) + 1 <= E_p[l] < H(p,q) + 2", "THEORY.md (c), C&T §5.9",
                 upper_strict=True)


_PREFIX_BOUNDS = {"huffman": huffman_bound, "shannon": shannon_bound, "sfe": sfe_bound}


def prefix_bound(name: str, p, q) -> Bound:
    """The theorem for the prefix coder ``name`` built from ``q``; McMillan for unknown ones."""
    fn = _PREFIX_BOUNDS.get(name)
    return fn(p, q) if fn is not None else mcmillan_bound(p)


GALLAGER_SIGMA = 1 - math.log2(math.e) + math.log2(math.log2(math.e))
"""0.0860713...: Gallager's redundancy term, E_q[l_H] - H(q) <= q_max + sigma (THEORY.md (e))."""


def huffman_q_violations(lengths, q) -> tuple[str, ...]:
    """The exact q-side properties every Huffman code for ``q`` has, whatever the data's p:
    each one that ``lengths`` breaks, as a readable sentence (empty tuple: all hold).

    * Kraft sum exactly 1 when |supp q| >= 2 (a Huffman tree is full; C&T §5.6), in fractions;
    * ``E_q[l] < H(q) + 1`` (C&T Thm 5.4.1 with optimality, Thm 5.8.1);
    * ``E_q[l] - H(q) <= q_max + 0.0860713`` (Gallager 1978, THEORY.md (e));
    * ``l(x) <= fibonacci_length_cap(q(x))`` for every x with q(x) > 0 (THEORY.md (d)).

    The float comparisons allow 1e-9 bits of rounding; the Kraft sum and the depth caps are exact.
    A code that breaks one of them is not a Huffman code for q, even if its E_p[l] obeys the
    (weak, mismatched) bound on p.
    """
    q = as_distribution(q, "q")
    lengths = np.asarray(lengths, dtype=np.int64)
    probs = q.probs
    on = probs > 0
    out = []
    if (lengths[on] <= 0).any():
        x = int(np.flatnonzero(on & (lengths <= 0))[0])
        return (f"symbol {x} has q(x) = {probs[x]:.3g} > 0 but no codeword (a Huffman code for q codes every "
                "symbol of supp q)",)
    if int(on.sum()) >= 2:
        kraft = sum(Fraction(1, 1 << int(l)) for l in lengths[lengths > 0].tolist())
        if kraft != 1:
            out.append(f"Kraft sum Σ 2^-l(x) = {float(kraft):.6g}, but a Huffman code's is exactly 1 "
                       "(its tree is full; C&T §5.6)")
    eq = math.fsum((probs[on] * lengths[on]).tolist()) / math.fsum(probs.tolist())
    hq = entropy(q)
    if not eq < hq + 1 + 1e-9:
        out.append(f"E_q[l] = {eq:.6f} >= H(q) + 1 = {hq + 1:.6f} (C&T Thm 5.4.1: a Huffman code for q is "
                   "within one bit of H(q))")
    qmax = float(probs.max()) / math.fsum(probs.tolist())
    if eq - hq > qmax + GALLAGER_SIGMA + 1e-9:
        out.append(f"E_q[l] - H(q) = {eq - hq:.6f} > q_max + 0.0860713 = {qmax + GALLAGER_SIGMA:.6f} "
                   "(Gallager 1978, THEORY.md (e))")
    total = sum(Fraction(v) for v in probs.tolist())
    for x in np.flatnonzero(on).tolist():
        cap = fibonacci_length_cap(Fraction(float(probs[x])) / total)
        if lengths[x] > cap:
            out.append(f"symbol {x} has a {int(lengths[x])}-bit codeword but q(x) = {probs[x]:.3g} allows at most "
                       f"{cap} bits in a Huffman tree (Fibonacci depth cap, THEORY.md (d))")
            break
    return tuple(out)


def fibonacci_length_cap(qx) -> int:
    """``max{l : F_{l+1} <= 1/qx}``: the deepest a Huffman leaf of probability ``qx`` can sit
    (THEORY.md (d); F_1 = F_2 = 1). ``<= 1 + log_phi(1/qx)``. ``qx`` a float (taken at its exact
    binary64 value) or a Fraction."""
    if not (0 < qx <= 1):
        raise ValueError(f"`qx` must be a probability in (0, 1]; got {qx!r}")
    q = Fraction(qx)  # exact binary64 value: F * q <= 1 decided without rounding
    length, f_next, f_after = 1, 1, 2  # F_{length+1} = F_2 = 1 always fits; f_after = F_{length+2}
    while f_after * q <= 1:
        length += 1
        f_next, f_after = f_after, f_next + f_after
    return length


# ---------------------------------------------------------------------------- adaptive (KT)


def kt_code_length(counts, alpha: float = 0.5) -> float:
    """``-log2 P_alpha(x^n)`` in bits from the symbol counts (THEORY.md (h), closed form).

    ``P_alpha = Γ(Kα) Π_k Γ(n_k+α) / (Γ(α)^K Γ(n+Kα))``; alpha = 1/2 is Krichevsky-Trofimov,
    alpha = 1 is Laplace. Depends only on the counts because the mixture is exchangeable.
    """
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 1 or c.size == 0 or (c < 0).any():
        raise ValueError("`counts` must be a non-empty 1-D vector of non-negative counts")
    if not alpha > 0:
        raise ValueError(f"`alpha` must be > 0; got {alpha!r}")
    k, n = c.size, c.sum()
    nats = (gammaln(n + k * alpha) - gammaln(k * alpha) + k * gammaln(alpha)
            - math.fsum(gammaln(c + alpha).tolist()))
    return max(float(nats), 0.0) / math.log(2)


def kt_expected_redundancy(k: int, n: int) -> float:
    """Clarke-Barron asymptotic ``E[L_KT] - n H(p)`` in bits for p inside the simplex ((h)):
    ``(K-1)/2 log2(n/(2 pi e)) + log2(Γ(1/2)^K / Γ(K/2))``. An approximation (o(1) dropped)."""
    if n <= 0:
        return 0.0
    return ((k - 1) / 2 * math.log2(n / (2 * math.pi * math.e))
            + (k * gammaln(0.5) - gammaln(k / 2)) / math.log(2))


def empirical_entropy_bits(counts) -> float:
    """``n Ĥ(x^n) = -Σ n_k log2(n_k/n)`` in bits (total, not per symbol)."""
    c = np.asarray(counts, dtype=np.float64)
    n = c.sum()
    if n == 0:
        return 0.0
    return float(-math.fsum(xlogy(c, c / n).tolist()) / math.log(2))


# ---------------------------------------------------------------------------- per coder


def guarantee(name: str, kind: str, code, p, q, n: int) -> Guarantee:
    """What theory guarantees for the built ``code`` (registry ``name`` of ``kind``) on ``n``
    symbols from ``p``, the code having been built from ``q``.

    Prefix codes need ``code.lengths``; stream coders ``code.model`` (the quantized q_hat) and
    ``code.excess_bounds(n)``; adaptive coders ``code.excess_bounds(n)`` and ``code.prior``.
    """
    p, q = as_distribution(p, "p"), as_distribution(q, "q")
    check_same_alphabet(p, q)
    from .theory_families import family_guarantee  # it imports this module: imported here, no cycle

    family = family_guarantee(name, kind, code, p, q, n)  # D-ary/limited Huffman, Golomb, Elias, Tunstall, LZ78
    if family is not None:
        return family
    if kind == "prefix":
        return prefix_guarantee(name, code.lengths, p, q)
    if kind == "stream":
        lo, hi = (float(v) for v in code.excess_bounds(n))
        return stream_guarantee(name, p, q, as_distribution(code.model, "q_hat"), n, (lo, hi))
    if kind == "adaptive":
        lo, hi = (float(v) for v in code.excess_bounds(n))
        return adaptive_guarantee(name, p, n, (lo, hi), float(code.prior))
    raise ValueError(f"unknown coder kind {kind!r} for coder {name!r}")


def prefix_guarantee(name: str, lengths, p, q) -> Guarantee:
    """Exact ``E_p[l]``, ``Var_p[l]`` and the bound of the prefix code with these ``lengths``."""
    mean, var = prefix_moments(lengths, p)
    bound = prefix_bound(name, p, q)
    statement = ("the mean length of a fixed prefix code is an average of i.i.d. codeword lengths, so it "
                 "estimates the exact E_p[l] with standard error sqrt(Var_p[l]/n) (THEORY.md (i))")
    notes = ()
    violations = huffman_q_violations(lengths, q) if name == "huffman" else ()
    if name == "huffman" and bound.upper != bound.lower + 1:
        notes = ("a Huffman code built for q may lie below H(p,q) or above H(p,q)+1 on data "
                 "from p; only H(p) and the Fibonacci cap bound it (THEORY.md (d))",)
    pp = as_distribution(p, "p").probs
    on = pp > 0
    law = (np.asarray(lengths, dtype=np.int64)[on], pp[on]) if math.isfinite(mean) else None
    return Guarantee(name, "prefix", mean, var, bound, statement, notes=notes, law=law, violations=violations)


def stream_guarantee(name: str, p, q, q_hat: Distribution, n: int, excess: tuple[float, float]) -> Guarantee:
    """A stream coder with quantized model ``q_hat`` and per-message excess bounds ``(lo, hi)``."""
    h_hat, var = log_loss_moments(p, q_hat)
    lo, hi = excess
    per = 1 / n if n > 0 else 0.0
    bound = Bound(h_hat + lo * per, h_hat + hi * per,
                  f"H(p,q_hat) + [lo, hi]/n, [lo, hi] = [{lo:.4g}, {hi:.4g}] bits per message",
                  "THEORY.md (f); lo, hi from the coder's documented excess_bounds(n)")
    quant = h_hat - cross_entropy(p, q) if math.isfinite(h_hat) else math.inf
    statement = ("every message satisfies lo <= bits - (-log2 q_hat(x^n)) <= hi; -log2 q_hat(X^n) is "
                 "a sum of n i.i.d. terms with mean H(p,q_hat) and variance Var_p[-log2 q_hat(X)] "
                 "(THEORY.md (f), (i))")
    notes = (f"quantization cost H(p,q_hat) - H(p,q) = {quant:.6g} bits/symbol (THEORY.md (f))",)
    law = None
    if math.isfinite(h_hat):
        pp = as_distribution(p, "p").probs
        on = pp > 0
        law = (-np.log2(q_hat.probs[on]), pp[on])
    return Guarantee(name, "stream", h_hat, var, bound, statement, excess=(lo, hi),
                     model_cross_entropy=h_hat, notes=notes, law=law)


def laplace_expected_redundancy(p, n: int) -> float:
    """Clarke-Barron asymptotic ``E[L_Laplace] - n H(p)`` in bits for p inside the simplex ((h)):
    ``(K-1)/2 log2(n/(2 pi e)) - 1/2 Σ log2 p_k - log2 (K-1)!``; ``inf`` on the boundary (some
    p_k = 0), where the formula does not apply. An approximation (o(1) dropped)."""
    p = as_distribution(p, "p")
    k = len(p)
    if n <= 0:
        return 0.0
    if (p.probs <= 0).any():
        return math.inf
    return ((k - 1) / 2 * math.log2(n / (2 * math.pi * math.e))
            - 0.5 * math.fsum(np.log2(p.probs).tolist()) - gammaln(k) / math.log(2))


def adaptive_guarantee(name: str, p, n: int, excess: tuple[float, float], prior: float = 0.5) -> Guarantee:
    """An adaptive coder with pseudo-count ``prior`` (0.5 = KT, 1 = Laplace): exact per-message
    check from the counts; McMillan in expectation; the Clarke-Barron redundancy of *its*
    prior as a note (THEORY.md (h): KT and Laplace have different constants and worst cases)."""
    p = as_distribution(p, "p")
    k = len(p)
    prior = float(prior)
    bound = mcmillan_bound(p)
    statement = (f"every message satisfies lo <= bits - L_alpha(x^n) <= hi, where the add-{prior:g} code length "
                 "L_alpha = -log2 P_alpha(x^n) depends only on the symbol counts (THEORY.md (h)); adaptive codes "
                 "are not sums of i.i.d. lengths, so they are checked exactly, message by message (THEORY.md (i))")
    if prior == 0.5:
        approx = kt_expected_redundancy(k, n)
        note = (f"Clarke-Barron (KT): E[L] - n H(p) is about {approx:.1f} bits at n = {n}, K = {k} "
                "(asymptotic, p inside the simplex; worst case over sequences (K-1)/2 log2 n + O(1); THEORY.md (h))")
    elif prior == 1.0:
        approx = laplace_expected_redundancy(p, n)
        where = (f"about {approx:.1f} bits" if math.isfinite(approx)
                 else "not given by the formula (p has a zero, the boundary of the simplex)")
        note = (f"Clarke-Barron (Laplace): E[L] - n H(p) is {where} at n = {n}, K = {k} "
                "((K-1)/2 log2(n/(2 pi e)) - 1/2 Σ log2 p_k - log2 (K-1)!, asymptotic; worst case over "
                "sequences log2 C(n+K-1, K-1), about (K-1) log2 n; THEORY.md (h))")
    else:
        note = (f"no expected-redundancy formula is stated for prior {prior:g} (THEORY.md (h) gives KT = 1/2 and "
                "Laplace = 1 only)")
    return Guarantee(name, "adaptive", None, None, bound, statement, excess=excess, notes=(note,), prior=prior)


__all__ = [
    "LOG2_PHI",
    "Bound",
    "Guarantee",
    "adaptive_guarantee",
    "empirical_entropy_bits",
    "GALLAGER_SIGMA",
    "fibonacci_length_cap",
    "huffman_q_violations",
    "guarantee",
    "huffman_bound",
    "kt_code_length",
    "kt_expected_redundancy",
    "laplace_expected_redundancy",
    "log_loss_moments",
    "mcmillan_bound",
    "prefix_bound",
    "prefix_guarantee",
    "prefix_moments",
    "sfe_bound",
    "shannon_bound",
    "stream_guarantee",
]
