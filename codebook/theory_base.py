"""The data types of a guarantee and the exact moments both theory modules use.

:class:`Bound` (a theorem's interval on an expected number of bits per symbol) and
:class:`Guarantee` (what theory says about one coder on data from p), with
:func:`prefix_moments`, :func:`prefix_law`, :func:`kraft_sum_exact` and :func:`float_sum`: the
building blocks :mod:`codebook.theory` and :mod:`codebook.theory_families` share. They live here, below both, so that ``theory`` can
dispatch to ``theory_families`` without an import cycle; ``codebook.theory`` re-exports them
and stays the place to import them from. Part of the library: it never imports ``simulations``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .distributions import as_distribution

_FSUM_LIMIT = 1 << 14


def float_sum(values: np.ndarray) -> float:
    """A float sum: correctly rounded (``math.fsum``) for up to 2**14 terms, NumPy's pairwise sum
    (relative error below ~1e-15 for the non-negative or centred terms summed here) beyond,
    where a Python list of millions of floats would cost more than every check together."""
    if values.size <= _FSUM_LIMIT:
        return math.fsum(values.tolist())
    return float(np.sum(values))


@dataclass(frozen=True)
class Bound:
    """``lower <= E <= upper`` on an expected number of bits per symbol, with its source.

    ``*_strict`` says whether the theorem gives a strict inequality; ``text`` is the formula
    as a person reads it and ``section`` the theory section / textbook theorem.
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
    """What theory says about one coder on data from p (see the docstring of :mod:`codebook.theory`).

    Attributes
    ----------
    coder, kind : str
        Registry name and kind ("prefix", "stream", "adaptive").
    expected : float or None
        Exact expected bits per symbol: ``E_p[l]`` for a prefix code; for a stream coder the
        mean of its ideal length, ``H(p, q_hat)`` (the real length adds ``[lo, hi]/n``); for an
        adaptive coder ``E[L_alpha(X^n)]/n`` (the real length adds ``[lo, hi]/n``).
    variance : float or None
        Per-symbol variance (bits²) of the i.i.d. terms whose mean is ``expected``:
        ``Var_p[l(X)]`` or ``Var_p[-log2 q_hat(X)]`` (theory §i); exactly 0 when every symbol
        of supp(p) has the same term. ``None`` for an adaptive coder (not a sum of i.i.d. terms).
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
    difference_bound : float or None
        Adaptive coders: the most one symbol of a message can change ``L_alpha(x^n)`` (bits),
        ``log2((n - 1 + alpha)/alpha)``; McDiarmid's inequality turns it into a test of the mean.
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
    difference_bound: float | None = None

    @property
    def holds(self) -> bool:
        """Whether the exact expectation obeys its theorem (checked exactly, no sampling).

        Also False when an exact check of the code itself failed (``violations``). Stream and
        adaptive bounds are built from the expectation itself, so for them only ``violations``
        can fail (an adaptive coder's McMillan check is one); their content is checked message
        by message instead.
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


def prefix_moments(lengths, p) -> tuple[float, float]:
    """``(E_p[l], Var_p[l])`` of integer codeword lengths (0 = no codeword) under ``p``.

    ``inf`` for both when p puts mass on a symbol without a codeword. Exact in the sense of
    theory §i: computed from the distribution, not estimated from a sample; when every symbol
    of supp(p) has the same length l, exactly ``(l, 0.0)``.
    """
    p = as_distribution(p, "p")
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.size != len(p):
        raise ValueError(f"`lengths` must have one entry per symbol; got {lengths.size} for K = {len(p)}")
    pp = p.probs
    if (pp[lengths == 0] > 0).any():
        return math.inf, math.inf
    on = lengths[pp > 0]
    if np.all(on == on[0]):
        return float(on[0]), 0.0
    total = float_sum(pp)
    mean = float_sum(pp * lengths) / total
    var = float_sum(pp * (lengths - mean) ** 2) / total
    return mean, max(var, 0.0)


def prefix_law(lengths, p) -> tuple[np.ndarray, np.ndarray] | None:
    """The law under ``p`` of a prefix code's length ``l(X)``: ``(lengths, probs)`` on supp(p),
    the :attr:`Guarantee.law` of a fixed prefix code; None when p puts mass on a symbol without a
    codeword (then E_p[l] is infinite)."""
    pp = as_distribution(p, "p").probs
    on = pp > 0
    lengths = np.asarray(lengths)
    if (lengths[on] <= 0).any():
        return None
    return lengths[on].astype(np.int64), pp[on]


def kraft_sum_exact(lengths) -> Fraction:
    """``Σ 2^-l`` over positive integer ``lengths``, exactly, in O(K + l_max) (one bincount)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    lengths = lengths[lengths > 0]
    if lengths.size == 0:
        return Fraction(0)
    per_length = np.bincount(lengths).tolist()
    top = len(per_length) - 1
    return Fraction(sum(c << (top - l) for l, c in enumerate(per_length) if c), 1 << top)
